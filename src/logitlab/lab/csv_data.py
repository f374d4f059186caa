"""The user's own data in the Lab: CSV upload, a store of uploaded points, ``fit --lab``.

How CSV data reach a session
----------------------------
1. The page POSTs the file's bytes to ``/api/csv``; the answer is
   ``{"summary": CsvSummary}`` (columns, which are numeric, the number of rows),
   or ``{"error": "what is wrong and what is needed"}`` (HTTP 200: the request was
   fine, the file is not), or HTTP 413 over :data:`~logitlab.lab.protocol.MAX_CSV_BYTES`.
2. The user picks the x and y feature columns and the target; the page POSTs the
   file again with ``?x=…&y=…&target=…`` (and optionally ``positive=`` — the
   target value that becomes class 1). The file is read by
   :func:`logitlab.tabular.read_csv` (the reader of ``logitlab fit``, with its
   one-line errors), checked for what the Lab needs (exactly two classes, at most
   :data:`~logitlab.lab.protocol.MAX_POINTS` rows, coordinates within
   ±:data:`~logitlab.lab.protocol.COORD_LIMIT`), put in the :class:`DataStore`
   and returned in full: ``{"data": CustomData, "message": "which value is class 1"}``
   (or ``{"error": …}``).
3. The page keeps the full data (browser storage, keyed by the hash) and sends
   ``load_csv`` over the WebSocket with the *stub* (hash and names only).

The points never travel through the WebSocket, so its 1 MiB message limit does
not bound them. A reload or an imported JSON file POSTs the full data to
``/api/data`` (which answers with the stub) before ``hello`` / ``import_state``;
``GET /api/data/{hash}`` gives them back (a link opened by ``logitlab fit --lab``).

Decisions the issue left open, recorded here:

- **Class 0 and 1.** The target's two values sorted (numbers by value, text
  alphabetically): the first is class 0, the second class 1, unless ``positive``
  names the value that should be class 1.
- **Too many rows** (more than :data:`~logitlab.lab.protocol.MAX_POINTS`) are
  refused with a message, not silently cut.
- **The URL never holds the points**, however few: it carries the hash
  (``#csv=…``), the browser's storage and the JSON export carry the points. One
  path for every size keeps links short and the rule simple.
- **The view** of custom data is the box around the points with a margin on
  each side, each axis on its own scale (columns often differ in units).
- **The store** is per process, holds at most :data:`MAX_STORED_POINTS` points
  (least recently used data are dropped first; data pinned by ``fit --lab`` stay).
  A session copies the points it uses, so dropping data never breaks an open Lab.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
import numpy as np
import pydantic
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from logitlab.core.types import FloatArray
from logitlab.lab.csv_limits import column_problem
from logitlab.lab.protocol import (
    COORD_LIMIT,
    MAX_CSV_BYTES,
    MAX_POINTS,
    CustomData,
    DataSpec,
    LabState,
    View,
    describe_validation_error,
)
from logitlab.lab.store import DiskStore

__all__ = [
    "MAX_DATA_JSON_BYTES",
    "MAX_STORED_POINTS",
    "STORE",
    "CsvColumn",
    "CsvSummary",
    "DataStore",
    "LabLaunch",
    "content_hash",
    "custom_from_labels",
    "data_view",
    "prepare_lab",
    "read_custom_csv",
    "router",
    "summarize_csv",
]

MAX_DATA_JSON_BYTES = 2 * MAX_CSV_BYTES
"""Largest body of ``POST /api/data``: the points of a CSV file as JSON text (written by
the browser with the shortest round-trip numbers, about the size of the CSV's columns)."""
MAX_STORED_POINTS = 2_000_000
"""Points the process-wide :data:`STORE` keeps at most (about 34 MB)."""
MAX_VALUES = 12
"""A column with at most this many distinct values lists them in the summary."""
LARGE_FEATURE = 10.0
"""Feature values beyond this size make the load message advise a small η or Newton."""
VIEW_MARGIN = 0.08
"""Share of the data's range added on each side of the view of custom data."""


class CsvError(ValueError):
    """CSV data the Lab cannot use; ``str(error)`` says what is wrong and what is needed."""


# ----------------------------------------------------------------- summary


class CsvColumn(BaseModel):
    """One column of an uploaded CSV file."""

    name: str
    numeric: bool
    """True when every present value is a number (a possible feature column)."""
    n_missing: int
    n_distinct: int
    values: list[str] | None
    """The distinct values (sorted) when there are at most :data:`MAX_VALUES`."""


class CsvSummary(BaseModel):
    """What ``POST /api/csv`` answers before the columns are chosen."""

    source: str
    n_rows: int
    columns: list[CsvColumn]
    max_points: int = MAX_POINTS


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def _label_text(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def summarize_csv(path: str | os.PathLike[str], source: str) -> CsvSummary:
    """The columns of the CSV file at ``path`` (named ``source`` in messages).

    Raises
    ------
    CsvError
        Empty file, no data rows, not UTF-8 text, or a line pandas cannot parse.
    """
    import pandas as pd  # type: ignore[import-untyped]
    from pandas.api.types import is_bool_dtype, is_numeric_dtype  # type: ignore[import-untyped]

    try:
        frame = pd.read_csv(path)
    except pd.errors.EmptyDataError:
        raise CsvError(f"{source} is empty: expected a header line and data rows") from None
    except UnicodeDecodeError:
        raise CsvError(f"{source} is not a UTF-8 text file") from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        raise CsvError(f"cannot read {source}: {_one_line(exc)}") from None
    if len(frame) == 0:
        raise CsvError(f"{source} has a header but no data rows")
    columns = []
    for name in frame.columns:
        column = frame[name]
        present = column.dropna()
        numeric = bool(is_numeric_dtype(column.dtype) or is_bool_dtype(column.dtype))
        if not numeric and len(present):
            numeric = bool(pd.to_numeric(present, errors="coerce").notna().all())
        distinct = present.unique()
        values = None
        if len(distinct) <= MAX_VALUES:
            ordered = sorted(distinct, key=lambda v: (isinstance(v, str), v))
            values = [_label_text(v) for v in ordered]
        columns.append(
            CsvColumn(
                name=str(name),
                numeric=numeric,
                n_missing=int(column.isna().sum()),
                n_distinct=len(distinct),
                values=values,
            )
        )
    return CsvSummary(source=source, n_rows=len(frame), columns=columns)


# ----------------------------------------------------------------- points


def content_hash(
    X: FloatArray,
    cls: FloatArray,
    names: Sequence[str],
) -> str:
    """32 hex digits of SHA-256 over the points (float64), the labels and the names.

    Parameters
    ----------
    X : ndarray of shape (n_points, 2)
    cls : ndarray of shape (n_points,)
        Labels 0 / 1.
    names : sequence of str
        Source, x, y and target names, then the two class names.
    """
    digest = hashlib.sha256()
    digest.update(json.dumps(list(names), ensure_ascii=False).encode("utf-8"))
    digest.update(b"\0")
    digest.update(np.ascontiguousarray(X[:, 0], dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(X[:, 1], dtype="<f8").tobytes())
    digest.update(np.ascontiguousarray(cls, dtype=np.uint8).tobytes())
    return digest.hexdigest()[:32]


def _names(data: CustomData) -> tuple[str, ...]:
    return (data.source, data.x_name, data.y_name, data.target_name, *data.class_names)


def custom_from_labels(
    X: FloatArray,
    labels: Any,
    *,
    source: str,
    x_name: str,
    y_name: str,
    target_name: str,
    positive: str | None = None,
) -> CustomData:
    """Full :class:`CustomData` from two feature columns and a two-valued target.

    Parameters
    ----------
    X : ndarray of shape (n_points, 2)
        The x and y feature values.
    labels : array-like of shape (n_points,)
        The target's values (numbers, booleans or text).
    source, x_name, y_name, target_name : str
        Names shown in the Lab.
    positive : str, optional
        The target value (as text) that becomes class 1; default the larger of the two.

    Raises
    ------
    CsvError
        Not exactly two classes, too many points, or a coordinate out of range.
    """
    y = np.asarray(labels)
    text = np.array([_label_text(v) for v in y], dtype=object) if y.size else y.astype(object)
    kinds = np.unique(y.astype(str)) if y.dtype == object else np.unique(y)
    classes = [_label_text(v) for v in kinds]
    if len(classes) != 2:
        shown = ", ".join(repr(c) for c in classes[:MAX_VALUES])
        more = f", … ({len(classes) - MAX_VALUES} more)" if len(classes) > MAX_VALUES else ""
        raise CsvError(
            f"target column {target_name!r} has {len(classes)} classes ({shown}{more}); the Lab "
            "shows two classes: choose a target with exactly two values (for more classes "
            "use `logitlab fit`, which fits a multinomial model)"
        )
    if positive is not None:
        if positive not in classes:
            raise CsvError(
                f"class 1 must be one of the target's values {classes[0]!r} or {classes[1]!r}, "
                f"got {positive!r}"
            )
        if positive == classes[0]:
            classes.reverse()
    n = X.shape[0]
    if n > MAX_POINTS:
        raise CsvError(
            f"{source} has {n:,} rows; the Lab holds at most {MAX_POINTS:,} points: "
            "take a sample of the rows first (logitlab fit reads any number)"
        )
    for j, name in enumerate((x_name, y_name)):
        worst = float(np.max(np.abs(X[:, j]))) if n else 0.0
        if not worst <= COORD_LIMIT:
            raise CsvError(
                f"feature column {name!r} holds values up to {worst:.6g} in size; the Lab "
                f"draws values within ±{COORD_LIMIT:,.0f}: rescale the column first"
            )
    cls = (text == classes[1]).astype(np.uint8)
    names = (source, x_name, y_name, target_name, classes[0], classes[1])
    return CustomData.model_validate(
        {
            "hash": content_hash(X, cls, names),
            "source": source,
            "x_name": x_name,
            "y_name": y_name,
            "target_name": target_name,
            "class_names": [classes[0], classes[1]],
            "n_points": n,
            "x": X[:, 0].tolist(),
            "y": X[:, 1].tolist(),
            "cls": cls.tolist(),
        }
    )


def read_custom_csv(
    path: str | os.PathLike[str],
    *,
    x: str,
    y: str,
    target: str,
    source: str | None = None,
    positive: str | None = None,
) -> CustomData:
    """Read two feature columns and a binary target with ``logitlab fit``'s reader.

    Raises
    ------
    logitlab.tabular.DataError
        What :func:`logitlab.tabular.read_csv` refuses (unknown column, non-numeric
        or missing values, one class only), with the file named ``source``.
    CsvError
        What the Lab cannot show (see :func:`custom_from_labels`).
    """
    from logitlab.tabular import DataError, read_csv

    name = os.path.basename(os.fspath(path)) if source is None else source
    try:
        data = read_csv(path, target, [x, y])
    except DataError as exc:
        raise DataError(str(exc).replace(os.fspath(path), name)) from None
    return custom_from_labels(
        data.X, data.y, source=name, x_name=x, y_name=y, target_name=target, positive=positive
    )


def data_view(X: FloatArray, within: View | None = None) -> View:
    """The box around the points, :data:`VIEW_MARGIN` of each range added on each side.

    A range of zero width (one point, or all on a line) gets ±1 around its value.
    With ``within``, that view is returned unchanged while every point lies inside
    it, and otherwise widened just enough (so a drag inside it never moves the axes).
    """
    if within is not None:
        inside = np.all((X[:, 0] >= within.xmin) & (X[:, 0] <= within.xmax)) and np.all(
            (X[:, 1] >= within.ymin) & (X[:, 1] <= within.ymax)
        )
        if inside:
            return within
        box = data_view(X)
        return View(
            xmin=min(within.xmin, box.xmin),
            xmax=max(within.xmax, box.xmax),
            ymin=min(within.ymin, box.ymin),
            ymax=max(within.ymax, box.ymax),
        )
    limits = []
    for j in range(2):
        lo, hi = float(np.min(X[:, j])), float(np.max(X[:, j]))
        pad = (hi - lo) * VIEW_MARGIN if hi > lo else max(1.0, abs(lo) * VIEW_MARGIN)
        limits.append((lo - pad, hi + pad))
    (xmin, xmax), (ymin, ymax) = limits
    return View(xmin=xmin, xmax=xmax, ymin=ymin, ymax=ymax)


# ----------------------------------------------------------------- store


@dataclass(frozen=True)
class _Entry:
    stub: CustomData
    X: FloatArray
    cls: FloatArray


class DataStore:
    """Uploaded points by content hash (process-wide, bounded; see the module notes)."""

    def __init__(
        self, max_points: int = MAX_STORED_POINTS, backing: DiskStore | None = None
    ) -> None:
        self.max_points = max_points
        self.backing = backing
        """Where data also go, and are looked up when not in memory (:mod:`.store`)."""
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._pinned: set[str] = set()
        self._lock = threading.Lock()

    def put(self, data: CustomData, *, pin: bool = False) -> CustomData:
        """Keep full ``data``; return its stub (the hash is recomputed from the content)."""
        if data.x is None or data.y is None or data.cls is None:
            raise ValueError("DataStore.put needs the points, not a stub")
        X = np.column_stack([np.asarray(data.x, dtype=np.float64), np.asarray(data.y)])
        X = X.reshape(-1, 2)
        cls = np.asarray(data.cls, dtype=np.float64)
        digest = content_hash(X, cls, _names(data))
        stub = data.model_copy(update={"hash": digest, "x": None, "y": None, "cls": None})
        with self._lock:
            self._entries[digest] = _Entry(stub, X, cls)
            self._entries.move_to_end(digest)
            if pin:
                self._pinned.add(digest)
            self._shrink()
        if self.backing is not None:
            self.backing.write(stub, X, cls)
        return stub

    def _shrink(self) -> None:
        total = sum(e.X.shape[0] for e in self._entries.values())
        for digest in list(self._entries):
            if total <= self.max_points:
                break
            if digest in self._pinned or digest == next(reversed(self._entries)):
                continue
            total -= self._entries.pop(digest).X.shape[0]

    def points(self, digest: str) -> tuple[CustomData, FloatArray, FloatArray] | None:
        """(stub, X of shape (n, 2), labels of shape (n,)) for ``digest``, or None; copies."""
        with self._lock:
            entry = self._entries.get(digest)
            if entry is not None:
                self._entries.move_to_end(digest)
        if entry is None:
            loaded = self.backing.read(digest) if self.backing is not None else None
            if loaded is None:
                return None
            entry = _Entry(*loaded)
            with self._lock:
                self._entries[digest] = entry
                self._shrink()
        return entry.stub, entry.X.copy(), entry.cls.copy()

    def full(self, digest: str) -> CustomData | None:
        """The full data (points included) for ``digest``, or None."""
        found = self.points(digest)
        if found is None:
            return None
        stub, X, cls = found
        return stub.model_copy(
            update={"x": X[:, 0].tolist(), "y": X[:, 1].tolist(), "cls": cls.astype(int).tolist()}
        )

    def __contains__(self, digest: object) -> bool:
        with self._lock:
            if digest in self._entries:
                return True
        on_disk = isinstance(digest, str) and self.backing is not None
        return on_disk and self.points(str(digest)) is not None


STORE = DataStore(backing=DiskStore())
"""The store the server's routes and every :class:`~logitlab.lab.session.LabSession` use
(on disk too, in the user's data directory: :mod:`logitlab.lab.store`)."""


# ----------------------------------------------------------------- HTTP routes

router = APIRouter()


async def _read_body(request: Request, limit: int, what: str) -> bytes:
    too_large = f"{what} too large: at most {limit:,} bytes are accepted"
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise HTTPException(status_code=413, detail=too_large)
    chunks: list[bytes] = []
    total = 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            raise HTTPException(status_code=413, detail=too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def _short_name(name: str | None) -> str:
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    return base[:200] if base else "the uploaded file"


def _handle_csv(body: bytes, source: str, choice: dict[str, str | None]) -> dict[str, Any]:
    from logitlab.tabular import DataError

    if not body.strip():
        raise CsvError(f"{source} is empty: expected a header line and data rows")
    too_wide = column_problem(body, source)
    if too_wide is not None:
        raise CsvError(too_wide)
    fd, tmp = tempfile.mkstemp(prefix="logitlab-", suffix=".csv")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
        if choice["x"] is None and choice["y"] is None and choice["target"] is None:
            return {"summary": summarize_csv(tmp, source).model_dump()}
        missing = [k for k in ("x", "y", "target") if not choice[k]]
        if missing:
            raise CsvError(
                f"choose the x and y feature columns and the target column (missing: "
                f"{', '.join(missing)})"
            )
        x, y, target = str(choice["x"]), str(choice["y"]), str(choice["target"])
        if x == y:
            raise CsvError(f"x and y are both {x!r}: choose two different feature columns")
        try:
            data = read_custom_csv(
                tmp, x=x, y=y, target=target, source=source, positive=choice["positive"]
            )
        except DataError as exc:
            raise CsvError(str(exc).replace(tmp, source)) from None
        stub = STORE.put(data)
        full = data.model_copy(update={"hash": stub.hash})
        c0, c1 = data.class_names
        message = (
            f"{data.n_points:,} points from {source}: x = {x}, y = {y}; "
            f"{target} = {c0!r} is class 0, {target} = {c1!r} is class 1. Weights start at 0."
        )
        reach = max(max(map(abs, data.x or [0.0])), max(map(abs, data.y or [0.0])))
        if reach > LARGE_FEATURE:
            message += (
                f" Values reach {reach:.3g}: plain gradient descent needs a small learning "
                "rate η here (or use Newton's method)."
            )
        return {"data": full.model_dump(), "message": message}
    finally:
        os.unlink(tmp)


@router.post("/api/csv")
async def upload_csv(
    request: Request,
    name: str | None = None,
    x: str | None = None,
    y: str | None = None,
    target: str | None = None,
    positive: str | None = None,
) -> Response:
    """The summary of the posted CSV file, or its points once x, y and target are chosen."""
    body = await _read_body(request, MAX_CSV_BYTES, "CSV file")
    source = _short_name(name)
    choice = {"x": x, "y": y, "target": target, "positive": positive}
    try:
        answer = await anyio.to_thread.run_sync(_handle_csv, body, source, choice)
    except CsvError as exc:
        # The request was fine; the file does not fit what was chosen. Answering 200 keeps
        # the browser's console free of "failed resource" noise for an ordinary user mistake.
        return JSONResponse({"error": str(exc)})
    return JSONResponse(answer)


@router.post("/api/data")
async def register_data(request: Request) -> Response:
    """Keep posted full :class:`CustomData` (a reload, an imported JSON file); answer the stub."""
    body = await _read_body(request, MAX_DATA_JSON_BYTES, "data")
    try:
        data = await anyio.to_thread.run_sync(CustomData.model_validate_json, body)
    except pydantic.ValidationError as exc:
        detail = describe_validation_error(exc).replace("invalid message", "invalid data")
        raise HTTPException(status_code=400, detail=detail) from None
    if not data.is_full:
        if data.hash not in STORE:
            raise HTTPException(status_code=404, detail=_unknown(data.hash))
        found = STORE.points(data.hash)
        assert found is not None
        return JSONResponse(found[0].model_dump())
    return JSONResponse(STORE.put(data).model_dump())


@router.get("/api/data/{digest}")
def get_data(digest: str, if_stored: bool = False) -> Response:
    """The full data with this hash (404 when the server does not have them; with
    ``?if_stored=1``, 200 and ``{"stored": false, "detail": …}``: the page asks so, and
    a link whose data are gone leaves no failed request in the browser's console)."""
    full = STORE.full(digest) if len(digest) == 32 else None
    if full is None and if_stored:
        return JSONResponse({"stored": False, "detail": _unknown(digest)})
    if full is None:
        raise HTTPException(status_code=404, detail=_unknown(digest))
    return JSONResponse(full.model_dump())


def _unknown(digest: str) -> str:
    return (
        f"the server does not have the CSV data {digest[:32]!r}: load the CSV file or the "
        "exported JSON again"
    )


# ----------------------------------------------------------------- logitlab fit --lab


@dataclass(frozen=True)
class LabLaunch:
    """What ``logitlab fit --lab`` opens: the data's stub and the page address."""

    data: CustomData
    state: LabState
    path: str
    """The page to open, relative to the server (``/#csv=HASH``)."""


def prepare_lab(
    path: str | os.PathLike[str],
    target: str,
    features: Sequence[str] | None,
    *,
    store: DataStore | None = None,
) -> LabLaunch:
    """Read ``path`` for the Lab and keep its points (pinned) in ``store``.

    ``features`` must name exactly two columns, or be None when the file has
    exactly two columns besides the target.

    Raises
    ------
    logitlab.tabular.DataError
        What ``logitlab fit`` refuses as well, or what the Lab needs that the data lack.
    """
    from logitlab.tabular import DataError, read_csv

    store = STORE if store is None else store
    if features is None:
        header = read_csv_header(path)
        if target not in header:
            read_csv(path, target, None)  # raises the reader's unknown-column message
        features = [c for c in header if c != target]
    if len(features) != 2:
        named = ", ".join(repr(f) for f in features[:MAX_VALUES])
        raise DataError(
            f"the Lab shows two features on its x and y axes, got {len(features)} ({named}); "
            "choose two with --features A B"
        )
    try:
        data = read_custom_csv(path, x=features[0], y=features[1], target=target)
    except CsvError as exc:
        raise DataError(str(exc)) from None
    stub = store.put(data, pin=True)
    state = LabState(data=DataSpec(custom=stub))
    return LabLaunch(data=stub, state=state, path=f"/#csv={stub.hash}")


def read_csv_header(path: str | os.PathLike[str]) -> list[str]:
    """The column names of a CSV file (errors as :func:`logitlab.tabular.read_csv` gives them)."""
    import pandas as pd

    from logitlab.tabular import DataError

    try:
        return [str(c) for c in pd.read_csv(path, nrows=0).columns]
    except FileNotFoundError:
        raise DataError(f"file not found: {os.fspath(path)}") from None
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError):
        from logitlab.tabular import read_csv

        read_csv(path, "", None)  # raises the reader's one-line message
        raise
