"""The boundary p̂ = τ (and p̂ = 0.5 when τ ≠ 0.5) as curves, at degree > 1 (issue 14).

z is computed through the feature map at the vertices of a
:data:`~logitlab.lab.features.CONTOUR_CELLS`² grid over the window and traced by marching
squares (:mod:`logitlab.core.contour`): every piece of the curve, with the points on it
interpolated along the cells' edges. Drawn by ``static/data-chart.js`` (``contours``).
"""

from __future__ import annotations

from collections.abc import Hashable

from logitlab.lab import multiclass as mc
from logitlab.lab.features import CONTOUR_CELLS, contour_bytes
from logitlab.lab.protocol import Contours
from logitlab.lab.views.base import FrameInputs, LabView
from logitlab.lab.views.boundary import logit


class ContourView(LabView[Contours | None]):
    field = "contours"

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        w = inputs.window
        window = (w.xmin, w.xmax, w.ymin, w.ymax)
        tau = exp.view_spec.tau if exp.n_classes == 2 else None  # argmax: no τ (issue 14)
        return (exp.degree, inputs.coef_key, tau, window, exp.feature_key())

    def compute(self, inputs: FrameInputs) -> Contours | None:
        exp = inputs.experiment
        window = inputs.window
        if exp.n_classes > 2:  # the boundaries between classes (issue 14, part 3)
            fmap = exp.feature_map()
            z = mc.vertex_scores(fmap, exp.coef, exp.n_classes, window)
            segs = mc.boundary_segments(fmap, exp.coef, exp.n_classes, z, window)
            return Contours.model_construct(
                cells=CONTOUR_CELLS, tau=mc.segment_bytes(segs), half=None
            )
        if exp.degree == 1:
            return None
        z = exp.feature_map().vertex_z(exp.coef, window)
        tau = exp.view_spec.tau
        half = None if tau == 0.5 else contour_bytes(z, 0.0, window)
        return Contours.model_construct(
            cells=CONTOUR_CELLS, tau=contour_bytes(z, logit(tau), window), half=half
        )
