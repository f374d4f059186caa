"""l1_newton: the exact L1 model solve and the proximal Newton around it.

References: the quadratic model's optimum by a subgradient check and by scipy's
bounded L-BFGS on the split u = u⁺ − u⁻ (a smooth problem with the same minimum);
the full problem by :func:`logitlab.core.solvers.solve` (coordinate descent inside).
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.optimize

from logitlab.core.datasets import make_preset
from logitlab.core.l1_newton import applies, l1_quadratic, solve_l1_small
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def split_reference(H: np.ndarray, q: np.ndarray, l1: float, pen: np.ndarray) -> np.ndarray:
    """min ½uᵀHu + qᵀu + l1‖u_pen‖₁ as a bound-constrained smooth problem in (u⁺, u⁻)."""
    n = q.size

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        u = z[:n] - z[n:]
        g = H @ u + q
        value = 0.5 * u @ H @ u + q @ u + l1 * np.sum(z[np.r_[pen, pen]])
        extra = np.where(np.r_[pen, pen], l1, 0.0)
        return value, np.r_[g, -g] + extra

    bounds = [(0.0, None)] * (2 * n)
    out = scipy.optimize.minimize(
        fun,
        np.zeros(2 * n),
        jac=True,
        bounds=bounds,
        method="L-BFGS-B",
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    return np.asarray(out.x[:n] - out.x[n:])


@pytest.mark.parametrize("seed", range(6))
def test_l1_quadratic_is_the_exact_minimizer(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 5
    B = rng.standard_normal((n, n))
    B[:, 1] = B[:, 0] + 0.01 * B[:, 1]  # two strongly correlated columns
    H = B.T @ B + 1e-3 * np.eye(n)
    q = rng.standard_normal(n) * 2
    pen = np.array([True, True, True, True, False])
    l1 = 0.7
    u = l1_quadratic(H, q, l1, pen, rng.standard_normal(n) * (rng.random(n) < 0.5))
    g = H @ u + q
    nz = pen & (u != 0.0)
    zero = pen & (u == 0.0)
    np.testing.assert_allclose(g[nz] + l1 * np.sign(u[nz]), 0.0, atol=1e-10)
    np.testing.assert_allclose(g[~pen], 0.0, atol=1e-10)
    assert np.all(np.abs(g[zero]) <= l1 + 1e-10)
    ref = split_reference(H, q, l1, pen)
    np.testing.assert_allclose(u, ref, atol=1e-5)


@pytest.mark.parametrize("name", ["near-perfect", "blobs", "moons"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.2])
@pytest.mark.parametrize("alpha", [0.3, 0.01, 1e-4])
def test_solve_l1_small_equals_solve(name: str, l1_ratio: float, alpha: float) -> None:
    X, y = make_preset(name, 400, seed=3, shuffle=False)
    obj = Objective(
        X + np.array([3.0, -2.0]), y.astype(np.float64), penalty=Penalty(alpha, l1_ratio)
    )
    assert applies(obj)
    ours = solve_l1_small(obj, tol=1e-10)
    ref = solve(obj, tol=1e-12)
    assert ours.converged and ref.converged
    scale = np.max(np.abs(ref.coef))
    np.testing.assert_allclose(ours.coef, ref.coef, atol=1e-7 * scale)
    np.testing.assert_array_equal(ours.coef == 0.0, np.abs(ref.coef) <= 1e-12 * scale)
    assert ours.optimality <= 1e-9
    assert ours.value == pytest.approx(obj.value(ours.coef), rel=1e-14)


def test_applies_only_to_binary_dense_l1() -> None:
    X, y = make_preset("blobs", 50, seed=1)
    yf = y.astype(np.float64)
    assert not applies(Objective(X, yf, penalty=Penalty(0.1)))  # smooth: solve() is fine
    assert not applies(Objective(X, np.arange(50) % 3.0, n_classes=3, penalty=Penalty(0.1, 1.0)))
    with pytest.raises(ValueError, match="binary, dense, L1"):
        solve_l1_small(Objective(X, yf))
