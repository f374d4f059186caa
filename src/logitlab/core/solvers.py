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

#: A sketched Hessian uses every stride-th row, about this many rows per coefficient.
_SKETCH_ROWS_PER_COEF = 200
_MIN_SKETCH_STRIDE = 4
_FAR_RATIO = 0.1  # optimality shrinking by less than this factor per step: still far
_MAX_SKETCHES = 4

_ARMIJO = 1e-4
_MAX_HALVINGS = 40
_EXACT, _STALE, _SKETCH = "exact", "stale", "sketch"

#: Values of ``solve(method=...)``.
METHODS = ("auto", "newton", "newton-cg")


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
    method: str = "auto",
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
    method : {"auto", "newton", "newton-cg"}, default="auto"
        "newton" is exact Newton-Cholesky (proximal Newton with coordinate
        descent under L1), "newton-cg" truncated Newton on Hessian-vector
        products, "auto" picks one by the shape of the problem. All reach the
        same optimum. For now every method runs the Newton iteration below.

    Returns
    -------
    SolveResult
        ``converged`` is False when ``max_iter`` ran out or the line search
        could not make progress (for example on separable data without penalty,
        where the optimum lies at infinity).
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
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
    stride = 0 if fused else objective.n_samples // (_SKETCH_ROWS_PER_COEF * objective.n_coef)
    can_sketch = stride >= _MIN_SKETCH_STRIDE

    if fused:
        smooth, grad, hess = objective.smooth_value_gradient_hessian(coef)
        kind = _EXACT
    else:
        smooth, grad = objective.smooth_value_gradient(coef)
        hess, kind = _hessian(objective, coef, stride if can_sketch else 1)
    l1 = objective.l1_value(coef)
    value = smooth + l1
    opt = objective.optimality(coef, grad)
    n_iter = 0
    sketches = 0
    while opt > tol and n_iter < max_iter:
        n_iter += 1
        step = _line_search(objective, coef, value, l1, opt, grad, hess, fused)
        if step is None:
            if kind == _EXACT:
                break
            # The sketched or earlier Hessian gave no usable step: retry with the exact one.
            hess, kind = _hessian(objective, coef, 1)
            continue
        coef, value, grad, l1, t_hess = step
        previous, opt = opt, objective.optimality(coef, grad)
        if opt <= tol or n_iter >= max_iter:
            break
        ratio = opt / previous
        if t_hess is not None:
            hess, kind = t_hess, _EXACT
        elif can_sketch and ratio > _FAR_RATIO and sketches < _MAX_SKETCHES:
            # Still far from the optimum (the gradient shrinks slowly): a Hessian
            # from every stride-th row steers as well as the exact one, for less.
            hess, kind = _hessian(objective, coef, stride)
            sketches += 1
        elif kind == _EXACT and opt * ratio <= tol:
            # Quadratic convergence has set in: the Hessian moved by about as much
            # as the gradient shrank, so one step with the previous Hessian is
            # predicted to land within tol. Never two such steps in a row.
            kind = _STALE
        else:
            hess, kind = _hessian(objective, coef, 1)
    return SolveResult(
        coef=coef,
        value=value,
        n_iter=n_iter,
        converged=opt <= tol,
        optimality=opt,
    )


def _hessian(objective: Objective, coef: FloatArray, stride: int) -> tuple[FloatArray, str]:
    """The exact Hessian (stride 1) or a sketch from every stride-th row."""
    sw = objective.sample_weight
    if stride > 1 and sw is not None and not np.sum(sw[::stride]) > 0.0:
        stride = 1  # the sketch's rows carry no weight
    hess = objective.smooth_hessian(coef, stride=stride)
    return hess, _EXACT if stride == 1 else _SKETCH


def _line_search(
    objective: Objective,
    coef: FloatArray,
    value: float,
    l1: float,
    opt: float,
    grad: FloatArray,
    hess: FloatArray,
    fused: bool,
) -> tuple[FloatArray, float, FloatArray, float, FloatArray | None] | None:
    """Backtracking from the (proximal) Newton step; None when no step is usable.

    A trial point is accepted by the Armijo condition or, when the objective is
    flat to rounding, by a smaller optimality measure. Each trial costs one
    pass over the data, which also yields its gradient (and Hessian if fused).
    """
    d = newton_direction(objective, coef, grad, hess)
    decrease = float(grad @ d) + objective.l1_value(coef + d) - l1
    if not np.isfinite(decrease) or decrease > rounding_level(value):
        return None
    decrease = min(decrease, 0.0)  # a "gain" within rounding: judged by the gradient
    t = 1.0
    for _ in range(_MAX_HALVINGS):
        trial = coef + t * d
        t_hess: FloatArray | None = None
        if fused:
            t_smooth, t_grad, t_hess = objective.smooth_value_gradient_hessian(trial)
        else:
            t_smooth, t_grad = objective.smooth_value_gradient(trial)
        t_l1 = objective.l1_value(trial)
        t_value = t_smooth + t_l1
        if t_value <= value + _ARMIJO * t * decrease or (
            abs(t_value - value) <= rounding_level(value)
            and objective.optimality(trial, t_grad) < opt
        ):
            return trial, t_value, t_grad, t_l1, t_hess
        t *= 0.5
    return None
