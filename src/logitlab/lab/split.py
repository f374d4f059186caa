"""The train/test split of the Lab's points (issue 14).

Decisions recorded here:

- The test points are drawn among the points a data set *starts* with (the preset's or
  the CSV file's rows), stratified by class: round(share · n_k) points of each class k,
  chosen by a generator seeded with ``DataSpec.seed``. The same state gives the same split.
- A point keeps its side of the split when it is moved; a point added by an edit is
  always a training point; deleting and undoing keep every other point's side.
- :func:`rows_mask` is the one place that says which points a number is computed on:
  ``"train"`` (the objective, training accuracy and log loss) or ``"test"``; and
  :func:`evaluation_rows` chooses the points an evaluation (calibration, ROC, …) should
  use: the test points when a split exists, else all points.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from logitlab.lab.points import PointStore
from logitlab.lab.protocol import RowsName

BoolArray = npt.NDArray[np.bool_]
_SPLIT_STREAM = 14
"""Mixed into the seed, so the split is not the same draw as the preset's points."""


def start_flags(start_cls: npt.NDArray[np.float64], share: float, seed: int) -> BoolArray:
    """Which starting points are test points (stratified by class), shape (n_start,)."""
    flags = np.zeros(start_cls.shape[0], dtype=bool)
    if share <= 0.0:
        return flags
    rng = np.random.default_rng([seed, _SPLIT_STREAM])
    for k in np.unique(start_cls):
        idx = np.flatnonzero(start_cls == k)
        n_test = round(share * idx.size)
        flags[rng.permutation(idx)[:n_test]] = True
    return flags


def test_flags(points: PointStore, share: float, seed: int) -> BoolArray:
    """Which current points are test points, shape (n_points,)."""
    start = start_flags(points.start_cls, share, seed)
    origin = points.origin
    out = np.zeros(points.n, dtype=bool)
    kept = origin >= 0
    out[kept] = start[origin[kept]]
    return out


def rows_mask(test: BoolArray, which: RowsName) -> BoolArray:
    """The points ``which`` names: the training points (``~test``) or the test points."""
    return test if which == "test" else ~test


def evaluation_rows(test: BoolArray) -> RowsName:
    """The points to evaluate on: the test points when there are any, else the training
    points (then all points)."""
    return "test" if bool(np.any(test)) else "train"
