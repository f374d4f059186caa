"""Uploaded datasets on disk: a SQLite file in the user's data directory (issue 12, item 9).

A link to CSV data names the points by their content hash (``#csv=HASH``). The
points used to live only in the server's memory, so after a restart the link
showed other data. :class:`DiskStore` is the backing of
:data:`logitlab.lab.csv_data.STORE`: every dataset put there is written to a
SQLite database (the standard library's :mod:`sqlite3`) too, and one missing in
memory is looked up there, so a restarted server, or another worker process of
the same server, still has it.

Where: ``$LOGITLAB_DATA_DIR/datasets.sqlite3`` when that variable is set,
else the platform's per-user data directory (``$XDG_DATA_HOME/logitlab`` or
``~/.local/share/logitlab`` on Linux, ``~/Library/Application Support/logitlab``
on macOS, ``%LOCALAPPDATA%\\logitlab`` on Windows). ``LOGITLAB_DATA_DIR=""``
(empty) keeps the store in memory only.

Bounded: at most :data:`MAX_STORE_BYTES` of points (``$LOGITLAB_DATA_MAX_BYTES``
overrides it); the least recently used datasets are dropped first. A dataset
is 17 bytes a point (two float64 coordinates, one byte of class).

Decisions the issue left open, recorded here:

- The database is opened on first use, not at import, so merely importing the
  Lab creates no file.
- Writes and reads are short transactions; several server processes share the
  file (WAL journal, a busy time-out of 5 s).
- A database that cannot be opened or written (read-only home, disk full, a
  corrupt file) does not stop the Lab: the store logs one warning and keeps
  working in memory, as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import sys
import threading
import time
from pathlib import Path

import numpy as np

from logitlab.core.types import FloatArray
from logitlab.lab.protocol import CustomData

MAX_STORE_BYTES = 256 << 20
"""Bytes of points the database keeps at most by default (about 15 million points)."""
DATA_DIR_ENV = "LOGITLAB_DATA_DIR"
MAX_BYTES_ENV = "LOGITLAB_DATA_MAX_BYTES"
FILE_NAME = "datasets.sqlite3"

_log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datasets (
    hash TEXT PRIMARY KEY,
    stub TEXT NOT NULL,
    xy BLOB NOT NULL,
    cls BLOB NOT NULL,
    bytes INTEGER NOT NULL,
    used REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS datasets_used ON datasets (used);
"""


def data_dir() -> Path | None:
    """The directory of the store's database (see the module notes); None = memory only."""
    override = os.environ.get(DATA_DIR_ENV)
    if override is not None:
        return Path(override).expanduser() if override.strip() else None
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    return base / "logitlab"


def max_store_bytes() -> int:
    """The size cap: ``$LOGITLAB_DATA_MAX_BYTES`` or :data:`MAX_STORE_BYTES`."""
    text = os.environ.get(MAX_BYTES_ENV, "").strip()
    if not text:
        return MAX_STORE_BYTES
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{MAX_BYTES_ENV} must be a whole number of bytes, got {text!r}") from None
    if value < 0:
        raise ValueError(f"{MAX_BYTES_ENV} must be 0 or more bytes, got {value}")
    return value


class DiskStore:
    """Datasets by content hash in a SQLite file, bounded, least recently used dropped.

    Parameters
    ----------
    path : Path, str, None or "auto", default="auto"
        The database file; "auto" = :func:`data_dir` / :data:`FILE_NAME`, decided at
        first use; None = nothing is stored (every read misses).
    max_bytes : int or None, default=None
        Size cap of the database; None = :func:`max_store_bytes` at first use.
    """

    path: Path | None = None
    """The database file, once opened (None: not opened, or memory only)."""
    max_bytes: int = MAX_STORE_BYTES

    def __init__(self, path: Path | str | None = "auto", max_bytes: int | None = None) -> None:
        self._path_setting = path
        self._max_bytes_setting = max_bytes
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._db_lock = threading.Lock()

    # ----------------------------------------------------------- database

    def _connect(self) -> sqlite3.Connection | None:
        """The open database (opened at first use), or None when memory only."""
        if self._opened:
            return self._db
        self._opened = True
        setting = self._path_setting
        if setting == "auto":
            folder = data_dir()
            path = None if folder is None else folder / FILE_NAME
        else:
            path = None if setting is None else Path(setting)
        if path is None:
            return None
        cap = self._max_bytes_setting
        self.max_bytes = max_store_bytes() if cap is None else cap
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(path, timeout=5.0, check_same_thread=False, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self._give_up(f"cannot open {path}", exc)
            return None
        self._db = db
        self.path = path
        return db

    def _give_up(self, what: str, exc: BaseException) -> None:
        _log.warning(
            "logitlab Lab data store: %s (%s); uploaded data are kept in memory only",
            what,
            exc,
        )
        if self._db is not None:
            self._db.close()
        self._db = None

    def write(self, stub: CustomData, X: FloatArray, cls: FloatArray) -> None:
        """Keep the points ``X`` (shape (n, 2)) and labels ``cls`` (n,) of ``stub``'s hash."""
        with self._db_lock:
            db = self._connect()
            if db is None:
                return
            xy = np.ascontiguousarray(X, dtype="<f8").tobytes()
            labels = np.asarray(cls, dtype=np.uint8).tobytes()
            size = len(xy) + len(labels)
            if size > self.max_bytes:
                return  # larger than the whole store: memory only
            try:
                db.execute("BEGIN IMMEDIATE")
                db.execute(
                    "INSERT OR REPLACE INTO datasets (hash, stub, xy, cls, bytes, used) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (stub.hash, stub.model_dump_json(), xy, labels, size, time.time()),
                )
                self._evict(db)
                db.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("ROLLBACK")
                self._give_up("cannot write to the database", exc)

    def _evict(self, db: sqlite3.Connection) -> None:
        """Drop the least recently used datasets until the cap holds."""
        (total,) = db.execute("SELECT COALESCE(SUM(bytes), 0) FROM datasets").fetchone()
        if total <= self.max_bytes:
            return
        rows = db.execute("SELECT hash, bytes FROM datasets ORDER BY used ASC").fetchall()
        for digest, size in rows[:-1]:  # the newest stays (it fits: checked before)
            if total <= self.max_bytes:
                break
            db.execute("DELETE FROM datasets WHERE hash = ?", (digest,))
            total -= size

    def read(self, digest: str) -> tuple[CustomData, FloatArray, FloatArray] | None:
        """(stub, X, labels) of ``digest`` from the database, or None."""
        with self._db_lock:
            db = self._connect()
            if db is None:
                return None
            try:
                row = db.execute(
                    "SELECT stub, xy, cls FROM datasets WHERE hash = ?", (digest,)
                ).fetchone()
                if row is None:
                    return None
                db.execute("UPDATE datasets SET used = ? WHERE hash = ?", (time.time(), digest))
            except sqlite3.Error as exc:
                self._give_up("cannot read the database", exc)
                return None
        stub = CustomData.model_validate_json(row[0])
        X = np.frombuffer(row[1], dtype="<f8").reshape(-1, 2).astype(np.float64)
        cls = np.frombuffer(row[2], dtype=np.uint8).astype(np.float64)
        return stub, X, cls

    def close(self) -> None:
        """Close the database (it is opened again at the next use)."""
        with self._db_lock:
            if self._db is not None:
                self._db.close()
            self._db = None
            self._opened = False
