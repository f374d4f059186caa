"""The K-class evaluation (issue 14, part 3): K × K confusion matrix, per-class and macro
scores, and on the ROC page one-vs-rest ROC curves with the macro AUC.

The prediction is the most probable class (the argmax of the softmax), so there is no
threshold τ. The matrix counts the points ``ViewSpec.confusion_of`` names (training or
test points, as with two classes). Drawn by ``static/multiclass.js`` (Evaluate panel) and
``static/roc-multi.js`` (ROC page). None with two classes.
"""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np

from logitlab.core.multiclass_metrics import one_vs_rest_roc
from logitlab.core.types import FloatArray
from logitlab.lab.protocol import ClassRoc, MulticlassPayload
from logitlab.lab.roc import decimate
from logitlab.lab.views.base import FrameInputs, LabView, finite


def _values(v: FloatArray) -> list[float | None]:
    return [finite(float(x)) for x in v]


class MulticlassView(LabView[MulticlassPayload | None]):
    field = "multiclass"

    def key(self, inputs: FrameInputs) -> Hashable:
        exp = inputs.experiment
        if exp.n_classes == 2:
            return ("binary",)
        return (inputs.coef_key, exp.model_key(), exp.view_spec.confusion_of, inputs.page)

    def compute(self, inputs: FrameInputs) -> MulticlassPayload | None:
        exp = inputs.experiment
        k = exp.n_classes
        if k == 2:
            return None
        rows = exp.view_spec.confusion_of if exp.has_split() else "train"
        found = inputs.class_scores(rows)
        if found is None:
            matrix = np.zeros((k, k), dtype=np.intp)
            nan = np.full(k, np.nan)
            precision = recall = f1 = nan
            support = np.zeros(k, dtype=np.intp)
            macro: tuple[float | None, float | None, float | None] = (None, None, None)
            accuracy = None
        else:
            matrix, s = found
            precision, recall, f1, support = s.precision, s.recall, s.f1, s.support
            macro = (finite(s.macro_precision), finite(s.macro_recall), finite(s.macro_f1))
            accuracy = finite(s.accuracy)
        roc, macro_auc = None, None
        if inputs.page == "roc":
            roc, macro_auc = self._roc(inputs, rows)
        return MulticlassPayload.model_construct(
            n_classes=k,
            rows=rows,
            matrix=matrix.tolist(),
            precision=_values(precision),
            recall=_values(recall),
            f1=_values(f1),
            support=[int(v) for v in support],
            macro_precision=macro[0],
            macro_recall=macro[1],
            macro_f1=macro[2],
            accuracy=accuracy,
            roc=roc,
            macro_auc=macro_auc,
        )

    def _roc(self, inputs: FrameInputs, rows: str) -> tuple[list[ClassRoc] | None, float | None]:
        exp = inputs.experiment
        P = inputs.scores.proba
        y = exp.points.y
        if P is None or y.size == 0:
            return None, None
        if exp.has_split():
            mask = exp.rows("test" if rows == "test" else "train")
            y, P = y[mask], P[mask]
        if y.size == 0:
            return None, None
        ovr = one_vs_rest_roc(y.astype(np.intp), P)
        curves = []
        for c in range(exp.n_classes):
            fpr, tpr = ovr.fpr[c], ovr.tpr[c]
            keep = decimate(fpr, tpr)
            curves.append(
                ClassRoc.model_construct(
                    fpr=np.round(fpr[keep], 4).tolist(),
                    tpr=np.round(tpr[keep], 4).tolist(),
                    auc=finite(float(ovr.auc[c])),
                )
            )
        return curves, finite(ovr.macro_auc)
