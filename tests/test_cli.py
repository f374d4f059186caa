"""`logitlab fit` and `logitlab demo`: numbers against statsmodels, every error path."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import norm
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import roc_auc_score

from logitlab import LogisticRegression
from logitlab.cli import build_parser, main
from logitlab.commands import FitOptions, fit_csv, write_fit_plot
from logitlab.core.datasets import make_classification
from logitlab.progress import Progress

RTOL = 1e-6
FIELDS = ("estimate", "std_error", "z", "p_value", "ci_low", "ci_high", "odds_ratio")


def write_csv(path: Path, n: int = 300, n_classes: int = 2, seed: int = 0) -> pd.DataFrame:
    """Overlapping classes from a known linear model, with text class labels."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0]
    scores = X @ rng.normal(size=(3, n_classes)) + rng.gumbel(size=(n, n_classes))
    labels = np.array(["alpha", "beta", "gamma", "delta"])[np.argmax(scores, axis=1)]
    frame = pd.DataFrame(X, columns=["age", "dose", "score"])
    frame.insert(1, "group", labels)
    frame.to_csv(path, index=False)
    return frame


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fit_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, object]:
    code, out, err = run(capsys, "fit", *argv, "--json")
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def table(result: dict[str, object], field: str) -> np.ndarray:
    rows = result["coefficients"]
    assert isinstance(rows, list)
    return np.array([row[field] for row in rows], dtype=float)


def test_binary_fit_matches_statsmodels_logit(tmp_path: Path, capsys) -> None:
    data = tmp_path / "binary.csv"
    frame = write_csv(data)
    result = fit_json(capsys, str(data), "--target", "group")

    features = ["age", "dose", "score"]
    y = (frame["group"] == "beta").to_numpy(dtype=float)  # classes sort alpha < beta
    ref = sm.Logit(y, sm.add_constant(frame[features].to_numpy())).fit(
        method="newton", tol=1e-12, disp=0
    )
    ci = ref.conf_int()
    expected = {
        "estimate": ref.params,
        "std_error": ref.bse,
        "z": ref.tvalues,
        "p_value": ref.pvalues,
        "ci_low": ci[:, 0],
        "ci_high": ci[:, 1],
        "odds_ratio": np.exp(ref.params),
    }
    assert [row["name"] for row in result["coefficients"]] == ["intercept", *features]
    for field in FIELDS:
        np.testing.assert_allclose(table(result, field), expected[field], rtol=RTOL, err_msg=field)
    for key, value in [
        ("log_likelihood", ref.llf),
        ("null_log_likelihood", ref.llnull),
        ("pseudo_r2", ref.prsquared),
        ("aic", ref.aic),
        ("bic", ref.bic),
    ]:
        np.testing.assert_allclose(result[key], value, rtol=RTOL, err_msg=key)
    p1 = ref.predict()
    assert result["accuracy"] == pytest.approx(np.mean((p1 > 0.5) == y))
    assert result["roc_auc"] == pytest.approx(roc_auc_score(y, p1), rel=RTOL)
    assert result["penalized"] is False and result["classes"] == ["alpha", "beta"]
    assert result["n_samples"] == 300 and result["separation"] is None


def test_multinomial_fit_matches_statsmodels_mnlogit(tmp_path: Path, capsys) -> None:
    data = tmp_path / "three.csv"
    frame = write_csv(data, n=360, n_classes=3, seed=4)
    result = fit_json(capsys, str(data), "--target", "group", "--features", "age", "dose")

    codes, classes = pd.factorize(frame["group"], sort=True)
    ref = sm.MNLogit(codes, sm.add_constant(frame[["age", "dose"]].to_numpy())).fit(
        method="newton", tol=1e-12, disp=0
    )
    params = np.asarray(ref.params).T.ravel()  # one block of (const, age, dose) per class
    bse = np.asarray(ref.bse).T.ravel()
    half = norm.ppf(0.975) * bse
    rows = result["coefficients"]
    assert [row["class"] for row in rows] == ["beta"] * 3 + ["gamma"] * 3
    assert result["reference"] == "alpha" and list(classes) == ["alpha", "beta", "gamma"]
    np.testing.assert_allclose(table(result, "estimate"), params, rtol=RTOL)
    np.testing.assert_allclose(table(result, "std_error"), bse, rtol=RTOL)
    np.testing.assert_allclose(table(result, "z"), params / bse, rtol=RTOL)
    np.testing.assert_allclose(table(result, "ci_low"), params - half, rtol=RTOL)
    np.testing.assert_allclose(table(result, "ci_high"), params + half, rtol=RTOL)
    np.testing.assert_allclose(
        table(result, "p_value"), np.asarray(ref.pvalues).T.ravel(), rtol=RTOL
    )
    for key, value in [
        ("log_likelihood", ref.llf),
        ("pseudo_r2", ref.prsquared),
        ("aic", ref.aic),
        ("bic", ref.bic),
    ]:
        np.testing.assert_allclose(result[key], value, rtol=RTOL, err_msg=key)
    proba = ref.predict()
    assert result["accuracy"] == pytest.approx(np.mean(np.argmax(proba, axis=1) == codes))
    ovr = roc_auc_score(codes, proba, multi_class="ovr", average="macro")
    assert result["roc_auc"] == pytest.approx(ovr, rel=RTOL)


def test_text_summary_has_one_block_per_class_and_the_fit_statistics(
    tmp_path: Path, capsys
) -> None:
    data = tmp_path / "three.csv"
    write_csv(data, n=240, n_classes=3, seed=1)
    code, out, err = run(capsys, "fit", str(data), "--target", "group")
    assert code == 0 and err == ""
    assert out.count("log-odds of class") == 2
    assert "log-odds of class beta vs alpha" in out and "log-odds of class gamma vs alpha" in out
    for header in ("estimate", "std err", "P>|z|", "[0.025", "0.975]", "odds ratio"):
        assert header in out
    for statistic in (
        "Log-likelihood:",
        "Pseudo R²",
        "AIC:",
        "BIC:",
        "Accuracy (training):",
        "ROC AUC (one-vs-rest mean):",
    ):
        assert statistic in out
    assert sum(line.startswith("intercept ") for line in out.splitlines()) == 2
    assert "penalized fit" not in out


def test_finite_C_is_penalized_and_says_so(tmp_path: Path, capsys) -> None:
    data = tmp_path / "binary.csv"
    frame = write_csv(data, seed=2)
    code, out, _ = run(capsys, "fit", str(data), "--target", "group", "--C", "0.5")
    assert code == 0
    assert "standard errors describe the penalized fit" in " ".join(out.split())
    result = fit_json(capsys, str(data), "--target", "group", "--C", "0.5")
    ref = SkLogisticRegression(C=0.5, solver="newton-cholesky", tol=1e-12).fit(
        frame[["age", "dose", "score"]], frame["group"]
    )
    expected = np.r_[ref.intercept_, ref.coef_[0]]
    np.testing.assert_allclose(table(result, "estimate"), expected, rtol=1e-5)
    assert result["penalized"] is True and result["C"] == 0.5


def test_C_inf_is_the_default(tmp_path: Path, capsys) -> None:
    data = tmp_path / "binary.csv"
    write_csv(data, n=120, seed=3)
    default = fit_json(capsys, str(data), "--target", "group")
    explicit = fit_json(capsys, str(data), "--target", "group", "--C", "inf")
    assert default == explicit


def test_standardize_and_balanced_class_weight(tmp_path: Path, capsys) -> None:
    data = tmp_path / "binary.csv"
    frame = write_csv(data, n=200, seed=5)
    X = frame[["age", "dose", "score"]].to_numpy()
    raw = fit_json(capsys, str(data), "--target", "group")
    scaled = fit_json(capsys, str(data), "--target", "group", "--standardize")
    # Unpenalized: the standardized slopes are the raw slopes times the feature SDs.
    np.testing.assert_allclose(
        table(scaled, "estimate")[1:], table(raw, "estimate")[1:] * X.std(axis=0), rtol=RTOL
    )
    assert scaled["log_likelihood"] == pytest.approx(raw["log_likelihood"], rel=1e-9)

    balanced = fit_json(capsys, str(data), "--target", "group", "--class-weight", "balanced")
    ref = LogisticRegression(C=np.inf, class_weight="balanced").fit(X, frame["group"])
    np.testing.assert_allclose(
        table(balanced, "estimate"), np.r_[ref.intercept_, ref.coef_[0]], rtol=RTOL
    )
    assert balanced["class_weight"] == "balanced"


def test_elastic_net_reports_estimates_without_standard_errors(tmp_path: Path, capsys) -> None:
    data = tmp_path / "binary.csv"
    frame = write_csv(data, n=200, seed=6)
    result = fit_json(capsys, str(data), "--target", "group", "--C", "0.05", "--l1-ratio", "1")
    ref = LogisticRegression(C=0.05, l1_ratio=1.0).fit(
        frame[["age", "dose", "score"]], frame["group"]
    )
    np.testing.assert_allclose(table(result, "estimate"), np.r_[ref.intercept_, ref.coef_[0]])
    assert all(row["std_error"] is None for row in result["coefficients"])
    code, out, _ = run(
        capsys, "fit", str(data), "--target", "group", "--C", "0.05", "--l1-ratio", "1"
    )
    assert code == 0 and "L1, C=0.05" in out and "not defined" in out
    # the JSON says which penalty was fitted, and AIC counts only the non-zero terms
    assert result["l1_ratio"] == 1.0
    nonzero = int(np.count_nonzero(ref.coef_)) + 1
    assert result["n_params"] == nonzero
    assert result["aic"] == pytest.approx(2 * nonzero - 2 * result["log_likelihood"], rel=1e-12)


def test_plot_writes_a_png(tmp_path: Path, capsys) -> None:
    data = tmp_path / "binary.csv"
    write_csv(data, n=80, seed=7)
    figure = tmp_path / "fit.png"
    argv = ["fit", str(data), "--target", "group", "--features", "age", "dose"]
    code, _, _ = run(capsys, *argv, "--standardize", "--plot", str(figure))
    assert code == 0 and figure.read_bytes()[:4] == b"\x89PNG"


def test_plot_shows_the_boundary_in_the_units_of_the_file(tmp_path: Path) -> None:
    data = tmp_path / "binary.csv"
    frame = write_csv(data, n=80, seed=7)
    options = FitOptions(str(data), "group", ["age", "dose"], standardize=True)
    fig = write_fit_plot(fit_csv(options), str(tmp_path / "fit.png"))
    boundary, roc, calibration, colorbar = fig.axes
    assert (boundary.get_xlabel(), boundary.get_ylabel()) == ("age", "dose")
    assert colorbar.get_ylabel() == "P(class = beta)"
    low, high = boundary.get_ylim()  # raw "dose" spans about -3 .. 5, not -2 .. 2
    assert low < frame["dose"].min() < frame["dose"].max() < high < frame["dose"].max() + 1.01
    assert roc.get_title() == "ROC curve" and calibration.get_title().startswith("Calibration")


def test_progress_goes_to_the_given_stream(tmp_path: Path) -> None:
    data = tmp_path / "binary.csv"
    write_csv(data, n=50)
    stream = io.StringIO()
    fit_csv(FitOptions(path=str(data), target="group"), Progress(enabled=True, stream=stream))
    log = stream.getvalue()
    assert f"reading {data}: done" in log and "50 rows × 3 features" in log
    assert "fitting 2-class logistic regression: done" in log


def _separated(path: Path) -> None:
    pd.DataFrame(
        {"x": np.arange(10.0), "z": np.r_[3, 1, 4, 1, 5, 9, 2, 6, 5, 3.0], "y": [0] * 5 + [1] * 5}
    ).to_csv(path, index=False)


ERRORS = [
    # (file content or None for "no file", extra args, fragments of the message)
    (None, [], ["file not found"]),
    ("", [], ["is empty"]),
    ("a,b,y\n", [], ["header but no data rows"]),
    (
        "a,b,y\n1,2,0\n3,4,1\n",
        ["--features", "a", "height"],
        ["unknown column 'height'", "available columns: 'a', 'b', 'y'"],
    ),
    ("a,b,y\n1,2,0\n3,4,1\n", [], ["unknown target column 'label'", "'a', 'b', 'y'"]),
    (
        "a,b,y\n1,2,0\n3,oops,1\n4,5,1\n",
        [],
        ["non-numeric value 'oops'", "column 'b'", "data row 2 (line 3)"],
    ),
    (
        "a,b,y\n1,2,0\n3,,1\n4,5,\n6,7,1\n",
        [],
        ["missing values in 2 rows", "data rows 2, 3", "columns 'b', 'y'"],
    ),
    ("a,b,y\n1,2,1\n3,4,1\n", [], ["only one class (1)", "at least two"]),
    ("a,y\n1,0\n2,0.5\n", [], ["non-integer number 0.5", "data row 2"]),
    ("a,b,y\n1,inf,0\n3,4,1\n", [], ["infinite value inf", "column 'b'", "data row 1"]),
    ("a,b,y\n1,2,0\n3,4,1,9\n", [], ["Expected 3 fields in line 3, saw 4"]),
    # The separator is detected; forced to a comma, the one-column header says why.
    ("a;b;y\n1;2;0\n", ["--sep", ","], ["'a;b;y'", "comma-separated", "semicolon-separated"]),
    ("a,y\n1,0\n2,1\n3,2\n", ["--plot", "out.png"], ["--plot draws binary models", "3 classes"]),
    ("a,b,y\n1,2,0\n3,4,1\n", ["--l1-ratio", "0.5"], ["only applies to a penalized fit", "--C 1"]),
]


@pytest.mark.parametrize(("content", "extra", "fragments"), ERRORS)
def test_bad_input_gives_one_line_and_exit_code_1(
    tmp_path: Path, capsys, content: str | None, extra: list[str], fragments: list[str]
) -> None:
    data = tmp_path / "data.csv"
    if content is not None:
        data.write_text(content)
    target = "label" if "'label'" in fragments[0] else "y"
    code, out, err = run(capsys, "fit", str(data), "--target", target, *extra)
    assert code == 1 and out == ""
    assert err.startswith("logitlab fit: error: ") and err.count("\n") == 1
    for fragment in fragments:
        assert fragment in err


def test_perfect_separation_advises_a_penalty(tmp_path: Path, capsys) -> None:
    data = tmp_path / "separated.csv"
    _separated(data)
    code, _, err = run(capsys, "fit", str(data), "--target", "y")
    assert code == 1 and err.count("\n") == 1
    assert "perfect separation" in err and "add a penalty, e.g. --C 1" in err
    code, out, _ = run(capsys, "fit", str(data), "--target", "y", "--C", "1")
    assert code == 0 and "separated" in out  # the penalized fit goes through, with a note


def test_usage_errors_exit_2(tmp_path: Path, capsys) -> None:
    for argv in (
        ["fit", "x.csv"],
        ["fit", "x.csv", "--target", "y", "--C", "0"],
        ["fit", "x.csv", "--target", "y", "--l1-ratio", "2"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_serve_stays_the_default_command() -> None:
    args = build_parser().parse_args([])
    assert args.command is None and args.port == 8765


def test_demo_prints_the_fit(tmp_path: Path) -> None:
    # scikit-learn is a runtime dependency now (the estimator inherits its base classes).
    figure = tmp_path / "demo.png"
    script = (
        "import sys; from logitlab.cli import main; "
        f"code = main(['demo', '--out', {str(figure)!r}]); sys.exit(code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert done.returncode == 0, done.stderr
    X, y = make_classification(n_samples=300, random_state=2)
    model = LogisticRegression().fit(X, y)
    lines = dict(line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    assert float(lines["Training accuracy"]) == pytest.approx(model.score(X, y), abs=5e-4)
    assert float(lines["Coefficient feature 1"]) == pytest.approx(model.coef_[0, 0], abs=5e-4)
    assert float(lines["Coefficient feature 2"]) == pytest.approx(model.coef_[0, 1], abs=5e-4)
    assert float(lines["Intercept"]) == pytest.approx(model.intercept_[0], abs=5e-4)
    assert figure.read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------ real CSV files


def city_frame(n: int = 300, seed: int = 8) -> pd.DataFrame:
    """A numeric feature, a text feature with accents, a 0/1 target."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    city = rng.choice(["Zürich", "Genève", "Bern"], size=n)
    shift = pd.Series(city).map({"Bern": 0.8, "Genève": -0.5, "Zürich": 0.0}).to_numpy()
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(0.2 + x + shift + 0.6 * x * (city == "Bern")))))
    return pd.DataFrame({"x": x, "city": city, "y": y.astype(int)})


def smf_params(formula: str, frame: pd.DataFrame) -> dict[str, tuple[float, float]]:
    import statsmodels.formula.api as smf

    fitted = smf.logit(formula, frame).fit(method="newton", tol=1e-12, disp=0)
    names = ["intercept" if n == "Intercept" else n for n in fitted.params.index]
    return dict(zip(names, zip(fitted.params, fitted.bse, strict=True), strict=True))


def rows_by_name(result: dict[str, object]) -> dict[str, tuple[float, float]]:
    rows = result["coefficients"]
    assert isinstance(rows, list)
    return {row["name"]: (row["estimate"], row["std_error"]) for row in rows}


def assert_same_fit(ours: dict[str, tuple[float, float]], theirs: dict[str, tuple[float, float]]):
    assert set(ours) == set(theirs)
    for name, expected in theirs.items():
        assert ours[name] == pytest.approx(expected, rel=RTOL), name


def test_text_columns_are_coded_as_C_codes_them(tmp_path: Path, capsys) -> None:
    frame = city_frame()
    path = tmp_path / "cities.csv"
    frame.to_csv(path, index=False)
    result = fit_json(capsys, str(path), "--target", "y")
    theirs = {
        name.replace("C(city)", "city"): value
        for name, value in smf_params("y ~ x + C(city)", frame).items()
    }
    assert_same_fit(rows_by_name(result), theirs)
    assert result["features"] == ["x", "city[T.Genève]", "city[T.Zürich]"]
    assert result["categorical"] == {
        "city": {"reference": "Bern", "levels": ["Bern", "Genève", "Zürich"]}
    }
    code, out, _ = run(capsys, "fit", str(path), "--target", "y")
    assert code == 0 and "Categorical city:    reference level 'Bern' of 3" in out


@pytest.mark.parametrize(
    ("sep", "encoding", "extra"),
    [
        (";", "latin-1", ["--encoding", "latin-1"]),
        ("\t", "utf-8", []),
        ("|", "cp1252", ["--encoding", "cp1252", "--sep", "|"]),
        ("\t", "utf-16", ["--encoding", "utf-16", "--sep", "tab"]),
    ],
)
def test_separator_is_detected_or_given_and_the_encoding_named(
    tmp_path: Path, capsys, sep: str, encoding: str, extra: list[str]
) -> None:
    frame = city_frame(seed=9)
    plain, other = tmp_path / "plain.csv", tmp_path / "other.csv"
    frame.to_csv(plain, index=False)
    frame.to_csv(other, index=False, sep=sep, encoding=encoding)
    expected = fit_json(capsys, str(plain), "--target", "y")
    result = fit_json(capsys, str(other), "--target", "y", *extra)
    assert result["coefficients"] == expected["coefficients"]
    assert result["separator"] == sep and result["encoding"] == encoding


def test_decimal_commas_are_read_with_decimal_comma(tmp_path: Path, capsys) -> None:
    frame = city_frame(seed=14)
    plain, euro = tmp_path / "plain.csv", tmp_path / "euro.csv"
    frame.to_csv(plain, index=False)
    frame.to_csv(euro, index=False, sep=";", decimal=",")
    expected = fit_json(capsys, str(plain), "--target", "y")
    result = fit_json(capsys, str(euro), "--target", "y", "--decimal", ",")
    np.testing.assert_allclose(table(result, "estimate"), table(expected, "estimate"))
    code, _, err = run(capsys, "fit", str(euro), "--target", "y")
    assert code == 1 and "decimal comma" in err and "--decimal ','" in err


def test_a_file_in_another_encoding_says_to_name_it(tmp_path: Path, capsys) -> None:
    path = tmp_path / "latin.csv"
    city_frame().to_csv(path, index=False, encoding="latin-1")
    code, out, err = run(capsys, "fit", str(path), "--target", "y")
    assert code == 1 and out == ""
    assert "is not utf-8 text" in err and "--encoding latin-1" in err


def test_dropna_leaves_out_the_rows_statsmodels_drops(tmp_path: Path, capsys) -> None:
    frame = city_frame(seed=10).astype({"city": object})
    frame.loc[[4, 40], "x"] = np.nan
    frame.loc[[7], "city"] = None
    path = tmp_path / "holes.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(capsys, "fit", str(path), "--target", "y")
    assert code == 1 and "missing values in 3 rows" in err and "pass --dropna" in err
    result = fit_json(capsys, str(path), "--target", "y", "--dropna")
    theirs = {  # statsmodels' formulas drop rows with a missing value by default
        name.replace("C(city)", "city"): value
        for name, value in smf_params("y ~ x + C(city)", frame).items()
    }
    assert_same_fit(rows_by_name(result), theirs)
    assert result["n_samples"] == 297 and result["n_dropped"] == 3 and result["n_obs"] == 297


def test_formula_matches_statsmodels(tmp_path: Path, capsys) -> None:
    frame = city_frame(seed=12)
    path = tmp_path / "cities.csv"
    frame.to_csv(path, index=False, sep=";")
    formula = "y ~ x * C(city) + I(x ** 2)"
    result = fit_json(capsys, str(path), "--formula", formula)
    assert_same_fit(rows_by_name(result), smf_params(formula, frame))
    assert result["formula"] == formula and result["target"] == "y"
    no_intercept = fit_json(capsys, str(path), "--formula", "y ~ x + C(city) - 1")
    assert_same_fit(rows_by_name(no_intercept), smf_params("y ~ x + C(city) - 1", frame))
    # --plot with a formula draws ROC and calibration only (no two raw features to draw over)
    figure = tmp_path / "formula.png"
    code, out, _ = run(capsys, "fit", str(path), "--formula", formula, "--plot", str(figure))
    assert code == 0 and "Formula:" in out and figure.read_bytes()[:4] == b"\x89PNG"


def test_json_follows_its_schema(tmp_path: Path, capsys) -> None:
    path = tmp_path / "binary.csv"
    write_csv(path, n=150, seed=13)
    result = fit_json(capsys, str(path), "--target", "group")
    assert result["schema_version"] == 1
    assert result["C"] == "inf" and result["penalty"] == "none"
    for key in ("n_samples", "n_obs", "n_params", "n_iter", "n_dropped"):
        assert type(result[key]) is int, key
    assert result["n_obs"] == 150 and result["n_params"] == 4
    penalized = fit_json(capsys, str(path), "--target", "group", "--C", "2")
    assert penalized["C"] == 2.0 and penalized["schema_version"] == 1


def test_json_errors_are_json_on_stdout(tmp_path: Path, capsys) -> None:
    path = tmp_path / "data.csv"
    path.write_text("a,b,y\n1,2,1\n3,4,1\n")
    code, out, err = run(capsys, "fit", str(path), "--target", "y", "--json")
    assert code == 1 and err == ""
    assert json.loads(out) == {
        "schema_version": 1,
        "error": {
            "kind": "data",
            "message": "target column 'y' has only one class (1); "
            "logistic regression needs at least two",
        },
    }
    for argv, message in (
        (["fit", str(path), "--json"], "--target (or --formula)"),
        (["fit", str(path), "--target", "y", "--C", "-1", "--json"], "argument --C"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 2
        out, err = capsys.readouterr()
        answer = json.loads(out)
        assert answer["error"]["kind"] == "usage" and message in answer["error"]["message"]
        assert err == ""


FILE_ERRORS = [
    # (file content, extra args, fragments of the message)
    ("a,g,y\n1,u,0\n2,u,1\n", ["--target", "y"], ["text column 'g' holds one value only"]),
    (
        "a,g,y\n" + "".join(f"{i},id{i},{i % 2}\n" for i in range(120)),
        ["--target", "y"],
        ["text column 'g' has 120 distinct values", "at most 100", "identifier"],
    ),
    (
        "a,b,y\n1,2,0\n3,oops,1\n4,5,1\n",
        ["--target", "y"],
        ["non-numeric value 'oops'", "numbers only", "column of words becomes categorical"],
    ),
    ("a,b,y\n1,2,0\n3,4,1,9\n", ["--target", "y"], ["Expected 3 fields", "separated by ','"]),
    ("a,y\n1,0\n2,1\n", ["--target", "y", "--encoding", "nope"], ["unknown encoding 'nope'"]),
    ("a,y\n1,0\n2,1\n", ["--target", "y", "--sep", ";;"], ["must be one character"]),
    ("a,y\n1,0\n2,1\n", ["--target", "y", "--decimal", ","], ["both ','", "--sep ';'"]),
    ("a,y\n1,0\n2,1\n", ["--formula", "y ~ a + b"], ["unknown column 'b'", "'a', 'y'"]),
    ("a,y\n1,0\n2,1\n", ["--formula", "y ~ a +"], ["cannot parse the formula"]),
    ("a,y\n1,0\n2,1\n", ["--formula", "y ~ a", "--target", "a"], ["differs from the formula"]),
    ("a,y\n1,0\n2,1\n", ["--formula", "y ~ a", "--features", "a"], ["exclude each other"]),
    ("a,y\n1,0\n,1\n3,1\n", ["--formula", "y ~ a"], ["missing values in 1 row", "--dropna"]),
    ("a,y\n1,0\n2,0\n", ["--formula", "y ~ a"], ["only one class (0)"]),
]


@pytest.mark.parametrize(("content", "extra", "fragments"), FILE_ERRORS)
def test_bad_files_and_formulas_say_what_is_allowed(
    tmp_path: Path, capsys, content: str, extra: list[str], fragments: list[str]
) -> None:
    path = tmp_path / "data.csv"
    path.write_text(content)
    code, out, err = run(capsys, "fit", str(path), *extra)
    assert code == 1 and out == ""
    assert err.startswith("logitlab fit: error: ") and err.count("\n") == 1
    for fragment in fragments:
        assert fragment in err
    code, out, _ = run(capsys, "fit", str(path), *extra, "--json")
    assert code == 1 and all(f in json.loads(out)["error"]["message"] for f in fragments)


def test_json_reports_even_an_internal_error_as_json(tmp_path: Path, capsys, monkeypatch) -> None:
    import logitlab.commands

    def broken(options: FitOptions) -> None:
        raise RuntimeError("boom\nat two lines")

    monkeypatch.setattr(logitlab.commands, "fit_csv", broken)
    code, out, err = run(capsys, "fit", "any.csv", "--target", "y", "--json")
    assert code == 1 and err == ""
    assert json.loads(out)["error"] == {
        "kind": "internal",
        "message": "internal error (RuntimeError: boom at two lines)",
    }
    with pytest.raises(RuntimeError, match="boom"):  # without --json: the traceback
        main(["fit", "any.csv", "--target", "y"])
