"""logitlab.formula.logit against statsmodels.formula.api.logit on the same formula and data."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logitlab import LogisticRegression
from logitlab.formula import FormulaError, FormulaLogisticRegression, logit

RTOL = 1e-6


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 600
    x1 = rng.normal(size=n)
    x2 = rng.normal(1.0, 2.0, size=n)
    g = rng.choice(["north", "east", "south"], size=n)
    h = rng.choice(["no", "yes"], size=n)
    effect = pd.Series(g).map({"east": 0.0, "north": 0.8, "south": -0.6}).to_numpy()
    score = -0.3 + 0.9 * x1 - 0.2 * x2 + effect + 0.5 * (h == "yes") + 0.4 * x1 * x2
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-score))).astype(int)
    return pd.DataFrame({"y": y, "x1": x1, "x2": x2, "g": g, "h": h})


def by_name(model: LogisticRegression) -> dict[str, tuple[float, float]]:
    rows = model.summary().to_dict()["coefficients"]
    assert isinstance(rows, list)
    return {row["name"]: (row["estimate"], row["std_error"]) for row in rows}


def reference(formula: str, data: pd.DataFrame) -> dict[str, tuple[float, float]]:
    fitted = smf.logit(formula, data).fit(method="newton", tol=1e-12, disp=0)
    names = ["intercept" if n == "Intercept" else n for n in fitted.params.index]
    return dict(zip(names, zip(fitted.params, fitted.bse, strict=True), strict=True))


@pytest.mark.parametrize(
    "formula",
    [
        "y ~ x1 + C(g) + x1:x2",
        "y ~ x1 * x2 + g + h",  # text columns are categorical without C() too
        "y ~ x1 + np.log(x2 + 10) + I(x1 ** 2) + C(g):x1",
        "y ~ x1 + x2 - 1",
    ],
)
def test_coefficients_and_names_match_statsmodels(frame: pd.DataFrame, formula: str) -> None:
    model = logit(formula, frame)
    ours, theirs = by_name(model), reference(formula, frame)
    assert set(ours) == set(theirs)  # same column names, reference levels left out
    for name, (estimate, se) in theirs.items():
        assert ours[name][0] == pytest.approx(estimate, rel=RTOL, abs=1e-9), name
        assert ours[name][1] == pytest.approx(se, rel=RTOL), name
    assert model.fit_intercept == ("intercept" in theirs)
    assert np.isinf(model.C)  # unpenalized by default, like smf.logit


def test_reference_level_is_the_first_sorted_level(frame: pd.DataFrame) -> None:
    names = list(logit("y ~ C(g)", frame).feature_names_in_)
    assert names == ["C(g)[T.north]", "C(g)[T.south]"]  # "east" is the reference


def test_predict_on_new_data_uses_the_fitted_levels(frame: pd.DataFrame) -> None:
    formula = "y ~ x1 + C(g) + x1:x2 + h"
    model = logit(formula, frame)
    fitted = smf.logit(formula, frame).fit(method="newton", tol=1e-12, disp=0)
    # New rows in a different order, one level of g only, no y column.
    new = frame.drop(columns="y").iloc[::-7]
    new = new[new["g"] == "south"]
    np.testing.assert_allclose(model.predict_proba(new)[:, 1], fitted.predict(new), rtol=1e-7)
    assert list(model.predict(new)) == list((fitted.predict(new) > 0.5).astype(int))
    expected = np.mean((fitted.predict(frame) > 0.5) == frame["y"])
    assert model.score(frame) == pytest.approx(expected)
    assert model.score(frame, frame["y"]) == pytest.approx(expected)
    # A design matrix (NumPy array) is used as it is.
    design = model.design_matrix(new).to_numpy()
    np.testing.assert_allclose(model.predict_proba(design), model.predict_proba(new))


def test_a_category_not_seen_in_the_fit_is_an_error(frame: pd.DataFrame) -> None:
    model = logit("y ~ x1 + C(g)", frame)
    new = frame.head(3).assign(g=["north", "west", "east"])
    with pytest.raises(FormulaError, match=r"not fitted on.*west"):
        model.predict_proba(new)
    with pytest.raises(FormulaError, match=r"unknown column 'g'"):
        model.predict(frame[["x1"]])


def test_missing_values_are_dropped_as_statsmodels_does_or_raise(frame: pd.DataFrame) -> None:
    holes = frame.copy()
    holes.loc[[3, 10, 11], "x1"] = np.nan
    holes.loc[[20], "g"] = None
    holes.loc[[30], "y"] = np.nan
    formula = "y ~ x1 + C(g)"
    ours, theirs = by_name(logit(formula, holes)), reference(formula, holes)
    for name, (estimate, se) in theirs.items():
        assert ours[name] == pytest.approx((estimate, se), rel=RTOL), name
    assert logit(formula, holes).summary().n_obs == len(frame) - 5
    with pytest.raises(FormulaError, match=r"missing values in 5 rows.*'x1'.*missing='drop'"):
        logit(formula, holes, missing="raise")


def test_estimator_parameters_pass_through(frame: pd.DataFrame) -> None:
    model = logit("y ~ x1 + C(g)", frame, C=0.5, class_weight="balanced")
    design = model.design_matrix(frame)
    ref = SkLogisticRegression(C=0.5, class_weight="balanced", tol=1e-12).fit(design, frame["y"])
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-5)
    np.testing.assert_allclose(model.intercept_, ref.intercept_, rtol=1e-5)
    with pytest.raises(FormulaError, match="formula decides the intercept"):
        logit("y ~ x1", frame, fit_intercept=False)


def test_text_response_gives_the_multinomial_model(frame: pd.DataFrame) -> None:
    model = logit("g ~ x1 + x2", frame)
    assert list(model.classes_) == ["east", "north", "south"]
    coded = frame.assign(code=pd.Categorical(frame["g"]).codes)  # mnlogit wants numbers
    fitted = smf.mnlogit("code ~ x1 + x2", coded).fit(method="newton", tol=1e-12, disp=0)
    rows = model.summary().to_dict()["coefficients"]
    ours = np.array([row["estimate"] for row in rows])
    np.testing.assert_allclose(ours, np.asarray(fitted.params).T.ravel(), rtol=RTOL)
    # An expression on the left works too.
    boolean = logit("I(x2 > 1) ~ x1", frame)
    assert list(boolean.classes_) == [False, True]


def test_the_fitted_model_pickles_with_its_spec(frame: pd.DataFrame) -> None:
    model = logit("y ~ x1 + C(g) + x1:x2", frame)
    again = pickle.loads(pickle.dumps(model))
    assert isinstance(again, FormulaLogisticRegression) and isinstance(again, LogisticRegression)
    np.testing.assert_array_equal(again.predict_proba(frame), model.predict_proba(frame))


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("y ~ x1 + height", r"unknown column 'height'.*available columns: 'y', 'x1'"),
        ("y ~ x1 +", r"cannot parse the formula 'y ~ x1 \+'"),
        ("x1 + x2", r"has no response.*'y ~ x1 \+ x2'"),
        ("", "non-empty string"),
        ("C(g) ~ x1", "one column of class labels"),
    ],
)
def test_bad_formulas_say_what_is_wrong(frame: pd.DataFrame, formula: str, message: str) -> None:
    with pytest.raises(FormulaError, match=message):
        logit(formula, frame)


def test_data_must_be_a_frame_and_missing_an_option(frame: pd.DataFrame) -> None:
    with pytest.raises(FormulaError, match="pandas DataFrame"):
        logit("y ~ x1", frame.to_numpy())
    with pytest.raises(FormulaError, match="missing must be one of drop, raise"):
        logit("y ~ x1", frame, missing="ignore")
    as_dict = logit("y ~ x1", {c: frame[c].to_numpy() for c in ("y", "x1")})
    np.testing.assert_allclose(as_dict.coef_, logit("y ~ x1", frame).coef_)


def test_another_reference_level_matches_statsmodels(frame: pd.DataFrame) -> None:
    formula = 'y ~ x1 + C(g, Treatment(reference="north"))'  # patsy's spelling works too
    ours = by_name(logit(formula, frame))
    theirs = reference(formula, frame)
    # formulaic writes the quotes of the level as ' where patsy keeps "
    assert set(ours) == {name.replace('"', "'") for name in theirs}
    assert "C(g, Treatment(reference='north'))[T.east]" in ours
    for name, expected in theirs.items():
        assert ours[name.replace('"', "'")] == pytest.approx(expected, rel=RTOL), name
