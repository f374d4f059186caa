"""The training warning: diverging steps, or separable data whose weights grow without bound.

Drawn by ``static/banner.js`` as a banner in the chart panel's flow, under the formula:
it never covers the chart or the stats.
"""

from __future__ import annotations

import itertools

import numpy as np

from logitlab.lab.protocol import WEIGHT_LIMIT, Divergence
from logitlab.lab.training import lab_penalty
from logitlab.lab.views.base import FrameInputs, LabView

HINT = "Lower the learning rate η, add an L2 penalty (λ > 0), or press Reset weights."
OK = Divergence(state="ok", message="")


def _separator(degree: int, n_classes: int) -> str:
    """What separates the classes: a line at degree 1, a curve above it (issue 14)."""
    if n_classes > 2:
        shape = "Straight boundaries separate" if degree == 1 else "Curved boundaries separate"
        return shape
    return "A line separates" if degree == 1 else "A curve (the boundary z = 0) separates"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class DivergenceView(LabView[Divergence]):
    field = "divergence"

    def compute(self, inputs: FrameInputs) -> Divergence:
        exp = inputs.experiment
        value = inputs.scores.objective
        separated = inputs.scores.separated
        alpha = lab_penalty(exp.training).alpha
        norm = inputs.weight_norm
        if exp.halted is not None and not (separated and alpha == 0.0):
            return Divergence(
                state="diverging",
                message="Training stopped: the next step would have sent a weight past "
                f"±{WEIGHT_LIMIT:,.0f}. The steps are overshooting.",
                hint=HINT,
            )
        values, norms = exp.recent.values, exp.recent.norms
        if value is None or not values:
            return OK
        ref = values[0]
        optimizer = exp.training.optimizer
        # Gradient descent and Newton lower the objective at every step unless η is too
        # large; momentum, Adam and mini-batch SGD may rise for a while by design.
        tolerance = 1e-3 if optimizer in ("gd", "newton") else 0.05
        window = _plural(len(values), "step")
        if value > ref + tolerance * abs(ref) + 1e-12:
            return Divergence(
                state="diverging",
                message=f"The objective rose from {ref:.4g} to {value:.4g} over the last "
                f"{window}: the steps overshoot the minimum.",
                hint=HINT,
            )
        if optimizer in ("gd", "newton"):
            seq = [*values, value]
            rises = sum(b > a + 1e-3 * abs(a) for a, b in itertools.pairwise(seq))
            stalled = value >= ref - 1e-6 * abs(ref) and exp.recent.last_move > 1e-3
            if rises >= 2 or (len(values) >= 2 and stalled):
                return Divergence(
                    state="diverging",
                    message=f"The objective went up {_plural(rises, 'time')} in the last "
                    f"{window} while the weights keep jumping: the steps bounce across "
                    "the minimum instead of settling in it.",
                    hint=HINT,
                )
        growing = len(norms) >= 5 and all(b > a for a, b in itertools.pairwise([*norms, norm]))
        # Growing weights, or a loss already at the floating-point floor (Newton gets there).
        stuck_at_zero = value < 1e-6
        if separated and alpha == 0.0 and (growing or stuck_at_zero or exp.halted is not None):
            y = exp.points.y
            if bool(np.all(y == y[0])):  # one class: no line separates anything
                return Divergence(
                    state="separable",
                    message="All the points are in one class, so the cross-entropy keeps "
                    "falling as p̂ goes to that class everywhere: b (and ‖w‖) grow without "
                    "bound and no finite weights are best.",
                    hint="Add points of the other class; an L2 penalty (λ > 0) also gives a "
                    "finite optimum.",
                )
            return Divergence(
                state="separable",
                message=f"{_separator(exp.degree, exp.n_classes)} the classes perfectly, so "
                "the cross-entropy keeps falling as the weights grow: ‖w‖ grows without "
                "bound and no finite weights are best.",
                hint="An L2 penalty (λ > 0) gives a finite optimum; so does stopping early.",
            )
        return OK
