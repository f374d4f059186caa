"""The Calibration view: a reliability diagram, bin counts, Brier score and ECE.

Computed by :func:`logitlab.core.calibration.calibration` on
:func:`logitlab.lab.trust.evaluation_rows` (the training points until a split
exists) at the current weights. Drawn by ``static/calibration.js``.
"""

from __future__ import annotations

from collections.abc import Hashable

from logitlab.core.calibration import calibration
from logitlab.core.link import sigmoid
from logitlab.lab.protocol import CalibrationBin, CalibrationPayload
from logitlab.lab.trust import evaluation_rows
from logitlab.lab.views.base import FrameInputs, LabView

N_BINS = 10
"""Equal-width bins of p̂ on [0, 1]."""


def _fmt(v: float) -> str:
    return f"{v:.2f}"


class CalibrationView(LabView[CalibrationPayload]):
    two_class_only = True  # issue 14, part 3
    field = "calibration"
    pages = frozenset({"lab"})

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        return (exp.points.version, exp.coef.tobytes())

    def compute(self, inputs: FrameInputs) -> CalibrationPayload:
        exp = inputs.experiment
        rows = evaluation_rows(exp)
        if rows.y.size == 0:
            return CalibrationPayload(
                rows="training", n=0, bins=[], brier=None, ece=None, text="No points to evaluate."
            )
        if rows.kind == "training":
            p = inputs.scores.p  # already computed this frame on the same rows
        else:
            p = sigmoid(rows.design @ exp.coef[:-1] + exp.coef[-1])
        cal = calibration(rows.y, p, n_bins=N_BINS)  # σ(z) lies in [0, 1]
        r = cal.bins
        bins = []
        words = []
        for k in range(N_BINS):
            filled = bool(r.weights[k] > 0)
            mean_p = float(r.mean_predicted[k]) if filled else None
            observed = float(r.fraction_positive[k]) if filled else None
            bins.append(
                CalibrationBin(
                    lo=float(r.edges[k]),
                    hi=float(r.edges[k + 1]),
                    count=int(r.counts[k]),
                    mean_p=mean_p,
                    observed=observed,
                )
            )
            if mean_p is not None and observed is not None:
                words.append(
                    f"p̂ {_fmt(r.edges[k])}–{_fmt(r.edges[k + 1])}: {int(r.counts[k])} points, "
                    f"mean p̂ {_fmt(mean_p)}, observed {_fmt(observed)}"
                )
        kind = "training" if rows.kind == "training" else "test"
        text = (
            f"Reliability on the {cal.n_samples} {kind} points at the current weights: "
            + "; ".join(words)
            + "."
        )
        return CalibrationPayload(
            rows=kind,
            n=cal.n_samples,
            bins=bins,
            brier=cal.brier,
            ece=cal.ece,
            text=text,
        )
