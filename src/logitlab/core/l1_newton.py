"""Proximal Newton for L1-penalized binary problems with few coefficients, solved exactly inside.

Each proximal-Newton step minimizes the quadratic model of the smooth part plus
the L1 term, ``½uᵀHu + qᵀu + γ‖u_w‖₁`` (``q = g − Hc`` at the current point ``c``).
:func:`logitlab.core.solvers.solve` does that by coordinate descent, which needs
hundreds of sweeps when the columns are strongly correlated in the Hessian's
metric (nearly separated classes at a small penalty are the Lab's common case)
and costs a Python loop per sweep. With few coefficients the model is solved
exactly instead, by an active-set search over sign patterns (feature-sign
search, Lee, Battle, Raina & Ng, NIPS 2006): fix the signs of the non-zero
weights, minimize the quadratic that those signs make smooth (one small linear
solve), walk back along the segment to where a weight would change sign when
that is lower, and let in the zero weight whose gradient most exceeds γ. The
model's objective falls at every step and the signs repeat nowhere, so it ends
after a few solves with zeros that are exact.

:func:`solve_l1_small` wraps it in the usual proximal-Newton loop (a full
Hessian, a backtracking line search on the true objective) with the same
stopping rule and result as :func:`~logitlab.core.solvers.solve`.
"""

from __future__ import annotations

import numpy as np

from logitlab.core.objective import Objective
from logitlab.core.optimizers import rounding_level
from logitlab.core.solvers import SolveResult
from logitlab.core.types import BoolArray, FloatArray

SMALL_L1_MAX_COEF = 64
"""Largest coefficient count :func:`applies` accepts (the model's linear solves stay tiny)."""
_ARMIJO = 1e-4
_MAX_HALVINGS = 40


def applies(objective: Objective) -> bool:
    """Whether :func:`solve_l1_small` is meant for this objective.

    Binary, dense, with an L1 term and at most :data:`SMALL_L1_MAX_COEF`
    coefficients; every other problem goes to :func:`~logitlab.core.solvers.solve`.
    """
    return (
        objective.model.is_binary
        and not objective.penalty.is_smooth
        and objective.n_coef <= SMALL_L1_MAX_COEF
        and isinstance(objective.X, np.ndarray)
    )


def l1_quadratic(
    H: FloatArray, q: FloatArray, l1: float, penalized: BoolArray, u0: FloatArray
) -> FloatArray:
    """Exact minimizer of ``½uᵀHu + qᵀu + l1·Σ_{penalized} |uⱼ|`` by feature-sign search.

    Parameters
    ----------
    H : ndarray of shape (n, n)
        Symmetric positive (semi-)definite.
    q : ndarray of shape (n,)
    l1 : float
        Strength ≥ 0 of the L1 term on the ``penalized`` coordinates.
    penalized : ndarray of bool of shape (n,)
        False for coordinates without L1 term (intercepts): always free.
    u0 : ndarray of shape (n,)
        Warm start; its zero weights start inactive.

    Returns
    -------
    ndarray of shape (n,)
        Weights that are exactly 0 where the L1 term holds them there.
    """
    n = q.size
    gamma = np.where(penalized, l1, 0.0)
    u = np.array(u0, dtype=np.float64)
    active = ~penalized | (u != 0.0)
    theta = np.where(penalized, np.sign(u), 0.0)
    scale = max(1.0, float(np.max(np.abs(q), initial=0.0)))

    def value(v: FloatArray) -> float:
        return float(0.5 * v @ (H @ v) + q @ v + l1 * np.sum(np.abs(v[penalized])))

    for _ in range(4 * n + 20):  # outer: let in one zero weight at a time
        for _ in range(4 * n + 20):  # inner: settle the signs of the active set
            idx = np.flatnonzero(active)
            target = np.zeros(n)
            target[idx] = _solve(H[np.ix_(idx, idx)], -(q[idx] + gamma[idx] * theta[idx]))
            pen_idx = idx[penalized[idx]]
            if np.all(np.sign(target[pen_idx]) == theta[pen_idx]):
                u = target  # the signs hold: the optimum on this face
                break
            # Walk from u to target; where a weight crosses 0 the true objective may be lower.
            d = target - u
            crossing = pen_idx[(u[pen_idx] != 0.0) & (np.sign(target[pen_idx]) != theta[pen_idx])]
            best, best_value = target, value(target)
            for j in crossing:
                t = u[j] / (u[j] - target[j])
                if 0.0 < t < 1.0:
                    point = u + t * d
                    point[j] = 0.0
                    v = value(point)
                    if v < best_value:
                        best, best_value = point, v
            u = best
            theta = np.where(penalized, np.sign(u), 0.0)
            active = ~penalized | (u != 0.0)
        grad = H @ u + q
        excess = np.where(penalized & ~active, np.abs(grad) - gamma, 0.0)
        j = int(np.argmax(excess))
        if not excess[j] > 1e-13 * scale:
            break
        active[j] = True
        theta[j] = -np.sign(grad[j])
    return u


def _solve(A: FloatArray, b: FloatArray) -> FloatArray:
    try:
        x = np.linalg.solve(A, b)
        if np.all(np.isfinite(x)):
            return np.asarray(x, dtype=np.float64)
    except np.linalg.LinAlgError:
        pass
    return np.asarray(np.linalg.lstsq(A, b, rcond=None)[0], dtype=np.float64)


def solve_l1_small(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> SolveResult:
    """Minimize an objective that :func:`applies` to, like :func:`~logitlab.core.solvers.solve`.

    Stops when the ∞-norm of the minimum-norm subgradient and the Newton
    decrement are both at most ``tol``; works in internally centred columns
    (:meth:`~logitlab.core.objective.Objective.centered`) as ``solve`` does.

    Returns
    -------
    SolveResult
    """
    if not applies(objective):
        raise ValueError("solve_l1_small takes binary, dense, L1-penalized objectives only")
    work = objective.centered()
    start = objective.initial_coef() if coef0 is None else np.array(coef0, dtype=np.float64)
    coef = objective.to_centered(start, work)
    pen = work.penalized
    l1 = work.penalty.l1
    smooth, grad, hess = work.smooth_value_gradient_hessian(coef)
    value = smooth + work.l1_value(coef)
    converged = False
    n_iter = 0
    while True:
        u = l1_quadratic(hess, grad - hess @ coef, l1, pen, coef)
        d = u - coef
        decrement = float(np.sqrt(max(float(d @ (hess @ d)), 0.0)))
        if work.optimality(coef, grad) <= tol and decrement <= tol:
            converged = True
            break
        if n_iter >= max_iter:
            break
        n_iter += 1
        predicted = float(grad @ d) + l1 * float(np.sum(np.abs(u[pen])) - np.sum(np.abs(coef[pen])))
        t = 1.0
        for _ in range(_MAX_HALVINGS):
            # One pass gives the value and, when the step is taken, the next model too.
            new = u if t == 1.0 else coef + t * d
            smooth, new_grad, new_hess = work.smooth_value_gradient_hessian(new)
            new_value = smooth + work.l1_value(new)
            if new_value <= value + _ARMIJO * t * predicted + rounding_level(value):
                break
            t *= 0.5
        else:
            break  # no step lowers the objective: the last point is as good as it gets
        coef, value, grad, hess = new, new_value, new_grad, new_hess
    raw = objective.from_centered(coef, work)
    raw_grad = objective.gradient_from_centered(grad, work)
    return SolveResult(
        coef=raw,
        value=value,
        n_iter=n_iter,
        converged=converged,
        optimality=objective.optimality(raw, raw_grad),
    )
