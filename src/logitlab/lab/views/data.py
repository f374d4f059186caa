"""The data chart's payloads: the window onto the plane, the points, and the p̂ field.

Drawn by ``static/data-chart.js`` (window and points on cached layers, the
field on its own canvas).
"""

from __future__ import annotations

import base64
from collections.abc import Hashable

import numpy as np

from logitlab.lab import multiclass as mc
from logitlab.lab.features import probability_bytes
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
        exp = inputs.experiment
        return (exp.points.version, exp.data.test_share, exp.data.seed)

    def compute(self, inputs: FrameInputs) -> PointsPayload:
        exp = inputs.experiment
        payload = exp.points.payload()
        if exp.has_split():  # hollow test points (issue 14)
            flags = exp.test_mask().astype(np.uint8).tobytes()
            payload = payload.model_copy(update={"test": base64.b64encode(flags).decode("ascii")})
        return payload


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
        window = (w.xmin, w.xmax, w.ymin, w.ymax)
        return (spec.show_field, inputs.coef_key, window, inputs.experiment.feature_key())

    def compute(self, inputs: FrameInputs) -> FieldPayload | None:
        exp = inputs.experiment
        if not exp.view_spec.show_field:
            return None
        fmap = exp.feature_map()
        if exp.n_classes > 2:  # most probable class, shaded by its p̂ (issue 14, part 3)
            z = mc.vertex_scores(fmap, exp.coef, exp.n_classes, inputs.window)[:, 1::2, 1::2]
            top, cls = mc.field_bytes(z)
            return FieldPayload.model_construct(size=FIELD_SIZE, data=top, classes=cls)
        if fmap.identity:
            data = probability_field(exp.coef, inputs.window)
        else:  # through the feature map (issue 14)
            z = fmap.field_z(exp.coef, inputs.window)
            data = probability_bytes(z)
        return FieldPayload.model_construct(size=FIELD_SIZE, data=data)
