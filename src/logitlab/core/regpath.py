"""The regularization path: the exact optimum at every penalty strength of a grid.

The strengths are core's ``alpha`` (see :class:`~logitlab.core.penalty.Penalty`)
at a fixed ``l1_ratio``; any other scale that is a constant multiple of it at
fixed mixing (the Lab's λ, scikit-learn's 1/(C·Σsᵢ)) gives the same log-spaced
grid shifted. The grid runs down from :func:`alpha_max`, the smallest strength
at which the L1 part holds every weight at exactly zero, so the path starts at
the intercept-only model and opens one weight after another. Each point is
solved exactly by :func:`~logitlab.core.solvers.solve`, warm-started from the
previous one (the optimum moves little between neighbouring strengths, so a
few Newton steps do). Binary L1 and elastic-net problems with few coefficients
(the Lab's) go to :func:`~logitlab.core.l1_newton.solve_l1_small` instead, whose
inner solve is exact: coordinate descent needs hundreds of sweeps per Newton
step on nearly separated classes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from logitlab.core import l1_newton
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve
from logitlab.core.types import BoolArray, FloatArray, IntArray

#: For pure L2 (no L1 part), α_max is taken as for l1_ratio = this (glmnet's convention).
RIDGE_L1_RATIO_SURROGATE = 1e-3


@dataclass(frozen=True)
class RegularizationPath:
    """Exact optima along a decreasing grid of penalty strengths.

    Attributes
    ----------
    alphas : ndarray of shape (n_alphas,)
        Penalty strengths α, decreasing.
    l1_ratio : float
        The mixing of every point (0 is L2, 1 is L1).
    coefs : ndarray of shape (n_alphas, n_coef)
        The optimum at each α, in the objective's flat layout.
    n_nonzero : ndarray of int of shape (n_alphas,)
        Number of penalized weights that are not exactly 0 at each α.
    values : ndarray of shape (n_alphas,)
        Objective (cross-entropy + penalty) at each optimum.
    n_iter : ndarray of int of shape (n_alphas,)
        Newton iterations each point took from its warm start.
    converged : ndarray of bool of shape (n_alphas,)
        Whether each solve reached its tolerance.
    """

    alphas: FloatArray
    l1_ratio: float
    coefs: FloatArray
    n_nonzero: IntArray
    values: FloatArray
    n_iter: IntArray
    converged: BoolArray


def intercept_only_coef(objective: Objective) -> FloatArray:
    """The optimum with every weight at 0: intercepts from the class frequencies.

    Binary: b = logit(ȳ) with ȳ the weighted share of label 1. Multinomial:
    bₖ = log(share of class k), centred to sum to zero. Without an intercept,
    all zeros.

    Returns
    -------
    ndarray of shape (objective.n_coef,)

    Raises
    ------
    ValueError
        When a class has no weight (the intercept-only optimum is infinite).
    """
    coef = np.zeros(objective.n_coef)
    model = objective.model
    if not model.fit_intercept:
        return coef
    sw = objective.sample_weight
    weights = np.ones(objective.n_samples) if sw is None else sw
    labels = np.asarray(objective.y).astype(np.intp)
    shares = np.bincount(labels, weights=weights, minlength=model.n_classes) / np.sum(weights)
    if np.any(shares <= 0.0):
        raise ValueError("every class needs a positive weight for the regularization path")
    free = np.flatnonzero(~objective.penalized)
    if model.is_binary:
        coef[free] = np.log(shares[1]) - np.log(shares[0])
    else:
        logs = np.log(shares)
        coef[free] = logs - logs.mean()
    return coef


def alpha_max(objective: Objective, l1_ratio: float) -> float:
    """Smallest α at which α·l1_ratio·‖w‖₁ holds every weight at exactly zero.

    At w = 0 with the best intercepts the optimality condition of the weights
    is ``|∂ℓ/∂wⱼ| ≤ α·l1_ratio``, so α_max = max|∂ℓ/∂wⱼ| / l1_ratio. For pure
    L2 (no L1 part) the weights are never exactly 0; α_max then uses
    l1_ratio = :data:`RIDGE_L1_RATIO_SURROGATE`, where the L2 weights are small.

    Returns
    -------
    float
        > 0; 0.0 when the intercept-only model already has a zero gradient
        (no weight would ever open).
    """
    _check_l1_ratio(l1_ratio)
    coef = intercept_only_coef(objective)
    _, grad = objective.with_penalty(Penalty()).smooth_value_gradient(coef)
    largest = float(np.max(np.abs(grad[objective.penalized]), initial=0.0))
    return largest / max(l1_ratio, RIDGE_L1_RATIO_SURROGATE)


def alpha_grid(
    objective: Objective, l1_ratio: float, *, n_alphas: int = 30, ratio: float = 1e-3
) -> FloatArray:
    """``n_alphas`` log-spaced strengths from :func:`alpha_max` down to ``ratio`` times it.

    Returns
    -------
    ndarray of shape (n_alphas,)
        Decreasing.
    """
    if isinstance(n_alphas, bool) or not isinstance(n_alphas, int | np.integer) or n_alphas < 1:
        raise ValueError(f"n_alphas must be an integer >= 1, got {n_alphas!r}")
    if not (np.isfinite(ratio) and 0.0 < ratio < 1.0):
        raise ValueError(f"ratio must be in (0, 1), got {ratio!r}")
    top = alpha_max(objective, l1_ratio)
    if not top > 0.0:
        raise ValueError("no weight has a gradient at the intercept-only model: the path is flat")
    grid: FloatArray = np.geomspace(top, top * ratio, int(n_alphas))
    return grid


def regularization_path(
    objective: Objective,
    alphas: FloatArray | None = None,
    *,
    l1_ratio: float | None = None,
    n_alphas: int = 30,
    ratio: float = 1e-3,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> RegularizationPath:
    """Solve ``objective`` exactly at every strength of a decreasing grid, warm-started.

    Parameters
    ----------
    objective : Objective
        Data and model; its own penalty is replaced by ``Penalty(alpha, l1_ratio)``.
    alphas : ndarray of shape (n_alphas,) or None, default=None
        Strengths α ≥ 0; sorted into decreasing order. None: :func:`alpha_grid`.
    l1_ratio : float or None, default=None
        Mixing in [0, 1]; None takes the objective's ``penalty.l1_ratio``.
    n_alphas, ratio :
        The default grid's size and its smallest strength relative to α_max.
    tol, max_iter :
        Passed to :func:`~logitlab.core.solvers.solve` at every point.

    Returns
    -------
    RegularizationPath
    """
    rho = objective.penalty.l1_ratio if l1_ratio is None else float(l1_ratio)
    _check_l1_ratio(rho)
    if alphas is None:
        grid = alpha_grid(objective, rho, n_alphas=n_alphas, ratio=ratio)
    else:
        grid = np.asarray(alphas, dtype=np.float64)
        if grid.ndim != 1 or grid.size == 0:
            raise ValueError("alphas must be a non-empty 1-d array of penalty strengths")
        if not np.all(np.isfinite(grid) & (grid >= 0.0)):
            raise ValueError("alphas must be finite numbers >= 0")
        grid = np.sort(grid)[::-1].copy()
    n = grid.size
    coefs = np.empty((n, objective.n_coef))
    values = np.empty(n)
    n_iter = np.empty(n, dtype=np.intp)
    converged = np.empty(n, dtype=bool)
    start = intercept_only_coef(objective)
    for k, alpha in enumerate(grid):
        point = objective.with_penalty(Penalty(float(alpha), rho))
        if l1_newton.applies(point):
            result = l1_newton.solve_l1_small(point, start, tol=tol, max_iter=max_iter)
        else:
            result = solve(point, start, tol=tol, max_iter=max_iter)
        coefs[k] = result.coef
        values[k] = result.value
        n_iter[k] = result.n_iter
        converged[k] = result.converged
        start = result.coef
    nonzero = np.count_nonzero(coefs[:, objective.penalized], axis=1).astype(np.intp)
    return RegularizationPath(
        alphas=grid,
        l1_ratio=rho,
        coefs=coefs,
        n_nonzero=nonzero,
        values=values,
        n_iter=n_iter,
        converged=converged,
    )


def _check_l1_ratio(l1_ratio: float) -> None:
    if not (np.isfinite(l1_ratio) and 0.0 <= l1_ratio <= 1.0):
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}")
