"""Every coefficient per optimizer step, in bounded memory: the data of the replay slider.

Like :class:`~logitlab.lab.curve.LossHistory`, a run of any length costs the same
memory. The newest :data:`EXACT_STEPS` steps are kept exactly (every step); older
steps are kept decimated: every ``stride``-th step since the first, where ``stride``
doubles whenever :data:`OLDER_CAPACITY` older entries are full (every other one is
dropped, the first always stays, so step 0 can always be replayed). Entries are
copies of the flat coefficient vector, whatever its length (any degree, any number
of classes). At degree 6 (28 coefficients) a history costs at most 230 kB.
"""

from __future__ import annotations

from collections import deque

import numpy as np

from logitlab.core.types import FloatArray

EXACT_STEPS = 512
"""The newest steps kept exactly."""
OLDER_CAPACITY = 512
"""Older entries kept at most (decimated)."""


class WeightHistory:
    """Coefficients per optimizer step: the recent ones exactly, older ones decimated."""

    def __init__(self, exact: int = EXACT_STEPS, older: int = OLDER_CAPACITY) -> None:
        if exact < 1 or older < 2:
            raise ValueError(f"exact must be >= 1 and older >= 2, got {exact!r}, {older!r}")
        self._recent: deque[tuple[int, FloatArray]] = deque()
        self._exact = exact
        self._older: list[tuple[int, FloatArray]] = []
        self._capacity = older
        self.stride = 1
        """Older entries are every ``stride``-th step since the first."""
        self.version = 0
        """Increases whenever the history changes."""

    def __len__(self) -> int:
        return len(self._older) + len(self._recent)

    @property
    def first_step(self) -> int | None:
        entries = self._older or self._recent
        return entries[0][0] if entries else None

    @property
    def last_step(self) -> int | None:
        return self._recent[-1][0] if self._recent else None

    @property
    def first_exact(self) -> int | None:
        """The oldest step from which every step is kept exactly (None when empty)."""
        return self._recent[0][0] if self._recent else None

    def record(self, step: int, coef: FloatArray) -> None:
        """Keep a copy of ``coef`` as the weights at ``step`` (replaces a later or equal
        step's entry: the newest record of a step wins). A vector of another length (a new
        degree or number of classes) starts the history again."""
        self.version += 1
        if self._recent and self._recent[-1][1].size != np.size(coef):
            self.clear()
        while self._recent and self._recent[-1][0] >= step:
            self._recent.pop()
        while not self._recent and self._older and self._older[-1][0] >= step:
            self._older.pop()
        self._recent.append((int(step), np.array(coef, dtype=np.float64)))
        if len(self._recent) > self._exact:
            self._keep_older(self._recent.popleft())

    def _keep_older(self, entry: tuple[int, FloatArray]) -> None:
        first = self._older[0][0] if self._older else entry[0]
        if (entry[0] - first) % self.stride:
            return
        self._older.append(entry)
        if len(self._older) > self._capacity:
            self._older = self._older[0::2]
            self.stride *= 2
            base = self._older[0][0]
            self._older = [e for e in self._older if (e[0] - base) % self.stride == 0]

    def steps(self) -> list[int]:
        """Every step kept, oldest first."""
        return [s for s, _ in self._older] + [s for s, _ in self._recent]

    def coefs(self) -> FloatArray:
        """Every kept coefficient vector, oldest first, shape (len(self), n_coef)."""
        rows = [c for _, c in self._older] + [c for _, c in self._recent]
        return np.array(rows) if rows else np.empty((0, 0))

    def project(self, i: int, j: int, limit: int, stop: int | None = None) -> FloatArray:
        """Coefficients ``i`` and ``j`` of at most ``limit`` kept entries up to step ``stop``
        (default all), evenly spread with the first and last kept; shape (m, 2)."""
        n = len(self)
        if stop is not None:
            steps = np.fromiter((s for s, _ in self._older), dtype=np.int64, count=len(self._older))
            recent = np.fromiter((s for s, _ in self._recent), dtype=np.int64)
            n = int(np.searchsorted(np.concatenate([steps, recent]), stop, side="right"))
        if n == 0:
            return np.empty((0, 2))
        keep = np.arange(n) if n <= limit else np.unique(np.linspace(0, n - 1, limit).round())
        k_old = len(self._older)
        rows = [
            (self._older[k] if k < k_old else self._recent[k - k_old])[1]
            for k in keep.astype(np.intp).tolist()
        ]
        if rows and rows[0].size <= max(i, j):
            return np.empty((0, 2))
        return np.array([(r[i], r[j]) for r in rows], dtype=np.float64)

    def at(self, step: int) -> tuple[int, FloatArray]:
        """The kept entry nearest to ``step`` at or before it (else the first): its step and
        a copy of its coefficients. Raises ``LookupError`` when empty."""
        steps = self.steps()
        if not steps:
            raise LookupError("no weights recorded yet")
        k = int(np.searchsorted(np.array(steps), step, side="right")) - 1
        k = max(k, 0)
        entries = self._older + list(self._recent)
        s, c = entries[k]
        return s, c.copy()

    def truncate(self, step: int) -> None:
        """Drop every entry after ``step``."""
        self.version += 1
        while self._recent and self._recent[-1][0] > step:
            self._recent.pop()
        if not self._recent:
            while self._older and self._older[-1][0] > step:
                self._older.pop()
            if self._older:  # the newest kept older entry becomes the exact tail
                self._recent.append(self._older.pop())

    def clear(self) -> None:
        self._recent.clear()
        self._older = []
        self.stride = 1
        self.version += 1
