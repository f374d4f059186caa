"""core.inference: standard errors and fit statistics against statsmodels; separation."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose, assert_array_equal

from logitlab.core.inference import INTERCEPT_NAME, detect_separation, infer
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def _fit(
    X: np.ndarray,
    y: np.ndarray,
    *,
    n_classes: int = 2,
    sample_weight: np.ndarray | None = None,
    l2: float = 0.0,
    fit_intercept: bool = True,
) -> tuple[Objective, np.ndarray]:
    objective = Objective(
        X,
        y.astype(np.float64),
        n_classes=n_classes,
        fit_intercept=fit_intercept,
        sample_weight=sample_weight,
        penalty=Penalty(alpha=l2, l1_ratio=0.0),
    )
    result = solve(objective, tol=1e-12, max_iter=200)
    return objective, result.coef


def _binary_data(seed: int = 0, n: int = 200, scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3)) * [1.0, scale, 0.5] + [0.0, 2.0 * scale, 1.0]
    z = X @ [1.0, -0.8 / scale, 0.6] + 0.3
    return X, (z + rng.logistic(size=n) > 0).astype(int)


def _multi_data(seed: int = 1, n: int = 240, K: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, K, size=n)
    X = rng.normal(size=(n, 2)) + 0.6 * rng.normal(size=(K, 2))[y]
    return X, y


def _statsmodels_order(X: np.ndarray) -> np.ndarray:
    return sm.add_constant(X, has_constant="add")


@pytest.mark.parametrize(("seed", "scale"), [(0, 1.0), (1, 50.0), (2, 0.02)])
def test_binary_matches_statsmodels_logit(seed: int, scale: float) -> None:
    X, y = _binary_data(seed, scale=scale)
    objective, coef = _fit(X, y)
    result = infer(objective, coef, check_separation=True)
    ref = sm.Logit(y, _statsmodels_order(X)).fit(method="newton", tol=1e-12, disp=0)
    (block,) = result.blocks
    assert block.names == (INTERCEPT_NAME, "x1", "x2", "x3")
    assert_allclose(block.estimate, ref.params, rtol=1e-6)
    assert_allclose(block.std_error, ref.bse, rtol=1e-6)
    assert_allclose(block.z, ref.tvalues, rtol=1e-6)
    assert_allclose(block.p_value, ref.pvalues, rtol=1e-6, atol=1e-300)
    ci = ref.conf_int(alpha=0.05)
    assert_allclose(block.ci_low, ci[:, 0], rtol=1e-6)
    assert_allclose(block.ci_high, ci[:, 1], rtol=1e-6)
    assert_allclose(block.odds_ratio, np.exp(ref.params), rtol=1e-6)
    assert result.log_likelihood == pytest.approx(ref.llf, rel=1e-9)
    assert result.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-9)
    assert result.pseudo_r2 == pytest.approx(ref.prsquared, rel=1e-6)
    assert result.aic == pytest.approx(ref.aic, rel=1e-9)
    assert result.bic == pytest.approx(ref.bic, rel=1e-9)
    assert result.n_obs == 200 and result.n_params == 4
    assert result.separation is None and result.separation_checked
    assert not result.penalized and math.isinf(result.C)
    assert result.reference == "0" and block.label == "1"


def test_confidence_level_changes_the_interval() -> None:
    X, y = _binary_data()
    objective, coef = _fit(X, y)
    result = infer(objective, coef, confidence=0.9)
    ref = sm.Logit(y, _statsmodels_order(X)).fit(method="newton", tol=1e-12, disp=0)
    assert_allclose(result.blocks[0].ci_low, ref.conf_int(alpha=0.1)[:, 0], rtol=1e-6)


def test_without_intercept_matches_statsmodels() -> None:
    X, y = _binary_data(3)
    objective, coef = _fit(X, y, fit_intercept=False)
    result = infer(objective, coef)
    ref = sm.Logit(y, X).fit(method="newton", tol=1e-12, disp=0)
    assert result.blocks[0].names == ("x1", "x2", "x3")
    assert_allclose(result.blocks[0].std_error, ref.bse, rtol=1e-6)
    assert result.log_likelihood == pytest.approx(ref.llf, rel=1e-9)
    assert result.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-8)  # with a constant
    assert result.aic == pytest.approx(ref.aic, rel=1e-9)


def test_integer_weights_equal_repeated_rows() -> None:
    X, y = _binary_data(4, n=120)
    counts = np.random.default_rng(5).integers(1, 4, size=120)
    objective, coef = _fit(X, y, sample_weight=counts.astype(float))
    weighted = infer(objective, coef)
    Xr, yr = np.repeat(X, counts, axis=0), np.repeat(y, counts)
    ref = sm.Logit(yr, _statsmodels_order(Xr)).fit(method="newton", tol=1e-12, disp=0)
    assert_allclose(weighted.blocks[0].std_error, ref.bse, rtol=1e-6)
    assert weighted.n_obs == counts.sum()
    assert weighted.bic == pytest.approx(ref.bic, rel=1e-9)
    assert weighted.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-9)


@pytest.mark.parametrize("K", [3, 4])
def test_multinomial_matches_statsmodels_mnlogit(K: int) -> None:
    X, y = _multi_data(K=K)
    objective, coef = _fit(X, y, n_classes=K)
    result = infer(objective, coef, class_names=[f"c{k}" for k in range(K)])
    ref = sm.MNLogit(y, _statsmodels_order(X)).fit(method="newton", tol=1e-12, disp=0)
    assert result.reference == "c0"
    assert [b.label for b in result.blocks] == [f"c{k}" for k in range(1, K)]
    params = np.asarray(ref.params)  # (n_terms, K-1), intercept first
    bse = np.asarray(ref.bse)
    for k, block in enumerate(result.blocks):
        assert_allclose(block.estimate, params[:, k], rtol=1e-6)
        assert_allclose(block.std_error, bse[:, k], rtol=1e-6)
        assert_allclose(block.p_value, np.asarray(ref.pvalues)[:, k], rtol=1e-6)
    assert result.log_likelihood == pytest.approx(ref.llf, rel=1e-9)
    assert result.null_log_likelihood == pytest.approx(ref.llnull, rel=1e-9)
    assert result.aic == pytest.approx(ref.aic, rel=1e-9)
    assert result.bic == pytest.approx(ref.bic, rel=1e-9)
    assert result.n_params == (K - 1) * 3


def _penalized_nll_hessian(objective: Objective, coef: np.ndarray, l2_sum: float) -> np.ndarray:
    """Finite-difference Hessian of Σ sᵢℓᵢ + l2_sum/2·‖w‖² in the reference parametrization."""
    K = objective.model.n_classes
    n_ref = coef.size if K == 2 else coef.size - coef.size // K
    m = coef.size // max(K, 1) if K > 2 else coef.size

    def full(beta: np.ndarray) -> np.ndarray:
        return beta if K == 2 else np.concatenate([np.zeros(m), beta])

    def value(beta: np.ndarray) -> float:
        c = full(beta)
        w = c[objective.penalized]
        return objective.cross_entropy(c) * objective.n_samples + 0.5 * l2_sum * float(w @ w)

    beta0 = coef.copy() if K == 2 else (coef.reshape(K, m)[1:] - coef.reshape(K, m)[0]).ravel()
    h = 1e-4
    H = np.zeros((n_ref, n_ref))
    eye = np.eye(n_ref) * h
    for i in range(n_ref):
        for j in range(n_ref):
            H[i, j] = (
                value(beta0 + eye[i] + eye[j])
                - value(beta0 + eye[i] - eye[j])
                - value(beta0 - eye[i] + eye[j])
                + value(beta0 - eye[i] - eye[j])
            ) / (4 * h * h)
    return H


def test_penalized_standard_errors_are_the_inverse_penalized_information() -> None:
    X, y = _binary_data(6, n=150)
    C = 0.05
    alpha = 1.0 / (C * 150)
    objective, coef = _fit(X, y, l2=alpha)
    result = infer(objective, coef)
    H = _penalized_nll_hessian(objective, coef, 1.0 / C)
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    order = [3, 0, 1, 2]  # intercept first in the table
    assert_allclose(result.blocks[0].std_error, se[order], rtol=1e-5)
    assert result.penalized
    assert math.isclose(result.C, C, rel_tol=1e-12)
    assert any("Penalized fit" in note for note in result.notes)
    # Shrinkage: the penalized estimate is smaller than the MLE.
    _, mle = _fit(X, y)
    assert np.linalg.norm(coef[:3]) < np.linalg.norm(mle[:3])


def test_separation_is_detected_complete_and_quasi() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
    complete = Objective(x, np.array([0, 0, 0, 1, 1, 1.0]))
    assert detect_separation(complete) == "complete"
    # Rows at x = 2 belong to both classes: separation holds only with equality there.
    xq = np.array([[0.0], [1.0], [2.0], [2.0], [3.0], [4.0]])
    quasi = Objective(xq, np.array([0, 0, 0, 1, 1, 1.0]))
    assert detect_separation(quasi) == "quasi-complete"
    overlap = Objective(x, np.array([0, 1, 0, 1, 0, 1.0]))
    assert detect_separation(overlap) is None


def test_separation_ignores_zero_weight_rows() -> None:
    x = np.array([[0.0], [1.0], [2.0], [3.0], [4.0]])
    y = np.array([0, 0, 1, 1, 0.0])
    assert detect_separation(Objective(x, y)) is None
    weights = np.array([1.0, 1.0, 1.0, 1.0, 0.0])
    assert detect_separation(Objective(x, y, sample_weight=weights)) == "complete"


def test_multinomial_separation() -> None:
    rng = np.random.default_rng(7)
    centers = np.array([[-6.0, 0.0], [6.0, 0.0], [0.0, 6.0]])
    y = np.repeat(np.arange(3), 20)
    X = centers[y] + rng.uniform(-1, 1, size=(60, 2))
    assert detect_separation(Objective(X, y.astype(float), n_classes=3)) == "complete"
    Xo, yo = _multi_data(K=3)
    assert detect_separation(Objective(Xo, yo.astype(float), n_classes=3)) is None


def test_separated_unpenalized_fit_reports_no_standard_errors() -> None:
    rng = np.random.default_rng(8)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(float)
    objective = Objective(X, y)
    fit = solve(objective, max_iter=30)
    result = infer(objective, fit.coef, converged=fit.converged)
    assert result.separation == "complete"
    block = result.blocks[0]
    assert np.all(np.isnan(block.std_error)) and np.all(np.isnan(block.p_value))
    assert any("does not exist" in note and "finite C" in note for note in result.notes)
    text = str(result)
    assert "Separation:" in text and "complete" in text


def test_separated_penalized_fit_keeps_numbers_and_says_so() -> None:
    rng = np.random.default_rng(9)
    X = rng.normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    objective, coef = _fit(X, y, l2=1.0 / 40)
    result = infer(objective, coef, check_separation=True)
    assert result.separation == "complete"
    assert np.all(np.isfinite(result.blocks[0].std_error))
    assert any("depend strongly on C" in note for note in result.notes)


def test_singular_information_gives_no_standard_errors() -> None:
    X, y = _binary_data(10)
    X = np.column_stack([X, X[:, 0] + X[:, 1]])  # exactly collinear
    objective = Objective(X, y.astype(float))
    fit = solve(objective, tol=1e-9)
    result = infer(objective, fit.coef, converged=fit.converged)
    assert np.all(np.isnan(result.blocks[0].std_error))
    assert any("singular" in note for note in result.notes)


def test_to_dict_is_json_ready_and_complete() -> None:
    X, y = _multi_data(K=3)
    objective, coef = _fit(X, y, n_classes=3)
    result = infer(objective, coef, feature_names=["a", "b"], class_names=["x", "y", "z"])
    data = result.to_dict()
    json.dumps(data, allow_nan=False)
    rows = data["coefficients"]
    assert isinstance(rows, list) and len(rows) == 2 * 3
    assert set(rows[0]) == {
        "class",
        "name",
        "estimate",
        "std_error",
        "z",
        "p_value",
        "ci_low",
        "ci_high",
        "odds_ratio",
    }
    assert [(r["class"], r["name"]) for r in rows[:3]] == [
        ("y", "intercept"),
        ("y", "a"),
        ("y", "b"),
    ]
    assert rows[4]["estimate"] == pytest.approx(float(result.blocks[1].estimate[1]))
    assert data["model"] == "multinomial" and data["reference"] == "x"
    assert data["separation"] is None and data["penalized"] is False and data["C"] is None


def test_text_table_lists_every_term_and_statistic() -> None:
    X, y = _binary_data()
    objective, coef = _fit(X, y)
    result = infer(objective, coef, feature_names=["age", "dose", "weight"])
    text = str(result)
    for word in ("intercept", "age", "dose", "weight", "Log-likelihood", "AIC", "BIC", "P>|z|"):
        assert word in text
    assert f"{result.log_likelihood:.4f}" in text
    assert f"{result.blocks[0].std_error[1]:.4f}" in text


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_fits_get_estimates_and_likelihood_but_no_standard_errors(l1_ratio: float) -> None:
    X, y = _binary_data()
    X = np.column_stack([X, np.random.default_rng(11).normal(size=200)])  # a useless feature
    alpha = 0.1
    objective = Objective(X, y.astype(float), penalty=Penalty(alpha=alpha, l1_ratio=l1_ratio))
    coef = solve(objective).coef
    result = infer(objective, coef)
    (block,) = result.blocks
    assert_allclose(block.estimate, np.r_[coef[-1], coef[:-1]])
    assert np.all(np.isnan(block.std_error)) and np.all(np.isnan(block.p_value))
    assert_allclose(block.odds_ratio, np.exp(block.estimate))
    n_nonzero = int(np.count_nonzero(coef))
    assert n_nonzero < coef.size  # the lasso zeroed something
    assert result.n_params == n_nonzero
    assert result.aic == pytest.approx(-2 * result.log_likelihood + 2 * n_nonzero)
    assert result.log_likelihood == pytest.approx(-200 * objective.cross_entropy(coef))
    assert result.penalized and math.isclose(result.C, 1 / (alpha * 200))
    assert result.l1_ratio == l1_ratio
    assert any("L1 part" in note for note in result.notes)
    assert ("L1, C=" if l1_ratio == 1.0 else "elastic net, l1_ratio=0.5") in str(result)
    assert result.to_dict()["l1_ratio"] == l1_ratio


def test_bad_arguments() -> None:
    X, y = _binary_data()
    objective, coef = _fit(X, y)
    with pytest.raises(ValueError, match="feature_names has 2 names for 3 features"):
        infer(objective, coef, feature_names=["a", "b"])
    with pytest.raises(ValueError, match="confidence"):
        infer(objective, coef, confidence=1.5)
    assert_array_equal(infer(objective, coef).blocks[0].names[1:], ["x1", "x2", "x3"])
