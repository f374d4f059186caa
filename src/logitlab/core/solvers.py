"""The exact solver: (proximal) Newton run until the optimality measure is below ``tol``.

Smooth objectives (no penalty, L2) use damped Newton; L1 and the elastic net use
proximal Newton with coordinate descent on the quadratic model. Convergence is
judged on the gradient (the minimum-norm subgradient under L1), never on a fixed
number of iterations.

Each iteration costs one pass over the data: the pass at the trial point
computes value, gradient and (when cheap) Hessian together, and an accepted
trial point hands all three to the next iteration. When the Hessian dominates
the cost (many coefficients) it is computed in a pass of its own, only for
accepted points that are not yet optimal, and skipped once when quadratic
convergence predicts that the previous Hessian will do for the last step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logitlab.core.objective import Objective
from logitlab.core.optimizers import center_replicated, newton_direction, rounding_level
from logitlab.core.types import FloatArray

#: Up to this many coefficients the Hessian rides along with every value pass.
FUSED_HESSIAN_MAX_COEF = 16

_ARMIJO = 1e-4
_MAX_HALVINGS = 40


@dataclass(frozen=True)
class SolveResult:
    """Outcome of :func:`solve`."""

    coef: FloatArray
    """Coefficients of shape (objective.n_coef,) at the last accepted point."""
    value: float
    """Full objective at ``coef``."""
    n_iter: int
    """Newton iterations taken."""
    converged: bool
    """Whether ``optimality <= tol``."""
    optimality: float
    """∞-norm of the minimum-norm subgradient at ``coef``."""


def solve(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> SolveResult:
    """Minimize ``objective`` until ``optimality(coef) <= tol``.

    Parameters
    ----------
    objective : Objective
    coef0 : ndarray of shape (objective.n_coef,), default=zeros
        Starting point. Multinomial coefficients are first shifted to sum to
        zero over the classes wherever that cannot raise the objective, so the
        unpenalized directions softmax cannot see end at the sum-zero solution.
    tol : float, default=1e-8
        Stop when the largest entry of the minimum-norm subgradient is at most ``tol``.
    max_iter : int, default=100
        Newton iterations at most.

    Returns
    -------
    SolveResult
        ``converged`` is False when ``max_iter`` ran out or the line search
        could not make progress (for example on separable data without penalty,
        where the optimum lies at infinity).
    """
    if not tol > 0.0:
        raise ValueError(f"tol must be > 0, got {tol!r}")
    if max_iter < 0:
        raise ValueError(f"max_iter must be >= 0, got {max_iter!r}")
    if coef0 is None:
        coef = objective.initial_coef()
    else:
        coef = np.array(coef0, dtype=np.float64)
        if coef.shape != (objective.n_coef,):
            raise ValueError(f"coef0 must have shape ({objective.n_coef},), got {coef.shape}")
        coef = center_replicated(objective, coef)
    fused = objective.n_coef <= FUSED_HESSIAN_MAX_COEF

    smooth, grad, hess = objective.smooth_value_gradient_hessian(coef)
    l1 = objective.l1_value(coef)
    value = smooth + l1
    opt = objective.optimality(coef, grad)
    n_iter = 0
    stale = False  # whether hess was computed at an earlier point than coef
    while opt > tol and n_iter < max_iter:
        n_iter += 1
        d = newton_direction(objective, coef, grad, hess)
        decrease = float(grad @ d) + objective.l1_value(coef + d) - l1
        if not np.isfinite(decrease) or decrease > rounding_level(value):
            break
        decrease = min(decrease, 0.0)  # a "gain" within rounding: judged by the gradient
        t = 1.0
        accepted = False
        for _ in range(_MAX_HALVINGS):
            trial = coef + t * d
            if fused:
                t_smooth, t_grad, t_hess = objective.smooth_value_gradient_hessian(trial)
            else:
                t_smooth, t_grad = objective.smooth_value_gradient(trial)
                t_hess = None
            t_l1 = objective.l1_value(trial)
            t_value = t_smooth + t_l1
            if t_value <= value + _ARMIJO * t * decrease:
                accepted = True
            elif abs(t_value - value) <= rounding_level(value):
                # The objective is flat to rounding: judge by the gradient instead.
                accepted = objective.optimality(trial, t_grad) < opt
            if accepted:
                break
            t *= 0.5
        if not accepted:
            break
        coef, value, grad, l1 = trial, t_value, t_grad, t_l1
        previous, opt = opt, objective.optimality(coef, grad)
        if opt <= tol or n_iter >= max_iter:
            break
        if t_hess is not None:
            hess, stale = t_hess, False
        elif not stale and opt * (opt / previous) <= tol:
            # Quadratic convergence has set in: the Hessian moved by about as much
            # as the gradient shrank, so one step with the previous Hessian is
            # predicted to land within tol. Skip at most one refresh in a row.
            stale = True
        else:
            hess, stale = objective.smooth_hessian(coef), False
    return SolveResult(
        coef=coef,
        value=value,
        n_iter=n_iter,
        converged=opt <= tol,
        optimality=opt,
    )
