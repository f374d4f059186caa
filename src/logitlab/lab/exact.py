"""The exact optimum of the Lab's current objective, or a clear reason why there is none.

"Fit exactly" (:meth:`~logitlab.lab.experiment.Experiment.fit_exactly`) and the code
snippets (:mod:`logitlab.lab.snippets`) both use :func:`exact_optimum`. Decisions:

- The solve starts from zero weights, not from the current ones, so the answer depends
  on the data and the penalty only (the snippets print the same numbers).
- Without a penalty, classes that a line separates (completely or quasi-completely:
  :func:`~logitlab.core.separation.detect_separation`) have no finite optimum: the
  cross-entropy keeps falling as ‖w‖ grows. One class alone has none either, with or
  without penalty, since the intercept is never penalized. Both are refused with a
  message saying what to change; the weights are left as they were.
"""

from __future__ import annotations

import numpy as np

from logitlab.core import l1_newton
from logitlab.core.objective import Objective
from logitlab.core.separation import detect_separation
from logitlab.core.solvers import solve
from logitlab.core.types import FloatArray
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import WEIGHT_LIMIT

EXACT_TOL = 1e-10
"""Stopping tolerance of the exact fit (largest entry of the minimum-norm subgradient)."""
EXACT_MAX_ITER = 200


def exact_optimum(objective: Objective, start: FloatArray | None = None) -> FloatArray:
    """The minimizer of ``objective`` (weights, then the intercept).

    ``start`` (default zeros) is where the solver begins; the optimum is the same
    within the tolerance (the regularization path starts at its nearest grid point).

    Raises
    ------
    CommandError
        Without points, with one class only, for separated classes without a
        penalty, or when the solver does not converge.
    """
    y = objective.y
    if objective.n_samples == 0:
        raise CommandError("there are no points to fit: add points or load a preset")
    k = objective.model.n_classes
    if k > 2 and np.unique(y).size < k:  # issue 14, part 3: a class without points
        missing = sorted(set(range(k)) - {int(v) for v in np.unique(y)})
        which = (
            f"class {missing[0]} has"
            if len(missing) == 1
            else f"classes {', '.join(map(str, missing))} have"
        )
        raise CommandError(
            f"{which} no training points, so no finite weights are best: an intercept would "
            "fall without bound. Add points of every class, then Fit exactly. Your weights "
            "were not changed."
        )
    if bool(np.all(y == y[0])):
        raise CommandError(
            "every point is in one class, so no finite weights are best: the intercept b "
            "(never penalized) would grow without bound. Add points of the other class, then "
            "Fit exactly. Your weights were not changed."
        )
    if objective.penalty.alpha == 0.0:
        kind = detect_separation(objective)
        if kind is not None:
            raise CommandError(
                f"{'a line' if objective.n_features <= 2 else 'a curve'} separates the classes "
                f"({kind} separation) and there is no penalty, "
                "so no finite weights are best: the cross-entropy keeps falling as ‖w‖ grows. "
                "Choose a penalty with λ > 0 (L2, L1 or elastic-net) and Fit exactly again. "
                "Your weights were not changed."
            )
    if l1_newton.applies(objective):
        result = l1_newton.solve_l1_small(objective, start, tol=EXACT_TOL, max_iter=EXACT_MAX_ITER)
    else:
        result = solve(objective, start, tol=EXACT_TOL, max_iter=EXACT_MAX_ITER)
    coef = result.coef
    if not result.converged or not np.all(np.isfinite(coef)):
        raise CommandError(
            "the exact solver did not reach the optimum (the classes may be nearly separated "
            "with a very small penalty): raise λ and try again. Your weights were not changed."
        )
    if float(np.max(np.abs(coef))) > WEIGHT_LIMIT:
        raise CommandError(
            f"the optimum has a weight beyond ±{WEIGHT_LIMIT:,.0f}, more than the Lab can hold: "
            "raise λ and try again. Your weights were not changed."
        )
    return np.asarray(coef, dtype=np.float64)
