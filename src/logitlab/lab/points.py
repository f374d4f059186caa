"""The Lab's points: a seeded preset, then the user's edits, with undo.

:class:`PointStore` keeps the rows in a buffer that grows by doubling, so
adding a point costs O(1); every edit pushes what undoing it needs.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass
from typing import Literal

import numpy as np

from logitlab.core.datasets import make_preset
from logitlab.core.types import FloatArray, IntArray
from logitlab.lab.csv_data import STORE
from logitlab.lab.protocol import (
    MAX_POINTS,
    AddPoint,
    CustomData,
    DataSpec,
    DeletePoint,
    Edit,
    MovePoint,
    PointsPayload,
)


class CommandError(Exception):
    """A command that cannot be applied; the message says what is wrong and what is allowed."""


# ----------------------------------------------------------------- points


@dataclass
class _Undo:
    """What undoing one edit needs."""

    op: Literal["add", "move", "delete", "clear"]
    index: int = 0
    x: float = 0.0
    y: float = 0.0
    cls: float = 0.0
    saved_xy: FloatArray | None = None
    saved_cls: FloatArray | None = None
    origin: int = -1
    saved_origin: IntArray | None = None


_VERSIONS = itertools.count(1)
"""Versions are unique across stores, so a new store never repeats an old store's version."""


class PointStore:
    """The points: a preset, then edits applied in order, with an undo stack.

    Rows live in a buffer that grows by doubling, so adding a point is O(1).
    ``version`` increases on every change and is never shared with another store.
    """

    def __init__(self, xy: FloatArray, cls: FloatArray) -> None:
        n = xy.shape[0]
        capacity = max(16, n)
        self._xy: FloatArray = np.empty((capacity, 2))
        self._cls: FloatArray = np.empty(capacity)
        self._xy[:n] = xy
        self._cls[:n] = cls
        self.n = n
        self.version = next(_VERSIONS)
        self._undo: list[_Undo] = []
        # Which starting row each point is (-1: added by an edit), for the train/test split.
        self._origin: IntArray = np.full(capacity, -1, dtype=np.intp)
        self._origin[:n] = np.arange(n)
        self.n_start = n
        """Points before any edit (the split draws its test points among them)."""
        self.start_cls: FloatArray = np.array(cls[:n], dtype=np.float64)
        """Labels of the starting points (the split is stratified by them)."""

    @property
    def X(self) -> FloatArray:
        """Coordinates, shape (n, 2) (a view: do not keep across edits)."""
        return self._xy[: self.n]

    @property
    def y(self) -> FloatArray:
        """Labels 0.0 / 1.0, shape (n,) (a view)."""
        return self._cls[: self.n]

    @property
    def origin(self) -> IntArray:
        """The starting row of each point, -1 for points added by edits, shape (n,) (a view)."""
        return self._origin[: self.n]

    def _reserve(self, n: int) -> None:
        if n <= self._cls.size:
            return
        capacity = max(n, 2 * self._cls.size)
        xy, cls = np.empty((capacity, 2)), np.empty(capacity)
        xy[: self.n] = self._xy[: self.n]
        cls[: self.n] = self._cls[: self.n]
        self._xy, self._cls = xy, cls
        origin = np.full(capacity, -1, dtype=np.intp)
        origin[: self.n] = self._origin[: self.n]
        self._origin = origin

    def _check_index(self, index: int, what: str) -> None:
        if index >= self.n:
            allowed = f"indices 0–{self.n - 1}" if self.n else "there are none"
            raise CommandError(
                f"cannot {what} point {index}: there are {self.n} points ({allowed})"
            )

    def check(self, edit: Edit) -> None:
        """Raise :class:`CommandError` if ``edit`` cannot be applied."""
        if isinstance(edit, AddPoint) and self.n >= MAX_POINTS:
            raise CommandError(
                f"cannot add a point: the Lab holds at most {MAX_POINTS:,} points; "
                "delete some or load a smaller preset"
            )
        if isinstance(edit, MovePoint):
            self._check_index(edit.index, "move")
        if isinstance(edit, DeletePoint):
            self._check_index(edit.index, "delete")

    def apply(self, edit: Edit) -> None:
        """Apply one edit (after :meth:`check`)."""
        self.check(edit)
        n = self.n
        if isinstance(edit, AddPoint):
            self._reserve(n + 1)
            self._xy[n] = (edit.x, edit.y)
            self._cls[n] = float(edit.cls)
            self._origin[n] = -1
            self.n = n + 1
            self._undo.append(_Undo("add"))
        elif isinstance(edit, MovePoint):
            i = edit.index
            self._undo.append(_Undo("move", i, float(self._xy[i, 0]), float(self._xy[i, 1])))
            self._xy[i] = (edit.x, edit.y)
        elif isinstance(edit, DeletePoint):
            i = edit.index
            x, y = self._xy[i]
            origin = int(self._origin[i])
            self._undo.append(
                _Undo("delete", i, float(x), float(y), float(self._cls[i]), origin=origin)
            )
            self._xy[i : n - 1] = self._xy[i + 1 : n]
            self._cls[i : n - 1] = self._cls[i + 1 : n]
            self._origin[i : n - 1] = self._origin[i + 1 : n]
            self.n = n - 1
        else:
            self._undo.append(
                _Undo(
                    "clear",
                    saved_xy=self._xy[:n].copy(),
                    saved_cls=self._cls[:n].copy(),
                    saved_origin=self._origin[:n].copy(),
                )
            )
            self.n = 0
        self.version = next(_VERSIONS)

    def amend_move(self, edit: MovePoint) -> None:
        """Move the point the last edit moved again, keeping one undo record (a drag)."""
        self._check_index(edit.index, "move")
        self._xy[edit.index] = (edit.x, edit.y)
        self.version = next(_VERSIONS)

    def undo(self) -> None:
        """Revert the last edit (the caller checks there is one)."""
        record = self._undo.pop()
        n = self.n
        if record.op == "add":
            self.n = n - 1
        elif record.op == "move":
            self._xy[record.index] = (record.x, record.y)
        elif record.op == "delete":
            i = record.index
            self._reserve(n + 1)
            self._xy[i + 1 : n + 1] = self._xy[i:n]
            self._cls[i + 1 : n + 1] = self._cls[i:n]
            self._origin[i + 1 : n + 1] = self._origin[i:n]
            self._xy[i] = (record.x, record.y)
            self._cls[i] = record.cls
            self._origin[i] = record.origin
            self.n = n + 1
        else:
            assert record.saved_xy is not None and record.saved_cls is not None
            assert record.saved_origin is not None
            m = record.saved_cls.size
            self._reserve(m)
            self._xy[:m] = record.saved_xy
            self._cls[:m] = record.saved_cls
            self._origin[:m] = record.saved_origin
            self.n = m
        self.version = next(_VERSIONS)

    def payload(self) -> PointsPayload:
        xy = np.ascontiguousarray(self.X, dtype="<f4")
        cls = self.y.astype(np.uint8)
        return PointsPayload(
            version=self.version,
            n=self.n,
            xy=base64.b64encode(xy.tobytes()).decode("ascii"),
            cls=base64.b64encode(cls.tobytes()).decode("ascii"),
        )


def build_points(data: DataSpec) -> PointStore:
    """The points a :class:`DataSpec` describes: the seeded preset (or the custom data), then
    its edits. Custom data given as a stub are looked up in :data:`~logitlab.lab.csv_data.STORE`.
    """
    if data.custom is not None:
        X, y = _custom_points(data.custom)
    else:
        Xp, yp = make_preset(  # unshuffled: saved states address points by row
            data.preset,
            data.n_points,
            noise=data.noise,
            seed=data.seed,
            shuffle=False,
            n_classes=data.n_classes,  # issue 14, part 3
        )
        X, y = np.asarray(Xp, dtype=np.float64), np.asarray(yp, dtype=np.float64)
    store = PointStore(X, y)
    for k, edit in enumerate(data.edits):
        try:
            store.apply(edit)
        except CommandError as exc:
            raise CommandError(f"state edit #{k} ({edit.op}) cannot be replayed: {exc}") from None
    return store


def _custom_points(custom: CustomData) -> tuple[FloatArray, FloatArray]:
    if custom.x is not None and custom.y is not None and custom.cls is not None:
        X = np.column_stack([np.asarray(custom.x, dtype=np.float64), np.asarray(custom.y)])
        return X.reshape(-1, 2), np.asarray(custom.cls, dtype=np.float64)
    found = STORE.points(custom.hash)
    if found is None:
        name = f" of {custom.source}" if custom.source else ""
        raise CommandError(
            f"the server does not have the CSV data{name} (hash {custom.hash}): reload the "
            "page, or load the CSV file or the exported JSON again"
        )
    return found[1], found[2]
