"""The numbers beside the chart: loss, objective, ΔLoss, accuracy, the confusion at τ, ‖w‖.

One :class:`~logitlab.lab.protocol.Metrics` payload; ``static/stats.js`` draws
the stat tiles and ``static/evaluate.js`` the τ slider's confusion matrix and
rates from it (the protocol keeps the confusion inside ``Metrics``). Also the
note relating λ to scikit-learn's C (``static/hyper.js``).
"""

from __future__ import annotations

import math

from logitlab.lab.protocol import Confusion, Metrics
from logitlab.lab.training import penalty_note
from logitlab.lab.views.base import FrameInputs, LabView, finite

DELTA_NOISE = 1e-12
"""A loss change smaller than this times the loss is float rounding: ΔLoss shows 0."""


class MetricsView(LabView[Metrics]):
    """Accuracy and the confusion counts use the rule p̂ ≥ τ; ΔLoss is the objective's
    change over the last optimizer step (None before the first step)."""

    field = "metrics"

    def compute(self, inputs: FrameInputs) -> Metrics:
        exp = inputs.experiment
        scores = inputs.scores
        value = scores.objective
        delta = None
        if exp.steps and exp.recent.values and value is not None:
            delta = finite(value - exp.recent.values[-1])
            if delta is not None and abs(delta) < DELTA_NOISE * abs(value):
                delta = 0.0  # rounding noise of a converged run, not a change
        c = inputs.confusion
        if c is None:
            confusion = Confusion.model_construct(tn=0, fp=0, fn=0, tp=0)
            accuracy = precision = recall = f1 = None
        else:
            confusion = Confusion.model_construct(
                tn=int(c.tn), fp=int(c.fp), fn=int(c.fn), tp=int(c.tp)
            )
            accuracy, precision = finite(c.accuracy), finite(c.precision)
            recall, f1 = finite(c.recall), finite(c.f1)
        # Output models are built from values computed here: skip re-validating them.
        return Metrics.model_construct(
            log_loss=finite(scores.log_loss),
            objective=value,
            delta_loss=delta,
            accuracy=accuracy,
            baseline=exp.baseline(),
            precision=precision,
            recall=recall,
            f1=f1,
            confusion=confusion,
            weight_norm=math.hypot(inputs.w0, inputs.w1),
            n_points=exp.points.n,
        )


class PenaltyNoteView(LabView[str]):
    """λ ↔ scikit-learn's C for the current number of points."""

    field = "penalty_note"

    def compute(self, inputs: FrameInputs) -> str:
        return penalty_note(inputs.experiment.training, inputs.experiment.points.n)
