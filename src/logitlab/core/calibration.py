"""Can the probabilities be believed? Reliability bins, Brier score and ECE.

A model is *calibrated* when, among the points it gives p̂ ≈ 0.8, about 80 % are
of class 1. The reliability diagram bins the points by p̂ and sets each bin's
mean p̂ against its observed share of class 1; the expected calibration error
(ECE) is the weighted mean distance between the two,
``ECE = Σ_b (W_b / W)·|mean p̂_b − share of class 1_b|``. The Brier score is
:func:`logitlab.core.metrics.brier_score` (re-exported here, not reimplemented).

Bins follow scikit-learn's ``calibration_curve``: edges ``e₀ < … < e_B``, and a
point goes to bin ``k`` when ``e_k < p̂ ≤ e_{k+1}`` (the first bin also takes
``p̂ = e₀``). ``"uniform"`` edges split [0, 1] evenly; ``"quantile"`` edges are
the percentiles of p̂ (unweighted, as scikit-learn's), so bins hold about equal
numbers of points; tied percentiles leave empty bins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from logitlab.core.metrics import brier_score
from logitlab.core.types import BoolArray, FloatArray, IntArray

__all__ = [
    "STRATEGIES",
    "Calibration",
    "Reliability",
    "brier_score",
    "calibration",
    "expected_calibration_error",
    "reliability",
]

Strategy = Literal["uniform", "quantile"]
#: Values of ``strategy``.
STRATEGIES = ("uniform", "quantile")


@dataclass(frozen=True)
class Reliability:
    """The data of a reliability diagram.

    Attributes
    ----------
    edges : ndarray of shape (n_bins + 1,)
        Bin edges, non-decreasing, from min to max (0 and 1 for "uniform").
    mean_predicted : ndarray of shape (n_bins,)
        (Weighted) mean p̂ of each bin; nan for an empty bin.
    fraction_positive : ndarray of shape (n_bins,)
        (Weighted) share of class 1 in each bin; nan for an empty bin.
    counts : ndarray of int of shape (n_bins,)
        Points in each bin.
    weights : ndarray of shape (n_bins,)
        Total sample weight of each bin (equal to ``counts`` when unweighted).
    """

    edges: FloatArray
    mean_predicted: FloatArray
    fraction_positive: FloatArray
    counts: IntArray
    weights: FloatArray

    @property
    def nonempty(self) -> BoolArray:
        """Bins with positive weight (those a diagram draws)."""
        out: BoolArray = self.weights > 0.0
        return out

    def expected_calibration_error(self) -> float:
        """Σ_b (W_b / W)·|mean p̂_b − fraction_b| over the non-empty bins."""
        keep = self.nonempty
        gaps = np.abs(self.mean_predicted[keep] - self.fraction_positive[keep])
        return float(np.sum(self.weights[keep] * gaps) / np.sum(self.weights[keep]))


@dataclass(frozen=True)
class Calibration:
    """Everything the calibration view shows, from one set of labels and p̂.

    Attributes
    ----------
    bins : Reliability
    brier : float
        Brier score, in [0, 1].
    ece : float
        Expected calibration error on ``bins``, in [0, 1].
    n_samples : int
    """

    bins: Reliability
    brier: float
    ece: float
    n_samples: int


def reliability(
    y_true: npt.ArrayLike,
    p: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Strategy = "uniform",
    sample_weight: npt.ArrayLike | None = None,
) -> Reliability:
    """Bin the points by p̂; mean p̂, share of class 1, count and weight per bin.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0 and 1.
    p : array-like of shape (n_samples,)
        Predicted P(y = 1), in [0, 1].
    n_bins : int, default=10
        Number of bins, >= 1.
    strategy : {"uniform", "quantile"}, default="uniform"
        Equal-width bins of [0, 1], or edges at the percentiles of ``p``.
    sample_weight : array-like of shape (n_samples,), optional
        Non-negative weights with a positive sum; they weight the means, not the edges.

    Returns
    -------
    Reliability
    """
    y, q, w = _check(y_true, p, sample_weight)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1, got {n_bins!r}")
    n_bins = int(n_bins)
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.percentile(q, np.linspace(0.0, 100.0, n_bins + 1))
    else:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    ids = np.searchsorted(edges[1:-1], q)
    counts = np.bincount(ids, minlength=n_bins).astype(np.intp)
    weight = w if w is not None else np.ones(q.size)
    totals = np.bincount(ids, weights=weight, minlength=n_bins).astype(np.float64)
    sums = np.bincount(ids, weights=weight * q, minlength=n_bins)
    hits = np.bincount(ids, weights=weight * y, minlength=n_bins)
    filled = totals > 0.0
    safe = np.where(filled, totals, 1.0)
    mean_predicted = np.where(filled, sums / safe, np.nan)
    fraction_positive = np.where(filled, hits / safe, np.nan)
    return Reliability(
        edges=np.asarray(edges, dtype=np.float64),
        mean_predicted=mean_predicted,
        fraction_positive=fraction_positive,
        counts=counts,
        weights=totals,
    )


def expected_calibration_error(
    y_true: npt.ArrayLike,
    p: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Strategy = "uniform",
    sample_weight: npt.ArrayLike | None = None,
) -> float:
    """ECE: the weighted mean |mean p̂ − observed share| over the bins of :func:`reliability`.

    Returns
    -------
    float
        In [0, 1]; 0 when every bin's mean p̂ equals its share of class 1.
    """
    bins = reliability(y_true, p, n_bins=n_bins, strategy=strategy, sample_weight=sample_weight)
    return bins.expected_calibration_error()


def calibration(
    y_true: npt.ArrayLike,
    p: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Strategy = "uniform",
    sample_weight: npt.ArrayLike | None = None,
) -> Calibration:
    """Reliability bins, Brier score and ECE of one set of predictions.

    Parameters are those of :func:`reliability`.
    """
    bins = reliability(y_true, p, n_bins=n_bins, strategy=strategy, sample_weight=sample_weight)
    brier = brier_score(y_true, p, sample_weight=sample_weight)
    return Calibration(
        bins=bins,
        brier=brier,
        ece=bins.expected_calibration_error(),
        n_samples=int(bins.counts.sum()),
    )


def _check(
    y_true: npt.ArrayLike, p: npt.ArrayLike, sample_weight: npt.ArrayLike | None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    y = np.asarray(y_true)
    q = np.asarray(p, dtype=np.float64)
    if y.ndim != 1 or q.ndim != 1:
        raise ValueError("y_true and p must be 1-d arrays")
    if y.size != q.size:
        raise ValueError(f"y_true and p must have the same length, got {y.size} and {q.size}")
    if y.size == 0:
        raise ValueError("calibration needs at least one point")
    yf = y.astype(np.float64)
    if not np.all((yf == 0.0) | (yf == 1.0)):
        raise ValueError("y_true must hold the labels 0 and 1 only")
    if not np.all((q >= 0.0) & (q <= 1.0)):
        raise ValueError("p must hold probabilities in [0, 1]")
    if sample_weight is None:
        return yf, q, None
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != q.shape:
        raise ValueError(f"sample_weight must have shape ({q.size},), got {w.shape}")
    if not (np.all(np.isfinite(w)) and np.all(w >= 0.0) and np.sum(w) > 0.0):
        raise ValueError("sample_weight must be finite, >= 0, with a positive sum")
    return yf, q, w
