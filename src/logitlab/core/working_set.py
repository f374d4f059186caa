"""L1 and elastic-net fits on working sets, in the manner of skglm and glum.

Proximal Newton on all features costs a Hessian pass over every column and a
coordinate descent over every coordinate, although at the optimum most L1
weights are zero. Here each outer round

1. computes the full gradient (one pass) and each feature's violation of the
   optimality conditions (the minimum-norm subgradient, largest over classes);
2. stops when no feature violates them by more than ``tol`` and the last inner
   solve met the stopping rule of :mod:`logitlab.core.solvers`;
3. otherwise builds the working set: the features with a non-zero weight plus
   the worst violators (at least twice as many features as are non-zero, at
   least ``MIN_SIZE``; the set doubles when a round makes no progress), and
4. solves the problem restricted to those columns (a column copy of the
   working set only) by proximal Newton, warm-started.

The inner coordinate descent then runs over a few dozen coordinates on a small
dense quadratic model, which is why no compiled kernel is needed: the passes over
the data dominate, and they are BLAS / scipy.sparse products.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray, IntArray

#: Working sets start with at least this many features.
MIN_SIZE = 10
#: Outer rounds at most (each costs one full gradient pass plus the inner solve).
MAX_ROUNDS = 50


def solve_working_set(
    objective: Objective,
    coef: FloatArray,
    tol: float,
    max_iter: int,
    inner: Callable[[Objective, FloatArray, float, int], Any],
) -> tuple[FloatArray, float, FloatArray, int, bool]:
    """Minimize an L1 / elastic-net ``objective`` from ``coef``.

    ``inner(sub_objective, sub_coef, tol, max_iter)`` solves a restricted problem
    and returns an object with ``coef``, ``n_iter`` and ``converged``.

    Returns (coef, value, smooth gradient, Newton iterations, converged).
    """
    p = objective.n_features
    K = objective.model.n_outputs
    fi = objective.model.fit_intercept
    m = p + int(fi)
    size = MIN_SIZE
    n_iter = 0
    inner_ok = False
    previous_ws: IntArray | None = None
    coef = coef.copy()
    for _ in range(MAX_ROUNDS):
        smooth, grad = objective.smooth_value_gradient(coef)
        sub = objective.min_norm_subgradient(coef, grad).reshape(K, m)
        weights = coef.reshape(K, m)[:, :p]
        violation = np.max(np.abs(sub[:, :p]), axis=0)
        opt = float(np.max(np.abs(sub), initial=0.0))
        if (opt <= tol and inner_ok) or n_iter >= max_iter:
            return coef, smooth + objective.l1_value(coef), grad, n_iter, opt <= tol and inner_ok
        active = np.flatnonzero(np.any(weights != 0.0, axis=0))
        size = max(size, 2 * active.size, MIN_SIZE)
        candidates = np.flatnonzero((violation > tol) & ~np.any(weights != 0.0, axis=0))
        room = max(size - active.size, 0)
        if candidates.size > room:
            if room:
                worst = np.argpartition(-violation[candidates], room - 1)[:room]
                candidates = candidates[worst]
            else:
                candidates = candidates[:0]
        ws = np.union1d(active, candidates).astype(np.intp)
        if ws.size == 0:
            ws = np.array([int(np.argmax(violation))], dtype=np.intp)
        if previous_ws is not None and np.array_equal(ws, previous_ws) and inner_ok:
            size = min(2 * size, p)  # no progress on this set: look wider
        previous_ws = ws
        sub_obj = objective.restricted(ws)
        cols = _coef_columns(ws, p, fi, K, m)
        result = inner(sub_obj, coef[cols], tol, max_iter - n_iter)
        n_iter += int(result.n_iter)
        coef[cols] = result.coef
        inner_ok = bool(result.converged)
        if ws.size == p and inner_ok:
            # The working set is everything: the inner solve was the full problem.
            smooth, grad = objective.smooth_value_gradient(coef)
            opt = objective.optimality(coef, grad)
            return coef, smooth + objective.l1_value(coef), grad, n_iter, opt <= tol
    smooth, grad = objective.smooth_value_gradient(coef)
    return coef, smooth + objective.l1_value(coef), grad, n_iter, False


def _coef_columns(ws: IntArray, p: int, fit_intercept: bool, K: int, m: int) -> IntArray:
    """Indices into the flat coefficients of the working set's weights (+ intercepts)."""
    per_class = np.r_[ws, p] if fit_intercept else ws
    out: IntArray = (np.arange(K)[:, None] * m + per_class[None, :]).ravel()
    return out
