"""Every point's influence as marker size: the one-step leave-one-out shift, scaled.

:func:`logitlab.core.influence.one_step_influence` at the exact fit gives, for all
points at once, the coefficient change when each is left out and its size in the
Hessian's metric (Cook's distance without a penalty). The markers are scaled by
√(Cook's distance) relative to the largest. Drawn by ``static/chart-trust.js``.
"""

from __future__ import annotations

import base64
from collections.abc import Hashable

import numpy as np

from logitlab.core.influence import one_step_influence
from logitlab.lab.protocol import InfluencePayload
from logitlab.lab.trust import exact_fit
from logitlab.lab.views.base import FrameInputs, LabView


class InfluenceView(LabView[InfluencePayload | None]):
    two_class_only = True  # issue 14, part 3
    field = "influence"
    pages = frozenset({"lab"})

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        return (exp.trust.show_influence, exp.model_key(), exp.objective().penalty)

    def compute(self, inputs: FrameInputs) -> InfluencePayload | None:
        exp = inputs.experiment
        if not exp.trust.show_influence:
            return None
        n = exp.points.n
        version = exp.points.version
        fit = exact_fit(exp)
        if fit.coef is None:
            return InfluencePayload(
                version=version, size="", note=f"No influence to show: {fit.reason}."
            )
        try:
            cook = one_step_influence(exp.objective(), fit.coef).cook
            if exp.has_split():  # one value per training row: test points get 0
                full = np.zeros(n)
                full[exp.rows("train")] = cook
                cook = full
        except ValueError as exc:
            return InfluencePayload(version=version, size="", note=f"No influence to show: {exc}.")
        root = np.sqrt(np.where(np.isfinite(cook) & (cook > 0), cook, 0.0))
        top = float(root.max()) if n else 0.0
        scaled = root / top if top > 0 else root
        data = np.rint(255.0 * scaled).astype(np.uint8)
        j = int(np.argmax(root)) if n else 0
        note = (
            f"Marker size: √(Cook's distance) of the one-step leave-one-out change, at the "
            f"exact fit; the largest is point {j + 1} ({float(cook[j]):.3g})."
            if top > 0
            else "Every point's influence is 0."
        )
        return InfluencePayload(
            version=version, size=base64.b64encode(data.tobytes()).decode("ascii"), note=note
        )
