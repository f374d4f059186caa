from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitlab.lab.geometry import clip_line, fit_view
from logitlab.lab.protocol import View

BOX = View(xmin=-5.0, xmax=5.0, ymin=-5.0, ymax=5.0)


@settings(max_examples=80, deadline=None)
@given(
    w0=st.floats(-20, 20),
    w1=st.floats(-20, 20),
    c=st.floats(-60, 60),
)
def test_clipped_segment_lies_on_the_line_and_inside_the_box(
    w0: float, w1: float, c: float
) -> None:
    seg = clip_line(w0, w1, c, BOX)
    norm = math.hypot(w0, w1)
    if seg is None:
        # Either no line, or it misses the box: every corner is on the same side.
        if norm > 1e-9:
            sides = {np.sign(w0 * x + w1 * y - c) for x in (-5, 5) for y in (-5, 5)}
            assert len(sides - {0.0}) <= 1
        return
    for x, y in ((seg.x1, seg.y1), (seg.x2, seg.y2)):
        assert w0 * x + w1 * y == pytest.approx(c, abs=1e-7 * (1 + abs(c)))
        assert -5 - 1e-9 <= x <= 5 + 1e-9 and -5 - 1e-9 <= y <= 5 + 1e-9
    # Both ends on the box's edge.
    for x, y in ((seg.x1, seg.y1), (seg.x2, seg.y2)):
        assert min(abs(abs(x) - 5), abs(abs(y) - 5)) < 1e-7


def test_axis_parallel_lines_and_degenerate_weights() -> None:
    seg = clip_line(1.0, 0.0, 2.0, BOX)
    assert seg is not None and seg.x1 == pytest.approx(2.0) and seg.x2 == pytest.approx(2.0)
    assert {round(seg.y1), round(seg.y2)} == {-5, 5}
    assert clip_line(0.0, 1.0, 7.0, BOX) is None
    assert clip_line(0.0, 0.0, 0.0, BOX) is None
    assert clip_line(1.0, 1.0, math.inf, BOX) is None


def test_view_is_the_seed_square_unless_points_lie_outside() -> None:
    assert fit_view(np.array([[4.0, -4.5]])) == BOX
    assert fit_view(np.zeros((0, 2))) == BOX
    v = fit_view(np.array([[0.0, 13.0]]))
    assert v.xmax == v.ymax == -v.xmin == -v.ymin == 20.0
    v = fit_view(np.array([[-230.0, 0.0]]))
    assert v.xmax == 250.0
