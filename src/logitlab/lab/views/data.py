"""The data chart's payloads: the window onto the plane, the points, and the p̂ field.

Drawn by ``static/data-chart.js`` (window and points on cached layers, the
field on its own canvas).
"""

from __future__ import annotations

from collections.abc import Hashable

from logitlab.lab.geometry import FIELD_SIZE, probability_field
from logitlab.lab.protocol import FieldPayload, PointsPayload, View
from logitlab.lab.views.base import FrameInputs, LabView


class WindowView(LabView[View]):
    """The box of the plane the chart shows (fitted to the points)."""

    field = "view"
    timing = "field"

    def compute(self, inputs: FrameInputs) -> View:
        return inputs.window


class PointsView(LabView[PointsPayload]):
    """The points, sent when they change."""

    field = "points"
    incremental = True
    timing = "field"

    def key(self, inputs: FrameInputs) -> Hashable:
        return inputs.experiment.points.version

    def compute(self, inputs: FrameInputs) -> PointsPayload:
        return inputs.experiment.points.payload()


class FieldView(LabView[FieldPayload | None]):
    """p̂ over the window, quantized to bytes; None while the field is switched off.

    Late in training a step moves no grid value by a quantization level: such a field
    is not sent again (``dedupe``), and the page keeps the one it has.
    """

    field = "field"
    incremental = True
    dedupe = True
    timing = "field"

    def key(self, inputs: FrameInputs) -> Hashable:
        w = inputs.window
        spec = inputs.experiment.view_spec
        return (spec.show_field, inputs.w0, inputs.w1, inputs.b, w.xmin, w.xmax, w.ymin, w.ymax)

    def compute(self, inputs: FrameInputs) -> FieldPayload | None:
        if not inputs.experiment.view_spec.show_field:
            return None
        data = probability_field(inputs.experiment.coef, inputs.window)
        return FieldPayload.model_construct(size=FIELD_SIZE, data=data)
