"""The loss curve, decimated to the loss chart's pixel columns (``static/loss-chart.js``)."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from logitlab.core.types import FloatArray
from logitlab.lab.protocol import CurvePayload
from logitlab.lab.views.base import FrameInputs, LabView

CURVE_DIGITS = 7
"""Significant digits of the loss values a curve carries: far below a pixel, and
less than half the bytes of full precision (the curve is most of a training frame)."""


def significant(values: FloatArray, digits: int = CURVE_DIGITS) -> FloatArray:
    """``values`` rounded to ``digits`` significant decimal digits (zeros stay zero)."""
    out = values.copy()
    # Below 1e-290 the scale 10^(digits - 1 - magnitude) overflows: such values stay as
    # they are (finite floats) instead of becoming NaN (null in the frame).
    nonzero = np.abs(out) >= 1e-290
    magnitude = np.floor(np.log10(np.abs(out[nonzero])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[nonzero] = np.round(out[nonzero] * scale) / scale
    return out


class CurveView(LabView[CurvePayload]):
    """Per pixel column: the lowest, highest and last objective; the current value last."""

    field = "curve"
    incremental = True

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        test = (exp.test_history.version, inputs.scores.test_log_loss)
        return (exp.history.version, inputs.scores.objective, exp.steps, inputs.curve_width, test)

    def compute(self, inputs: FrameInputs) -> CurvePayload:
        exp = inputs.experiment
        current = inputs.scores.objective
        steps, low, high, last = exp.history.envelope(max(1, inputs.curve_width - 1))
        s = steps.tolist()
        lo, hi, la = (significant(a).tolist() for a in (low, high, last))
        if current is not None and (not s or s[-1] < exp.steps):
            s.append(exp.steps)
            lo.append(current)
            hi.append(current)
            la.append(current)
        first = exp.history.first_step
        return CurvePayload.model_construct(
            first=first if first is not None else exp.steps,  # empty: only the current value
            steps=s,
            low=lo,
            high=hi,
            last=la,
            test=_test_curve(inputs, s),
        )


def _test_curve(inputs: FrameInputs, steps: list[int]) -> list[float | None] | None:
    """The test log loss at each column's step (issue 14): the value recorded at the latest
    step up to it (None before the test history starts); the current value last."""
    exp = inputs.experiment
    if not exp.has_split():
        return None
    t_steps, _, _, t_last = exp.test_history.envelope(max(1, inputs.curve_width - 1))
    at = np.searchsorted(t_steps, np.asarray(steps, dtype=np.intp), side="right") - 1
    values = significant(t_last).tolist()
    out: list[float | None] = [values[k] if k >= 0 else None for k in at.tolist()]
    if out and (not len(t_steps) or steps[-1] > t_steps[-1]):
        out[-1] = inputs.scores.test_log_loss
    return out
