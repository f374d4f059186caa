"""Display objects for diagnostic curves, following scikit-learn's ``from_estimator`` style.

Each display holds the numbers of one curve (computed by :mod:`logitlab.core.metrics`)
and draws them with :meth:`plot`, which takes an Axes and matplotlib's line
styling as keyword arguments (``color``, ``linestyle``, ``linewidth``, ...):

    >>> disp = RocCurveDisplay.from_estimator(model, X_test, y_test, name="L2")  # doctest: +SKIP
    >>> RocCurveDisplay.from_estimator(other, X_test, y_test, ax=disp.ax_)       # doctest: +SKIP

Curves drawn on the same Axes get distinct colours (the Okabe–Ito palette, in
order) unless a ``color`` is given, and the chance line (or the diagonal of a
calibration plot) is drawn once per Axes. After ``plot`` a display has
``line_``, ``ax_``, ``figure_`` and ``chance_level_`` (None when an earlier
curve on the Axes already drew it), as scikit-learn's displays do.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from logitlab.core import metrics
from logitlab.core.calibration import reliability
from logitlab.core.types import FloatArray

__all__ = [
    "CURVE_COLORS",
    "CalibrationDisplay",
    "PrecisionRecallDisplay",
    "RocCurveDisplay",
]

CURVE_COLORS = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
)
"""Colours of successive curves on one Axes (Okabe–Ito, distinguishable with the
common forms of colour blindness)."""

_CURVE_GID = "logitlab-curve"
_CHANCE_GID = "logitlab-chance"


def _new_axes() -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, 6))
    return ax


def _next_color(ax: Axes) -> str:
    drawn = sum(1 for line in ax.get_lines() if line.get_gid() == _CURVE_GID)
    return CURVE_COLORS[drawn % len(CURVE_COLORS)]


def _has_chance(ax: Axes, key: str) -> bool:
    return any(line.get_gid() == f"{_CHANCE_GID}:{key}" for line in ax.get_lines())


def _style(ax: Axes, kwargs: dict[str, Any]) -> dict[str, Any]:
    """matplotlib keywords with logitlab's defaults where the caller gave none."""
    style = dict(kwargs)
    if "c" not in style and "color" not in style:
        style["color"] = _next_color(ax)
    if "lw" not in style and "linewidth" not in style:
        style["linewidth"] = 2
    return style


def _binary_truth(y_true: npt.ArrayLike, pos_label: object | None) -> FloatArray:
    labels = np.asarray(y_true)
    if labels.ndim != 1:
        raise ValueError(f"y_true must be one-dimensional, got shape {labels.shape}")
    if pos_label is None:
        found = np.unique(labels)
        if not set(found.tolist()) <= {0, 1}:
            raise ValueError(
                f"y_true has labels {found.tolist()[:5]}; pass pos_label= to say which is "
                "the positive class (or give 0/1 labels)"
            )
        return labels.astype(np.float64)
    if not np.any(labels == pos_label):
        raise ValueError(f"pos_label {pos_label!r} does not occur in y_true")
    return np.asarray(labels == pos_label, dtype=np.float64)


def _estimator_scores(
    estimator: Any, X: Any, pos_label: object | None, response_method: str
) -> tuple[FloatArray, object]:
    """Scores of the positive class and the positive label (default ``classes_[1]``)."""
    classes = getattr(estimator, "classes_", None)
    if classes is None:
        raise ValueError("the estimator must be fitted (it has no classes_)")
    classes = np.asarray(classes)
    if len(classes) != 2:
        raise ValueError(f"the curves are for binary classifiers, got {len(classes)} classes")
    positive = classes[1] if pos_label is None else pos_label
    matches = np.flatnonzero(classes == positive)
    if matches.size == 0:
        raise ValueError(f"pos_label {positive!r} is not one of the classes {classes.tolist()}")
    index = int(matches[0])
    methods: tuple[str, ...] = ("predict_proba", "decision_function")
    if response_method != "auto":
        if response_method not in methods:
            raise ValueError(
                "response_method must be 'auto', 'predict_proba' or 'decision_function', "
                f"got {response_method!r}"
            )
        methods = (response_method,)
    for method in methods:
        if hasattr(estimator, method):
            values = np.asarray(getattr(estimator, method)(X), dtype=np.float64)
            if method == "predict_proba":
                return values[:, index], positive
            return (values if index == 1 else -values), positive
    raise ValueError(f"the estimator has none of {', '.join(methods)}")


def _unit_square(
    ax: Axes,
    *,
    xlabel: str,
    ylabel: str,
    legend_loc: Literal["lower right", "lower left", "upper left"],
) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_xlim(0.0, 1.0)
    ax.set_ylim(0.0, 1.02)
    ax.set_aspect("equal")
    ax.grid(True, alpha=0.3)
    ax.legend(loc=legend_loc)


class _Display:
    line_: Line2D
    ax_: Axes
    figure_: Any
    chance_level_: Line2D | None

    name: str | None

    def _start(self, ax: Axes | None) -> Axes:
        ax = _new_axes() if ax is None else ax
        self.ax_ = ax
        self.figure_ = ax.figure
        return ax

    def _label(self, name: str | None, statistic: str) -> str:
        name = self.name if name is None else name
        return statistic if name is None else f"{name} ({statistic})"


class RocCurveDisplay(_Display):
    """ROC curve: true-positive rate against false-positive rate.

    Parameters
    ----------
    fpr, tpr : ndarray of shape (n_thresholds,)
    roc_auc : float, optional
        Area under the curve, shown in the legend.
    name : str, optional
        Legend name of the curve.
    pos_label : label, optional
        The positive class (for the record).
    """

    def __init__(
        self,
        *,
        fpr: FloatArray,
        tpr: FloatArray,
        roc_auc: float | None = None,
        name: str | None = None,
        pos_label: object | None = None,
    ) -> None:
        self.fpr = fpr
        self.tpr = tpr
        self.roc_auc = roc_auc
        self.name = name
        self.pos_label = pos_label

    @classmethod
    def from_predictions(
        cls,
        y_true: npt.ArrayLike,
        y_score: npt.ArrayLike,
        *,
        sample_weight: npt.ArrayLike | None = None,
        pos_label: object | None = None,
        name: str | None = None,
        ax: Axes | None = None,
        plot_chance_level: bool = True,
        **kwargs: Any,
    ) -> RocCurveDisplay:
        """Compute the curve of scores against labels and draw it.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            0/1 labels, or any labels with ``pos_label``.
        y_score : array-like of shape (n_samples,)
            Larger means more likely positive.
        sample_weight : array-like of shape (n_samples,), optional
            Non-negative weights of the rows (each row counts once by default).
        pos_label : label, optional
        name : str, optional
        ax : matplotlib Axes, optional
        plot_chance_level : bool, default=True
            Draw the diagonal (once per Axes).
        **kwargs
            matplotlib ``Line2D`` properties of the curve (``color``, ``linestyle``, ...).

        Returns
        -------
        RocCurveDisplay
        """
        truth = _binary_truth(y_true, pos_label)
        fpr, tpr, _ = metrics.roc_curve(truth, y_score, sample_weight=sample_weight)
        display = cls(
            fpr=fpr,
            tpr=tpr,
            roc_auc=metrics.roc_auc(truth, y_score, sample_weight=sample_weight),
            name=name,
            pos_label=pos_label,
        )
        return display.plot(ax=ax, plot_chance_level=plot_chance_level, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: npt.ArrayLike,
        *,
        sample_weight: npt.ArrayLike | None = None,
        pos_label: object | None = None,
        response_method: str = "auto",
        name: str | None = None,
        ax: Axes | None = None,
        plot_chance_level: bool = True,
        **kwargs: Any,
    ) -> RocCurveDisplay:
        """Score ``X`` with a fitted binary classifier and draw its ROC curve against ``y``.

        Parameters
        ----------
        estimator : fitted binary classifier
            With ``classes_`` and ``predict_proba`` or ``decision_function``.
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        sample_weight : array-like of shape (n_samples,), optional
        pos_label : label, optional
            Default ``estimator.classes_[1]``.
        response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
        name : str, optional
            Default the estimator's class name.
        ax, plot_chance_level, **kwargs
            As in :meth:`from_predictions`.

        Returns
        -------
        RocCurveDisplay
        """
        scores, positive = _estimator_scores(estimator, X, pos_label, response_method)
        return cls.from_predictions(
            y,
            scores,
            sample_weight=sample_weight,
            pos_label=positive,
            name=type(estimator).__name__ if name is None else name,
            ax=ax,
            plot_chance_level=plot_chance_level,
            **kwargs,
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        name: str | None = None,
        plot_chance_level: bool = True,
        **kwargs: Any,
    ) -> RocCurveDisplay:
        """Draw the curve (and the chance diagonal, once per Axes).

        Parameters
        ----------
        ax : matplotlib Axes, optional
        name : str, optional
            Overrides the display's name in the legend.
        plot_chance_level : bool, default=True
        **kwargs
            matplotlib ``Line2D`` properties of the curve; ``label`` replaces the legend text.

        Returns
        -------
        self
        """
        ax = self._start(ax)
        statistic = "ROC" if self.roc_auc is None else f"AUC = {self.roc_auc:.3f}"
        style = _style(ax, kwargs)
        style.setdefault("label", self._label(name, statistic))
        (self.line_,) = ax.plot(self.fpr, self.tpr, gid=_CURVE_GID, **style)
        self.chance_level_ = None
        if plot_chance_level and not _has_chance(ax, "roc"):
            (self.chance_level_,) = ax.plot(
                [0, 1],
                [0, 1],
                color="0.5",
                linestyle="--",
                linewidth=1,
                label="chance (AUC = 0.5)",
                gid=f"{_CHANCE_GID}:roc",
            )
        _unit_square(
            ax,
            xlabel="false-positive rate (1 − specificity)",
            ylabel="true-positive rate (recall)",
            legend_loc="lower right",
        )
        return self


class PrecisionRecallDisplay(_Display):
    """Precision against recall over every threshold, with the chance level.

    Parameters
    ----------
    precision, recall : ndarray of shape (n_thresholds,)
    average_precision : float, optional
        Shown in the legend.
    prevalence_pos_label : float, optional
        Share of positives: the precision of a classifier that guesses (chance level).
    name : str, optional
    pos_label : label, optional
    """

    def __init__(
        self,
        *,
        precision: FloatArray,
        recall: FloatArray,
        average_precision: float | None = None,
        prevalence_pos_label: float | None = None,
        name: str | None = None,
        pos_label: object | None = None,
    ) -> None:
        self.precision = precision
        self.recall = recall
        self.average_precision = average_precision
        self.prevalence_pos_label = prevalence_pos_label
        self.name = name
        self.pos_label = pos_label

    @classmethod
    def from_predictions(
        cls,
        y_true: npt.ArrayLike,
        y_score: npt.ArrayLike,
        *,
        sample_weight: npt.ArrayLike | None = None,
        pos_label: object | None = None,
        name: str | None = None,
        ax: Axes | None = None,
        plot_chance_level: bool = True,
        **kwargs: Any,
    ) -> PrecisionRecallDisplay:
        """Compute the curve of scores against labels and draw it (arguments as for ROC)."""
        truth = _binary_truth(y_true, pos_label)
        precision, recall, _ = metrics.precision_recall_curve(
            truth, y_score, sample_weight=sample_weight
        )
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        display = cls(
            precision=precision,
            recall=recall,
            average_precision=metrics.average_precision(
                truth, y_score, sample_weight=sample_weight
            ),
            prevalence_pos_label=float(np.average(truth, weights=weights)),
            name=name,
            pos_label=pos_label,
        )
        return display.plot(ax=ax, plot_chance_level=plot_chance_level, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: npt.ArrayLike,
        *,
        sample_weight: npt.ArrayLike | None = None,
        pos_label: object | None = None,
        response_method: str = "auto",
        name: str | None = None,
        ax: Axes | None = None,
        plot_chance_level: bool = True,
        **kwargs: Any,
    ) -> PrecisionRecallDisplay:
        """Score ``X`` with a fitted binary classifier and draw the curve (see ROC's)."""
        scores, positive = _estimator_scores(estimator, X, pos_label, response_method)
        return cls.from_predictions(
            y,
            scores,
            sample_weight=sample_weight,
            pos_label=positive,
            name=type(estimator).__name__ if name is None else name,
            ax=ax,
            plot_chance_level=plot_chance_level,
            **kwargs,
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        name: str | None = None,
        plot_chance_level: bool = True,
        **kwargs: Any,
    ) -> PrecisionRecallDisplay:
        """Draw the step curve and the chance level (once per Axes and share of positives)."""
        ax = self._start(ax)
        statistic = "PR" if self.average_precision is None else f"AP = {self.average_precision:.3f}"
        style = _style(ax, kwargs)
        style.setdefault("label", self._label(name, statistic))
        (self.line_,) = ax.step(
            self.recall, self.precision, where="post", gid=_CURVE_GID, **style
        )
        self.chance_level_ = None
        prevalence = self.prevalence_pos_label
        key = f"pr:{prevalence!r}"
        if plot_chance_level and prevalence is not None and not _has_chance(ax, key):
            self.chance_level_ = ax.axhline(
                prevalence,
                color="0.5",
                linestyle="--",
                linewidth=1,
                label=f"chance (share of positives = {prevalence:.3f})",
                gid=f"{_CHANCE_GID}:{key}",
            )
        _unit_square(
            ax, xlabel="recall (true-positive rate)", ylabel="precision", legend_loc="lower left"
        )
        return self


class CalibrationDisplay(_Display):
    """Reliability diagram: observed share of positives against mean predicted probability.

    Parameters
    ----------
    prob_true : ndarray of shape (n_bins,)
        Share of positives in each bin (``nan`` for an empty bin).
    prob_pred : ndarray of shape (n_bins,)
        Mean predicted probability in each bin (``nan`` for an empty bin).
    counts : ndarray of shape (n_bins,), optional
        Samples per bin, drawn as bars along the bottom.
    name : str, optional
    pos_label : label, optional
    """

    def __init__(
        self,
        *,
        prob_true: FloatArray,
        prob_pred: FloatArray,
        counts: npt.NDArray[Any] | None = None,
        name: str | None = None,
        pos_label: object | None = None,
    ) -> None:
        self.prob_true = prob_true
        self.prob_pred = prob_pred
        self.counts = counts
        self.name = name
        self.pos_label = pos_label

    @classmethod
    def from_predictions(
        cls,
        y_true: npt.ArrayLike,
        y_prob: npt.ArrayLike,
        *,
        n_bins: int = 10,
        pos_label: object | None = None,
        name: str | None = None,
        ax: Axes | None = None,
        show_counts: bool = True,
        **kwargs: Any,
    ) -> CalibrationDisplay:
        """Bin the predicted probabilities (``n_bins`` equal widths of [0, 1]) and draw.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
        y_prob : array-like of shape (n_samples,)
            Predicted P(positive), in [0, 1].
        n_bins : int, default=10
        pos_label, name, ax
            As for :meth:`RocCurveDisplay.from_predictions`.
        show_counts : bool, default=True
            Bars along the bottom with each bin's share of the samples.
        **kwargs
            matplotlib ``Line2D`` properties of the curve.

        Returns
        -------
        CalibrationDisplay
        """
        truth = _binary_truth(y_true, pos_label)
        bins = reliability(truth, y_prob, n_bins=n_bins)
        filled = bins.nonempty
        display = cls(
            prob_true=bins.fraction_positive[filled],
            prob_pred=bins.mean_predicted[filled],
            counts=bins.counts,
            name=name,
            pos_label=pos_label,
        )
        return display.plot(ax=ax, show_counts=show_counts, **kwargs)

    @classmethod
    def from_estimator(
        cls,
        estimator: Any,
        X: Any,
        y: npt.ArrayLike,
        *,
        n_bins: int = 10,
        pos_label: object | None = None,
        name: str | None = None,
        ax: Axes | None = None,
        show_counts: bool = True,
        **kwargs: Any,
    ) -> CalibrationDisplay:
        """Predict probabilities of ``X`` with a fitted binary classifier and draw."""
        scores, positive = _estimator_scores(estimator, X, pos_label, "predict_proba")
        return cls.from_predictions(
            y,
            scores,
            n_bins=n_bins,
            pos_label=positive,
            name=type(estimator).__name__ if name is None else name,
            ax=ax,
            show_counts=show_counts,
            **kwargs,
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        name: str | None = None,
        show_counts: bool = True,
        **kwargs: Any,
    ) -> CalibrationDisplay:
        """Draw the diagonal (once per Axes), the curve with markers and the count bars."""
        ax = self._start(ax)
        self.chance_level_ = None
        if not _has_chance(ax, "calibration"):
            (self.chance_level_,) = ax.plot(
                [0, 1],
                [0, 1],
                color="0.5",
                linestyle="--",
                linewidth=1,
                label="perfectly calibrated",
                gid=f"{_CHANCE_GID}:calibration",
            )
        style = _style(ax, kwargs)
        style.setdefault("marker", "o")
        label = self.name if name is None else name
        style.setdefault("label", "model" if label is None else label)
        (self.line_,) = ax.plot(self.prob_pred, self.prob_true, gid=_CURVE_GID, **style)
        if show_counts and self.counts is not None and len(self.counts):
            n_bins = len(self.counts)
            share = self.counts / max(int(np.sum(self.counts)), 1)
            ax.bar(
                np.linspace(0.0, 1.0, n_bins + 1)[:-1],
                0.25 * share / max(float(share.max()), 1e-12),
                width=1.0 / n_bins,
                bottom=0.0,
                align="edge",
                color=self.line_.get_color(),
                alpha=0.25,
                label=(
                    "samples per bin"
                    if style["label"] == "model"
                    else f"samples per bin ({style['label']})"
                ),
            )
        _unit_square(
            ax,
            xlabel="mean predicted probability",
            ylabel="observed share of positives",
            legend_loc="upper left",
        )
        return self
