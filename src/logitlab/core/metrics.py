"""Classification metrics for binary labels, pure NumPy.

Conventions
-----------
- ``y_true`` holds the labels 0 and 1 (bools, integers or floats equal to 0 or 1);
  scores are any finite reals (probabilities, decision values, ...).
- The decision rule everywhere is **predict 1 when score ≥ τ**.
- A ratio whose denominator is zero (precision when nothing is predicted positive, recall
  when there are no positives, MCC when a row or column of the confusion matrix is empty,
  ...) is ``float('nan')``: undefined, shown as "—" by the Lab. scikit-learn returns 0.0
  with a warning in these cases instead.
- ``sample_weight`` (finite, >= 0, positive total) weights every count; unweighted counts
  are Python ``int``, weighted ones ``float``.
- Bad input raises ``ValueError`` saying what was wrong and what is allowed. The curve
  and area *functions* (:func:`roc_curve`, :func:`roc_auc`, ...) raise when the classes
  they need are absent; the :class:`ScoreSweep` methods, meant for live display, return
  ``nan`` instead.

:class:`ScoreSweep` sorts the scores once (O(n log n)) and then answers the confusion
matrix at any τ in O(log n), the ROC and precision–recall curves, their areas, and the
thresholds that maximise F1 or Youden's J or minimise a misclassification cost. Curves
follow scikit-learn's conventions (ROC thresholds start at +inf; the PR curve ends at
precision 1, recall 0), so they can be compared point by point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from logitlab.core.types import BoolArray, FloatArray, IntArray

NAN = float("nan")


def _ratio(num: float, den: float) -> float:
    return num / den if den != 0 else NAN


@dataclass(frozen=True)
class Confusion:
    """Confusion matrix of a binary decision: rows actual 0/1, columns predicted 0/1.

    Counts are ``int`` without sample weights and ``float`` (sums of weights) with them.
    Every ratio is ``nan`` when its denominator is zero.

    Attributes
    ----------
    tn, fp, fn, tp : int or float
        True negatives, false positives (type I), false negatives (type II), true positives.
    """

    tn: float
    fp: float
    fn: float
    tp: float

    @property
    def n(self) -> float:
        """Total count (or total weight)."""
        return self.tn + self.fp + self.fn + self.tp

    @property
    def positives(self) -> float:
        """Actual positives, tp + fn."""
        return self.tp + self.fn

    @property
    def negatives(self) -> float:
        """Actual negatives, tn + fp."""
        return self.tn + self.fp

    @property
    def accuracy(self) -> float:
        """(tp + tn) / n."""
        return _ratio(self.tp + self.tn, self.n)

    @property
    def tpr(self) -> float:
        """True-positive rate (recall, sensitivity): tp / (tp + fn)."""
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def fpr(self) -> float:
        """False-positive rate: fp / (fp + tn)."""
        return _ratio(self.fp, self.fp + self.tn)

    @property
    def recall(self) -> float:
        """tp / (tp + fn); the same as :attr:`tpr`."""
        return self.tpr

    @property
    def specificity(self) -> float:
        """True-negative rate: tn / (tn + fp)."""
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def precision(self) -> float:
        """tp / (tp + fp)."""
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def balanced_accuracy(self) -> float:
        """Mean of recall and specificity; ``nan`` unless both classes are present."""
        return 0.5 * (self.tpr + self.specificity)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall: 2·tp / (2·tp + fp + fn)."""
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    @property
    def mcc(self) -> float:
        """Matthews correlation: (tp·tn − fp·fn) / √((tp+fp)(tp+fn)(tn+fp)(tn+fn))."""
        den = (self.tp + self.fp) * (self.tp + self.fn) * (self.tn + self.fp) * (self.tn + self.fn)
        if den == 0:
            return NAN
        return (self.tp * self.tn - self.fp * self.fn) / math.sqrt(den)

    def as_dict(self) -> dict[str, float]:
        """The four counts and every metric above, by name."""
        names = (
            "tn", "fp", "fn", "tp", "n", "accuracy", "balanced_accuracy", "precision",
            "recall", "specificity", "f1", "mcc", "fpr", "tpr",
        )  # fmt: skip
        return {name: float(getattr(self, name)) for name in names}


# --------------------------------------------------------------------------- validation


def _vector(a: npt.ArrayLike, name: str, n: int | None = None) -> npt.NDArray[Any]:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one sample is needed")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} has {arr.shape[0]} entries but y_true has {n}")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    return arr


def _labels(y: npt.ArrayLike, name: str = "y_true", n: int | None = None) -> BoolArray:
    arr = _vector(y, name, n)
    is_one = arr == 1
    if not np.all(is_one | (arr == 0)):
        bad = np.unique(arr[~(is_one | (arr == 0))])[:5]
        raise ValueError(f"{name} must hold only the labels 0 and 1, found {bad.tolist()}")
    return np.asarray(is_one, dtype=np.bool_)


def _scores(s: npt.ArrayLike, n: int, name: str = "scores") -> FloatArray:
    arr = _vector(s, name, n).astype(np.float64, copy=False)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite; found NaN or inf")
    return arr


def _probabilities(p: npt.ArrayLike, n: int, name: str = "p") -> FloatArray:
    arr = _scores(p, n, name)
    if np.any((arr < 0) | (arr > 1)):
        raise ValueError(f"{name} must hold probabilities in [0, 1]")
    return arr


def _weights(sample_weight: npt.ArrayLike | None, n: int) -> FloatArray | None:
    if sample_weight is None:
        return None
    w = _vector(sample_weight, "sample_weight", n).astype(np.float64, copy=False)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("sample_weight must be finite and >= 0")
    if not w.sum() > 0:
        raise ValueError("sample_weight must have a positive total")
    return w


def _check_threshold(tau: float) -> float:
    tau = float(tau)
    if math.isnan(tau):
        raise ValueError("threshold tau must be a number, got NaN")
    return tau


# --------------------------------------------------------------------------- confusion


def confusion(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> Confusion:
    """Confusion matrix of 0/1 predictions.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_samples,)
        Labels 0/1 and predicted labels 0/1.
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    Confusion
    """
    actual = _labels(y_true)
    predicted = _labels(y_pred, "y_pred", actual.shape[0])
    w = _weights(sample_weight, actual.shape[0])
    return _count(actual, predicted, w)


def _count(actual: BoolArray, predicted: BoolArray, w: FloatArray | None) -> Confusion:
    if w is None:
        tp = int(np.count_nonzero(actual & predicted))
        fp = int(np.count_nonzero(predicted)) - tp
        fn = int(np.count_nonzero(actual)) - tp
        return Confusion(tn=actual.shape[0] - tp - fp - fn, fp=fp, fn=fn, tp=tp)
    return Confusion(
        tn=float(w[~actual & ~predicted].sum()),
        fp=float(w[~actual & predicted].sum()),
        fn=float(w[actual & ~predicted].sum()),
        tp=float(w[actual & predicted].sum()),
    )


def confusion_at(
    y_true: npt.ArrayLike,
    p: npt.ArrayLike,
    tau: float,
    sample_weight: npt.ArrayLike | None = None,
) -> Confusion:
    """Confusion matrix of the rule "predict 1 when p ≥ τ".

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0/1.
    p : array-like of shape (n_samples,)
        Probabilities or any finite scores.
    tau : float
        The threshold τ (not NaN).
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    Confusion
        Equal to ``ScoreSweep(y_true, p).at(tau)``: exactly without weights, to rounding
        of the weight sums with them.
    """
    actual = _labels(y_true)
    scores = _scores(p, actual.shape[0], "p")
    w = _weights(sample_weight, actual.shape[0])
    return _count(actual, scores >= _check_threshold(tau), w)


def accuracy(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Fraction of correct predictions."""
    return confusion(y_true, y_pred, sample_weight).accuracy


def balanced_accuracy(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Mean of recall and specificity; ``nan`` unless y_true holds both classes."""
    return confusion(y_true, y_pred, sample_weight).balanced_accuracy


def precision(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """tp / (tp + fp); ``nan`` when nothing is predicted positive."""
    return confusion(y_true, y_pred, sample_weight).precision


def recall(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """tp / (tp + fn); ``nan`` when there are no positives."""
    return confusion(y_true, y_pred, sample_weight).recall


def specificity(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """tn / (tn + fp); ``nan`` when there are no negatives."""
    return confusion(y_true, y_pred, sample_weight).specificity


def f1(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """2·tp / (2·tp + fp + fn); ``nan`` when there are no positives and none predicted."""
    return confusion(y_true, y_pred, sample_weight).f1


def mcc(
    y_true: npt.ArrayLike, y_pred: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Matthews correlation coefficient; ``nan`` when a class or a prediction is absent."""
    return confusion(y_true, y_pred, sample_weight).mcc


def majority_baseline(y_true: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None) -> float:
    """Accuracy of always predicting the more frequent class (e.g. 100/120 on 'imbalanced')."""
    actual = _labels(y_true)
    w = _weights(sample_weight, actual.shape[0])
    if w is None:
        n, n_pos = int(actual.shape[0]), int(np.count_nonzero(actual))
        return max(n_pos, n - n_pos) / n
    pos, neg = float(w[actual].sum()), float(w[~actual].sum())
    return max(pos, neg) / (pos + neg)


# --------------------------------------------------------------------------- probabilistic


def log_loss(
    y_true: npt.ArrayLike, p: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Mean cross-entropy of predicted probabilities, without clipping.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0/1 when ``p`` is 1-D; class indices 0 ... K−1 when ``p`` is 2-D.
    p : array-like of shape (n_samples,) or (n_samples, n_classes)
        P(y = 1) for binary problems, or one row of class probabilities per sample (rows
        must sum to 1 within √eps of p's dtype: 1.5e-8 for float64,
        3.5e-4 for float32).
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float
        Weighted mean of −log p̂(actual class). Probabilities are not clipped: a
        probability of exactly 0 on the actual class gives ``inf``, as in the formula.
        scikit-learn clips to [eps, 1 − eps]; the two agree whenever no probability of the
        actual class is below machine epsilon.
    """
    probs = np.asarray(p)
    if probs.ndim == 2:
        return _log_loss_multinomial(y_true, probs, sample_weight)
    actual = _labels(y_true)
    q = _probabilities(p, actual.shape[0])
    w = _weights(sample_weight, actual.shape[0])
    with np.errstate(divide="ignore"):
        losses = -np.where(actual, np.log(q), np.log1p(-q))
    return float(np.average(losses, weights=w))


def _log_loss_multinomial(
    y_true: npt.ArrayLike, probs: npt.NDArray[Any], sample_weight: npt.ArrayLike | None
) -> float:
    n_samples, n_classes = probs.shape
    if n_classes < 2:
        raise ValueError(f"p must have at least 2 columns (one per class), got {n_classes}")
    y = _vector(y_true, "y_true", n_samples)
    if n_samples == 0:
        raise ValueError("p is empty; at least one sample is needed")
    if probs.dtype.kind not in "biuf":
        raise ValueError(f"p must be numeric, got dtype {probs.dtype}")
    q = probs.astype(np.float64, copy=False)
    if not np.all(np.isfinite(q)) or np.any((q < 0) | (q > 1)):
        raise ValueError("p must hold finite probabilities in [0, 1]")
    # Rows must sum to 1 within the rounding of p's own precision (√eps, as scikit-learn):
    # 1.5e-8 for float64, 3.5e-4 for float32 and 3e-2 for float16 probabilities.
    precision = probs.dtype if probs.dtype.kind == "f" else np.dtype(np.float64)
    tol = float(np.sqrt(np.finfo(precision).eps))
    if np.any(np.abs(q.sum(axis=1) - 1.0) > tol):
        raise ValueError(
            f"each row of p must sum to 1 (class probabilities), within {tol:.2g} "
            f"for {precision} probabilities"
        )
    labels = y.astype(np.intp)
    if not np.array_equal(labels, y) or np.any((labels < 0) | (labels >= n_classes)):
        raise ValueError(f"y_true must hold class indices 0 ... {n_classes - 1} for this p")
    w = _weights(sample_weight, n_samples)
    with np.errstate(divide="ignore"):
        losses = -np.log(q[np.arange(n_samples), labels])
    return float(np.average(losses, weights=w))


def brier_score(
    y_true: npt.ArrayLike, p: npt.ArrayLike, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Mean squared difference between P(y = 1) and the 0/1 label.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    p : array-like of shape (n_samples,)
        Probabilities in [0, 1].
    sample_weight : array-like of shape (n_samples,), optional

    Returns
    -------
    float
        In [0, 1]; 0 is perfect, 0.25 is a constant guess of 0.5.
    """
    actual = _labels(y_true)
    q = _probabilities(p, actual.shape[0])
    w = _weights(sample_weight, actual.shape[0])
    return float(np.average((q - actual) ** 2, weights=w))


def score_histograms(
    y_true: npt.ArrayLike, p: npt.ArrayLike, n_bins: int = 20
) -> tuple[FloatArray, IntArray, IntArray]:
    """Histograms of the probabilities of each class on ``n_bins`` equal bins of [0, 1].

    Bins are closed on the left, the last one also on the right (``numpy.histogram``).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    p : array-like of shape (n_samples,)
        Probabilities in [0, 1].
    n_bins : int, default=20

    Returns
    -------
    edges : ndarray of shape (n_bins + 1,)
    counts_negative : ndarray of shape (n_bins,)
        Samples of class 0 per bin.
    counts_positive : ndarray of shape (n_bins,)
        Samples of class 1 per bin.
    """
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1, got {n_bins!r}")
    actual = _labels(y_true)
    q = _probabilities(p, actual.shape[0])
    neg, edges = np.histogram(q[~actual], bins=n_bins, range=(0.0, 1.0))
    pos, _ = np.histogram(q[actual], bins=n_bins, range=(0.0, 1.0))
    return edges, neg.astype(np.intp), pos.astype(np.intp)


# --------------------------------------------------------------------------- score sweep


class ScoreSweep:
    """Every threshold of one score vector at once.

    Sorts the scores once, O(n log n); then :meth:`at` answers the confusion matrix at
    any τ in O(log n) by binary search, and the curves and best thresholds come from the
    same cumulative counts. Samples of zero weight are dropped (they change no count and
    add no threshold), as in scikit-learn.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0/1. One class alone is allowed; what it leaves undefined is ``nan``.
    scores : array-like of shape (n_samples,)
        Finite scores; larger means more likely class 1.
    sample_weight : array-like of shape (n_samples,), optional

    Attributes
    ----------
    thresholds : ndarray of shape (n_thresholds,)
        The distinct scores, decreasing: the only places where the confusion changes.
    n_positive, n_negative : int or float
        Actual positives and negatives (weight totals when weighted).
    """

    def __init__(
        self,
        y_true: npt.ArrayLike,
        scores: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> None:
        actual = _labels(y_true)
        s = _scores(scores, actual.shape[0])
        w = _weights(sample_weight, actual.shape[0])
        if w is not None:
            keep = w != 0
            actual, s, w = actual[keep], s[keep], w[keep]
        order = np.argsort(-s, kind="stable")
        s_desc = s[order]
        pos_desc = actual[order]
        # _neg_desc is increasing: count(s >= tau) = searchsorted(-s_desc, -tau, "right").
        self._neg_desc: FloatArray = np.ascontiguousarray(-s_desc)
        self._tp_cum: npt.NDArray[Any]
        self._fp_cum: npt.NDArray[Any]
        if w is None:
            self._tp_cum = np.concatenate([[0], np.cumsum(pos_desc, dtype=np.int64)])
            self._fp_cum = np.concatenate([[0], np.cumsum(~pos_desc, dtype=np.int64)])
            self.n_positive: float = int(self._tp_cum[-1])
            self.n_negative: float = int(self._fp_cum[-1])
        else:
            w_desc = w[order]
            self._tp_cum = np.concatenate([[0.0], np.cumsum(np.where(pos_desc, w_desc, 0.0))])
            self._fp_cum = np.concatenate([[0.0], np.cumsum(np.where(pos_desc, 0.0, w_desc))])
            self.n_positive = float(self._tp_cum[-1])
            self.n_negative = float(self._fp_cum[-1])
        self._weighted = w is not None
        # ends[i] = number of samples scoring >= thresholds[i].
        changes = np.flatnonzero(np.diff(s_desc)) + 1
        self._ends: IntArray = np.concatenate([changes, [s_desc.shape[0]]]).astype(np.intp)
        self.thresholds: FloatArray = s_desc[self._ends - 1]

    @property
    def prevalence(self) -> float:
        """Share of positives: the chance level of precision and of average precision."""
        return _ratio(self.n_positive, self.n_positive + self.n_negative)

    # ---------------------------------------------------------------- one threshold

    def at(self, tau: float) -> Confusion:
        """Confusion matrix of "predict 1 when score ≥ τ", in O(log n).

        Parameters
        ----------
        tau : float
            Any threshold except NaN (±inf allowed).

        Returns
        -------
        Confusion
        """
        if tau != tau:
            raise ValueError("threshold tau must be a number, got NaN")
        m = int(np.searchsorted(self._neg_desc, -tau, side="right"))
        if self._weighted:
            tp = float(self._tp_cum[m])
            fp = float(self._fp_cum[m])
        else:
            tp = int(self._tp_cum[m])
            fp = int(self._fp_cum[m])
        return Confusion(tn=self.n_negative - fp, fp=fp, fn=self.n_positive - tp, tp=tp)

    def counts_at(
        self, taus: npt.ArrayLike
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Vectorised :meth:`at`: arrays (tn, fp, fn, tp), one entry per threshold in ``taus``."""
        t = np.asarray(taus, dtype=np.float64)
        if np.any(np.isnan(t)):
            raise ValueError("thresholds must be numbers, got NaN")
        m = np.searchsorted(self._neg_desc, -t, side="right")
        tp = self._tp_cum[m].astype(np.float64)
        fp = self._fp_cum[m].astype(np.float64)
        return self.n_negative - fp, fp, self.n_positive - tp, tp

    # ---------------------------------------------------------------- curves

    def _curve_counts(self) -> tuple[FloatArray, FloatArray]:
        tps = self._tp_cum[self._ends].astype(np.float64)
        fps = self._fp_cum[self._ends].astype(np.float64)
        return tps, fps

    def roc(self, drop_intermediate: bool = True) -> tuple[FloatArray, FloatArray, FloatArray]:
        """ROC curve, as scikit-learn's ``roc_curve``.

        Parameters
        ----------
        drop_intermediate : bool, default=True
            Drop thresholds whose point lies on a straight segment between its neighbours
            (they change neither the drawing nor the area).

        Returns
        -------
        fpr, tpr : ndarray of shape (n_points,)
            Increasing; start at (0, 0) and end at (1, 1). ``fpr`` is all ``nan`` without
            negatives, ``tpr`` all ``nan`` without positives.
        thresholds : ndarray of shape (n_points,)
            Decreasing; the first is +inf (predict nothing positive).
        """
        tps, fps = self._curve_counts()
        thresholds = self.thresholds
        if drop_intermediate and fps.shape[0] > 2:
            corner = np.logical_or(np.diff(fps, 2), np.diff(tps, 2))
            keep = np.flatnonzero(np.concatenate([[True], corner, [True]]))
            tps, fps, thresholds = tps[keep], fps[keep], thresholds[keep]
        tps = np.concatenate([[0.0], tps])
        fps = np.concatenate([[0.0], fps])
        thresholds = np.concatenate([[np.inf], thresholds])
        fpr = fps / fps[-1] if fps[-1] > 0 else np.full(fps.shape, np.nan)
        tpr = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
        return fpr, tpr, thresholds

    def pr(self, drop_intermediate: bool = False) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Precision–recall curve, as scikit-learn's ``precision_recall_curve``.

        Parameters
        ----------
        drop_intermediate : bool, default=False
            Keep only the first and last threshold of each run of equal recall.

        Returns
        -------
        precision, recall : ndarray of shape (n_thresholds + 1,)
            By increasing threshold; the last point is (precision 1, recall 0) by
            convention. ``recall`` is all ``nan`` (but the last 0) without positives.
        thresholds : ndarray of shape (n_thresholds,)
            Increasing.
        """
        tps, fps = self._curve_counts()
        thresholds = self.thresholds
        if drop_intermediate and fps.shape[0] > 2:
            change = np.logical_or(np.diff(tps[:-1]), np.diff(tps[1:]))
            keep = np.flatnonzero(np.concatenate([[True], change, [True]]))
            tps, fps, thresholds = tps[keep], fps[keep], thresholds[keep]
        prec = tps / (tps + fps)  # every threshold predicts at least one weighted sample
        rec = tps / tps[-1] if tps[-1] > 0 else np.full(tps.shape, np.nan)
        return (
            np.concatenate([prec[::-1], [1.0]]),
            np.concatenate([rec[::-1], [0.0]]),
            thresholds[::-1].copy(),
        )

    def roc_auc(self) -> float:
        """Area under the ROC curve (trapezoids), P(score₊ > score₋) + ½·P(tie).

        ``nan`` unless both classes are present.
        """
        if not (self.n_positive > 0 and self.n_negative > 0):
            return NAN
        fpr, tpr, _ = self.roc(drop_intermediate=True)
        return float(np.trapezoid(tpr, fpr))

    def average_precision(self) -> float:
        """Σ (Rₖ − Rₖ₋₁)·Pₖ over thresholds, without interpolation (scikit-learn's AP).

        Its chance level is the share of positives, not 0.5. ``nan`` without positives.
        """
        if not self.n_positive > 0:
            return NAN
        prec, rec, _ = self.pr()
        return float(max(0.0, -np.sum(np.diff(rec) * prec[:-1])))

    # ---------------------------------------------------------------- best thresholds

    def _candidates(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(τ, tp, fp) for every distinct confusion matrix, by decreasing τ.

        The first candidate predicts nothing positive (τ just above the top score); the
        others are the intervals (next lower score, score]. τ is the interval's midpoint,
        so that small rounding of τ (a slider step) keeps the same confusion; the last
        interval is unbounded below and uses the lowest score.
        """
        t = self.thresholds
        taus = np.empty(t.shape[0] + 1)
        taus[0] = np.nextafter(t[0], np.inf)
        mid = 0.5 * t[:-1] + 0.5 * t[1:]
        taus[1:-1] = np.where(mid > t[1:], mid, t[:-1])
        taus[-1] = t[-1]
        m = np.concatenate([[0], self._ends])
        return taus, self._tp_cum[m].astype(np.float64), self._fp_cum[m].astype(np.float64)

    def best_f1(self) -> tuple[float, float]:
        """Threshold with the highest F1, and that F1.

        Returns
        -------
        tau, f1 : float
            τ is the middle of the interval of thresholds that gives the best confusion
            matrix (the lowest score when it means predicting everything positive, just
            above the top score when predicting nothing), so rounding τ a little keeps
            it; the highest such interval wins ties. ``(nan, nan)`` without positives.
        """
        if not self.n_positive > 0:
            return NAN, NAN
        taus, tp, fp = self._candidates()
        scores = 2.0 * tp / (tp + fp + self.n_positive)
        k = int(np.argmax(scores))
        return float(taus[k]), float(scores[k])

    def youden(self) -> tuple[float, float]:
        """Threshold with the highest Youden J = TPR − FPR, and that J.

        Returns
        -------
        tau, j : float
            τ chosen as in :meth:`best_f1`; ``(nan, nan)`` unless both classes are present.
        """
        if not (self.n_positive > 0 and self.n_negative > 0):
            return NAN, NAN
        taus, tp, fp = self._candidates()
        j = tp / self.n_positive - fp / self.n_negative
        k = int(np.argmax(j))
        return float(taus[k]), float(j[k])

    def min_cost(self, cost_fp: float = 1.0, cost_fn: float = 1.0) -> tuple[float, float]:
        """Threshold with the lowest total cost ``cost_fp·FP + cost_fn·FN``, and that cost.

        Parameters
        ----------
        cost_fp, cost_fn : float
            Finite costs >= 0 of one false positive and one false negative.

        Returns
        -------
        tau, cost : float
            τ chosen as in :meth:`best_f1`; the cost is a (weighted) total, not a mean.
        """
        _check_costs(cost_fp, cost_fn)
        taus, tp, fp = self._candidates()
        cost = cost_fp * fp + cost_fn * (self.n_positive - tp)
        k = int(np.argmin(cost))
        return float(taus[k]), float(cost[k])

    def iso_cost_slope(self, cost_fp: float = 1.0, cost_fn: float = 1.0) -> float:
        """Slope in ROC space (d TPR / d FPR) of the lines of equal total cost.

        cost_fp·FPR·N₋ + cost_fn·(1 − TPR)·N₊ is constant along TPR = slope·FPR + c with
        slope = cost_fp·N₋ / (cost_fn·N₊). ``inf`` when ``cost_fn`` is 0 (only false
        positives count); ``nan`` unless both classes are present or when both costs are 0.
        """
        _check_costs(cost_fp, cost_fn)
        if not (self.n_positive > 0 and self.n_negative > 0):
            return NAN
        num, den = cost_fp * self.n_negative, cost_fn * self.n_positive
        if den == 0:
            return math.inf if num > 0 else NAN
        return float(num / den)


def _check_costs(cost_fp: float, cost_fn: float) -> None:
    for name, value in (("cost_fp", cost_fp), ("cost_fn", cost_fn)):
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")


# --------------------------------------------------------------------------- curve functions


def _sweep_with(
    y_true: npt.ArrayLike,
    scores: npt.ArrayLike,
    sample_weight: npt.ArrayLike | None,
    need: str,
    what: str,
) -> ScoreSweep:
    sweep = ScoreSweep(y_true, scores, sample_weight)
    if need in ("both", "positive") and not sweep.n_positive > 0:
        raise ValueError(f"{what} needs at least one positive sample (label 1) in y_true")
    if need == "both" and not sweep.n_negative > 0:
        raise ValueError(f"{what} needs at least one negative sample (label 0) in y_true")
    return sweep


def roc_curve(
    y_true: npt.ArrayLike,
    scores: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    drop_intermediate: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ROC curve (fpr, tpr, thresholds); see :meth:`ScoreSweep.roc`.

    Raises ``ValueError`` unless y_true holds both classes.
    """
    sweep = _sweep_with(y_true, scores, sample_weight, "both", "the ROC curve")
    return sweep.roc(drop_intermediate=drop_intermediate)


def roc_auc(
    y_true: npt.ArrayLike, scores: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Area under the ROC curve; raises ``ValueError`` unless both classes are present."""
    return _sweep_with(y_true, scores, sample_weight, "both", "ROC AUC").roc_auc()


def precision_recall_curve(
    y_true: npt.ArrayLike,
    scores: npt.ArrayLike,
    *,
    sample_weight: npt.ArrayLike | None = None,
    drop_intermediate: bool = False,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Precision–recall curve (precision, recall, thresholds); see :meth:`ScoreSweep.pr`.

    Raises ``ValueError`` without positive samples.
    """
    sweep = _sweep_with(y_true, scores, sample_weight, "positive", "the precision-recall curve")
    return sweep.pr(drop_intermediate=drop_intermediate)


def average_precision(
    y_true: npt.ArrayLike, scores: npt.ArrayLike, *, sample_weight: npt.ArrayLike | None = None
) -> float:
    """Average precision (scikit-learn's definition); raises ``ValueError`` without positives."""
    sweep = _sweep_with(y_true, scores, sample_weight, "positive", "average precision")
    return sweep.average_precision()
