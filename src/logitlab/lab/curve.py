"""The loss history of a Lab session: bounded in memory, decimated when sent.

The history keeps at most ``capacity`` buckets. Each bucket covers ``span``
consecutive optimizer steps and remembers the smallest, the largest and the
last objective value among them. When every bucket is full, neighbouring
buckets merge pairwise and ``span`` doubles, so a run of any length costs the
same memory while its envelope (the band a chart draws) stays exact.
"""

from __future__ import annotations

import math

import numpy as np

from logitlab.core.types import FloatArray, IntArray

DEFAULT_CAPACITY = 2048


class LossHistory:
    """Objective value per optimizer step, kept as a min / max / last envelope.

    Parameters
    ----------
    capacity : int, default=2048
        Largest number of buckets kept; an even number >= 2.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 2 or capacity % 2:
            raise ValueError(f"capacity must be an even number >= 2, got {capacity!r}")
        self.capacity = capacity
        self._step: IntArray = np.zeros(capacity, dtype=np.intp)
        self._low: FloatArray = np.zeros(capacity)
        self._high: FloatArray = np.zeros(capacity)
        self._last: FloatArray = np.zeros(capacity)
        self._count: IntArray = np.zeros(capacity, dtype=np.intp)
        self.span = 1
        self.n_buckets = 0
        self.first_step: int | None = None
        """Step index of the oldest value kept (merging buckets keeps it), None when empty."""
        self.version = 0
        """Increases whenever the history changes."""

    def __len__(self) -> int:
        return self.n_buckets

    @property
    def last_step(self) -> int | None:
        """Step index of the newest value, or None when empty."""
        return int(self._step[self.n_buckets - 1]) if self.n_buckets else None

    def clear(self) -> None:
        self.span = 1
        self.n_buckets = 0
        self.first_step = None
        self.version += 1

    def append(self, step: int, value: float) -> None:
        """Record the objective ``value`` at optimizer step ``step`` (skips non-finite values)."""
        if not math.isfinite(value):
            return
        self.version += 1
        k = self.n_buckets
        if not k:
            self.first_step = step
        if k and self._count[k - 1] < self.span:
            i = k - 1
            self._low[i] = min(self._low[i], value)
            self._high[i] = max(self._high[i], value)
            self._last[i] = value
            self._step[i] = step
            self._count[i] += 1
            return
        if k == self.capacity:
            self._merge_pairs()
            k = self.n_buckets
        self._step[k] = step
        self._low[k] = self._high[k] = self._last[k] = value
        self._count[k] = 1
        self.n_buckets = k + 1

    def truncate(self, step: int) -> None:
        """Drop the values after optimizer step ``step`` (whole buckets; issue 15 replay)."""
        k = int(np.searchsorted(self._step[: self.n_buckets], step, side="right"))
        if k != self.n_buckets:
            self.n_buckets = k
            self.version += 1
            if not k:
                self.first_step = None

    def _merge_pairs(self) -> None:
        half = self.capacity // 2
        self._low[:half] = np.minimum(self._low[0::2], self._low[1::2])
        self._high[:half] = np.maximum(self._high[0::2], self._high[1::2])
        self._last[:half] = self._last[1::2]
        self._step[:half] = self._step[1::2]
        self._count[:half] = self._count[0::2] + self._count[1::2]
        self.n_buckets = half
        self.span *= 2

    def envelope(self, width: int) -> tuple[IntArray, FloatArray, FloatArray, FloatArray]:
        """The history in at most ``width`` columns.

        Returns
        -------
        steps : ndarray of shape (n_columns,)
            Step index of each column's last value.
        low, high, last : ndarray of shape (n_columns,)
            Smallest, largest and last objective value in each column.
        """
        if width < 1:
            raise ValueError(f"width must be >= 1, got {width!r}")
        k = self.n_buckets
        steps, low = self._step[:k], self._low[:k]
        high, last = self._high[:k], self._last[:k]
        if k <= width:
            return steps.copy(), low.copy(), high.copy(), last.copy()
        group = -(-k // width)
        starts = np.arange(0, k, group)
        ends = np.minimum(starts + group, k) - 1
        return (
            steps[ends].copy(),
            np.minimum.reduceat(low, starts),
            np.maximum.reduceat(high, starts),
            last[ends].copy(),
        )
