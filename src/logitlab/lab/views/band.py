"""The 95 % confidence band around the boundary p̂ = τ on the data chart (delta method).

:func:`logitlab.core.band.boundary_band` on a grid of the window through
``Experiment.features``, with the model-based covariance of the current weights
(:func:`logitlab.lab.trust.covariance`, the one the Inference view's standard
errors come from). The band's edges are contours of ``z ∓ 1.96·se = logit(τ)``.
Shown only at the optimum (the covariance describes the fit). Drawn by
``static/chart-trust.js``.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Hashable

import numpy as np

from logitlab.core.band import boundary_band
from logitlab.lab.geometry import flat_segments, grid_points, window_contour
from logitlab.lab.protocol import BandPayload, Polyline
from logitlab.lab.trust import covariance, one_class, optimum, separation, unbounded
from logitlab.lab.views.base import FrameInputs, LabView

LEVEL = 0.95


def _none(note: str) -> BandPayload:
    return BandPayload(lower=Polyline(xy=[]), upper=Polyline(xy=[]), size=0, mask="", note=note)


class BandView(LabView[BandPayload | None]):
    two_class_only = True  # issue 14, part 3
    field = "band"
    pages = frozenset({"lab"})

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        w = inputs.window
        return (
            exp.trust.show_band,
            exp.model_key(),
            exp.coef.tobytes(),
            exp.training,
            exp.view_spec.tau,
            (w.xmin, w.xmax, w.ymin, w.ymax),
        )

    def compute(self, inputs: FrameInputs) -> BandPayload | None:
        exp = inputs.experiment
        if not exp.trust.show_band:
            return None
        tau = exp.view_spec.tau
        if exp.points.n < 2 or one_class(exp):
            return _none("No band: it needs points of both classes.")
        if unbounded(exp, inputs.scores.separated):
            return _none("No band: separated classes and no penalty leave no finite optimum.")
        if not optimum(exp, inputs.scores.p).at_optimum:
            if separation(exp) is not None:  # no penalty and separated: no optimum to reach
                return _none("No band: separated classes and no penalty leave no finite optimum.")
            return _none("The band appears at the optimum: train until the loss is flat.")
        if not 0.0 < tau < 1.0:
            return _none("No band: at τ = 0 or 1 there is no boundary.")
        cov = covariance(exp)
        if cov is None:
            return _none("No band: the standard errors are not defined for this fit.")
        xs, ys, pts = grid_points(inputs.window)
        band = boundary_band(exp.coef, cov, exp.features(pts), tau=tau, level=LEVEL)
        shape = (ys.size, xs.size)
        lower = window_contour(band.lower.reshape(shape), inputs.window, band.threshold_z)
        upper = window_contour(band.upper.reshape(shape), inputs.window, band.threshold_z)
        mask = np.where(band.inside.reshape(shape), 255, 0).astype(np.uint8)
        percent = f"{100 * LEVEL:g}"
        note = (
            f"{percent} % pointwise band around p̂ = {tau:g}: where z ± {band.critical:.2f}·se(z) "
            "contains logit(τ), se by the delta method from the coefficients' covariance."
        )
        if not math.isfinite(band.threshold_z):  # pragma: no cover - τ checked above
            return _none(note)
        return BandPayload(
            lower=Polyline(xy=flat_segments(lower)),
            upper=Polyline(xy=flat_segments(upper)),
            size=xs.size,
            mask=base64.b64encode(mask.tobytes()).decode("ascii"),
            note=note,
        )
