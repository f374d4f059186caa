"""Fit a logistic regression from a model formula, as ``statsmodels.formula.api.logit`` does.

    >>> from logitlab.formula import logit
    >>> model = logit("passed ~ hours + C(school) + hours:sleep", data=frame)  # doctest: +SKIP
    >>> print(model.summary())                                                # doctest: +SKIP

`formulaic <https://matthewwardrop.github.io/formulaic/>`_ turns the formula
and the data frame into the design matrix: text and ``C(...)`` columns become
treatment-coded dummies with the first level (sorted) as the reference, ``a:b``
is an interaction, ``a*b`` both main effects and their interaction, ``- 1`` or
``+ 0`` drops the intercept, ``I(x**2)`` and ``np.log(x)`` transform. The
column names of that matrix (``"C(school)[T.north]"``, ``"hours:sleep"``) are
the names in :meth:`~logitlab.estimator.LogisticRegression.summary`, the same
names statsmodels prints.

The fitted model keeps formulaic's model spec, so ``predict``,
``predict_proba``, ``decision_function`` and ``score`` accept a new data frame
with the raw columns: its categories are coded with the levels seen in the fit.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from formulaic import Formula, ModelSpec, model_matrix  # type: ignore[import-untyped]
from formulaic.errors import (  # type: ignore[import-untyped]
    DataMismatchWarning,
    FormulaicError,
)

from logitlab.estimator import LogisticRegression

__all__ = ["FormulaError", "FormulaLogisticRegression", "logit"]

MISSING = ("drop", "raise")
"""What ``logit`` does with rows that have a missing value in a column the formula uses."""

_DESIGN = "logitlab.formula.design"
"""``DataFrame.attrs`` key marking a frame that is already a design matrix."""

_INTERCEPT = "Intercept"
_ANSI = re.compile(r"\x1b\[[0-9;]*m|[⧛⧚]")


class FormulaError(ValueError):
    """The formula cannot be used with the data; ``str(error)`` says what and what is allowed."""


def _clean(exc: BaseException) -> str:
    """formulaic's message without its terminal colours, on one line."""
    return " ".join(_ANSI.sub("", str(exc)).split())


def _listing(names: Any) -> str:
    shown = [repr(str(n)) for n in names]
    return ", ".join(shown[:10]) + (f", … ({len(shown) - 10} more)" if len(shown) > 10 else "")


class FormulaLogisticRegression(LogisticRegression):
    """A :class:`~logitlab.estimator.LogisticRegression` fitted by :func:`logit`.

    It is the estimator itself (same parameters, attributes and ``summary()``),
    plus the formula's model spec: a pandas DataFrame given to ``predict``,
    ``predict_proba``, ``predict_log_proba``, ``decision_function`` or
    ``score`` holds raw columns and is turned into the design matrix first. A
    NumPy array is taken to be a design matrix already (columns as in
    ``feature_names_in_``).

    ``fit`` is :meth:`LogisticRegression.fit` on a design matrix, and leaves the
    formula and its spec alone; to fit the formula to other data, call
    :func:`logit` again.

    Attributes
    ----------
    formula_ : str
        The formula as given.
    model_spec_ : formulaic.ModelSpec
        How to build the design matrix (the right-hand side) from new data.
    response_ : str
        The left-hand side of the formula.
    """

    formula_: str
    model_spec_: ModelSpec
    response_: str

    def design_matrix(self, data: Any) -> Any:
        """The design matrix of ``data`` (a DataFrame named as ``feature_names_in_``).

        Parameters
        ----------
        data : pandas DataFrame or mapping of column name to array
            Rows with the raw columns the formula uses; no missing values.

        Returns
        -------
        pandas DataFrame of shape (n_samples, n_features_in_)

        Raises
        ------
        FormulaError
            A missing column, a missing value, or a category the fit did not see.
        """
        frame = _as_frame(data)
        _check_columns(self.formula_, self.model_spec_.required_variables, frame)
        return _design(self.model_spec_, frame)

    def _input(self, X: Any) -> Any:
        if isinstance(X, Mapping) and not isinstance(X, pd.DataFrame):
            X = pd.DataFrame(X)
        if isinstance(X, pd.DataFrame) and not X.attrs.get(_DESIGN, False):
            return self.design_matrix(X)
        if isinstance(X, np.ndarray) and X.ndim == 2 and X.shape[1] == self.n_features_in_:
            # A design matrix: named as in the fit, so the estimator's name check passes.
            frame = pd.DataFrame(X, columns=list(self.feature_names_in_), copy=False)
            frame.attrs[_DESIGN] = True
            return frame
        return X

    def decision_function(self, X: Any) -> Any:
        """Linear scores of raw data (a DataFrame) or of a design matrix (an array)."""
        return super().decision_function(self._input(X))

    def predict_proba(self, X: Any) -> Any:
        """Class probabilities of raw data (a DataFrame) or of a design matrix (an array)."""
        return super().predict_proba(self._input(X))

    def predict_log_proba(self, X: Any) -> Any:
        """Log-probabilities of raw data (a DataFrame) or of a design matrix (an array)."""
        return super().predict_log_proba(self._input(X))

    def predict(self, X: Any) -> Any:
        """Most probable class of raw data (a DataFrame) or of a design matrix (an array)."""
        return super().predict(self._input(X))

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Accuracy; without ``y``, the formula's response is read from the DataFrame ``X``."""
        if y is None:
            if not isinstance(X, pd.DataFrame | Mapping):
                raise FormulaError("score(X) without y needs a DataFrame holding the response")
            frame = _as_frame(X)
            y = _response(Formula(self.formula_), frame)
        return float(super().score(self._input(X), y, sample_weight=sample_weight))


def _as_frame(data: Any) -> Any:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data))
    raise FormulaError(
        f"data must be a pandas DataFrame (or a dict of columns), got {type(data).__name__}"
    )


def _check_columns(formula: str, required: Any, frame: Any) -> None:
    columns = {str(c) for c in frame.columns}
    unknown = sorted(str(v) for v in required if str(v) not in columns)
    if unknown:
        noun = "column" if len(unknown) == 1 else "columns"
        raise FormulaError(
            f"the formula {formula!r} uses the unknown {noun} {_listing(unknown)}; "
            f"available columns: {_listing(frame.columns)} (quote names with spaces in "
            "backticks: `my column`)"
        )


def _design(spec: ModelSpec, frame: Any) -> Any:
    """Materialize ``spec`` on ``frame``: float64 columns, no intercept column, marked."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataMismatchWarning)
            matrix = spec.get_model_matrix(frame, na_action="raise")
    except DataMismatchWarning as exc:
        raise FormulaError(
            f"the data hold a category the model was not fitted on: {_clean(exc)}"
        ) from None
    except (FormulaicError, ValueError, TypeError, NameError) as exc:
        raise FormulaError(f"cannot build the design matrix: {_clean(exc)}") from None
    return _finish(matrix, frame)


def _finish(matrix: Any, frame: Any) -> Any:
    """A model matrix as the estimator's input: float64, no intercept column, marked."""
    design = pd.DataFrame(matrix, copy=False)
    if _INTERCEPT in design.columns:
        design = design.drop(columns=_INTERCEPT)
    design = design.astype(np.float64)
    design.columns = [str(c) for c in design.columns]
    design.index = frame.index
    design.attrs[_DESIGN] = True
    return design


def _response(formula: Any, frame: Any) -> Any:
    """The left-hand side: a column as it is (numbers, text, booleans) or a 1-column expression."""
    lhs = formula.lhs
    terms = [str(t) for t in lhs]
    if len(terms) == 1 and terms[0] in {str(c) for c in frame.columns}:
        return frame[terms[0]].to_numpy()
    try:
        values = model_matrix(lhs, frame, na_action="raise")
    except (FormulaicError, ValueError, TypeError, NameError) as exc:
        raise FormulaError(f"cannot evaluate the response {str(lhs)!r}: {_clean(exc)}") from None
    values = pd.DataFrame(values)
    if _INTERCEPT in values.columns:
        values = values.drop(columns=_INTERCEPT)
    if values.shape[1] != 1:
        raise FormulaError(
            f"the response {str(lhs)!r} must be one column of class labels, "
            f"got {values.shape[1]} columns {_listing(values.columns)}"
        )
    return values.iloc[:, 0].to_numpy()


def _drop_missing(frame: Any, used: list[str], missing: str) -> Any:
    holes = frame[used].isna()
    rows = holes.any(axis=1).to_numpy()
    if not rows.any():
        return frame
    if missing == "raise":
        where = [c for c in used if bool(holes[c].any())]
        positions = np.flatnonzero(rows) + 1
        raise FormulaError(
            f"missing values in {int(rows.sum())} rows (rows {_listing(positions.tolist())}; "
            f"columns {_listing(where)}); pass missing='drop' to leave those rows out"
        )
    kept = frame.loc[~rows]
    if len(kept) == 0:
        raise FormulaError(f"every row has a missing value in {_listing(used)}")
    return kept


def parse(formula: str) -> Any:
    """Parse ``formula`` ("response ~ terms") with formulaic; FormulaError if it is not one."""
    if not isinstance(formula, str) or not formula.strip():
        raise FormulaError(
            f"formula must be a non-empty string like 'y ~ x1 + x2', got {formula!r}"
        )
    try:
        parsed = Formula(formula)
    except (FormulaicError, ValueError, SyntaxError) as exc:
        raise FormulaError(f"cannot parse the formula {formula!r}: {_clean(exc)}") from None
    if not hasattr(parsed, "lhs") or not len(parsed.lhs):
        raise FormulaError(
            f"the formula {formula!r} has no response: write it as 'y ~ x1 + x2', "
            "with the class column left of '~'"
        )
    return parsed


def design(
    formula: str, data: Any, *, missing: str = "drop"
) -> tuple[Any, Any, ModelSpec, bool]:
    """The pieces of a formula fit: design matrix, response, model spec, and whether to fit b.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"`` in formulaic's (Wilkinson / patsy) syntax.
    data : pandas DataFrame or mapping of column name to array
    missing : {"drop", "raise"}, default="drop"
        Rows with a missing value in a column the formula uses are left out
        (statsmodels' default) or are an error.

    Returns
    -------
    X : pandas DataFrame of shape (n_samples, n_features)
        Float64 design matrix without the intercept column.
    y : ndarray of shape (n_samples,)
        The response's values.
    model_spec : formulaic.ModelSpec
        Builds the same columns from new data.
    intercept : bool
        Whether the formula has an intercept.
    """
    if missing not in MISSING:
        raise FormulaError(f"missing must be one of {', '.join(MISSING)}, got {missing!r}")
    parsed = parse(formula)
    frame = _as_frame(data)
    required = sorted(str(v) for v in parsed.required_variables)
    _check_columns(formula, required, frame)
    frame = _drop_missing(frame, required, missing)
    y = _response(parsed, frame)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DataMismatchWarning)
            matrix = model_matrix(parsed.rhs, frame, na_action="raise")
    except (FormulaicError, ValueError, TypeError, NameError, DataMismatchWarning) as exc:
        raise FormulaError(
            f"cannot build the design matrix of {formula!r}: {_clean(exc)}"
        ) from None
    spec = matrix.model_spec
    intercept = _INTERCEPT in matrix.columns
    X = _finish(matrix, frame)
    if X.shape[1] == 0 and not intercept:
        raise FormulaError(f"the formula {formula!r} has no terms to fit")
    return X, y, spec, intercept


def logit(
    formula: str, data: Any, *, missing: str = "drop", **estimator_params: Any
) -> FormulaLogisticRegression:
    """Fit a logistic regression described by a formula.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"``, e.g. ``"y ~ x1 + C(g) + x1:x2"``. The response
        is a column of class labels (0/1, booleans, text; three or more classes
        give the multinomial model) or an expression such as ``I(score > 50)``.
        The intercept is fitted unless the formula drops it (``- 1`` or ``+ 0``).
    data : pandas DataFrame or mapping of column name to array
    missing : {"drop", "raise"}, default="drop"
        Rows with a missing value in a column the formula uses are dropped, as
        in statsmodels, or raise :class:`FormulaError`.
    **estimator_params
        Parameters of :class:`~logitlab.estimator.LogisticRegression`. ``C``
        defaults to ``inf`` (no penalty, maximum likelihood, as
        ``statsmodels.formula.api.logit``); ``fit_intercept`` comes from the formula.

    Returns
    -------
    FormulaLogisticRegression
        Fitted; ``summary()`` names its rows as the formula's columns.

    Raises
    ------
    FormulaError
        A formula that does not parse, an unknown column, a category not seen in
        the fit, missing values with ``missing="raise"``.
    """
    X, y, spec, intercept = design(formula, data, missing=missing)
    if "fit_intercept" in estimator_params and bool(estimator_params["fit_intercept"]) != intercept:
        raise FormulaError(
            "the formula decides the intercept: leave out fit_intercept, and write "
            "'y ~ x - 1' (or '+ 0') for a model without one"
        )
    params = {"C": math.inf, **estimator_params, "fit_intercept": intercept}
    model = FormulaLogisticRegression(**params)
    model.fit(X, y)
    model.formula_ = formula
    model.model_spec_ = spec
    model.response_ = str(parse(formula).lhs)
    return model
