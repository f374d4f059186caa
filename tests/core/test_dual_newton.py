"""Exact Newton in the rows' space (binary L2, rows < features): core/dual_newton.py.

Checked against scikit-learn's newton-cholesky at tol 1e-12, against the primal
Newton step made from the explicit p x p Hessian, and against a tight truncated
Newton fit; the Gram matrix against X̃X̃ᵀ computed directly.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from logitlab.core import dual_newton
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def wide(n: int = 40, p: int = 120, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p)
    X[:, :4] += 30.0  # offsets the solver centres internally
    z = X[:, 4:] @ rng.normal(scale=1.0 / np.sqrt(p), size=p - 4)
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    y[:2] = [0.0, 1.0]
    sw = rng.uniform(0.3, 2.0, n)
    return X, y, sw


def objective(X, y, sw, C: float, fit_intercept: bool = True) -> Objective:  # type: ignore[no-untyped-def]
    alpha = 1.0 / (C * (float(np.sum(sw)) if sw is not None else y.shape[0]))
    return Objective(X, y, sample_weight=sw, fit_intercept=fit_intercept, penalty=Penalty(alpha))


def sklearn_coef(X, y, sw, C: float, fit_intercept: bool) -> np.ndarray:  # type: ignore[no-untyped-def]
    model = LogisticRegression(
        C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, fit_intercept=fit_intercept
    ).fit(np.asarray(X, dtype=np.float64), y, sample_weight=sw)
    coef = model.coef_.ravel()
    return np.r_[coef, model.intercept_] if fit_intercept else coef


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("layout", ["C", "F", "float32", "strided"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_rows_space_newton_reaches_sklearns_optimum(
    layout: str, fit_intercept: bool, weighted: bool
) -> None:
    X, y, sw = wide()
    if not weighted:
        sw = None
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "float32":
        X = X.astype(np.float32)
    elif layout == "strided":
        X = np.repeat(X, 2, axis=1)[:, ::2]  # neither C- nor F-contiguous
    obj = objective(X, y, sw, 0.4, fit_intercept)
    out = solve(obj, method="newton", tol=1e-10)
    assert out.converged and out.optimality <= 1e-10
    assert rel_err(out.coef, sklearn_coef(X, y, sw, 0.4, fit_intercept)) <= 1e-6
    assert out.value == pytest.approx(obj.value(out.coef), rel=1e-13)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_warm_start_off_the_rows_space_reaches_the_same_optimum(fit_intercept: bool) -> None:
    """A start w₀ outside the span of the rows: w = β·w₀ + X̃ᵀa, β → 0."""
    X, y, sw = wide(seed=1)
    obj = objective(X, y, sw, 2.0, fit_intercept)
    ref = solve(obj, method="newton-cg", tol=1e-11, max_iter=200)
    rng = np.random.default_rng(5)
    start = rng.normal(scale=0.3, size=obj.n_coef)
    out = solve(obj, start, method="newton", tol=1e-10)
    assert out.converged
    assert rel_err(out.coef, ref.coef) <= 1e-8
    again = solve(obj, out.coef, method="newton", tol=1e-8)  # at the optimum: no step
    assert again.converged and again.n_iter == 0
    np.testing.assert_allclose(again.coef, out.coef, rtol=0, atol=1e-12 * np.max(np.abs(out.coef)))


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_step_and_decrement_equal_the_primal_newton_step(fit_intercept: bool) -> None:
    """The n-space direction, mapped to the weights, is −H⁻¹g with the explicit Hessian,
    at a point with both parts (β ≠ 0, a ≠ 0); the decrement is √(gᵀH⁻¹g)."""
    X, y, sw = wide(30, 70, seed=2)
    obj = objective(X, y, sw, 0.7, fit_intercept).centered()
    rng = np.random.default_rng(3)
    coef0 = rng.normal(scale=0.2, size=obj.n_coef)
    prob = dual_newton._Problem(obj, coef0)
    pt = prob.start(coef0)
    for _ in range(2):  # the start (β = 1, a = 0), then half a step on (β = ½, a ≠ 0)
        value, r, h = prob.evaluate(pt)
        coef = prob.coef(pt)
        smooth, grad = obj.smooth_value_gradient(coef)
        assert value == pytest.approx(smooth, rel=1e-12)
        g = prob.gradient(pt, r)
        np.testing.assert_allclose(g, grad, rtol=1e-10, atol=1e-14)
        step = dual_newton._newton_step(prob, pt, r, h, g)
        expected = -np.linalg.solve(obj.smooth_hessian(coef), grad)
        p = obj.n_features
        d_w = step.d_beta * prob.w0 + prob.rows.transposed_times(step.d_a)
        d = np.r_[d_w, step.d_b] if fit_intercept else d_w
        np.testing.assert_allclose(d, expected, rtol=1e-8, atol=1e-12 * np.max(np.abs(expected)))
        np.testing.assert_allclose(step.G_da, prob.G @ step.d_a, rtol=1e-10, atol=1e-14)
        assert step.decrement == pytest.approx(np.sqrt(-grad @ expected), rel=1e-8)
        assert d_w.shape == (p,)
        pt = dual_newton._trial(pt, step, 0.5)


@pytest.mark.parametrize("layout", ["C", "F", "float32"])
@pytest.mark.parametrize("centred", [True, False])
def test_row_gram_is_the_centred_rows_products(layout: str, centred: bool) -> None:
    rng = np.random.default_rng(4)
    X = rng.standard_normal((25, 3000)) + 5.0  # several column strips
    if layout == "F":
        X = np.asfortranarray(X)
    elif layout == "float32":
        X = X.astype(np.float32)
    offset = X.mean(axis=0, dtype=np.float64) if centred else None
    Xt = np.asarray(X, dtype=np.float64) - (0.0 if offset is None else offset)
    G = dual_newton.row_gram(X, offset)
    np.testing.assert_allclose(G, Xt @ Xt.T, rtol=1e-11, atol=1e-9)
    np.testing.assert_array_equal(G, G.T)


def test_rows_space_newton_agrees_with_truncated_newton_on_a_benchmark_like_shape() -> None:
    rng = np.random.default_rng(6)
    n, p = 100, 1000
    X = rng.standard_normal((n, p))
    X[:, 1:] += 0.3 * X[:, :1]
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-(X @ rng.normal(scale=0.05, size=p))))).astype(
        np.float64
    )
    obj = Objective(X, y, penalty=Penalty(1.0 / n))
    ours = solve(obj, tol=1e-10)  # auto: the rows' space
    ref = solve(obj, method="newton-cg", tol=1e-11, max_iter=200)
    assert ours.converged and ref.converged
    assert rel_err(ours.coef, ref.coef) <= 1e-8
