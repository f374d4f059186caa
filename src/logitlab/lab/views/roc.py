"""The ROC page's analysis (:mod:`logitlab.lab.roc`), for ``page="roc"`` sessions.

Drawn by ``static/roc-curves.js``, ``static/roc-hist.js`` and ``static/roc-panel.js``.
The curves are rebuilt only when the points or the weights change.
"""

from __future__ import annotations

from logitlab.lab.protocol import RocPayload
from logitlab.lab.roc import RocTracker
from logitlab.lab.views.base import FrameInputs, LabView


class RocView(LabView[RocPayload]):
    two_class_only = True  # issue 14, part 3
    field = "roc"
    pages = frozenset({"roc"})

    def __init__(self) -> None:
        super().__init__()
        self.tracker = RocTracker()

    def compute(self, inputs: FrameInputs) -> RocPayload:
        exp = inputs.experiment
        v = exp.view_spec
        key = (exp.points.version, inputs.coef_key, exp.feature_key())
        p = inputs.scores.p
        return self.tracker.payload(key, exp.points.y, p, v.tau, v.cost_fp, v.cost_fn)

    def resend(self) -> None:
        super().resend()
        self.tracker.resend()
