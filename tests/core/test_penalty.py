"""Penalty: values, smooth gradient, soft-thresholding prox, validation."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.core.penalty import Penalty

W = np.array([-2.0, -0.3, 0.0, 0.05, 1.5])


@pytest.mark.parametrize(("alpha", "l1_ratio"), [(0.0, 0.0), (0.4, 0.0), (0.4, 1.0), (0.4, 0.3)])
def test_value_is_the_elastic_net_formula(alpha: float, l1_ratio: float) -> None:
    pen = Penalty(alpha, l1_ratio)
    expected = alpha * (l1_ratio * np.sum(np.abs(W)) + (1 - l1_ratio) / 2 * np.sum(W**2))
    assert pen.value(W) == pytest.approx(expected, rel=1e-15, abs=0)
    assert pen.l1 == pytest.approx(alpha * l1_ratio)
    assert pen.l2 == pytest.approx(alpha * (1 - l1_ratio))
    assert pen.is_smooth == (alpha * l1_ratio == 0.0)
    h = 1e-6
    numeric = [
        (pen.smooth_value(W + h * e) - pen.smooth_value(W - h * e)) / (2 * h) for e in np.eye(5)
    ]
    np.testing.assert_allclose(pen.smooth_gradient(W), numeric, rtol=1e-8, atol=1e-10)


def test_prox_is_soft_thresholding_and_minimizes_its_problem() -> None:
    pen = Penalty(alpha=0.5, l1_ratio=1.0)
    step = 0.2  # threshold 0.1
    out = pen.prox(W, step)
    np.testing.assert_allclose(out, [-1.9, -0.2, 0.0, 0.0, 1.4])
    assert out[3] == 0.0 and out[2] == 0.0  # exact zeros
    # out minimizes l1·|u| + (u − w)²/(2·step) coordinate by coordinate
    grid = np.linspace(-3, 3, 60001)
    for w_j, u_j in zip(W, out, strict=True):
        objective = pen.l1 * np.abs(grid) + (grid - w_j) ** 2 / (2 * step)
        assert abs(grid[np.argmin(objective)] - u_j) < 2e-4


def test_prox_without_l1_is_the_identity() -> None:
    pen = Penalty(alpha=1.0, l1_ratio=0.0)
    assert pen.prox(W, 0.5) is W


@pytest.mark.parametrize(
    ("alpha", "l1_ratio", "message"),
    [
        (-1.0, 0.0, "alpha must be a finite number >= 0"),
        (float("inf"), 0.0, "alpha must be a finite number >= 0"),
        (float("nan"), 0.0, "alpha must be a finite number >= 0"),
        (1.0, 1.5, r"l1_ratio must be in \[0, 1\]"),
        (1.0, -0.1, r"l1_ratio must be in \[0, 1\]"),
        (1.0, float("nan"), r"l1_ratio must be in \[0, 1\]"),
    ],
)
def test_bad_parameters_are_rejected(alpha: float, l1_ratio: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Penalty(alpha, l1_ratio)
