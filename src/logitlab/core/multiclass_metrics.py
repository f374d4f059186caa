"""Metrics of a K-class prediction, pure NumPy (the Lab's softmax model, issue 14).

Conventions follow :mod:`logitlab.core.metrics`: a ratio whose denominator is zero is
``nan`` (undefined; scikit-learn returns 0.0 with a warning there). Macro averages are
the mean over the classes where the score is defined, so they equal scikit-learn's
whenever every class's score is defined.

- :func:`confusion_matrix`: ``matrix[i, j]`` counts points of actual class i predicted j
  (scikit-learn's layout).
- :func:`per_class_scores`: precision, recall and F1 of each class against the rest.
- :func:`one_vs_rest_roc`: each class's ROC curve of its probability against the rest,
  its AUC, and the macro AUC (scikit-learn's ``roc_auc_score(multi_class="ovr")``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from logitlab.core.metrics import ScoreSweep
from logitlab.core.types import FloatArray, IntArray


def _check_k(n_classes: int) -> int:
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer):
        raise ValueError(f"n_classes must be an integer >= 2, got {n_classes!r}")
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    return int(n_classes)


def _classes(y: npt.ArrayLike, n_classes: int, name: str) -> IntArray:
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    out = arr.astype(np.intp)
    if arr.size and (
        not np.array_equal(out, arr) or int(out.min()) < 0 or int(out.max()) >= n_classes
    ):
        raise ValueError(f"{name} must hold class indices 0 to {n_classes - 1}")
    return out


def confusion_matrix(y_true: npt.ArrayLike, y_pred: npt.ArrayLike, n_classes: int) -> IntArray:
    """Counts of (actual, predicted) pairs.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Class indices 0 .. n_classes - 1.
    n_classes : int

    Returns
    -------
    ndarray of int of shape (n_classes, n_classes)
        Row i: actual class i; column j: predicted class j.
    """
    k = _check_k(n_classes)
    t = _classes(y_true, k, "y_true")
    p = _classes(y_pred, k, "y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true and y_pred differ in length: {t.size} and {p.size}")
    out: IntArray = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    return out


@dataclass(frozen=True)
class ClassScores:
    """Per-class scores (shape (n_classes,) each; nan where undefined) and their macro means."""

    precision: FloatArray
    recall: FloatArray
    f1: FloatArray
    support: IntArray
    """Points of each actual class."""
    accuracy: float

    @property
    def macro_precision(self) -> float:
        return _mean_defined(self.precision)

    @property
    def macro_recall(self) -> float:
        return _mean_defined(self.recall)

    @property
    def macro_f1(self) -> float:
        return _mean_defined(self.f1)


def _mean_defined(v: FloatArray) -> float:
    ok = np.isfinite(v)
    return float(np.mean(v[ok])) if ok.any() else math.nan


def per_class_scores(matrix: npt.ArrayLike) -> ClassScores:
    """Precision, recall and F1 of each class from a :func:`confusion_matrix`."""
    m = np.asarray(matrix, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise ValueError(f"matrix must be square, got shape {m.shape}")
    tp = np.diag(m)
    predicted, actual = m.sum(axis=0), m.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, tp / predicted, math.nan)
        recall = np.where(actual > 0, tp / actual, math.nan)
        f1 = np.where(predicted + actual > 0, 2 * tp / (predicted + actual), math.nan)
    total = float(m.sum())
    accuracy = float(tp.sum() / total) if total > 0 else math.nan
    return ClassScores(precision, recall, f1, actual.astype(np.intp), accuracy)


@dataclass(frozen=True)
class OneVsRest:
    """Each class's ROC curve (its probability against the rest) and AUC."""

    fpr: list[FloatArray]
    tpr: list[FloatArray]
    auc: FloatArray
    """Shape (n_classes,); nan for a class with no points, or with every point."""

    @property
    def macro_auc(self) -> float:
        return _mean_defined(self.auc)


def one_vs_rest_roc(y_true: npt.ArrayLike, proba: npt.ArrayLike) -> OneVsRest:
    """One-vs-rest ROC curves.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Class indices 0 .. n_classes - 1.
    proba : array-like of shape (n_samples, n_classes)
        Each class's probability (or any score).
    """
    P = np.asarray(proba, dtype=np.float64)
    if P.ndim != 2:
        raise ValueError(f"proba must have shape (n_samples, n_classes), got {P.shape}")
    k = _check_k(P.shape[1])
    y = _classes(y_true, k, "y_true")
    if y.size != P.shape[0]:
        raise ValueError(f"y_true has {y.size} entries but proba has {P.shape[0]} rows")
    fpr, tpr, auc = [], [], np.full(k, math.nan)
    for c in range(k):
        sweep = ScoreSweep(y == c, P[:, c])
        if sweep.n_positive > 0 and sweep.n_negative > 0:
            f, t, _ = sweep.roc()
            auc[c] = sweep.roc_auc()
        else:
            f, t = np.array([0.0, 1.0]), np.array([0.0, 1.0])
        fpr.append(np.asarray(f, dtype=np.float64))
        tpr.append(np.asarray(t, dtype=np.float64))
    return OneVsRest(fpr, tpr, auc)
