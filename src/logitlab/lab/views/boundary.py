"""The decision boundary p̂ = τ and, when τ ≠ 0.5, the line p̂ = 0.5, clipped to the window.

Drawn by ``static/data-chart.js`` on its top layer. At degree 1 the boundary is a straight
line (these views); above it the curves are ``views/contours.py``'s and these are None.
"""

from __future__ import annotations

import math

from logitlab.lab.geometry import clip_line
from logitlab.lab.protocol import Segment
from logitlab.lab.views.base import FrameInputs, LabView


def logit(tau: float) -> float:
    """log(τ / (1 − τ)), ±inf at 0 and 1."""
    if tau <= 0.0:
        return -math.inf
    if tau >= 1.0:
        return math.inf
    return math.log(tau) - math.log1p(-tau)


def _line(inputs: FrameInputs, level: float) -> Segment | None:
    exp = inputs.experiment
    if exp.degree != 1:
        return None
    if exp.standardize:  # the same line in x, y (issue 14)
        w0, w1, b = (float(v) for v in exp.feature_map().raw_coef(exp.coef))
    else:
        w0, w1, b = inputs.w0, inputs.w1, inputs.b
    return clip_line(w0, w1, level - b, inputs.window)


class BoundaryView(LabView[Segment | None]):
    """The line where p̂ = τ, i.e. z = logit(τ) (None when it misses the window)."""

    two_class_only = True  # issue 14, part 3
    field = "boundary"

    def compute(self, inputs: FrameInputs) -> Segment | None:
        return _line(inputs, logit(inputs.experiment.view_spec.tau))


class HalfLineView(LabView[Segment | None]):
    """The line where p̂ = 0.5, present only when τ ≠ 0.5."""

    two_class_only = True  # issue 14, part 3
    field = "half_line"

    def compute(self, inputs: FrameInputs) -> Segment | None:
        if inputs.experiment.view_spec.tau == 0.5:
            return None
        return _line(inputs, 0.0)
