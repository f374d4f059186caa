"""Matplotlib figures for fitted classifiers.

Every function draws into the Axes it is given (or a new one), returns that Axes
and never calls ``plt.show()``: showing or saving the figure is up to the
caller (``ax.figure.savefig(...)``).

Functions
---------
plot_decision_boundary
    The probability field of a binary classifier over two features, its
    decision boundary and the data points.
plot_loss_curve
    Objective value against iteration, for one run or several.
plot_roc, plot_precision_recall, plot_calibration
    Diagnostic curves of predicted probabilities against true labels; call
    them again on the same Axes to overlay models. They wrap the display
    objects of :mod:`logitlab.displays` (``RocCurveDisplay.from_estimator``
    ...), re-exported here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.colors import Colormap, LinearSegmentedColormap
from matplotlib.lines import Line2D

from logitlab.core.types import FloatArray
from logitlab.displays import CalibrationDisplay, PrecisionRecallDisplay, RocCurveDisplay

__all__ = [
    "CLASS_COLORS",
    "PROBABILITY_CMAP",
    "CalibrationDisplay",
    "PrecisionRecallDisplay",
    "RocCurveDisplay",
    "plot_calibration",
    "plot_decision_boundary",
    "plot_loss_curve",
    "plot_precision_recall",
    "plot_roc",
]

CLASS_COLORS = ("#0072B2", "#E69F00")
"""Blue for the negative class, orange for the positive one (Okabe–Ito palette,
distinguishable with the common forms of colour blindness)."""

CLASS_MARKERS = ("o", "^")
"""Circles and triangles, so the classes differ even in black and white."""

PROBABILITY_CMAP: Colormap = LinearSegmentedColormap.from_list(
    "logitlab_probability", [CLASS_COLORS[0], "#FFFFFF", CLASS_COLORS[1]]
)
"""Blue (p̂ = 0) through white (p̂ = 0.5) to orange (p̂ = 1)."""


class ProbabilisticClassifier(Protocol):
    """Anything with ``predict_proba``: a logitlab or scikit-learn classifier, a pipeline."""

    def predict_proba(self, X: Any, /) -> Any: ...


def _new_axes() -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(7, 6))
    return ax


def _as_2d_points(X: npt.ArrayLike) -> FloatArray:
    points = np.asarray(X, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(
            "plot_decision_boundary draws two features: X must have shape (n_samples, 2), "
            f"got {points.shape}; pass features= (or a pipeline) to fit on a feature map"
        )
    return points


def _column_names(X: object, model: object, features: object) -> list[str] | None:
    columns = getattr(X, "columns", None)
    if columns is not None:
        return [str(c) for c in columns]
    names = getattr(model, "feature_names_in_", None)
    if features is None and names is not None and len(names) == 2:
        return [str(c) for c in names]
    return None


def plot_decision_boundary(
    model: ProbabilisticClassifier,
    X: npt.ArrayLike,
    y: npt.ArrayLike,
    ax: Axes | None = None,
    *,
    features: Callable[[FloatArray], Any] | None = None,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
    threshold: float = 0.5,
    resolution: int = 200,
    margin: float = 1.0,
    levels: int = 20,
    cmap: Colormap | str | None = None,
    alpha: float = 0.4,
    colorbar: bool = True,
    title: str | None = "Logistic regression decision boundary",
    boundary_color: Any = "k",
    boundary_width: float = 1.5,
    class_colors: Sequence[Any] | None = None,
) -> Axes:
    """Draw P(class = 1) over the plane of two features, the boundary p̂ = threshold and the data.

    Parameters
    ----------
    model : fitted binary classifier with ``predict_proba``
        A logitlab or scikit-learn estimator, or a pipeline. Column 1 of
        ``predict_proba`` is taken as the positive class.
    X : array-like of shape (n_samples, 2)
        The two raw features (a DataFrame's column names become the axis labels).
    y : array-like of shape (n_samples,)
        Labels; the points of ``model.classes_[0]`` and ``model.classes_[1]``
        (or of the two sorted unique labels) get distinct colours and markers.
    ax : matplotlib Axes, optional
        Where to draw; a new figure is made if omitted.
    features : callable, optional
        Maps raw points of shape (n_points, 2) to the model's design matrix,
        for a model fitted on a feature map, e.g. ``PolynomialFeatures(3).transform``.
        Not needed when the model transforms its input itself (a pipeline).
    feature_names : sequence of two str, optional
        Axis labels; default the DataFrame's or model's feature names, else
        "feature 1" and "feature 2".
    class_names : sequence of two str, optional
        Legend labels; default "class <label>".
    threshold : float, default=0.5
        Probability at which the boundary is drawn.
    resolution : int, default=200
        Grid points per axis.
    margin : float, default=1.0
        How far the grid extends beyond the data on every side.
    levels : int, default=20
        Number of equal-width probability bands between 0 and 1.
    cmap : Colormap or str, optional
        Default :data:`PROBABILITY_CMAP` (blue–white–orange).
    alpha : float, default=0.4
        Opacity of the filled bands.
    colorbar : bool, default=True
        Add a colour bar labelled "P(class = <positive label>)".
    title : str or None
    boundary_color : matplotlib colour, default="k"
        Colour of the line p̂ = threshold.
    boundary_width : float, default=1.5
        Its width in points.
    class_colors : sequence of two matplotlib colours, optional
        Fill colours of the negative and positive class's points; default
        :data:`CLASS_COLORS`.

    Returns
    -------
    ax : matplotlib Axes
    """
    point_colors = CLASS_COLORS if class_colors is None else tuple(class_colors)
    if len(point_colors) != 2:
        raise ValueError(f"class_colors must hold two colours, got {len(point_colors)}")
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold!r}")
    if resolution < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution!r}")
    names = _column_names(X, model, features)
    points = _as_2d_points(X)
    labels = np.asarray(y)
    if labels.shape != (points.shape[0],):
        raise ValueError(f"y must have shape ({points.shape[0]},), got {labels.shape}")
    classes = getattr(model, "classes_", None)
    classes = np.unique(labels) if classes is None else np.asarray(classes)
    if len(classes) != 2:
        raise ValueError(
            f"plot_decision_boundary needs a binary classifier, got {len(classes)} classes"
        )
    if ax is None:
        ax = _new_axes()

    lo = points.min(axis=0) - margin
    hi = points.max(axis=0) + margin
    g1, g2 = np.meshgrid(
        np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    )
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    design: Any = grid if features is None else features(grid)
    fitted_names = getattr(model, "feature_names_in_", None)
    formula_model = getattr(model, "model_spec_", None) is not None
    if formula_model and features is None and names is not None:
        # A model of logitlab.formula builds its terms from the raw columns itself.
        import pandas as pd  # type: ignore[import-untyped]

        design = pd.DataFrame(grid, columns=names)
    elif fitted_names is not None and not hasattr(design, "columns"):
        # The model was fitted on a DataFrame and checks the column names.
        import pandas as pd

        design = pd.DataFrame(design, columns=list(fitted_names))
    proba = np.asarray(model.predict_proba(design), dtype=np.float64)[:, 1].reshape(g1.shape)

    filled = ax.contourf(
        g1,
        g2,
        proba,
        levels=np.linspace(0.0, 1.0, levels + 1),
        cmap=PROBABILITY_CMAP if cmap is None else cmap,
        alpha=alpha,
    )
    handles: list[Any] = []
    if proba.min() < threshold < proba.max():
        ax.contour(
            g1, g2, proba, levels=[threshold], colors=[boundary_color], linewidths=boundary_width
        )
        handles.append(
            Line2D(
                [],
                [],
                color=boundary_color,
                lw=boundary_width,
                label=f"decision boundary (p̂ = {threshold:g})",
            )
        )

    legend = class_names if class_names is not None else [f"class {c}" for c in classes]
    for k in (0, 1):
        mask = labels == classes[k]
        handles.append(
            ax.scatter(
                points[mask, 0],
                points[mask, 1],
                marker=CLASS_MARKERS[k],
                color=point_colors[k],
                edgecolors="k",
                linewidths=0.6,
                s=30,
                label=legend[k],
                zorder=3,
            )
        )
    axis_names = list(feature_names) if feature_names is not None else names
    if axis_names is None:
        axis_names = ["feature 1", "feature 2"]
    ax.set_xlabel(axis_names[0])
    ax.set_ylabel(axis_names[1])
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    if title:
        ax.set_title(title)
    ax.legend(handles=handles, loc="best")
    if colorbar:
        ax.figure.colorbar(filled, ax=ax, label=f"P(class = {classes[1]})")
    return ax


def plot_loss_curve(
    values: npt.ArrayLike | Mapping[str, npt.ArrayLike],
    ax: Axes | None = None,
    *,
    log_scale: bool = False,
    xlabel: str = "iteration",
    ylabel: str = "objective",
    title: str | None = "Training loss",
) -> Axes:
    """Objective value per iteration: one curve, or one per named run.

    Parameters
    ----------
    values : array-like of shape (n_iterations,) or mapping of str to such arrays
        A mapping draws one labelled curve per entry (e.g. per optimizer).
    ax : matplotlib Axes, optional
    log_scale : bool, default=False
        Logarithmic y axis (useful when the values approach 0).
    xlabel, ylabel, title : str

    Returns
    -------
    ax : matplotlib Axes
    """
    series = dict(values) if isinstance(values, Mapping) else {"": values}
    if ax is None:
        ax = _new_axes()
    for label, run in series.items():
        curve = np.asarray(run, dtype=np.float64)
        if curve.ndim != 1:
            raise ValueError(f"loss values must be one-dimensional, got shape {curve.shape}")
        ax.plot(np.arange(curve.size), curve, marker="." if curve.size <= 50 else None, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if log_scale:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(series) > 1 or "" not in series:
        ax.legend(loc="best")
    return ax


def _titled(ax: Axes, title: str | None) -> Axes:
    if title:
        ax.set_title(title)
    return ax


def plot_roc(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    ax: Axes | None = None,
    *,
    pos_label: object | None = None,
    label: str = "model",
    title: str | None = "ROC curve",
    chance: bool = True,
    **kwargs: Any,
) -> Axes:
    """Receiver operating characteristic: true-positive rate against false-positive rate.

    Call it again with the same ``ax`` to overlay another model: each curve gets
    its own colour (unless ``color`` is given) and the chance line is drawn once.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0/1, or any labels together with ``pos_label``.
    y_score : array-like of shape (n_samples,)
        Larger means more likely positive: P(class = 1) or the decision function.
    ax : matplotlib Axes, optional
    pos_label : label, optional
        The positive class when ``y_true`` is not 0/1.
    label : str, default="model"
        Legend name of the curve; the area under it is appended.
    title : str or None
    chance : bool, default=True
        Draw the diagonal of a classifier that guesses (once per Axes).
    **kwargs
        matplotlib ``Line2D`` properties of the curve: ``color``, ``linestyle``,
        ``linewidth``, ``alpha``, ...

    Returns
    -------
    ax : matplotlib Axes

    See Also
    --------
    logitlab.displays.RocCurveDisplay : the same curve as an object, from an estimator.
    """
    display = RocCurveDisplay.from_predictions(
        y_true, y_score, pos_label=pos_label, name=label, ax=ax, plot_chance_level=chance, **kwargs
    )
    return _titled(display.ax_, title)


def plot_precision_recall(
    y_true: npt.ArrayLike,
    y_score: npt.ArrayLike,
    ax: Axes | None = None,
    *,
    pos_label: object | None = None,
    label: str = "model",
    title: str | None = "Precision–recall curve",
    chance: bool = True,
    **kwargs: Any,
) -> Axes:
    """Precision against recall over every threshold, with the chance level (the positive share).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0/1, or any labels together with ``pos_label``.
    y_score : array-like of shape (n_samples,)
    ax : matplotlib Axes, optional
        Give the same Axes again to overlay models (distinct colours, one chance line).
    pos_label : label, optional
    label : str, default="model"
        Legend name; the average precision (AP) is appended.
    title : str or None
    chance : bool, default=True
    **kwargs
        matplotlib ``Line2D`` properties of the curve.

    Returns
    -------
    ax : matplotlib Axes
    """
    display = PrecisionRecallDisplay.from_predictions(
        y_true, y_score, pos_label=pos_label, name=label, ax=ax, plot_chance_level=chance, **kwargs
    )
    return _titled(display.ax_, title)


def plot_calibration(
    y_true: npt.ArrayLike,
    y_prob: npt.ArrayLike,
    ax: Axes | None = None,
    *,
    n_bins: int = 10,
    pos_label: object | None = None,
    label: str = "model",
    title: str | None = "Calibration (reliability diagram)",
    show_counts: bool = True,
    **kwargs: Any,
) -> Axes:
    """Observed share of positives against mean predicted probability, per probability bin.

    A well-calibrated model lies on the diagonal. Empty bins are skipped; the
    number of samples in each bin is shown as a bar along the bottom.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        Labels 0/1, or any labels together with ``pos_label``.
    y_prob : array-like of shape (n_samples,)
        Predicted P(class = 1), in [0, 1].
    ax : matplotlib Axes, optional
        Give the same Axes again to overlay models (distinct colours, one diagonal).
    n_bins : int, default=10
        Equal-width bins of [0, 1].
    pos_label : label, optional
    label : str, default="model"
    title : str or None
    show_counts : bool, default=True
        The bars of samples per bin (in the curve's colour).
    **kwargs
        matplotlib ``Line2D`` properties of the curve.

    Returns
    -------
    ax : matplotlib Axes
    """
    display = CalibrationDisplay.from_predictions(
        y_true,
        y_prob,
        n_bins=n_bins,
        pos_label=pos_label,
        name=label,
        ax=ax,
        show_counts=show_counts,
        **kwargs,
    )
    return _titled(display.ax_, title)
