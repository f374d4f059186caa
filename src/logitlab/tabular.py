"""Reading a CSV file into a checked feature matrix and target (for ``logitlab fit``).

pandas does the parsing; this module decides which columns are used and turns
every problem with the file into a :class:`DataError` whose message is one line
saying what is wrong, where, and what is expected.

Rows are numbered as a spreadsheet shows them: data row 1 is the first line
after the header, which is line 2 of the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd  # type: ignore[import-untyped]
from pandas.api.types import (  # type: ignore[import-untyped]
    is_bool_dtype,
    is_float_dtype,
    is_numeric_dtype,
)

from logitlab.core.types import FloatArray

__all__ = ["DataError", "Dataset", "read_csv"]

CHUNK_ROWS = 100_000
"""Rows parsed per chunk; progress is reported after each chunk."""

MAX_CLASSES = 50
"""A target with more distinct values than this is taken for a wrong column."""

MAX_LISTED = 10
"""At most this many rows or values are named in one message."""


class DataError(ValueError):
    """The data cannot be used as given; ``str(error)`` is a one-line explanation."""


@dataclass(frozen=True)
class Dataset:
    """Features and target read from a file.

    Attributes
    ----------
    X : ndarray of shape (n_samples, n_features)
        Float64 features.
    y : ndarray of shape (n_samples,)
        Target labels as read (numbers or strings).
    feature_names : tuple of str of length n_features
    target : str
        Name of the target column.
    source : str
        The file the data came from.
    """

    X: FloatArray
    y: npt.NDArray[Any]
    feature_names: tuple[str, ...]
    target: str
    source: str

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])


def _listing(items: Sequence[object]) -> str:
    shown = ", ".join(str(i) for i in items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += f", … ({len(items) - MAX_LISTED} more)"
    return shown


def _read_header(path: str) -> list[str]:

    if not os.path.exists(path):
        raise DataError(f"file not found: {path}")
    if os.path.isdir(path):
        raise DataError(f"{path} is a directory, not a CSV file")
    try:
        header = pd.read_csv(path, nrows=0)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty: expected a header line and data rows") from None
    except UnicodeDecodeError:
        raise DataError(f"{path} is not a UTF-8 text file") from None
    except (pd.errors.ParserError, OSError) as exc:
        raise DataError(f"cannot read {path}: {_one_line(exc)}") from None
    return [str(c) for c in header.columns]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _choose_columns(
    path: str, columns: list[str], target: str, features: Sequence[str] | None
) -> list[str]:
    available = f"available columns: {_listing([repr(c) for c in columns])}"
    if len(columns) == 1 and any(sep in columns[0] for sep in ";\t|"):
        available += " (logitlab fit reads comma-separated files)"
    if target not in columns:
        raise DataError(f"unknown target column {target!r} in {path}; {available}")
    if features is None:
        chosen = [c for c in columns if c != target]
        if not chosen:
            raise DataError(f"{path} has no columns besides the target {target!r}")
        return chosen
    unknown = [f for f in features if f not in columns]
    if unknown:
        noun = "column" if len(unknown) == 1 else "columns"
        raise DataError(f"unknown {noun} {_listing([repr(u) for u in unknown])}; {available}")
    if target in features:
        raise DataError(f"the target column {target!r} cannot also be a feature")
    repeated = sorted({f for f in features if list(features).count(f) > 1})
    if repeated:
        raise DataError(f"feature {_listing([repr(r) for r in repeated])} is listed twice")
    return list(features)


def read_csv(
    path: str | os.PathLike[str],
    target: str,
    features: Sequence[str] | None = None,
    *,
    progress: Callable[[float], None] | None = None,
) -> Dataset:
    """Read ``path`` and check it can be used for a logistic regression.

    Parameters
    ----------
    path : str or path-like
        A CSV file with a header line.
    target : str
        Name of the column holding the class labels (numbers or strings).
    features : sequence of str, optional
        Feature columns, in this order; default every column except the target.
    progress : callable, optional
        Called with the fraction of the file read so far (0 to 1) after each chunk.

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Missing or empty file, unknown column, non-numeric feature value,
        missing value, or a target with fewer than two classes.
    """

    source = os.fspath(path)
    columns = _read_header(source)
    feature_names = _choose_columns(source, columns, target, features)
    used = [*feature_names, target]

    size = max(os.path.getsize(source), 1)
    chunks: list[pd.DataFrame] = []
    try:
        with open(source, "rb") as handle:
            # All columns are parsed (no usecols) so that a row with too many fields is an
            # error instead of being silently cut to the chosen columns.
            reader = pd.read_csv(handle, chunksize=CHUNK_ROWS)
            for chunk in reader:
                chunks.append(chunk)
                if progress is not None:
                    progress(min(handle.tell() / size, 1.0))
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise DataError(f"cannot read {source}: {_one_line(exc)}") from None
    if not chunks or sum(len(c) for c in chunks) == 0:
        raise DataError(f"{source} has a header but no data rows")
    frame = pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]
    frame = frame[used]

    X = _numeric_features(frame, feature_names)
    _check_missing(frame, used)
    y = _labels(frame[target], target)
    return Dataset(X=X, y=y, feature_names=tuple(feature_names), target=target, source=source)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _labels(column: Any, target: str) -> npt.NDArray[Any]:
    """Class labels of the target column: integers, booleans or strings; two classes at least."""
    y = column.to_numpy()
    if is_float_dtype(column.dtype):
        fractional = np.flatnonzero(y != np.round(y))
        if fractional.size:
            row = int(fractional[0])
            raise DataError(
                f"target column {target!r} holds the non-integer number {float(y[row])!r} "
                f"at data row {row + 1} (line {row + 2}); class labels must be integers or text"
            )
    classes = np.unique(y.astype(str)) if y.dtype == object else np.unique(y)
    if len(classes) < 2:
        raise DataError(
            f"target column {target!r} has only one class ({_plain(classes[0])!r}); "
            "logistic regression needs at least two"
        )
    if len(classes) > MAX_CLASSES:
        raise DataError(
            f"target column {target!r} has {len(classes)} distinct values; logitlab fit "
            f"handles at most {MAX_CLASSES} classes (is {target!r} the class column?)"
        )
    return np.asarray(y)


def _numeric_features(frame: Any, feature_names: list[str]) -> FloatArray:

    X = np.empty((len(frame), len(feature_names)), dtype=np.float64)
    for j, name in enumerate(feature_names):
        column = frame[name]
        if is_numeric_dtype(column.dtype) or is_bool_dtype(column.dtype):
            X[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
            continue
        numbers = pd.to_numeric(column, errors="coerce")
        bad = np.flatnonzero(numbers.isna().to_numpy() & column.notna().to_numpy())
        if bad.size:
            row = int(bad[0])
            more = f" ({bad.size - 1} more rows like it)" if bad.size > 1 else ""
            raise DataError(
                f"non-numeric value {column.iloc[row]!r} in feature column {name!r} "
                f"at data row {row + 1} (line {row + 2}){more}; features must be numbers"
            )
        X[:, j] = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    infinite = np.isinf(X)
    if infinite.any():
        row, j = (int(v[0]) for v in np.nonzero(infinite))
        raise DataError(
            f"infinite value {X[row, j]} in feature column {feature_names[j]!r} at data row "
            f"{row + 1} (line {row + 2}); features must be finite numbers"
        )
    return X


def _check_missing(frame: Any, used: list[str]) -> None:
    missing = frame[used].isna()
    rows = np.flatnonzero(missing.any(axis=1).to_numpy())
    if rows.size == 0:
        return
    where = [c for c in used if bool(missing[c].any())]
    noun = "row" if rows.size == 1 else "rows"
    raise DataError(
        f"missing values in {rows.size} {noun} (data {noun} {_listing(list(rows + 1))}; "
        f"columns {_listing([repr(c) for c in where])}); drop or fill them first"
    )
