"""The work behind ``logitlab fit`` and ``logitlab demo``, without argument parsing.

:func:`fit_csv` reads a CSV file, fits :class:`~logitlab.estimator.LogisticRegression`
and returns a :class:`~logitlab.report.FitReport`; :func:`run_demo` repeats the
classic two-feature experiment on logitlab's own generated data. Problems the
user can fix raise :class:`~logitlab.tabular.DataError` with a one-line message.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from logitlab.core import metrics
from logitlab.core.features import Standardizer
from logitlab.core.types import FloatArray
from logitlab.estimator import ConvergenceWarning, LogisticRegression
from logitlab.progress import Progress
from logitlab.report import FitReport
from logitlab.tabular import DataError, Dataset, check_labels, read_csv

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["DemoResult", "FitOptions", "FitOutcome", "fit_csv", "run_demo"]

PROGRESS_BYTES = 10_000_000
"""Files at least this large get progress messages on stderr."""


@dataclass(frozen=True)
class FitOptions:
    """The options of ``logitlab fit`` (see ``logitlab fit --help``)."""

    path: str
    target: str | None
    """The class column; may be None with ``formula`` (its left-hand side)."""
    features: Sequence[str] | None = None
    C: float = math.inf
    l1_ratio: float = 0.0
    standardize: bool = False
    class_weight: str | None = None
    max_iter: int = 100
    plot: str | None = None
    sep: str | None = None
    """The separator; None detects it."""
    encoding: str | None = None
    """A Python codec name; None is UTF-8."""
    decimal: str = "."
    """The decimal mark of the numbers ("." or ",")."""
    dropna: bool = False
    """Leave out rows with a missing value in a used column instead of failing."""
    formula: str | None = None
    """A model formula ("y ~ x1 + C(g)") instead of ``target`` and ``features``."""


@dataclass(frozen=True)
class FitOutcome:
    """A finished fit: the report and what is needed to draw it."""

    report: FitReport
    model: LogisticRegression
    data: Dataset
    design: Any
    """The matrix the model was fitted on (a DataFrame with the feature names)."""
    scaler: Standardizer | None
    """The scaling applied to the features (``--standardize``), else None."""


def _check_options(options: FitOptions) -> None:
    if not (options.C > 0.0):
        raise DataError(f"--C must be a positive number or inf, got {options.C:g}")
    if not 0.0 <= options.l1_ratio <= 1.0:
        raise DataError(f"--l1-ratio must be between 0 and 1, got {options.l1_ratio:g}")
    if options.l1_ratio > 0.0 and math.isinf(options.C):
        raise DataError(
            "--l1-ratio only applies to a penalized fit: give a finite --C as well (e.g. --C 1)"
        )
    if options.formula is None and options.target is None:
        raise DataError("give the class column with --target (or a model with --formula)")
    if options.formula is not None and options.features is not None:
        raise DataError(
            "--features and --formula exclude each other: the formula names the features"
        )


def _read(options: FitOptions, progress: Progress) -> tuple[Dataset, bool]:
    """The data of the fit and whether to fit an intercept."""
    if options.formula is None:
        assert options.target is not None  # _check_options
        data = read_csv(
            options.path,
            options.target,
            options.features,
            progress=progress.update,
            sep=options.sep,
            encoding=options.encoding,
            decimal=options.decimal,
            dropna=options.dropna,
            categorical=True,
        )
        return data, True
    return _read_formula(options, options.formula, progress)


def _read_formula(
    options: FitOptions, formula_text: str, progress: Progress
) -> tuple[Dataset, bool]:
    from logitlab import formula
    from logitlab.tabular import check_text, columns_hint, drop_missing, read_frame

    try:
        parsed = formula.parse(formula_text)
    except formula.FormulaError as exc:
        raise DataError(str(exc)) from None
    frame, sep, encoding = read_frame(
        options.path,
        sep=options.sep,
        encoding=options.encoding,
        decimal=options.decimal,
        progress=progress.update,
    )
    response = str(parsed.lhs)
    if options.target is not None and options.target != response:
        raise DataError(
            f"--target {options.target!r} differs from the formula's response {response!r}; "
            "leave --target out with --formula"
        )
    columns = [str(c) for c in frame.columns]
    required = sorted(str(v) for v in parsed.required_variables)
    unknown = [v for v in required if v not in columns]
    if unknown:
        raise DataError(
            f"the formula uses the unknown column{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}; {columns_hint(columns, sep)} "
            "(quote names with spaces in backticks: `my column`)"
        )
    features = [v for v in required if v not in {str(v) for v in parsed.lhs.required_variables}]
    check_text(frame, features, categorical=True)
    frame, n_dropped = drop_missing(frame, required, options.dropna)
    try:
        X, y, _, intercept = formula.design(formula_text, frame, missing="raise")
    except formula.FormulaError as exc:
        raise DataError(str(exc)) from None
    labels = check_labels(pd.Series(y), response)
    data = Dataset(
        X=np.ascontiguousarray(X.to_numpy(dtype=np.float64)),
        y=labels,
        feature_names=tuple(str(c) for c in X.columns),
        target=response,
        source=os.fspath(options.path),
        columns=tuple(features),
        n_dropped=n_dropped,
        sep=sep,
        encoding=encoding,
    )
    return data, intercept


def _frame(X: FloatArray, names: Sequence[str]) -> Any:
    return pd.DataFrame(X, columns=list(names), copy=False)


def fit_csv(options: FitOptions, progress: Progress | None = None) -> FitOutcome:
    """Read ``options.path``, fit, and build the report.

    Parameters
    ----------
    options : FitOptions
    progress : Progress, optional
        Receives reading and fitting progress; by default messages go to stderr
        for files of at least :data:`PROGRESS_BYTES`.

    Returns
    -------
    FitOutcome

    Raises
    ------
    DataError
        Unusable data or options, or a perfectly separated unpenalized fit.
    """
    _check_options(options)
    if progress is None:
        big = os.path.isfile(options.path) and os.path.getsize(options.path) >= PROGRESS_BYTES
        progress = Progress(enabled=big)
    progress.start(f"reading {options.path}")
    data, intercept = _read(options, progress)
    progress.done(f"{data.n_samples:,} rows × {len(data.feature_names)} features")

    classes = np.unique(data.y)
    if options.plot is not None and len(classes) != 2:
        raise DataError(
            f"--plot draws binary models; target {data.target!r} has {len(classes)} classes"
        )
    if data.X.shape[1] == 0:
        raise DataError("there are no features to fit: name some with --features or --formula")
    X, scaler = data.X, None
    if options.standardize:
        scaler = Standardizer().fit(data.X)
        X = scaler.transform(data.X)
    design = _frame(X, data.feature_names)

    model = LogisticRegression(
        C=options.C,
        l1_ratio=options.l1_ratio,
        class_weight=options.class_weight,
        max_iter=options.max_iter,
        fit_intercept=intercept,
    )
    progress.start(f"fitting {len(classes)}-class logistic regression")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            model.fit(design, data.y)
        except ValueError as exc:  # anything the checks above missed, still on one line
            raise DataError(f"cannot fit {options.path}: {' '.join(str(exc).split())}") from None
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    n_iter = int(model.n_iter_[0])
    progress.done(f"{n_iter} Newton iterations")

    progress.start("computing standard errors and metrics")
    inference = model.summary()  # L1 / elastic net: estimates with NaN standard errors
    if inference.separation is not None and not inference.penalized:
        raise DataError(
            f"perfect separation: the features predict {data.target!r} "
            f"{'exactly' if inference.separation == 'complete' else 'exactly for some rows'}, "
            "so the unpenalized coefficients are infinite; add a penalty, e.g. --C 1"
        )
    proba = model.predict_proba(design)
    accuracy, auc = _in_sample_metrics(model.classes_, data.y, proba)
    progress.done()

    report = FitReport(
        source=data.source,
        target=data.target,
        features=data.feature_names,
        n_samples=data.n_samples,
        classes=tuple(str(c) for c in model.classes_),
        C=float(options.C),
        l1_ratio=float(options.l1_ratio),
        standardized=options.standardize,
        class_weight=options.class_weight,
        inference=inference,
        accuracy=accuracy,
        roc_auc=auc,
        n_iter=n_iter,
        converged=converged,
        formula=options.formula,
        columns=data.columns,
        levels=data.levels,
        n_dropped=data.n_dropped,
        sep=data.sep,
        encoding=data.encoding,
    )
    return FitOutcome(report=report, model=model, data=data, design=design, scaler=scaler)


def _in_sample_metrics(classes: Any, y: Any, proba: FloatArray) -> tuple[float, float]:
    truth = np.asarray(y)
    predicted = np.asarray(classes)[np.argmax(proba, axis=1)]
    accuracy = float(np.mean(predicted == truth))
    aucs = [
        metrics.roc_auc((truth == label).astype(np.float64), proba[:, k])
        for k, label in enumerate(classes)
    ]
    auc = aucs[1] if len(classes) == 2 else float(np.mean(aucs))
    return accuracy, auc


@dataclass(frozen=True)
class DemoResult:
    """Numbers printed by ``logitlab demo``."""

    accuracy: float
    coef: tuple[float, float]
    intercept: float
    figure: str


def run_demo(
    out: str = "demo.png", *, n_samples: int = 300, random_state: int = 2, dpi: int = 120
) -> DemoResult:
    """Fit the default (C = 1) model to two generated features and save the boundary figure.

    Parameters
    ----------
    out : str, default="demo.png"
        Where the PNG goes.
    n_samples : int, default=300
    random_state : int, default=2
        Seed of :func:`logitlab.core.datasets.make_classification`.
    dpi : int, default=120

    Returns
    -------
    DemoResult
    """
    from matplotlib.figure import Figure

    from logitlab.core.datasets import make_classification
    from logitlab.plots import plot_decision_boundary

    X, y = make_classification(
        n_samples=n_samples,
        n_features=2,
        n_informative=2,
        n_redundant=0,
        n_clusters_per_class=1,
        random_state=random_state,
    )
    model = LogisticRegression().fit(X, y)
    accuracy = float(np.mean(model.predict(X) == y))
    fig = Figure(figsize=(7, 6))
    plot_decision_boundary(model, X, y, ax=fig.add_subplot())
    fig.tight_layout()
    fig.savefig(out, dpi=dpi)
    return DemoResult(
        accuracy=accuracy,
        coef=(float(model.coef_[0, 0]), float(model.coef_[0, 1])),
        intercept=float(model.intercept_[0]),
        figure=out,
    )


def write_fit_plot(outcome: FitOutcome, path: str, *, dpi: int = 120) -> Figure:
    """Save the figure of a binary fit: ROC and calibration, plus the boundary for two features.

    Parameters
    ----------
    outcome : FitOutcome
        A binary fit.
    path : str
        Output file; the format follows the extension (png, pdf, svg, ...).
    dpi : int, default=120

    Returns
    -------
    matplotlib Figure
        The saved figure.
    """
    from matplotlib.figure import Figure

    from logitlab.plots import plot_calibration, plot_decision_boundary, plot_roc

    model, data = outcome.model, outcome.data
    positive = model.classes_[1]
    p1 = model.predict_proba(outcome.design)[:, 1]
    # The boundary is drawn over two numeric columns of the file, not over dummies or terms.
    two = (
        len(data.feature_names) == 2
        and not data.levels
        and outcome.report.formula is None
    )
    fig = Figure(figsize=(6.5 * (3 if two else 2), 6))
    axes = fig.subplots(1, 3 if two else 2)
    if two:
        plot_decision_boundary(
            model,
            data.X,
            data.y,
            ax=axes[0],
            features=None if outcome.scaler is None else outcome.scaler.transform,
            feature_names=list(data.feature_names),
            title=f"{data.target}: decision boundary",
        )
    plot_roc(data.y, p1, ax=axes[-2], pos_label=positive)
    plot_calibration(data.y, p1, ax=axes[-1], pos_label=positive)
    fig.tight_layout()
    try:
        fig.savefig(path, dpi=dpi)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot write the plot to {path}: {exc}") from None
    return fig
