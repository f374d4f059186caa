"""Level lines of a field sampled on a grid (marching squares), for the data chart.

The Lab draws every curve that depends on the model (a leave-one-out boundary, the
edges of a confidence band) as a contour of values computed on a grid of the window
through :meth:`~logitlab.lab.experiment.Experiment.features`, so a feature map that
bends the boundary bends these too.
"""

from __future__ import annotations

import numpy as np

from logitlab.core.types import BoolArray, FloatArray
from logitlab.lab.protocol import View

GRID = 65
"""Grid nodes per axis (64 cells): fine enough that a straight contour is exact to rounding."""


def grid_points(view: View, n: int = GRID) -> tuple[FloatArray, FloatArray, FloatArray]:
    """An ``n`` × ``n`` grid of nodes spanning ``view``: xs, ys (row 0 at ymax), (n², 2) points."""
    xs = np.linspace(view.xmin, view.xmax, n)
    ys = np.linspace(view.ymax, view.ymin, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def contour_segments(
    values: FloatArray, xs: FloatArray, ys: FloatArray, level: float
) -> FloatArray:
    """Segments of the line ``values = level``, linearly interpolated along cell edges.

    Parameters
    ----------
    values : ndarray of shape (len(ys), len(xs))
        The field at the grid nodes: ``values[i, j]`` at ``(xs[j], ys[i])``.
    xs, ys : ndarray
        Node coordinates.
    level : float

    Returns
    -------
    ndarray of shape (n_segments, 4)
        Rows ``x1, y1, x2, y2``. A saddle cell (all four edges crossed) is split
        by the value at its centre (the mean of its corners).
    """
    f = np.asarray(values, dtype=np.float64) - level
    if f.ndim != 2 or f.shape != (ys.size, xs.size) or min(f.shape) < 2:
        raise ValueError(f"values must have shape ({ys.size}, {xs.size}), got {f.shape}")
    pos = f > 0
    ok = np.isfinite(f)
    # Cells whose corners are not all on one side (only these can hold the line).
    corners = pos[:-1, :-1].astype(np.int8) + pos[:-1, 1:] + pos[1:, :-1] + pos[1:, 1:]
    finite = ok[:-1, :-1] & ok[:-1, 1:] & ok[1:, :-1] & ok[1:, 1:]
    ii, jj = np.nonzero((corners > 0) & (corners < 4) & finite)
    if ii.size == 0:
        return np.empty((0, 4))
    a, b = f[ii, jj], f[ii, jj + 1]  # top-left, top-right
    d, c = f[ii + 1, jj], f[ii + 1, jj + 1]  # bottom-left, bottom-right
    x0, x1, y0, y1 = xs[jj], xs[jj + 1], ys[ii], ys[ii + 1]

    def cross(u: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
        hit = (u > 0) != (v > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(hit, u / np.where(hit, u - v, 1.0), 0.0)
        return hit, t

    (top, tt), (right, tr) = cross(a, b), cross(b, c)
    (bottom, tb), (left, tl) = cross(d, c), cross(a, d)
    edges = {  # crossing point on each edge, and whether the edge is crossed
        "top": (x0 + tt * (x1 - x0), y0, top),
        "right": (x1, y0 + tr * (y1 - y0), right),
        "bottom": (x0 + tb * (x1 - x0), y1, bottom),
        "left": (x0, y0 + tl * (y1 - y0), left),
    }
    count = top.astype(np.int8) + right + bottom + left
    out = []

    def join(m: BoolArray, e1: str, e2: str) -> None:
        if m.any():
            (ax, ay, _), (bx, by, _) = edges[e1], edges[e2]
            out.append(np.column_stack([ax[m], ay[m], bx[m], by[m]]))

    names = ("top", "right", "bottom", "left")
    two = count == 2
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            join(two & edges[first][2] & edges[second][2], first, second)
    saddle = count == 4
    if saddle.any():
        # The centre (mean of the corners) on a's side: the line cuts off b and d.
        cut = saddle & (((a + b + c + d) > 0) == (a > 0))
        join(cut, "top", "right")
        join(cut, "bottom", "left")
        other = saddle & ~cut
        join(other, "top", "left")
        join(other, "bottom", "right")
    return np.vstack(out) if out else np.empty((0, 4))


def flat_segments(segments: FloatArray) -> list[float]:
    """Segments as one flat list, to 7 significant digits (the chart draws them in pixels)."""
    return [float(f"{v:.7g}") for v in segments.ravel()]
