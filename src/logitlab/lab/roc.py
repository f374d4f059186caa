"""The ROC & AUC page's numbers for one session: curves, scores, metrics at τ, best τ.

:class:`RocTracker` turns the session's labels and probabilities into a
:class:`~logitlab.lab.protocol.RocPayload`. It keeps one
:class:`~logitlab.core.metrics.ScoreSweep` (sorted once, O(n log n)) while the
points and the model stay the same, so a τ drag costs O(log n): only the
confusion at τ, its metrics and the operating point are recomputed.

Decisions the issue left open, recorded here:

- **Scores are p̂**, the same probabilities the Lab thresholds ("class 1 when
  p̂ ≥ τ"), so the two pages always agree on the confusion matrix. Where p̂
  rounds to exactly 0 or 1 (|z| > ~37) points tie, as they do for scikit-learn
  given the same p̂.
- **Grades** use one scale for both scores, the *skill above chance*
  (value − chance) / (1 − chance): chance is 0.5 for ROC AUC and the share of
  class 1 (the prevalence) for average precision. Skill ≥ 0.9 is excellent,
  ≥ 0.7 good, ≥ 0.4 fair, ≥ 0.1 weak, > −0.1 chance, else reversed. For ROC
  AUC these are the familiar cut-offs 0.95 / 0.85 / 0.70 / 0.55 / 0.45.
- **Best thresholds** are the middle of the interval of τ giving the best
  confusion (see ``ScoreSweep._candidates``), clipped to [0, 1]; ties go to the
  highest τ.
- **Curves** are decimated to :data:`CURVE_RESOLUTION` of the unit square:
  a run of points inside one cell of that grid keeps only its first and last
  point, so the drawing moves by less than a cell (under a pixel on screen);
  coordinates travel rounded to :data:`CURVE_DECIMALS` decimals. The areas and
  every score are computed on the full curves.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from logitlab.core.metrics import Confusion as CoreConfusion
from logitlab.core.metrics import ScoreSweep, score_histograms
from logitlab.core.types import FloatArray
from logitlab.lab.protocol import (
    AtTau,
    Confusion,
    GradeName,
    OperatingPoint,
    RocCurves,
    RocPayload,
    Score,
    Segment,
)

HIST_BINS = 40
"""Bins of the score histograms on [0, 1] (width 0.025)."""
CURVE_RESOLUTION = 1.0 / 600
"""Cell size of the decimation grid on the unit square (charts are at most ~450 px wide)."""
CURVE_DECIMALS = 6
"""Curve coordinates are rounded to this many decimals for the wire (thresholds are not)."""

GRADES: tuple[tuple[float, GradeName], ...] = (
    (0.9, "excellent"),
    (0.7, "good"),
    (0.4, "fair"),
    (0.1, "weak"),
    (-0.1, "chance"),
)
"""(lowest skill, grade), best first; below the last one the grade is "reversed"."""

_GRADE_WORDS: dict[GradeName, str] = {
    "excellent": "the scores separate the classes almost perfectly",
    "good": "most of the ranking is right",
    "fair": "useful, but many points are ranked on the wrong side",
    "weak": "only a little better than guessing",
    "chance": "no better than guessing",
    "reversed": "worse than guessing: the ranking is upside down — look for swapped "
    "labels or a flipped sign",
}


def _pct(v: float, digits: int = 1) -> str:
    return f"{v * 100:.{digits}f} %"


def _finite(v: float) -> float | None:
    return float(v) if math.isfinite(v) else None


def grade(skill: float) -> GradeName:
    """The grade word for a skill above chance (see the module docstring)."""
    if not math.isfinite(skill):
        return "undefined"
    for low, name in GRADES:
        if skill >= low - 1e-12:  # 2·0.95 − 1 is 0.8999…: a cut-off value gets its grade
            return name
    return "reversed"


def _skill_words(skill: float) -> str:
    """The skill in words, rounded towards zero so it never seems to cross a grade's cut-off."""
    tenths = math.floor(abs(skill) * 1000.0) / 10.0
    if skill >= 0.0:
        return f"AP covers {tenths:.1f} % of the distance from chance to perfect."
    return f"AP is below chance, by {tenths:.1f} % of the distance from chance to perfect."


def roc_auc_score(value: float) -> Score:
    """ROC AUC with its grade; ``value`` is nan when a class is missing."""
    if not math.isfinite(value):
        return Score(
            value=None,
            chance=0.5,
            skill=None,
            grade="undefined",
            text="Needs points of both classes.",
        )
    skill = 2.0 * value - 1.0
    g = grade(skill)
    text = (
        f"{g.capitalize()}: {_GRADE_WORDS[g]}. A random class-1 point gets a higher p̂ than "
        f"a random class-0 point in {_pct(value)} of pairs (ties count half); chance is 50 %."
    )
    return Score(value=value, chance=0.5, skill=skill, grade=g, text=text)


def average_precision_score(value: float, prevalence: float) -> Score:
    """Average precision graded against its own chance level, the prevalence."""
    if not (math.isfinite(value) and math.isfinite(prevalence)):
        return Score(
            value=None,
            chance=_finite(prevalence),
            skill=None,
            grade="undefined",
            text="Needs points of class 1.",
        )
    if prevalence >= 1.0:
        return Score(
            value=value,
            chance=prevalence,
            skill=None,
            grade="undefined",
            text="Every point is class 1, so any ranking has precision 1: add class-0 points.",
        )
    skill = (value - prevalence) / (1.0 - prevalence)
    g = grade(skill)
    text = (
        f"{g.capitalize()}: {_GRADE_WORDS[g]}. Chance is the share of class 1, "
        f"{_pct(prevalence)}; {_skill_words(skill)}"
    )
    return Score(value=value, chance=prevalence, skill=skill, grade=g, text=text)


def decimate(x: FloatArray, y: FloatArray, resolution: float = CURVE_RESOLUTION) -> np.ndarray:
    """Indices of the points of the polyline (x, y) worth drawing.

    A run of consecutive points in one cell of a ``resolution`` grid keeps its
    first and last point; the first and last points of the line are always kept.

    Parameters
    ----------
    x, y : ndarray of shape (n_points,)
        Finite coordinates, roughly in [0, 1].
    resolution : float
        Cell size.

    Returns
    -------
    ndarray of shape (n_kept,)
        Increasing indices into ``x`` and ``y``.
    """
    n = x.shape[0]
    if n <= 2:
        return np.arange(n)
    cx = np.floor(x / resolution).astype(np.int64)
    cy = np.floor(y / resolution).astype(np.int64)
    change = (np.diff(cx) != 0) | (np.diff(cy) != 0)
    keep = np.zeros(n, dtype=bool)
    keep[0] = keep[-1] = True
    keep[1:] |= change  # first point of a new cell
    keep[:-1] |= change  # last point of the previous cell
    return np.flatnonzero(keep)


def _coords(v: FloatArray) -> list[float]:
    out: list[float] = np.round(v, CURVE_DECIMALS).tolist()
    return out


def _taus(t: FloatArray) -> list[float | None]:
    """Thresholds as a list, ±inf (only ever at the ends of a curve) as None."""
    out: list[float | None] = list(t.tolist())
    for i in (0, -1):
        if out and not math.isfinite(t[i]):
            out[i] = None
    return out


def operating_point(c: CoreConfusion, tau: float, value: float | None = None) -> OperatingPoint:
    """Where "class 1 when p̂ ≥ τ" sits in ROC and PR space."""
    return OperatingPoint(
        tau=tau,
        value=value,
        fpr=_finite(c.fpr),
        tpr=_finite(c.tpr),
        precision=_finite(c.precision),
    )


def at_tau(sweep: ScoreSweep, tau: float) -> AtTau:
    """The confusion at τ and every metric the page shows (None where undefined)."""
    c = sweep.at(tau)
    return AtTau(
        tau=tau,
        confusion=Confusion(tn=int(c.tn), fp=int(c.fp), fn=int(c.fn), tp=int(c.tp)),
        accuracy=_finite(c.accuracy),
        precision=_finite(c.precision),
        recall=_finite(c.recall),
        specificity=_finite(c.specificity),
        f1=_finite(c.f1),
        balanced_accuracy=_finite(c.balanced_accuracy),
        mcc=_finite(c.mcc),
        fpr=_finite(c.fpr),
    )


def _clip_tau(tau: float) -> float:
    return min(max(tau, 0.0), 1.0)


def _best(sweep: ScoreSweep, found: tuple[float, float]) -> OperatingPoint | None:
    tau, value = found
    if not (math.isfinite(tau) and math.isfinite(value)):
        return None
    tau = _clip_tau(tau)
    return operating_point(sweep.at(tau), tau, value)


def iso_cost_line(fpr: float, tpr: float, slope: float) -> Segment | None:
    """The line TPR = tpr + slope·(FPR − fpr) clipped to the unit square (None if it misses).

    ``slope`` may be ``inf`` (a vertical line); ``nan`` gives None.
    """
    if math.isnan(slope):
        return None
    if math.isinf(slope):
        return Segment(x1=fpr, y1=0.0, x2=fpr, y2=1.0)
    ends: list[tuple[float, float]] = []
    for x in (0.0, 1.0):
        y = tpr + slope * (x - fpr)
        if -1e-12 <= y <= 1.0 + 1e-12:
            ends.append((x, min(max(y, 0.0), 1.0)))
    if slope != 0.0:
        for y in (0.0, 1.0):
            x = fpr + (y - tpr) / slope
            if 0.0 < x < 1.0:
                ends.append((x, y))
    if len(ends) < 2:
        return None
    ends.sort()
    (x1, y1), (x2, y2) = ends[0], ends[-1]
    return Segment(x1=x1, y1=y1, x2=x2, y2=y2)


def curves_of(sweep: ScoreSweep, y: FloatArray, p: FloatArray, version: int) -> RocCurves:
    """The τ-independent part of the page for labels ``y`` and probabilities ``p``."""
    both = sweep.n_positive > 0 and sweep.n_negative > 0
    roc_fpr: list[float] = []
    roc_tpr: list[float] = []
    roc_tau: list[float | None] = []
    if both:
        fpr, tpr, thr = sweep.roc(drop_intermediate=True)
        keep = decimate(fpr, tpr)
        roc_fpr, roc_tpr = _coords(fpr[keep]), _coords(tpr[keep])
        roc_tau = _taus(thr[keep])
    pr_recall: list[float] = []
    pr_precision: list[float] = []
    pr_tau: list[float | None] = []
    if sweep.n_positive > 0:
        prec, rec, thr = sweep.pr()
        keep = decimate(rec, prec)
        # The last PR point (recall 0, precision 1) is a convention with no threshold.
        thr_full = np.concatenate([thr, [np.inf]])
        pr_recall, pr_precision = _coords(rec[keep]), _coords(prec[keep])
        pr_tau = _taus(thr_full[keep])
    _, neg, pos = score_histograms(y, p, n_bins=HIST_BINS)
    prevalence = sweep.prevalence
    # Built from computed values only: skip re-validating thousands of floats.
    return RocCurves.model_construct(
        version=version,
        roc_fpr=roc_fpr,
        roc_tpr=roc_tpr,
        roc_tau=roc_tau,
        pr_recall=pr_recall,
        pr_precision=pr_precision,
        pr_tau=pr_tau,
        hist_negative=neg.tolist(),
        hist_positive=pos.tolist(),
        n_negative=int(sweep.n_negative),
        n_positive=int(sweep.n_positive),
        prevalence=_finite(prevalence),
        roc_auc=roc_auc_score(sweep.roc_auc()),
        average_precision=average_precision_score(sweep.average_precision(), prevalence),
        best_f1=_best(sweep, sweep.best_f1()) if sweep.n_positive > 0 else None,
        youden=_best(sweep, sweep.youden()) if both else None,
    )


def _cost_text(point: OperatingPoint | None, cost_fp: float, cost_fn: float, n: int) -> str:
    if n == 0:
        return "Add points to find the cheapest threshold."
    if cost_fp == 0.0 and cost_fn == 0.0:
        return "Both costs are 0, so every τ costs nothing: give at least one error a price."
    if point is None or point.value is None:
        return ""
    return (
        f"Lowest total cost {point.value:.4g} = {cost_fp:g}·FP + {cost_fn:g}·FN "
        f"at τ = {point.tau:.4g}."
    )


_EMPTY_CONFUSION = Confusion(tn=0, fp=0, fn=0, tp=0)


@dataclass
class _Analysis:
    key: Hashable
    sweep: ScoreSweep | None
    curves: RocCurves
    costs: tuple[float, float] | None = None
    min_cost: OperatingPoint | None = None
    iso_cost: Segment | None = None


class RocTracker:
    """The ROC analysis of one session, cached while its points and model are unchanged.

    Call :meth:`payload` for every frame of a ROC page; :meth:`resend` makes the next
    payload carry the curves even if unchanged (after ``hello`` / ``import_state``).
    """

    def __init__(self) -> None:
        self._analysis: _Analysis | None = None
        self._version = 0
        self._sent = -1

    def resend(self) -> None:
        """Send the curves with the next payload."""
        self._sent = -1

    def _analyse(self, key: Hashable, y: FloatArray, p: FloatArray) -> None:
        self._version += 1
        sweep = ScoreSweep(y, p) if y.shape[0] else None
        if sweep is None:
            curves = RocCurves(
                version=self._version,
                roc_fpr=[],
                roc_tpr=[],
                roc_tau=[],
                pr_recall=[],
                pr_precision=[],
                pr_tau=[],
                hist_negative=[0] * HIST_BINS,
                hist_positive=[0] * HIST_BINS,
                n_negative=0,
                n_positive=0,
                prevalence=None,
                roc_auc=roc_auc_score(math.nan),
                average_precision=average_precision_score(math.nan, math.nan),
                best_f1=None,
                youden=None,
            )
        else:
            curves = curves_of(sweep, y, p, self._version)
        self._analysis = _Analysis(key=key, sweep=sweep, curves=curves)

    def payload(
        self,
        key: Hashable,
        y: FloatArray,
        p: FloatArray,
        tau: float,
        cost_fp: float = 1.0,
        cost_fn: float = 1.0,
    ) -> RocPayload:
        """The ROC page's part of a frame.

        Parameters
        ----------
        key : tuple of (int, float, float, float)
            Identifies the points and the model (points version, w₀, w₁, b): the sweep
            is rebuilt only when it changes.
        y : ndarray of shape (n_samples,)
            Labels 0.0 / 1.0.
        p : ndarray of shape (n_samples,)
            p̂ of each point under the model.
        tau : float
            The threshold in [0, 1].
        cost_fp, cost_fn : float
            Costs of one false positive and one false negative (>= 0).
        """
        a = self._analysis
        if a is None or a.key != key:
            self._analyse(key, y, p)
            a = self._analysis
            assert a is not None
        sweep = a.sweep
        if a.costs != (cost_fp, cost_fn):
            a.costs = (cost_fp, cost_fn)
            a.min_cost = a.iso_cost = None
            if sweep is not None and (cost_fp > 0.0 or cost_fn > 0.0):
                a.min_cost = _best(sweep, sweep.min_cost(cost_fp, cost_fn))
                point = a.min_cost
                if point is not None and point.fpr is not None and point.tpr is not None:
                    slope = sweep.iso_cost_slope(cost_fp, cost_fn)
                    a.iso_cost = iso_cost_line(point.fpr, point.tpr, slope)
        if sweep is None:
            at = AtTau(
                tau=tau,
                confusion=_EMPTY_CONFUSION,
                accuracy=None,
                precision=None,
                recall=None,
                specificity=None,
                f1=None,
                balanced_accuracy=None,
                mcc=None,
                fpr=None,
            )
        else:
            at = at_tau(sweep, tau)
        curves = None
        if self._sent != a.curves.version:
            curves = a.curves
            self._sent = a.curves.version
        n = int(y.shape[0])
        return RocPayload(
            curves=curves,
            at_tau=at,
            min_cost=a.min_cost,
            iso_cost=a.iso_cost,
            cost_text=_cost_text(a.min_cost, cost_fp, cost_fn, n),
        )
