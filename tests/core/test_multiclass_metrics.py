"""K-class confusion matrix, per-class and macro scores, one-vs-rest ROC, against scikit-learn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix as sk_confusion
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score, roc_curve

from logitlab.core.multiclass_metrics import confusion_matrix, one_vs_rest_roc, per_class_scores


@pytest.mark.parametrize("k", [2, 3, 5])
def test_scores_equal_scikit_learn(k: int) -> None:
    rng = np.random.default_rng(k)
    y = rng.integers(0, k, 400)
    P = rng.dirichlet(np.ones(k), 400) + 0.4 * np.eye(k)[y]
    P /= P.sum(axis=1, keepdims=True)
    pred = P.argmax(axis=1)
    m = confusion_matrix(y, pred, k)
    np.testing.assert_array_equal(m, sk_confusion(y, pred, labels=list(range(k))))
    s = per_class_scores(m)
    np.testing.assert_allclose(s.precision, precision_score(y, pred, average=None))
    np.testing.assert_allclose(s.recall, recall_score(y, pred, average=None))
    np.testing.assert_allclose(s.f1, f1_score(y, pred, average=None))
    assert s.macro_f1 == pytest.approx(f1_score(y, pred, average="macro"))
    assert s.accuracy == pytest.approx(np.mean(pred == y))
    ovr = one_vs_rest_roc(y, P)
    for c in range(k):
        fpr, tpr, _ = roc_curve(y == c, P[:, c])
        np.testing.assert_allclose(ovr.fpr[c], fpr)
        np.testing.assert_allclose(ovr.tpr[c], tpr)
    if k > 2:
        assert ovr.macro_auc == pytest.approx(roc_auc_score(y, P, multi_class="ovr"))
    else:  # two classes: both one-vs-rest AUCs are the binary AUC
        assert ovr.auc[1] == pytest.approx(roc_auc_score(y, P[:, 1]))


def test_undefined_scores_are_nan_and_left_out_of_macro() -> None:
    # Class 2 has no points and is never predicted: its scores are undefined.
    m = confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], 3)
    s = per_class_scores(m)
    assert math.isnan(s.precision[2]) and math.isnan(s.recall[2]) and math.isnan(s.f1[2])
    assert s.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2)
    ovr = one_vs_rest_roc([0, 0, 1, 1], np.full((4, 3), 1 / 3))
    assert math.isnan(ovr.auc[2]) and ovr.macro_auc == pytest.approx(0.5)


def test_bad_input_says_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="class indices 0 to 2"):
        confusion_matrix([0, 3], [0, 1], 3)
    with pytest.raises(ValueError, match="differ in length"):
        confusion_matrix([0, 1], [0], 3)
    with pytest.raises(ValueError, match="n_classes must be >= 2"):
        confusion_matrix([0], [0], 1)
    with pytest.raises(ValueError, match="shape"):
        one_vs_rest_roc([0, 1], np.ones(2))
    with pytest.raises(ValueError, match="square"):
        per_class_scores(np.ones((2, 3)))
