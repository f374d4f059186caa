"""Level curves of a function sampled on a regular grid (marching squares).

:func:`contour_segments` returns every piece of the curve f = level as line segments,
with linear interpolation along the cells' edges: a hyperbola's two branches, a circle,
the many islands of a degree-6 polynomial. Saddle cells (all four edges crossed) are
resolved by the value at the cell's centre (the mean of its corners).
"""

from __future__ import annotations

import numpy as np

from logitlab.core.types import FloatArray


def contour_segments(
    values: FloatArray,
    level: float,
    x: tuple[float, float],
    y: tuple[float, float],
) -> FloatArray:
    """The curve ``values = level`` as segments.

    Parameters
    ----------
    values : ndarray of shape (n_rows, n_cols)
        The function at the grid's vertices; row 0 at ``y[0]``, column 0 at ``x[0]``,
        evenly spaced up to row n_rows − 1 at ``y[1]`` and column n_cols − 1 at ``x[1]``.
        Non-finite values count as below the level.
    level : float
    x, y : (float, float)
        Coordinates of the first and last column / row.

    Returns
    -------
    ndarray of shape (n_segments, 4)
        x1, y1, x2, y2 of each segment (in no particular order).
    """
    f = np.asarray(values, dtype=np.float64) - level
    if f.ndim != 2 or f.shape[0] < 2 or f.shape[1] < 2:
        raise ValueError(f"values must be a grid of at least 2 × 2, got shape {f.shape}")
    f = np.where(np.isfinite(f), f, -1.0)
    rows, cols = f.shape
    above = f > 0
    # Corners of every cell: a (r, c), b (r, c+1), c (r+1, c+1), d (r+1, c).
    fa, fb, fc, fd = f[:-1, :-1], f[:-1, 1:], f[1:, 1:], f[1:, :-1]
    sa, sb, sc, sd = above[:-1, :-1], above[:-1, 1:], above[1:, 1:], above[1:, :-1]
    # Edges: 0 a–b (top row), 1 b–c (right column), 2 d–c (bottom row), 3 a–d (left column).
    top, right, bottom, left = sa != sb, sb != sc, sd != sc, sa != sd
    r, c = np.nonzero(top | right | bottom | left)
    if r.size == 0:
        return np.empty((0, 4))
    cr = np.column_stack([top[r, c], right[r, c], bottom[r, c], left[r, c]])
    count = cr.sum(axis=1)

    def frac(u: FloatArray, v: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            t = u / (u - v)
        return np.where(np.isfinite(t), np.clip(t, 0.0, 1.0), 0.5)

    a, b, cc, d = fa[r, c], fb[r, c], fc[r, c], fd[r, c]
    rf, cf = r.astype(np.float64), c.astype(np.float64)
    # Crossing points in grid units (column, row) for each edge.
    pts = np.empty((r.size, 4, 2))
    pts[:, 0] = np.column_stack([cf + frac(a, b), rf])
    pts[:, 1] = np.column_stack([cf + 1.0, rf + frac(b, cc)])
    pts[:, 2] = np.column_stack([cf + frac(d, cc), rf + 1.0])
    pts[:, 3] = np.column_stack([cf, rf + frac(a, d)])
    two = count == 2
    segs = [pts[two][cr[two]].reshape(-1, 4)]
    four = count == 4
    if np.any(four):
        p4 = pts[four]
        centre = (a[four] + b[four] + cc[four] + d[four]) / 4.0
        same = (centre > 0) == sa[r[four], c[four]]
        # Centre on a's side: a's region joins c's, so b and d are cut off on their own:
        # (top, right) around b and (bottom, left) around d; otherwise around a and c.
        first = np.where(same[:, None], p4[:, [0, 1]].reshape(-1, 4), p4[:, [3, 0]].reshape(-1, 4))
        second = np.where(same[:, None], p4[:, [2, 3]].reshape(-1, 4), p4[:, [1, 2]].reshape(-1, 4))
        segs += [first, second]
    out = np.concatenate(segs)
    sx = (x[1] - x[0]) / (cols - 1)
    sy = (y[1] - y[0]) / (rows - 1)
    out[:, [0, 2]] = x[0] + out[:, [0, 2]] * sx
    out[:, [1, 3]] = y[0] + out[:, [1, 3]] * sy
    return out
