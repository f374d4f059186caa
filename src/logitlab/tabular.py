"""Reading a CSV file into a checked feature matrix and target (for ``logitlab fit``).

pandas does the parsing; this module decides which columns are used and turns
every problem with the file into a :class:`DataError` whose message is one line
saying what is wrong, where, and what is expected.

Rows are numbered as a spreadsheet shows them: data row 1 is the first line
after the header, which is line 2 of the file.

What ``logitlab fit`` adds to a plain ``pandas.read_csv``:

- the separator is detected (:func:`detect_separator`, :class:`csv.Sniffer` on
  the first lines, among ``, ; tab |``) unless it is given;
- the text encoding is given by name (UTF-8 by default, a BOM is skipped);
- with ``categorical=True``, a feature column of text becomes treatment-coded
  dummies ``name[T.level]``, the first level in sorted order being the
  reference, as ``C(name)`` codes it in a formula; a column mixing numbers and
  words stays an error (a typo is likelier than a category named "12");
- with ``dropna=True``, rows with a missing value in a used column are left out
  (and counted) instead of being an error.
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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

__all__ = [
    "DataError",
    "Dataset",
    "check_encoding",
    "check_labels",
    "check_separator",
    "check_text",
    "columns_hint",
    "detect_separator",
    "drop_missing",
    "read_csv",
    "read_frame",
]

CHUNK_ROWS = 100_000
"""Rows parsed per chunk; progress is reported after each chunk."""

MAX_CLASSES = 50
"""A target with more distinct values than this is taken for a wrong column."""

MAX_LISTED = 10
"""At most this many rows or values are named in one message."""

MAX_LEVELS = 100
"""A text feature with more distinct values than this is taken for an identifier."""

SEPARATORS = ",;\t|"
"""The separators :func:`detect_separator` chooses from."""

SNIFF_CHARS = 64_000
"""How much of the file the separator is detected on."""


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
    columns : tuple of str
        The file's columns the features were made of (``feature_names`` before
        text columns were expanded into dummies).
    levels : dict of str to tuple of str
        For each text column made categorical, its levels in sorted order; the
        first is the reference level and has no dummy column.
    n_dropped : int
        Rows left out for a missing value (``dropna=True``).
    sep : str
        The separator the file was read with.
    encoding : str
        The text encoding the file was read with.
    """

    X: FloatArray
    y: npt.NDArray[Any]
    feature_names: tuple[str, ...]
    target: str
    source: str
    columns: tuple[str, ...] = ()
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    n_dropped: int = 0
    sep: str = ","
    encoding: str = "utf-8"

    @property
    def n_samples(self) -> int:
        return int(self.X.shape[0])


def _listing(items: Sequence[object]) -> str:
    shown = ", ".join(str(i) for i in items[:MAX_LISTED])
    if len(items) > MAX_LISTED:
        shown += f", … ({len(items) - MAX_LISTED} more)"
    return shown


def _check_file(path: str) -> None:
    if not os.path.exists(path):
        raise DataError(f"file not found: {path}")
    if os.path.isdir(path):
        raise DataError(f"{path} is a directory, not a CSV file")


def check_encoding(encoding: str) -> str:
    """``encoding`` itself when Python knows the codec; DataError for a name it does not."""
    try:
        codecs.lookup(encoding)
        return encoding
    except LookupError:
        raise DataError(
            f"unknown encoding {encoding!r}; give a Python codec name such as utf-8, "
            "latin-1, cp1252 or utf-16"
        ) from None


def check_separator(sep: str) -> str:
    """One character; ``"tab"`` and ``"\\t"`` mean a tab. DataError otherwise."""
    value = {"tab": "\t", "\\t": "\t", "\t": "\t"}.get(sep, sep)
    if len(value) != 1 or value in "\"\r\n" or value.isalnum():
        raise DataError(
            f"the separator must be one character other than a letter, digit or quote "
            f"(such as , ; | or tab), got {sep!r}"
        )
    return value


def _decode_error(path: str, encoding: str) -> DataError:
    encoding = encoding.removesuffix("-sig")
    return DataError(
        f"{path} is not {encoding} text; give its encoding, e.g. --encoding latin-1 "
        "(or cp1252, utf-16)"
    )


def detect_separator(path: str, encoding: str = "utf-8") -> str:
    """The separator of a CSV file, among :data:`SEPARATORS`: ``","`` when none stands out.

    Parameters
    ----------
    path : str
    encoding : str, default="utf-8"

    Returns
    -------
    str
        One character.
    """
    _check_file(path)
    try:
        with open(path, encoding=encoding, newline="") as handle:
            sample = handle.read(SNIFF_CHARS)
    except UnicodeDecodeError:
        raise _decode_error(path, encoding) from None
    if len(sample) == SNIFF_CHARS and "\n" in sample:
        sample = sample[: sample.rindex("\n") + 1]  # whole lines only
    try:
        return csv.Sniffer().sniff(sample, delimiters=SEPARATORS).delimiter
    except csv.Error:  # one column, or no separator stands out
        return ","


def _read_header(path: str, sep: str = ",", encoding: str = "utf-8") -> list[str]:
    _check_file(path)
    try:
        header = pd.read_csv(path, nrows=0, sep=sep, encoding=encoding)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path} is empty: expected a header line and data rows") from None
    except UnicodeDecodeError:
        raise _decode_error(path, encoding) from None
    except (pd.errors.ParserError, OSError) as exc:
        raise DataError(f"cannot read {path}: {_one_line(exc)}") from None
    return [str(c) for c in header.columns]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def columns_hint(columns: list[str], sep: str = ",") -> str:
    """'available columns: ...', with a hint when the header looks split at the wrong separator."""
    available = f"available columns: {_listing([repr(c) for c in columns])}"
    others = [c for c in SEPARATORS if c != sep and len(columns) == 1 and c in columns[0]]
    if others:
        # Said without a flag: the Lab's CSV upload reads comma-separated files only.
        name = {",": "comma", "\t": "tab", ";": "semicolon", "|": "bar"}
        found = name.get(others[0], repr(others[0]))
        available += (
            f" (read as {name.get(sep, repr(sep))}-separated, but the header holds "
            f"{others[0]!r}: the file looks {found}-separated)"
        )
    return available


def _choose_columns(
    path: str, columns: list[str], target: str, features: Sequence[str] | None, sep: str = ","
) -> list[str]:
    available = columns_hint(columns, sep)
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


def _check_decimal(decimal: str, sep: str) -> None:
    if decimal not in (".", ","):
        raise DataError(f"the decimal mark must be '.' or ',', got {decimal!r}")
    if decimal == sep:
        raise DataError(
            f"the decimal mark and the separator are both {sep!r}; files with decimal "
            "commas separate their fields with ';' (give --sep ';')"
        )


def _resolve(source: str, sep: str | None, encoding: str | None) -> tuple[str, str]:
    """The checked encoding and separator (detected when ``sep`` is None)."""
    codec = check_encoding("utf-8" if encoding is None else encoding)
    _check_file(source)
    if codecs.lookup(codec).name == "utf-8":
        codec = "utf-8-sig"  # the same, and a byte-order mark is not part of the first name
    chosen = detect_separator(source, codec) if sep is None else check_separator(sep)
    return chosen, codec


def _read_rows(
    source: str,
    sep: str,
    encoding: str,
    progress: Callable[[float], None] | None,
    decimal: str = ".",
) -> Any:
    size = max(os.path.getsize(source), 1)
    chunks: list[pd.DataFrame] = []
    try:
        with open(source, "rb") as handle:
            # All columns are parsed (no usecols) so that a row with too many fields is an
            # error instead of being silently cut to the chosen columns.
            reader = pd.read_csv(
                handle, chunksize=CHUNK_ROWS, sep=sep, encoding=encoding, decimal=decimal
            )
            for chunk in reader:
                chunks.append(chunk)
                if progress is not None:
                    progress(min(handle.tell() / size, 1.0))
    except UnicodeDecodeError:
        raise _decode_error(source, encoding) from None
    except pd.errors.ParserError as exc:
        raise DataError(
            f"cannot read {source}: {_one_line(exc)}; every row needs as many fields as "
            f"the header, separated by {sep!r} (set another with --sep; quote fields "
            'that contain it with ")'
        ) from None
    except ValueError as exc:
        raise DataError(f"cannot read {source}: {_one_line(exc)}") from None
    if not chunks or sum(len(c) for c in chunks) == 0:
        raise DataError(f"{source} has a header but no data rows")
    return pd.concat(chunks, ignore_index=True) if len(chunks) > 1 else chunks[0]


def read_frame(
    path: str | os.PathLike[str],
    *,
    sep: str | None = ",",
    encoding: str | None = None,
    decimal: str = ".",
    progress: Callable[[float], None] | None = None,
) -> tuple[Any, str, str]:
    """Read every column of a CSV file into a DataFrame, with one-line errors.

    Parameters
    ----------
    path : str or path-like
    sep : str or None, default=","
        One character; None detects it (:func:`detect_separator`).
    encoding : str, optional
        A Python codec name; default UTF-8.
    decimal : {".", ","}, default="."
        The decimal mark of the numbers.
    progress : callable, optional
        Called with the fraction of the file read so far.

    Returns
    -------
    frame : pandas DataFrame
    sep : str
        The separator used.
    encoding : str
        The codec used.
    """
    source = os.fspath(path)
    chosen, codec = _resolve(source, sep, encoding)
    _check_decimal(decimal, chosen)
    _read_header(source, chosen, codec)
    frame = _read_rows(source, chosen, codec, progress, decimal)
    return frame, chosen, codec.removesuffix("-sig")


def drop_missing(frame: Any, used: Sequence[str], dropna: bool) -> tuple[Any, int]:
    """Leave out rows with a missing value in ``used`` (``dropna``), or raise DataError.

    Returns
    -------
    frame : pandas DataFrame
        Without those rows (index renumbered from 0).
    n_dropped : int
    """
    missing = frame[list(used)].isna()
    rows = np.flatnonzero(missing.any(axis=1).to_numpy())
    if rows.size == 0:
        return frame, 0
    if not dropna:
        where = [c for c in used if bool(missing[c].any())]
        noun = "row" if rows.size == 1 else "rows"
        raise DataError(
            f"missing values in {rows.size} {noun} (data {noun} {_listing(list(rows + 1))}; "
            f"columns {_listing([repr(c) for c in where])}); pass --dropna to leave them "
            "out, or fill them first"
        )
    if rows.size == len(frame):
        raise DataError(
            f"every row has a missing value in {_listing([repr(c) for c in used])}; "
            "nothing is left to fit"
        )
    kept = frame.drop(index=frame.index[rows]).reset_index(drop=True)
    return kept, int(rows.size)


def read_csv(
    path: str | os.PathLike[str],
    target: str,
    features: Sequence[str] | None = None,
    *,
    progress: Callable[[float], None] | None = None,
    sep: str | None = ",",
    encoding: str | None = None,
    decimal: str = ".",
    dropna: bool = False,
    categorical: bool = False,
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
    sep : str or None, default=","
        The separator (one character, or "tab"); None detects it.
    encoding : str, optional
        A Python codec name; default UTF-8.
    decimal : {".", ","}, default="."
        The decimal mark of the numbers.
    dropna : bool, default=False
        Leave out rows with a missing value in a used column (else an error).
    categorical : bool, default=False
        Code text feature columns as dummies with a reference level (else an error).

    Returns
    -------
    Dataset

    Raises
    ------
    DataError
        Missing or empty file, unknown column or encoding, a row with the wrong
        number of fields, non-numeric feature value, missing value, or a target
        with fewer than two classes.
    """

    source = os.fspath(path)
    chosen, codec = _resolve(source, sep, encoding)
    _check_decimal(decimal, chosen)
    columns = _read_header(source, chosen, codec)
    feature_names = _choose_columns(source, columns, target, features, chosen)
    used = [*feature_names, target]

    frame = _read_rows(source, chosen, codec, progress, decimal)[used]
    check_text(frame, feature_names, categorical)
    frame, n_dropped = drop_missing(frame, used, dropna)
    X, names, levels = _design(frame, feature_names)
    y = check_labels(frame[target], target)
    return Dataset(
        X=X,
        y=y,
        feature_names=tuple(names),
        target=target,
        source=source,
        columns=tuple(feature_names),
        levels=levels,
        n_dropped=n_dropped,
        sep=chosen,
        encoding=codec.removesuffix("-sig"),
    )


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def check_labels(column: Any, target: str) -> npt.NDArray[Any]:
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


def _is_text(column: Any) -> bool:
    return not (is_numeric_dtype(column.dtype) or is_bool_dtype(column.dtype))


def check_text(frame: Any, feature_names: Sequence[str], categorical: bool) -> None:
    """Text in a feature column: a category (``categorical``, no number in it) or an error."""
    for name in feature_names:
        column = frame[name]
        if not _is_text(column):
            continue
        present = column.notna().to_numpy()
        numbers = pd.to_numeric(column, errors="coerce").notna().to_numpy()
        bad = np.flatnonzero(present & ~numbers)
        if bad.size == 0:
            continue
        commas = pd.to_numeric(
            column.astype(str).str.replace(",", ".", n=1, regex=False), errors="coerce"
        )
        if categorical and bool(commas[present].notna().all()):  # logitlab fit's reading
            row = int(bad[0])
            raise DataError(
                f"feature column {name!r} holds numbers with a decimal comma "
                f"({column.iloc[row]!r} at data row {row + 1}); pass --decimal ',' to "
                "read them as numbers"
            )
        if categorical and not numbers.any():
            count = int(column.dropna().astype(str).nunique())
            if count < 2:
                raise DataError(
                    f"text column {name!r} holds one value only "
                    f"({column.dropna().iloc[0]!r}); leave it out of --features"
                )
            if count > MAX_LEVELS:
                raise DataError(
                    f"text column {name!r} has {count} distinct values; a categorical "
                    f"feature may have at most {MAX_LEVELS} (is it an identifier? leave it "
                    "out of --features)"
                )
            continue
        row = int(bad[0])
        more = f" ({bad.size - 1} more rows like it)" if bad.size > 1 else ""
        hint = (
            "; a column of numbers must hold numbers only (a column of words becomes "
            "categorical)"
            if categorical
            else "; features must be numbers"
        )
        raise DataError(
            f"non-numeric value {column.iloc[row]!r} in feature column {name!r} "
            f"at data row {row + 1} (line {row + 2}){more}{hint}"
        )


def _design(
    frame: Any, feature_names: Sequence[str]
) -> tuple[FloatArray, list[str], dict[str, tuple[str, ...]]]:
    """Float64 design matrix: numbers as they are, text as dummies ``name[T.level]``."""
    levels: dict[str, tuple[str, ...]] = {}
    for name in feature_names:
        if _is_text(frame[name]):
            levels[name] = tuple(sorted(frame[name].astype(str).unique()))
    names: list[str] = []
    for name in feature_names:
        if name in levels:
            names.extend(f"{name}[T.{level}]" for level in levels[name][1:])
        else:
            names.append(name)
    X = np.empty((len(frame), len(names)), dtype=np.float64)  # filled in place: one copy
    j = 0
    for name in feature_names:
        column = frame[name]
        if name not in levels:
            X[:, j] = column.to_numpy(dtype=np.float64, na_value=np.nan)
            j += 1
            continue
        text = column.astype(str).to_numpy()
        for level in levels[name][1:]:
            X[:, j] = text == level
            j += 1
    infinite = np.isinf(X)
    if infinite.any():
        row, j = (int(v[0]) for v in np.nonzero(infinite))
        raise DataError(
            f"infinite value {X[row, j]} in feature column {names[j]!r} at data row "
            f"{row + 1} (line {row + 2}); features must be finite numbers"
        )
    return X, names, levels
