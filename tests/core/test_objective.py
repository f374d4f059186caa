"""Objective: the smooth part's derivatives by finite differences, L1 prox and subgradient."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty

PENALTIES = {
    "none": Penalty(0.0, 0.0),
    "l2": Penalty(0.3, 0.0),
    "l1": Penalty(0.05, 1.0),
    "elasticnet": Penalty(0.1, 0.4),
}
CASES = [
    (name, n_classes, fit_intercept, weighted)
    for name in PENALTIES
    for n_classes in (2, 3)
    for fit_intercept in (True, False)
    for weighted in (False, True)
]


def central_differences(
    f: Callable[[np.ndarray], np.ndarray | float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((np.asarray(f(x + e)) - np.asarray(f(x - e))) / (2 * h))
    return np.stack(cols, axis=-1)


def _objective(make_data, name, n_classes, fit_intercept, weighted):  # type: ignore[no-untyped-def]
    X, y, sw = make_data(30, 3, n_classes, weighted=weighted, seed=11)
    obj = Objective(
        X,
        y,
        n_classes=n_classes,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        penalty=PENALTIES[name],
    )
    # Weights well away from 0 so the L1 term is differentiable at and around coef.
    rng = np.random.default_rng(3)
    coef = rng.uniform(0.3, 1.2, obj.n_coef) * rng.choice([-1.0, 1.0], obj.n_coef)
    return obj, coef


@pytest.mark.parametrize(("name", "n_classes", "fit_intercept", "weighted"), CASES)
def test_smooth_gradient_and_hessian_match_finite_differences(  # type: ignore[no-untyped-def]
    make_data, name, n_classes, fit_intercept, weighted
) -> None:
    obj, coef = _objective(make_data, name, n_classes, fit_intercept, weighted)
    value, grad = obj.smooth_value_gradient(coef)
    v2, g2, hess = obj.smooth_value_gradient_hessian(coef)
    assert v2 == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(g2, grad, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(obj.smooth_hessian(coef), hess, rtol=1e-14, atol=1e-16)

    def smooth(c: np.ndarray) -> float:
        return obj.smooth_value_gradient(c)[0]

    np.testing.assert_allclose(grad, central_differences(smooth, coef), rtol=1e-6, atol=1e-9)
    numeric_hess = central_differences(lambda c: obj.smooth_value_gradient(c)[1], coef)
    np.testing.assert_allclose(hess, numeric_hess, rtol=1e-6, atol=1e-9)
    # Full objective = smooth part + L1 term; its gradient where no weight is 0
    # is the minimum-norm subgradient.
    assert obj.value(coef) == pytest.approx(value + obj.l1_value(coef), rel=1e-14)
    np.testing.assert_allclose(
        obj.min_norm_subgradient(coef, grad),
        central_differences(obj.value, coef),
        rtol=1e-6,
        atol=1e-9,
    )


def test_value_is_cross_entropy_plus_penalty_on_weights_only(make_data) -> None:  # type: ignore[no-untyped-def]
    obj, coef = _objective(make_data, "elasticnet", 3, True, True)
    w = coef[obj.penalized]
    assert obj.value(coef) == pytest.approx(obj.cross_entropy(coef) + obj.penalty.value(w))
    np.testing.assert_array_equal(obj.penalized, np.tile([True, True, True, False], 3))
    # Moving the intercepts changes the cross-entropy only.
    moved = coef.copy()
    moved[~obj.penalized] += 5.0
    assert obj.value(moved) - obj.cross_entropy(moved) == pytest.approx(
        obj.value(coef) - obj.cross_entropy(coef), rel=1e-14
    )


def test_mini_batch_rows_use_only_those_rows(make_data) -> None:  # type: ignore[no-untyped-def]
    obj, coef = _objective(make_data, "l2", 2, True, True)
    rows = np.array([3, 7, 8, 20])
    sub = Objective(
        obj.X[rows], obj.y[rows], sample_weight=obj.sample_weight[rows], penalty=obj.penalty
    )
    value, grad = obj.smooth_value_gradient(coef, rows=rows)
    v2, g2 = sub.smooth_value_gradient(coef)
    assert value == pytest.approx(v2, rel=1e-14)
    np.testing.assert_allclose(grad, g2, rtol=1e-14)


def test_prox_thresholds_weights_and_leaves_intercepts(make_data) -> None:  # type: ignore[no-untyped-def]
    obj, _ = _objective(make_data, "l1", 2, True, False)
    coef = np.array([0.6, -0.01, 0.02, 0.003])  # last entry is the intercept
    out = obj.prox(coef, step=1.0)  # threshold = l1 = 0.05
    np.testing.assert_allclose(out, [0.55, 0.0, 0.0, 0.003])
    assert out[1] == 0.0 and out[2] == 0.0
    smooth = obj.with_penalty(Penalty(0.3, 0.0))
    assert smooth.prox(coef, 1.0) is coef
    assert smooth.X is obj.X and smooth.penalty.l2 == pytest.approx(0.3)


def test_min_norm_subgradient_at_zero_weights(make_data) -> None:  # type: ignore[no-untyped-def]
    obj, _ = _objective(make_data, "l1", 2, True, False)  # l1 = 0.05
    coef = np.array([0.0, 0.0, 0.4, 0.0])
    grad = np.array([0.03, -0.08, 0.01, 0.02])
    out = obj.min_norm_subgradient(coef, grad)
    # |g| ≤ l1 at a zero weight → 0; otherwise shrink by l1; nonzero weight → g + l1·sign(w);
    # the intercept keeps its gradient.
    np.testing.assert_allclose(out, [0.0, -0.03, 0.06, 0.02])
    assert obj.optimality(coef, grad) == pytest.approx(0.06)


def test_column_moments_in_one_pass_equal_two_passes() -> None:
    """Issue 13: the centring reads X once; its means and spreads equal two-pass ones,
    also far from the origin (X + 1e6) and with zero-weight blocks."""
    from logitlab.core import design

    rng = np.random.default_rng(3)
    X = rng.normal(size=(70_001, 3)) * [1.0, 1e-2, 5.0] + [0.0, 1e6, -2.0]
    sw = rng.uniform(0.0, 2.0, X.shape[0])
    sw[:30_000] = 0.0  # whole blocks without weight
    for weights in (None, sw):
        mean, spread = design.column_moments(X, weights)
        w = np.ones(X.shape[0]) if weights is None else weights
        expected = (w @ X) / w.sum()
        np.testing.assert_allclose(mean, expected, rtol=1e-13)
        two_pass = np.sqrt((w @ (X - expected) ** 2) / w.sum())
        np.testing.assert_allclose(spread, two_pass, rtol=1e-6)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_working_sets_are_dense_when_that_at_most_doubles_their_memory(
    fmt: str, dtype: type
) -> None:
    import scipy.sparse as sp

    from logitlab.core.solvers import solve

    rng = np.random.default_rng(21)
    n, p = 3_000, 60
    # Columns 0-9 mostly stored (frequent words), the rest 2 % full (rare words).
    density = np.where(np.arange(p) < 10, 0.7, 0.02)
    X = (rng.random((n, p)) < density) * rng.exponential(size=(n, p))
    y = (X[:, :3] @ np.array([1.5, -2.0, 1.0]) + rng.logistic(size=n) > 1.0).astype(float)
    Xs = sp.csr_matrix(X.astype(dtype)) if fmt == "csr" else sp.csc_matrix(X.astype(dtype))
    objective = Objective(Xs, y, penalty=Penalty(alpha=0.01, l1_ratio=1.0))
    frequent = objective.restricted(np.arange(8))
    assert isinstance(frequent.X, np.ndarray) and frequent.X.dtype == dtype
    np.testing.assert_array_equal(frequent.X, X[:, :8].astype(dtype))
    rare = objective.restricted(np.arange(20, 40))
    assert sp.issparse(rare.X)
    np.testing.assert_array_equal(rare.X.toarray(), X[:, 20:40].astype(dtype))
    # The working-set fit on sparse X reaches the optimum of the same data held densely.
    exact = X.astype(dtype).astype(np.float64)
    dense = solve(Objective(exact, y, penalty=objective.penalty), tol=1e-10)
    fit = solve(objective, tol=1e-10)
    assert fit.converged and dense.converged
    np.testing.assert_allclose(fit.coef, dense.coef, rtol=1e-7, atol=1e-9)
    assert 0 < np.count_nonzero(fit.coef[:-1]) < 20  # a sparse solution on working sets
