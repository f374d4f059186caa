"""The estimator's inference API against statsmodels on the same data (issue 11)."""

from __future__ import annotations

import json
import pickle
import re
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import scipy.stats
import statsmodels.api as sm
from numpy.testing import assert_allclose
from statsmodels.tools.sm_exceptions import PerfectSeparationWarning as SMPerfectSeparation

from logitlab import LogisticRegression
from logitlab._inference_api import PerfectSeparationWarning
from logitlab.core.inference import Inference, format_inference, infer
from logitlab.core.objective import Objective
from logitlab.estimator import ConvergenceWarning
from logitlab.summary import COLUMNS, Summary


def _binary(seed: int = 0, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0]
    y = (X @ [0.8, -0.4, 0.9] + 0.3 + rng.logistic(size=n) > 0).astype(int)
    return X, y


def _fit(X: np.ndarray, y: np.ndarray, **kw: Any) -> LogisticRegression:
    return LogisticRegression(C=np.inf, tol=1e-12, **kw).fit(X, y)


def _sm(X: np.ndarray, y: np.ndarray, **kw: Any) -> Any:
    return sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0, **kw)


# ----------------------------------------------------------------------------- no data kept


def test_fitted_model_keeps_no_training_data_and_pickles_small() -> None:
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200_000, 20))
    y = (X[:, :3].sum(axis=1) + rng.logistic(size=200_000) > 0).astype(int)
    model = LogisticRegression(C=np.inf).fit(X, y)
    blob = pickle.dumps(model)
    assert len(blob) < 16_000  # 33.6 MB when the model kept X (now ~9.7 kB)
    for name in ("_objective", "_fit_coef"):
        assert not hasattr(model, name)

    def arrays(obj: object) -> list[np.ndarray]:
        found = []
        values = vars(obj).values() if hasattr(obj, "__dict__") else []
        for v in values:
            if isinstance(v, np.ndarray):
                found.append(v)
            elif isinstance(v, dict):
                found += [a for a in v.values() if isinstance(a, np.ndarray)]
            elif hasattr(v, "__dict__") and not isinstance(v, type):
                found += arrays(v)
        return found

    assert max(a.size for a in arrays(model)) < 2_000
    again = pickle.loads(blob)
    assert str(again.summary()) == str(model.summary())


# ----------------------------------------------------------------------------- converged line


def test_summary_of_a_non_converged_fit_says_so_with_the_iteration_count() -> None:
    X, y = _binary()
    with pytest.warns(ConvergenceWarning):
        model = LogisticRegression(C=np.inf, max_iter=2).fit(X, y)
    result = model.summary()
    assert result.converged is False and result.n_iter == 2
    text = str(result)
    assert re.search(r"Converged:\s+no \(2 iterations\)", text)
    assert "did not converge" in text
    good = _fit(X, y).summary()
    assert good.converged
    assert re.search(rf"Converged:\s+yes \({good.n_iter} iterations\)", str(good))
    assert result.to_dict()["converged"] is False


# ----------------------------------------------------------------------------- separation


def test_a_rare_zero_one_column_in_60000_rows_is_caught() -> None:
    rng = np.random.default_rng(2)
    n = 60_000
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + rng.logistic(size=n) > 0).astype(int)
    only_positive = ((y == 1) & (rng.random(n) < 0.002)).astype(float)  # 1 only on positives
    Xs = np.column_stack([X, only_positive])
    with pytest.warns(PerfectSeparationWarning, match="Perfect separation or prediction"):
        model = LogisticRegression(C=np.inf).fit(Xs, y)
    result = model.summary()
    assert result.separation == "quasi-complete" and result.separation_checked
    assert not result.converged
    assert np.all(np.isnan(result.blocks[0].std_error))
    assert "quasi-completely separated" in str(result)
    with pytest.raises(ValueError, match="separated"):
        model.cov_params()
    # The same data without that column: no separation, proved by the fit's certificate.
    clean = LogisticRegression(C=np.inf).fit(X, y)
    assert clean.summary().separation is None
    assert clean._inference_state.separation_method == "certificate from the fit"


def test_complete_separation_warns_as_statsmodels_does() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    X = X + np.where(y[:, None] == 1, 1.0, -1.0)  # a margin: statsmodels' fit sees it too
    with warnings.catch_warnings(record=True) as sm_record:
        warnings.simplefilter("always")
        sm.Logit(y, sm.add_constant(X)).fit(disp=0, warn_convergence=False)
    sm_messages = [str(w.message) for w in sm_record if w.category is SMPerfectSeparation]
    assert sm_messages
    with pytest.warns(PerfectSeparationWarning) as record:
        model = LogisticRegression(C=np.inf).fit(X, y)
    assert sm_messages[0] in str(record[-1].message)
    assert issubclass(PerfectSeparationWarning, ConvergenceWarning)
    result = model.summary()
    assert result.separation == "complete"
    assert not result.converged and "no (separated" in str(result)
    # Two columns together separate here, so the linear program had to find it.
    assert model._inference_state.separation_method == "linear program"
    # With a penalty the estimate exists: no warning, the separation is still reported.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        penalized = LogisticRegression(C=1.0).fit(X, y)
    assert penalized.summary().separation == "complete"
    assert penalized.summary().converged


# ----------------------------------------------------------------------------- summary object


def test_summary_object_renders_the_same_numbers_everywhere() -> None:
    X, y = _binary(4)
    frame_X = pd.DataFrame(X, columns=["age", "dose", "weight"])
    model = _fit(frame_X, y)
    ref = _sm(X, y)
    result = model.summary()
    assert isinstance(result, Summary) and isinstance(result, Inference)
    frame = result.to_frame()
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame.index) == ["intercept", "age", "dose", "weight"]
    assert_allclose(frame["estimate"], ref.params, rtol=1e-7)
    assert_allclose(frame["std_error"], ref.bse, rtol=1e-7)
    assert_allclose(frame["p_value"], ref.pvalues, rtol=1e-6)
    ci = np.asarray(ref.conf_int())
    assert_allclose(frame[["ci_low", "ci_high"]], ci, rtol=1e-7)
    assert_allclose(frame[["odds_ratio_ci_low", "odds_ratio_ci_high"]], np.exp(ci), rtol=1e-7)
    assert result.as_text() == str(result)
    html = result._repr_html_()
    assert "<table" in html and "dose" in html and f"{frame.loc['dose', 'estimate']:.4f}" in html
    latex = result.to_latex()
    assert latex.count("\\begin{tabular}") == 2 and "weight" in latex
    assert f"{frame.loc['age', 'std_error']:.4g}" in latex
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    assert data["llr"] == pytest.approx(ref.llr, rel=1e-9)


def test_multinomial_frame_has_a_class_term_index() -> None:
    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 240)
    X = rng.normal(size=(240, 2)) + 0.7 * rng.normal(size=(3, 2))[y]
    model = _fit(X, y)
    frame = model.summary().to_frame()
    ref = sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    assert frame.index.names == ["class", "term"]
    assert_allclose(frame["estimate"], np.asarray(ref.params).ravel(order="F"), rtol=1e-6)
    assert_allclose(frame["std_error"], np.asarray(ref.bse).ravel(order="F"), rtol=1e-6)
    assert_allclose(model.cov_params().to_numpy(), np.asarray(ref.cov_params()), rtol=1e-6)
    assert model.summary().llr_pvalue == pytest.approx(ref.llr_pvalue, rel=1e-6)


def _rows_of(text: str, names: tuple[str, ...]) -> list[list[str]]:
    return [line.split() for line in text.splitlines() if line.split()[:1] in ([n] for n in names)]


def test_text_columns_never_run_together_and_counts_print_all_digits() -> None:
    X, y = _binary(6, n=400)
    counts = np.full(400, 3086.4175)  # frequency weights summing to 1,234,567
    Xb = X * [1e-9, 1e9, 1.0]  # estimates near 1e9 and 1e-9
    objective = Objective(Xb, y.astype(float), sample_weight=counts)
    from logitlab.core.solvers import solve

    fit = solve(objective, tol=1e-12, max_iter=100)
    result = infer(objective, fit.coef)
    text = format_inference(result)
    for row in _rows_of(text, ("intercept", "x1", "x2", "x3")):
        assert len(row) == 8, row  # name + 7 numbers, however wide
    assert "1234567" in text
    assert f"{result.aic:.4f}" in text and f"{result.bic:.4f}" in text
    assert result.aic > 1e5  # printed in full, not as 1.234e+05
    # Extreme cells side by side: every number stays its own column.
    wide = Inference(
        **{
            **{f: getattr(result, f) for f in result.__dataclass_fields__},
            "blocks": tuple(
                type(b)(
                    label=b.label,
                    names=b.names,
                    estimate=np.full(4, -1.234567e300),
                    std_error=np.full(4, np.inf),
                    z=np.full(4, -9.87e-300),
                    p_value=np.full(4, 0.5),
                    ci_low=np.full(4, -np.inf),
                    ci_high=np.full(4, -1.5e-200),
                    odds_ratio=np.full(4, 0.0),
                )
                for b in result.blocks
            ),
        }
    )
    for row in _rows_of(format_inference(wide), ("intercept", "x1")):
        assert len(row) == 8, row


# ----------------------------------------------------------------------------- covariances


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
def test_cov_types_match_statsmodels_fit(cov_type: str) -> None:
    X, y = _binary(7)
    model = _fit(X, y)
    ref = _sm(X, y, cov_type=cov_type)
    assert_allclose(model.cov_params(cov_type).to_numpy(), ref.cov_params(), rtol=1e-7)
    frame = model.summary(cov_type=cov_type).to_frame()
    assert_allclose(frame["std_error"], ref.bse, rtol=1e-7)
    assert_allclose(frame["p_value"], ref.pvalues, rtol=1e-6)


def test_hc1_hc2_hc3_from_statsmodels_scores_and_leverages() -> None:
    # statsmodels' discrete models return HC0 under all four names; these are the
    # corrections the names stand for, built from statsmodels' own pieces.
    X, y = _binary(8)
    model = _fit(X, y)
    ref = _sm(X, y)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial()).fit(tol=1e-12)
    h = glm.get_influence().hat_matrix_diag
    scores = ref.model.score_obs(ref.params)
    V = np.asarray(ref.cov_params())
    n, k = X.shape[0], X.shape[1] + 1
    hc0 = V @ scores.T @ scores @ V
    expected = {
        "HC1": hc0 * n / (n - k),
        "HC2": V @ (scores.T / (1 - h)) @ scores @ V,
        "HC3": V @ (scores.T / (1 - h) ** 2) @ scores @ V,
    }
    for name, cov in expected.items():
        data = {} if name == "HC1" else {"X": X, "y": y}  # leverages: the data again
        assert_allclose(model.cov_params(name, **data).to_numpy(), cov, rtol=1e-6, err_msg=name)
    assert "HC3" in str(model.summary(cov_type="HC3", X=X, y=y))
    with pytest.raises(ValueError, match="needs the training data again"):
        model.summary(cov_type="HC2")
    with pytest.raises(ValueError, match="differ from the data"):
        model.cov_params("HC3", X=X[::-1], y=y[::-1] * 0)


def test_cluster_covariance_matches_statsmodels_and_checks_the_data() -> None:
    X, y = _binary(9)
    groups = np.random.default_rng(10).integers(0, 25, X.shape[0])
    model = _fit(X, y)
    ref = _sm(X, y, cov_type="cluster", cov_kwds={"groups": groups})
    cov = model.cov_params("cluster", groups=groups, X=X, y=y)
    assert_allclose(cov.to_numpy(), ref.cov_params(), rtol=1e-7)
    result = model.summary(cov_type="cluster", groups=groups, X=X, y=y)
    assert_allclose(result.to_frame()["std_error"], ref.bse, rtol=1e-7)
    assert result.cov_type == "cluster" and "cluster-robust" in str(result)
    with pytest.raises(ValueError, match="training data again"):
        model.summary(cov_type="cluster", groups=groups)
    with pytest.raises(ValueError, match="differ from the data this model was fitted on"):
        model.summary(cov_type="cluster", groups=groups, X=X * 1.01, y=y)
    with pytest.raises(ValueError, match="cov_type must be one of"):
        model.summary(cov_type="HC4")


# ----------------------------------------------------------------------------- tests


def test_likelihood_ratio_tests_match_statsmodels() -> None:
    X, y = _binary(11)
    full, small = _fit(X, y), _fit(X[:, :1], y)
    ref_full, ref_small = _sm(X, y), _sm(X[:, :1], y)
    result = full.summary()
    assert result.llr == pytest.approx(ref_full.llr, rel=1e-9)
    assert result.llr_pvalue == pytest.approx(ref_full.llr_pvalue, rel=1e-6)
    assert result.llr_df == ref_full.df_model
    test = full.lr_test(small)
    # statsmodels' Logit has no compare_lr_test: its log-likelihoods and df_model.
    stat = 2 * (ref_full.llf - ref_small.llf)
    df = ref_full.df_model - ref_small.df_model
    p = scipy.stats.chi2.sf(stat, df)
    assert test.statistic == pytest.approx(stat, rel=1e-8)
    assert test.p_value == pytest.approx(p, rel=1e-6)
    assert test.df == df
    with pytest.raises(ValueError, match="fewer parameters"):
        small.lr_test(full)
    with pytest.raises(ValueError, match="same observations"):
        full.lr_test(_fit(X[:100, :1], y[:100]))


def test_wald_test_matches_statsmodels() -> None:
    X, y = _binary(12)
    model = _fit(X, y)
    ref = _sm(X, y)
    R = np.array([[0.0, 1.0, -1.0, 0.0], [0.0, 0.0, 0.0, 1.0]])
    q = np.array([0.5, 0.8])
    ours = model.wald_test(R, q)
    theirs = ref.wald_test((R, q), scalar=True)
    assert ours.statistic == pytest.approx(float(theirs.statistic), rel=1e-7)
    assert ours.p_value == pytest.approx(float(theirs.pvalue), rel=1e-6)
    assert ours.df == 2
    with pytest.raises(ValueError, match="4 columns"):
        model.wald_test(np.ones((1, 3)))


@pytest.mark.parametrize("at", ["overall", "mean"])
@pytest.mark.parametrize("method", ["dydx", "eyex"])
def test_marginal_effects_match_get_margeff(at: str, method: str) -> None:
    X, y = _binary(13)
    X = X + np.array([0.0, 3.0, 2.0])  # elasticities need x away from 0
    model = _fit(X, y)
    ref = _sm(X, y).get_margeff(at=at, method=method)
    frame = model.marginal_effects(X, at=at, method=method)
    assert_allclose(frame["effect"], ref.margeff, rtol=1e-7)
    assert_allclose(frame["std_error"], ref.margeff_se, rtol=1e-5)
    assert_allclose(frame["p_value"], ref.pvalues, rtol=1e-4, atol=1e-12)


def test_predict_proba_interval_matches_get_prediction() -> None:
    X, y = _binary(14)
    model = _fit(X, y)
    ref = _sm(X, y)
    new = np.random.default_rng(15).normal(size=(20, 3)) * 2
    expected = ref.get_prediction(sm.add_constant(new, has_constant="add")).conf_int(alpha=0.1)
    got = model.predict_proba_interval(new, alpha=0.1)
    assert_allclose(got, expected, rtol=1e-7)
    p = model.predict_proba(new)[:, 1]
    assert np.all((got[:, 0] < p) & (p < got[:, 1]))
    with pytest.raises(ValueError, match="alpha"):
        model.predict_proba_interval(new, alpha=1.5)


def test_odds_ratios_per_unit_and_per_standard_deviation() -> None:
    X, y = _binary(16)
    X = X * [1.0, 1e4, 1.0]  # a feature in dollars: its per-unit odds ratio is ~1.0000
    model = _fit(X, y)
    ref = _sm(X, y)
    unit = model.odds_ratios()
    assert list(unit.index) == ["x1", "x2", "x3"]
    assert_allclose(unit["odds_ratio"], np.exp(ref.params[1:]), rtol=1e-7)
    assert_allclose(unit[["ci_low", "ci_high"]], np.exp(ref.conf_int()[1:]), rtol=1e-7)
    per_sd = model.odds_ratios(per="sd")
    sd = X.std(axis=0, ddof=1)
    assert_allclose(per_sd["sd"], sd, rtol=1e-10)
    assert_allclose(per_sd["odds_ratio"], np.exp(ref.params[1:] * sd), rtol=1e-7)
    assert_allclose(per_sd["ci_high"], np.exp(ref.conf_int()[1:, 1] * sd), rtol=1e-7)
    assert abs(per_sd["odds_ratio"].iloc[1] - 1.0) > 0.1


# ----------------------------------------------------------------------------- multinomial


def _three_classes(seed: int = 17) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, 300)
    X = rng.normal(size=(300, 2)) + 0.7 * rng.normal(size=(3, 2))[y] + [2.0, 1.0]
    return X, y


def _mn(X: np.ndarray, y: np.ndarray, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # statsmodels' own cov_kwds notice
        return sm.MNLogit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0, **kw)


def test_multinomial_robust_covariances_match_mnlogit() -> None:
    X, y = _three_classes()
    groups = np.random.default_rng(18).integers(0, 30, y.size)
    model = _fit(X, y)
    hc0 = _mn(X, y, cov_type="HC0")
    assert_allclose(model.cov_params("HC0").to_numpy(), np.asarray(hc0.cov_params()), rtol=1e-7)
    cl = _mn(X, y, cov_type="cluster", cov_kwds={"groups": groups})
    ours = model.cov_params("cluster", groups=groups, X=X, y=y).to_numpy()
    assert_allclose(ours, np.asarray(cl.cov_params()), rtol=1e-7)
    with pytest.raises(ValueError, match="binary models only"):
        model.cov_params("HC3", X=X, y=y)


@pytest.mark.parametrize("at", ["overall", "mean"])
def test_multinomial_marginal_effects_match_mnlogit(at: str) -> None:
    X, y = _three_classes(19)
    model = _fit(X, y)
    fit = _mn(X, y)
    ref = fit.get_margeff(at=at, method="dydx")
    frame = model.marginal_effects(X, at=at)
    assert frame.index.names == ["class", "term"] and len(frame) == 6
    assert_allclose(frame["effect"], np.asarray(ref.margeff).T.ravel(), rtol=1e-6, atol=1e-12)
    assert_allclose(frame["std_error"], np.asarray(ref.margeff_se).T.ravel(), rtol=1e-4)
    if at == "mean":
        # statsmodels 0.15's MNLogit eyex multiplies by x along the class axis when the
        # numbers of terms and classes are equal (here 3 and 3); the elasticity is
        # dy/dx · x̄ / p̂(x̄), built from its dydx and its prediction at the mean.
        xbar = X.mean(axis=0)
        p_bar = np.asarray(fit.predict(np.r_[1.0, xbar][None, :]))[0]
        expected = np.asarray(ref.margeff) * xbar[:, None] / p_bar[None, :]
        eyex = model.marginal_effects(X, at="mean", method="eyex")
        assert_allclose(eyex["effect"], expected.T.ravel(), rtol=1e-6, atol=1e-12)


def test_small_sample_corrections_need_more_rows_than_parameters() -> None:
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    model = LogisticRegression(C=1.0).fit(X, [0, 1, 0])
    with pytest.raises(ValueError, match="more observations"):
        model.cov_params("HC1")
    assert np.all(np.isfinite(model.cov_params("HC0").to_numpy()))


def test_a_feature_in_dollars_keeps_its_standard_errors() -> None:
    # The report: a column in dollars (mean 6e4) or multiplied by 1e5 made every
    # SE print as "—". Compared with statsmodels on the unit-scale data, mapped exactly.
    rng = np.random.default_rng(20)
    X = rng.normal(size=(500, 3))
    y = (X @ [0.8, -0.5, 0.4] + rng.logistic(size=500) > 0).astype(int)
    scale, shift = np.array([1.0, 1e4, 1e5]), np.array([0.0, 6e4, 0.0])
    model = LogisticRegression(C=np.inf).fit(X * scale + shift, y)
    frame = model.summary().to_frame()
    ref = _sm(X, y)
    T = np.diag(np.r_[1.0, 1.0 / scale])  # θ_dollars = T θ_unit, then the shift
    T[0, 1:] = -shift / scale
    cov = T @ np.asarray(ref.cov_params()) @ T.T
    assert_allclose(frame["estimate"], T @ ref.params, rtol=1e-6)
    assert_allclose(frame["std_error"], np.sqrt(np.diag(cov)), rtol=1e-6)
    assert "—" not in str(model.summary())


def test_wald_test_takes_the_hypothesis_as_text_like_statsmodels() -> None:
    X, y = _binary(21)
    frame = pd.DataFrame(X, columns=["age", "dose", "weight"])
    model = _fit(frame, y)
    ref = sm.Logit(y, sm.add_constant(frame)).fit(method="newton", tol=1e-12, disp=0)
    for text in ("age = dose, weight = 0.5", "2*age - dose + 1 = weight", "dose"):
        ours = model.wald_test(text)
        theirs = ref.wald_test(text, scalar=True)
        assert ours.statistic == pytest.approx(float(theirs.statistic), rel=1e-7), text
        assert ours.p_value == pytest.approx(float(theirs.pvalue), rel=1e-6), text
    assert model.wald_test("intercept = 0.1").df == 1
    with pytest.raises(ValueError, match="unknown coefficient 'height'"):
        model.wald_test("height = 0")
    with pytest.raises(ValueError, match="more than one '='"):
        model.wald_test("age = dose = weight")


def test_inference_before_fit_or_without_a_state_says_why() -> None:
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError, match="not fitted yet"):
        LogisticRegression().summary()
    X, y = _binary(22)
    model = _fit(X, y)
    del model._inference_state  # what a fit of another problem (liblinear's) leaves
    with pytest.raises(ValueError, match="inference is not available for this fit"):
        model.summary()


def test_frequency_weights_in_robust_covariances_equal_repeated_rows() -> None:
    X, y = _binary(23)
    counts = np.random.default_rng(24).integers(1, 4, y.size)
    model = LogisticRegression(C=np.inf, tol=1e-12).fit(X, y, sample_weight=counts.astype(float))
    repeated = _sm(np.repeat(X, counts, axis=0), np.repeat(y, counts), cov_type="HC0")
    assert_allclose(model.cov_params("HC0").to_numpy(), repeated.cov_params(), rtol=1e-7)
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.Binomial(), freq_weights=counts).fit(
        cov_type="HC0", tol=1e-12
    )
    assert_allclose(model.cov_params("HC0").to_numpy(), glm.cov_params(), rtol=1e-7)


def test_multinomial_without_intercept_matches_mnlogit() -> None:
    X, y = _three_classes(25)
    X = X - X.mean(axis=0)
    model = LogisticRegression(C=np.inf, tol=1e-12, fit_intercept=False).fit(X, y)
    ref = sm.MNLogit(y, X).fit(method="newton", tol=1e-12, disp=0)
    assert_allclose(model.cov_params().to_numpy(), np.asarray(ref.cov_params()), rtol=1e-7)
    result = model.summary()
    assert result.llr_pvalue == pytest.approx(ref.llr_pvalue, rel=1e-6)
    assert result.llr_df == ref.df_model


def test_penalized_multinomial_hc0_tends_to_mnlogit_as_the_penalty_vanishes() -> None:
    # No reference computes a robust covariance of a penalized multinomial fit; as C
    # grows it must reach the unpenalized HC0, which is statsmodels'.
    X, y = _three_classes(26)
    ref = np.asarray(_mn(X, y, cov_type="HC0").cov_params())
    previous = np.inf
    for C in (1.0, 100.0, 1e6):
        model = LogisticRegression(C=C, tol=1e-12).fit(X, y)
        gap = float(np.max(np.abs(model.cov_params("HC0").to_numpy() - ref)) / np.max(ref))
        assert gap < previous
        previous = gap
    assert previous < 1e-5
    with pytest.raises(ValueError, match="penalized multinomial"):
        model.cov_params("cluster", groups=np.arange(y.size) % 7, X=X, y=y)


@pytest.mark.parametrize("cov_type", ["nonrobust", "HC0"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_state_from_the_solvers_last_pass_matches_statsmodels(cov_type: str, dtype: type) -> None:
    """Issue 13: with 30 features (Newton's separate gradient and Hessian passes) and with
    10 float32 ones (fused passes on short transposed blocks) the fit state comes from the
    solver's last pass and the centring's column sums, without a pass of its own; its
    covariances are statsmodels' on the same values."""
    p = 30 if dtype is np.float64 else 10
    rng = np.random.default_rng(p)
    X = (rng.normal(size=(6_000, p)) + 0.2).astype(dtype)
    y = (X @ rng.normal(scale=0.3, size=p) + rng.logistic(size=6_000) > 0).astype(int)
    from logitlab.core import fitstate

    passes: list[int] = []
    original = fitstate.binary_first_pass

    def counted(*args: Any, **kwargs: Any) -> Any:
        passes.append(1)
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fitstate, "binary_first_pass", counted)
        model = _fit(X, y)
    assert passes == []  # the state read no rows
    assert model._inference_state.separation_method == "certificate from the fit"
    ref = _sm(X.astype(np.float64), y, cov_type=cov_type)
    assert_allclose(model.cov_params(cov_type).to_numpy(), ref.cov_params(), rtol=1e-7)
    frame = model.summary(cov_type=cov_type).to_frame()
    assert_allclose(frame["std_error"], ref.bse, rtol=1e-7)
    assert model.summary().log_likelihood == pytest.approx(ref.llf, rel=1e-10)
