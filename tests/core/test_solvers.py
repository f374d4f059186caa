"""solve(): the optimum, judged by the gradient, in agreement with scikit-learn.

scikit-learn minimizes C·Σ sᵢℓᵢ + ρ‖w‖₁ + (1 − ρ)/2·‖w‖²; dividing by C·Σ sᵢ gives our
objective with alpha = 1 / (C·Σ sᵢ). Agreement is measured as max|Δcoef| / max|coef_ref|.
Multinomial intercepts are defined up to a common shift, so scikit-learn's are centred
before comparing; ours are sum-zero by construction.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve

KINDS = ["standardized", "raw", "imbalanced", "collinear", "separableish", "weighted"]


def make_problem(kind: str, n_samples: int, n_classes: int, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    p = 4
    X = rng.standard_normal((n_samples, p))
    if kind == "collinear":
        X[:, 3] = X[:, 0] + X[:, 1] + 1e-3 * rng.standard_normal(n_samples)
    B = rng.standard_normal((n_classes, p))
    if kind == "separableish":
        B *= 4.0  # classes barely overlap; the optimum is still finite
    scores = X @ B.T + rng.gumbel(size=(n_samples, n_classes))
    if kind == "imbalanced":
        scores[:, 0] += 1.8  # class 0 about five times as frequent
    y = np.argmax(scores, axis=1)
    if kind == "raw":
        X = X * np.array([1.0, 100.0, 0.01, 1000.0]) + np.array([5.0, -300.0, 0.02, 2000.0])
    sw = rng.uniform(0.2, 3.0, n_samples) if kind == "weighted" else None
    return X, y, sw


def fit_ours(X, y, sw, n_classes, C, l1_ratio, fit_intercept=True, **kwargs):  # type: ignore[no-untyped-def]
    total = len(y) if sw is None else float(np.sum(sw))
    alpha = 0.0 if np.isinf(C) else 1.0 / (C * total)
    obj = Objective(
        X,
        y.astype(np.float64),
        n_classes=n_classes,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        penalty=Penalty(alpha, l1_ratio),
    )
    return solve(obj, **kwargs), obj


def fit_sklearn(X, y, sw, C, l1_ratio, solver, tol, fit_intercept=True, max_iter=10_000):  # type: ignore[no-untyped-def]
    model = LogisticRegression(
        C=C,
        l1_ratio=l1_ratio,
        solver=solver,
        tol=tol,
        max_iter=max_iter,
        fit_intercept=fit_intercept,
    ).fit(X, y, sample_weight=sw)
    W = np.column_stack([model.coef_, model.intercept_]) if fit_intercept else model.coef_.copy()
    if W.shape[0] > 1 and fit_intercept:
        W[:, -1] -= W[:, -1].mean()
    return W.ravel()


def assert_close(ours: np.ndarray, reference: np.ndarray, rel: float = 1e-6) -> None:
    err = np.max(np.abs(ours - reference)) / np.max(np.abs(reference))
    assert err <= rel, f"max |Δ| / max |ref| = {err:.2e} > {rel:.0e}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [np.inf, 1.0])
def test_smooth_penalties_agree_with_sklearn_newton_cholesky(kind, n_classes, C) -> None:  # type: ignore[no-untyped-def]
    X, y, sw = make_problem(kind, 200, n_classes)
    result, obj = fit_ours(X, y, sw, n_classes, C, 0.0)  # default tol
    assert result.converged and result.optimality <= 1e-8
    reference = fit_sklearn(X, y, sw, C, 0.0, "newton-cholesky", 1e-12)
    assert obj.optimality(reference) < 1e-9  # the same objective
    assert_close(result.coef, reference)
    assert result.value == pytest.approx(obj.value(result.coef), rel=1e-14)
    if n_classes > 2:  # sum-zero over the classes
        mat = result.coef.reshape(n_classes, -1)
        np.testing.assert_allclose(mat.sum(axis=0), 0.0, atol=1e-10 * np.abs(mat).max())


@pytest.mark.parametrize("n_classes", [2, 4])
def test_l2_agrees_with_sklearn_lbfgs_on_standardized_data(n_classes: int) -> None:
    X, y, sw = make_problem("weighted", 300, n_classes, seed=5)
    result, _ = fit_ours(X, y, sw, n_classes, 0.5, 0.0)
    assert_close(result.coef, fit_sklearn(X, y, sw, 0.5, 0.0, "lbfgs", 1e-12))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("C", [np.inf, 0.7])
def test_without_intercept(n_classes: int, C: float) -> None:
    X, y, sw = make_problem("imbalanced", 200, n_classes, seed=2)
    result, _ = fit_ours(X, y, sw, n_classes, C, 0.0, fit_intercept=False)
    reference = fit_sklearn(X, y, sw, C, 0.0, "newton-cholesky", 1e-12, fit_intercept=False)
    assert_close(result.coef, reference)


L1_CASES = [
    (kind, n_classes, l1_ratio)
    for kind in ["standardized", "imbalanced", "collinear", "weighted"]
    for n_classes, l1_ratio in [(2, 1.0), (2, 0.5), (3, 1.0), (3, 0.5), (4, 0.5)]
]


@pytest.mark.parametrize(("kind", "n_classes", "l1_ratio"), L1_CASES)
def test_l1_and_elastic_net_agree_with_sklearn_saga(kind, n_classes, l1_ratio) -> None:  # type: ignore[no-untyped-def]
    X, y, sw = make_problem(kind, 100, n_classes, seed=1)
    X = (X - X.mean(axis=0)) / X.std(axis=0)  # saga needs standardized features to converge
    result, _obj = fit_ours(X, y, sw, n_classes, 0.3, l1_ratio)
    assert result.converged
    reference = fit_sklearn(X, y, sw, 0.3, l1_ratio, "saga", 1e-12, max_iter=200_000)
    assert_close(result.coef, reference)
    np.testing.assert_array_equal(result.coef == 0.0, reference == 0.0)  # the same support
    if l1_ratio == 1.0:
        assert np.sum(result.coef == 0.0) > 0  # the test exercises exact zeros


@pytest.mark.parametrize(("n_classes", "l1_ratio"), [(2, 1.0), (3, 0.5)])
def test_l1_on_raw_scale_data_meets_kkt_and_beats_saga(n_classes: int, l1_ratio: float) -> None:
    """saga cannot converge on raw-scale features; check optimality conditions instead."""
    X, y, sw = make_problem("raw", 200, n_classes, seed=4)
    result, obj = fit_ours(X, y, sw, n_classes, 0.05, l1_ratio)
    assert result.converged
    _, grad = obj.smooth_value_gradient(result.coef)
    l1 = obj.penalty.l1
    w, g = result.coef[obj.penalized], grad[obj.penalized]
    zero = w == 0.0
    assert np.any(zero)
    assert np.all(np.abs(g[zero]) <= l1 * (1 + 1e-12))  # KKT at zero weights
    np.testing.assert_allclose(g[~zero], -l1 * np.sign(w[~zero]), rtol=0, atol=1e-8)
    np.testing.assert_allclose(grad[~obj.penalized], 0.0, atol=1e-8)  # intercepts
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        saga = fit_sklearn(X, y, sw, 0.05, l1_ratio, "saga", 1e-8, max_iter=2_000)
    assert result.value <= obj.value(saga) + 1e-12


def test_unpenalized_multinomial_from_a_shifted_start_ends_sum_zero() -> None:
    X, y, sw = make_problem("standardized", 200, 3, seed=3)
    shifted = np.tile([0.5, -1.0, 2.0, 0.3, 4.0], 3)  # the same vector added to each class
    result, _obj = fit_ours(X, y, sw, 3, np.inf, 0.0, coef0=shifted)
    reference = fit_sklearn(X, y, sw, np.inf, 0.0, "newton-cholesky", 1e-12)
    assert_close(result.coef, reference)


def test_separable_data_without_penalty_stops_finite() -> None:
    """The optimum is at infinity. The gradient criterion is met once the loss is tiny
    (the gradient is as small as the loss there); the coefficients are large but finite.
    Telling the user about separation is the job of the inference layer, not of solve."""
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    result = solve(Objective(X, y), max_iter=50)
    assert np.all(np.isfinite(result.coef)) and np.isfinite(result.value)
    assert result.coef[0] > 10.0  # it went a long way towards infinity
    assert result.value < 1e-7 and result.optimality <= 1e-8
    capped = solve(Objective(X, y), max_iter=3)
    assert not capped.converged and capped.n_iter == 3


def test_tolerance_is_honoured_and_iterations_are_not_fixed() -> None:
    X, y, sw = make_problem("standardized", 200, 2, seed=6)
    loose, obj = fit_ours(X, y, sw, 2, 1.0, 0.0, tol=1e-3)
    tight, _ = fit_ours(X, y, sw, 2, 1.0, 0.0, tol=1e-13)
    assert loose.optimality <= 1e-3 and tight.optimality <= 1e-13
    assert loose.n_iter < tight.n_iter
    assert obj.optimality(loose.coef) == pytest.approx(loose.optimality, rel=1e-12)
    none, _ = fit_ours(X, y, sw, 2, 1.0, 0.0, max_iter=0)
    assert none.n_iter == 0 and not none.converged
    np.testing.assert_array_equal(none.coef, 0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"tol": 0.0}, "tol must be > 0"),
        ({"max_iter": -1}, "max_iter must be >= 0"),
        ({"coef0": np.zeros(3)}, r"coef0 must have shape \(5,\)"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    X, y, _sw = make_problem("standardized", 20, 2)
    obj = Objective(X, y.astype(float))
    with pytest.raises(ValueError, match=message):
        solve(obj, **kwargs)


# ----------------------------------------------------------------- invariants

_SETTINGS = settings(max_examples=12, deadline=None)


@_SETTINGS
@given(seed=st.integers(0, 10_000), C=st.sampled_from([np.inf, 1.0, 0.2]))
def test_row_order_changes_nothing(seed: int, C: float) -> None:
    X, y, sw = make_problem("weighted", 60, 2, seed=seed)
    order = np.random.default_rng(seed).permutation(60)
    a, _ = fit_ours(X, y, sw, 2, C, 0.0, tol=1e-11)
    b, _ = fit_ours(X[order], y[order], sw[order], 2, C, 0.0, tol=1e-11)
    np.testing.assert_allclose(a.coef, b.coef, rtol=1e-8, atol=1e-10)


@_SETTINGS
@given(
    seed=st.integers(0, 10_000),
    C=st.sampled_from([np.inf, 1.0]),
    l1_ratio=st.sampled_from([0.0, 1.0]),
)
def test_swapping_the_labels_negates_binary_coefficients(
    seed: int, C: float, l1_ratio: float
) -> None:
    X, y, sw = make_problem("standardized", 60, 2, seed=seed)
    a, _ = fit_ours(X, y, sw, 2, C, l1_ratio, tol=1e-11)
    b, _ = fit_ours(X, 1 - y, sw, 2, C, l1_ratio, tol=1e-11)
    np.testing.assert_allclose(b.coef, -a.coef, rtol=1e-8, atol=1e-10)


@_SETTINGS
@given(seed=st.integers(0, 10_000), factor=st.floats(1e-3, 1e3), column=st.integers(0, 3))
def test_scaling_a_feature_scales_its_unpenalized_coefficient_inversely(
    seed: int, factor: float, column: int
) -> None:
    X, y, sw = make_problem("standardized", 80, 3, seed=seed)
    a, _ = fit_ours(X, y, sw, 3, np.inf, 0.0, tol=1e-11)
    scaled = X.copy()
    scaled[:, column] *= factor
    b, _ = fit_ours(scaled, y, sw, 3, np.inf, 0.0, tol=1e-11)
    expected = a.coef.reshape(3, -1).copy()
    expected[:, column] /= factor
    np.testing.assert_allclose(b.coef.reshape(3, -1), expected, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize(("n_classes", "n_features", "C"), [(2, 20, np.inf), (3, 6, 1.0)])
def test_sketched_hessians_far_from_the_optimum_keep_the_answer(
    n_classes: int, n_features: int, C: float
) -> None:
    """Many rows per coefficient: early Newton steps use a Hessian from every k-th row."""
    rng = np.random.default_rng(9)
    n = 30_000
    X = rng.standard_normal((n, n_features)) * rng.uniform(0.5, 3.0, n_features)
    B = rng.normal(scale=0.4, size=(n_classes, n_features))
    y = np.argmax(X @ B.T + rng.gumbel(size=(n, n_classes)), axis=1)
    sw = rng.uniform(0.5, 2.0, n)
    result, obj = fit_ours(X, y, sw, n_classes, C, 0.0)
    strides: list[int] = []
    original = obj.smooth_hessian

    def spy(coef: np.ndarray, *, stride: int = 1) -> np.ndarray:
        strides.append(stride)
        return original(coef, stride=stride)

    obj.smooth_hessian = spy  # type: ignore[method-assign]
    again = solve(obj)
    assert max(strides) > 1 and strides[-1] == 1  # sketches first, the exact Hessian last
    np.testing.assert_array_equal(again.coef, result.coef)
    assert result.converged
    reference = fit_sklearn(X, y, sw, C, 0.0, "newton-cholesky", 1e-12)
    assert_close(result.coef, reference)
