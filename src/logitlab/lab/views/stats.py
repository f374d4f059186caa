"""The numbers beside the chart: loss, objective, ΔLoss, accuracy, the confusion at τ, ‖w‖.

One :class:`~logitlab.lab.protocol.Metrics` payload; ``static/stats.js`` draws
the stat tiles and ``static/evaluate.js`` the τ slider's confusion matrix and
rates from it (the protocol keeps the confusion inside ``Metrics``). Also the
note relating λ to scikit-learn's C (``static/hyper.js``).
"""

from __future__ import annotations

import numpy as np

from logitlab.lab.protocol import Confusion, Metrics
from logitlab.lab.training import penalty_note
from logitlab.lab.views.base import FrameInputs, LabView, finite

DELTA_NOISE = 1e-12
"""A loss change smaller than this times the loss is float rounding: ΔLoss shows 0."""


class MetricsView(LabView[Metrics]):
    """Accuracy and the confusion counts use the rule p̂ ≥ τ; ΔLoss is the objective's
    change over the last optimizer step (None before the first step, and while the
    replay slider shows an earlier step: the last step's change is the live run's)."""

    field = "metrics"

    def compute(self, inputs: FrameInputs) -> Metrics:
        exp = inputs.experiment
        scores = inputs.scores
        value = scores.objective
        delta = None
        replaying = exp.explore.replay_step is not None  # issue 15 (review)
        if exp.steps and exp.recent.values and value is not None and not replaying:
            delta = finite(value - exp.recent.values[-1])
            if delta is not None and abs(delta) < DELTA_NOISE * abs(value):
                delta = 0.0  # rounding noise of a converged run, not a change
        if exp.n_classes > 2:  # issue 14, part 3
            return _multiclass_metrics(inputs, delta)
        train = inputs.confusion
        # The matrix, precision, recall and F1 of the points the user chose (issue 14).
        c = inputs.confusion_of(exp.view_spec.confusion_of) if exp.has_split() else train
        if c is None:
            confusion = Confusion.model_construct(tn=0, fp=0, fn=0, tp=0)
            precision = recall = f1 = None
        else:
            confusion = Confusion.model_construct(
                tn=int(c.tn), fp=int(c.fp), fn=int(c.fn), tp=int(c.tp)
            )
            precision, recall, f1 = finite(c.precision), finite(c.recall), finite(c.f1)
        accuracy = None if train is None else finite(train.accuracy)
        test = inputs.confusion_of("test") if exp.has_split() else None
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
            weight_norm=inputs.weight_norm,
            n_points=exp.points.n,
            n_test=int(np.count_nonzero(exp.test_mask())) if exp.has_split() else 0,
            test_accuracy=None if test is None else finite(test.accuracy),
            test_log_loss=scores.test_log_loss,
        )


def _multiclass_metrics(inputs: FrameInputs, delta: float | None) -> Metrics:
    """K > 2 classes: accuracy of the most probable class; precision, recall and F1 are the
    macro averages (the matrix and per-class numbers are ``views/multiclass.py``'s)."""
    exp = inputs.experiment
    scores = inputs.scores
    train = inputs.class_scores("train")
    chosen = inputs.class_scores(exp.view_spec.confusion_of) if exp.has_split() else train
    test = inputs.class_scores("test") if exp.has_split() else None
    zero = Confusion.model_construct(tn=0, fp=0, fn=0, tp=0)
    c = None if chosen is None else chosen[1]
    return Metrics.model_construct(
        log_loss=finite(scores.log_loss),
        objective=scores.objective,
        delta_loss=delta,
        accuracy=None if train is None else finite(train[1].accuracy),
        baseline=exp.baseline(),
        precision=None if c is None else finite(c.macro_precision),
        recall=None if c is None else finite(c.macro_recall),
        f1=None if c is None else finite(c.macro_f1),
        confusion=zero,
        weight_norm=inputs.weight_norm,
        n_points=exp.points.n,
        n_test=int(np.count_nonzero(exp.test_mask())) if exp.has_split() else 0,
        test_accuracy=None if test is None else finite(test[1].accuracy),
        test_log_loss=scores.test_log_loss,
    )


class PenaltyNoteView(LabView[str]):
    """λ ↔ scikit-learn's C for the current number of points."""

    field = "penalty_note"

    def compute(self, inputs: FrameInputs) -> str:
        exp = inputs.experiment
        n_train = exp.points.n - (int(np.count_nonzero(exp.test_mask())) if exp.has_split() else 0)
        return penalty_note(exp.training, n_train)
