"""Geometry of the data chart: the view, clipped lines, the probability field, contour grids."""

from __future__ import annotations

import base64
import math

import numpy as np

from logitlab.core.contour import contour_segments
from logitlab.core.link import sigmoid
from logitlab.core.types import FloatArray
from logitlab.lab.protocol import Segment, View

FIELD_SIZE = 64
"""The probability field is p̂ on a FIELD_SIZE × FIELD_SIZE grid of cell centres."""
BASE_HALF_WIDTH = 5.0
"""The view is [-5, 5]² unless points lie outside it."""


def _nice_ceil(v: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ᵏ that is ≥ v."""
    exp = math.floor(math.log10(v))
    for m in (1.0, 2.0, 2.5, 5.0, 10.0):
        if m * 10.0**exp >= v:
            return m * 10.0**exp
    return 10.0 ** (exp + 1)  # pragma: no cover


def fit_view(X: FloatArray) -> View:
    """[-5, 5]², grown to a round size when points lie outside it (stays square, centred).

    Parameters
    ----------
    X : ndarray of shape (n_points, 2)
        The points (may be empty).

    Returns
    -------
    View
        [-h, h]² with h = 5, or the smallest of 1, 2, 2.5, 5 × 10ᵏ that holds every
        point with a 5 % margin.
    """
    half = BASE_HALF_WIDTH
    if X.shape[0]:
        reach = float(np.max(np.abs(X))) * 1.05
        if reach > half:
            half = _nice_ceil(reach)
    return View(xmin=-half, xmax=half, ymin=-half, ymax=half)


def clip_line(w0: float, w1: float, c: float, view: View) -> Segment | None:
    """The part of the line w₀x + w₁y = c inside ``view``.

    Returns
    -------
    Segment or None
        Both ends on the view's border; None when the line misses the view, when
        w₀ = w₁ = 0 (no line) or when a number is not finite.
    """
    norm2 = w0 * w0 + w1 * w1
    if not (math.isfinite(norm2) and math.isfinite(c)) or norm2 == 0.0:
        return None
    px, py = c * w0 / norm2, c * w1 / norm2
    dx, dy = -w1, w0
    t0, t1 = -math.inf, math.inf
    for p, d, lo, hi in ((px, dx, view.xmin, view.xmax), (py, dy, view.ymin, view.ymax)):
        if d == 0.0:
            if not lo <= p <= hi:
                return None
            continue
        ta, tb = (lo - p) / d, (hi - p) / d
        t0, t1 = max(t0, min(ta, tb)), min(t1, max(ta, tb))
    if not (math.isfinite(t0) and math.isfinite(t1)) or t0 >= t1:
        return None
    return Segment.model_construct(
        x1=px + t0 * dx, y1=py + t0 * dy, x2=px + t1 * dx, y2=py + t1 * dy
    )


def probability_field(coef: FloatArray, view: View, size: int = FIELD_SIZE) -> str:
    """p̂ at the centres of a ``size`` × ``size`` grid over ``view``, row 0 at ymax.

    Parameters
    ----------
    coef : ndarray of shape (3,)
        [w₀, w₁, b].
    view : View
    size : int, default=FIELD_SIZE

    Returns
    -------
    str
        base64 of the uint8 values round(255·p̂), row-major (size² bytes).
    """
    dx = (view.xmax - view.xmin) / size
    dy = (view.ymax - view.ymin) / size
    xs = view.xmin + (np.arange(size) + 0.5) * dx
    ys = view.ymax - (np.arange(size) + 0.5) * dy
    z = coef[0] * xs[None, :] + (coef[1] * ys[:, None] + coef[2])
    p = sigmoid(z)
    data = np.rint(p * 255.0).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


GRID = 65
"""Nodes per axis of the grids that the trust views contour (64 cells): fine enough
that a straight contour is exact to rounding."""


def grid_points(view: View, n: int = GRID) -> tuple[FloatArray, FloatArray, FloatArray]:
    """An ``n`` × ``n`` grid of nodes spanning ``view``: xs, ys (row 0 at ymax), (n², 2) points."""
    xs = np.linspace(view.xmin, view.xmax, n)
    ys = np.linspace(view.ymax, view.ymin, n)
    gx, gy = np.meshgrid(xs, ys)
    return xs, ys, np.column_stack([gx.ravel(), gy.ravel()])


def window_contour(values: FloatArray, view: View, level: float) -> FloatArray:
    """The curve ``values = level`` over a :func:`grid_points` grid of ``view``.

    ``values`` has shape (n, n), row 0 at ymax. Marching squares is
    :func:`logitlab.core.contour.contour_segments`; returns rows ``x1, y1, x2, y2``.
    """
    return contour_segments(values, level, (view.xmin, view.xmax), (view.ymax, view.ymin))


def flat_segments(segments: FloatArray) -> list[float]:
    """Segments as one flat list, to 7 significant digits (the chart draws them in pixels)."""
    return [float(f"{v:.7g}") for v in segments.ravel()]
