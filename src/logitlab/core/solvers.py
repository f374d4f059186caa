"""Exact solvers: run an optimizer until the optimality measure is below ``tol``.

Smooth objectives (no penalty, L2) use damped Newton; L1 and the elastic net use
proximal Newton with coordinate descent on the quadratic model. Convergence is
judged on the gradient (the minimum-norm subgradient under L1), never on a fixed
number of iterations.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logitlab.core.objective import Objective
from logitlab.core.optimizers import Newton
from logitlab.core.types import FloatArray


@dataclass(frozen=True)
class SolveResult:
    """Outcome of :func:`solve`."""

    coef: FloatArray
    value: float
    n_iter: int
    converged: bool
    optimality: float
    """∞-norm of the minimum-norm subgradient at ``coef``."""


def solve(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-8,
    max_iter: int = 100,
) -> SolveResult:
    """Minimize ``objective`` to ``optimality(coef) <= tol``.

    Parameters
    ----------
    objective : Objective
    coef0 : ndarray of shape (objective.n_coef,), default=zeros
    tol : float, default=1e-8
        Stop when the largest entry of the minimum-norm subgradient is at most ``tol``.
    max_iter : int, default=100
        Newton iterations at most.
    """
    coef = objective.initial_coef() if coef0 is None else np.array(coef0, dtype=np.float64)
    newton = Newton()
    n_iter = 0
    opt = objective.optimality(coef)
    while opt > tol and n_iter < max_iter:
        step = newton.step(objective, coef)
        n_iter += 1
        if np.array_equal(step.coef, coef):
            break
        coef = step.coef
        opt = objective.optimality(coef)
    return SolveResult(
        coef=coef,
        value=objective.value(coef),
        n_iter=n_iter,
        converged=opt <= tol,
        optimality=opt,
    )
