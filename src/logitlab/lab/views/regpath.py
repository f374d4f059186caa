"""The regularization path: every coefficient's exact optimum against λ (``static/regpath.js``).

Computed by :func:`logitlab.core.regpath.regularization_path` (exact solves over a λ
grid, warm-started) on the objective's design matrix (:meth:`Experiment.design`), for
the Lab's penalty family. Decisions:

- **The grid**: :data:`N_LAMS` log-spaced λ from λ_max down to :data:`RATIO` times it.
  λ_max is the smallest λ at which the L1 part holds every weight at exactly 0 (for
  pure L2, glmnet's convention: as for an L1 share of 0.001), capped at the Lab's
  largest λ (:data:`LAM_LIMIT`).
- **While the penalty is "none"** the path shown is L2's; choosing a λ on it switches
  the penalty to L2 (as moving the λ slider does).
- **Only when shown**: nothing is computed until the page says the panel is on screen
  (``show_regpath``), so sessions that never show it never pay for it.
- **Cost**: the path is computed once per points version and penalty family (and L1
  share), and cached here; a λ change only moves the marker and solves once at the new
  λ (:func:`~logitlab.lab.exact.exact_optimum`, the point "Fit exactly" would jump to).
- **Many points**: up to :data:`MAX_PATH_POINTS` (the issue's budget case) the path is
  exact on every point. Above, it is computed on every k-th point (k the smallest
  stride that leaves at most that many) and the view says so: a data change never
  costs more than the budget case.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Literal

import numpy as np

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.regpath import RegularizationPath, alpha_max, regularization_path
from logitlab.lab.exact import exact_optimum
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import RegPathPayload, TrainingSpec
from logitlab.lab.training import lab_penalty
from logitlab.lab.views.base import FrameInputs, LabView

N_LAMS = 30
"""Points of the path (the issue's budget case: ≤ 300 ms at N = 10,000)."""
RATIO = 1e-3
"""Smallest λ of the grid relative to its largest."""
LAM_LIMIT = 10.0
"""The Lab's largest λ (``TrainingSpec.lam``): the grid never goes above it."""
MAX_PATH_POINTS = 10_000
"""Above this many points the path (and its marker) use every k-th point."""
LABELS = {"l2": "L2", "l1": "L1", "elasticnet": "Elastic-net"}

Family = Literal["l2", "l1", "elasticnet"]


def family_of(training: TrainingSpec) -> tuple[Family, float]:
    """The penalty family the path is drawn for and its L1 share ρ ("none" shows L2)."""
    if training.penalty == "l1":
        return "l1", 1.0
    if training.penalty == "elasticnet":
        return "elasticnet", float(training.l1_ratio)
    return "l2", 0.0


def lab_lams_and_path(objective: Objective, rho: float) -> tuple[np.ndarray, RegularizationPath]:
    """The λ grid (Lab units, decreasing) and the exact path over it for L1 share ρ.

    The Lab's λ·(ρ‖w‖₁ + (1 − ρ)‖w‖²) is core's α = (2 − ρ)λ at l1_ratio ρ/(2 − ρ)
    (:func:`~logitlab.lab.training.lab_penalty`).
    """
    core_ratio = rho / (2.0 - rho)
    top = min(alpha_max(objective, core_ratio) / (2.0 - rho), LAM_LIMIT)
    if not top > 0.0:
        raise ValueError("no weight has a gradient at the intercept-only model")
    lams = np.geomspace(top, top * RATIO, N_LAMS)
    path = regularization_path(objective, (2.0 - rho) * lams, l1_ratio=core_ratio, tol=1e-10)
    return lams, path


def _ordinal(k: int) -> str:
    if k % 100 in (11, 12, 13):
        return f"{k}th"
    return f"{k}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th') }"


class RegPathView(LabView[RegPathPayload | None]):
    """Sent when the points, the penalty family or λ change (an incremental view)."""

    two_class_only = True  # issue 14, part 3
    field = "regpath"
    pages = frozenset({"lab"})
    incremental = True
    dedupe = True

    def __init__(self) -> None:
        super().__init__()
        self._path: tuple[Hashable, np.ndarray, RegularizationPath] | None = None

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        t = exp.training
        return (exp.regpath_wanted, exp.model_key(), *family_of(t), t.penalty, t.lam)

    def compute(self, inputs: FrameInputs) -> RegPathPayload:
        exp = inputs.experiment
        family, rho = family_of(exp.training)
        names = list(exp.coef_names())
        empty = RegPathPayload(
            family=family,
            l1_ratio=rho,
            names=names,
            lams=[],
            coefs=[],
            n_nonzero=[],
            n_weights=len(names) - 1,
            lam=None,
            current=None,
            current_nonzero=None,
            text="",
        )
        if not exp.regpath_wanted:
            message = "The path is computed once this panel is on screen."
            return empty.model_copy(update={"message": message, "computed": False})
        y = exp.points.y
        if exp.points.n == 0:
            return empty.model_copy(update={"message": "Add points to see the path."})
        if bool(np.all(y == y[0])):
            message = "All points are in one class: no finite fit exists at any λ."
            return empty.model_copy(update={"message": message})
        objective = exp.objective()
        stride = -(-exp.points.n // MAX_PATH_POINTS)
        if stride > 1:
            objective = Objective(objective.X[::stride], objective.y[::stride])
        path_key = (exp.model_key(), family, rho)
        if self._path is None or self._path[0] != path_key:
            try:
                lams, path = lab_lams_and_path(objective.with_penalty(Penalty()), rho)
            except ValueError:
                message = "No weight moves the loss at w = 0: the path is flat."
                return empty.model_copy(update={"message": message})
            self._path = (path_key, lams, path)
        _, lams, path = self._path
        t = exp.training
        lam = float(t.lam) if t.penalty != "none" and t.lam > 0.0 else None
        current = None
        current_nonzero = None
        if lam is not None:
            try:
                nearest = int(np.argmin(np.abs(np.log(lams / lam))))
                start = path.coefs[nearest]
                coef = exact_optimum(objective.with_penalty(lab_penalty(t)), start)
            except CommandError:
                coef = None
            if coef is not None:
                current = [float(v) for v in coef]
                current_nonzero = int(np.count_nonzero(coef[objective.penalized]))
        label = LABELS[family] + (f" (L1 share ρ = {rho:g})" if family == "elasticnet" else "")
        text = (
            f"{label} path: the exact fit at {lams.size} values of λ from {lams[-1]:.3g} "
            f"to {lams[0]:.3g}."
        )
        n_weights = int(np.count_nonzero(objective.penalized))
        if stride > 1:
            text += (
                f" Computed on every {_ordinal(stride)} point ({objective.n_samples:,} of "
                f"{exp.points.n:,}), so it stays quick."
            )
        if lam is None:
            text += " No penalty now: choose a λ on the path to switch to L2."
        elif current_nonzero is not None:
            text += (
                f" At the current λ = {lam:g}: {current_nonzero} of {n_weights} weights non-zero."
            )
        return RegPathPayload(
            family=family,
            l1_ratio=rho,
            names=names,
            lams=[float(v) for v in lams[::-1]],
            coefs=[[float(v) for v in row] for row in path.coefs[::-1]],
            n_nonzero=[int(v) for v in path.n_nonzero[::-1]],
            n_weights=n_weights,
            lam=lam,
            current=current,
            current_nonzero=current_nonzero,
            text=text,
        )


class ExactFitView(LabView[bool]):
    """Whether the weights are the exact optimum "Fit exactly" set (the steps stat says so)."""

    field = "exact_fit"

    def compute(self, inputs: FrameInputs) -> bool:
        return inputs.experiment.is_exact_fit()
