"""Reliability bins, Brier score and ECE against scikit-learn and a direct computation."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from logitlab.core.calibration import (
    calibration,
    expected_calibration_error,
    reliability,
)


def predictions(n: int, seed: int, *, rounded: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Labels drawn from a miscalibrated p̂ (the truth is p̂ squashed toward 0.5)."""
    rng = np.random.default_rng(seed)
    p = rng.beta(0.6, 0.6, n)
    if rounded:
        p = np.round(p, 2)  # ties, and exact 0s and 1s
        p[:3] = [0.0, 1.0, 0.5]
    y = (rng.random(n) < 0.5 + 0.6 * (p - 0.5)).astype(int)
    return y, p


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("n_bins", [1, 5, 10, 17])
@pytest.mark.parametrize("rounded", [False, True])
def test_bins_match_sklearn_calibration_curve(strategy, n_bins, rounded) -> None:  # type: ignore[no-untyped-def]
    y, p = predictions(700, seed=n_bins, rounded=rounded)
    bins = reliability(y, p, n_bins=n_bins, strategy=strategy)
    prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy=strategy)
    keep = bins.nonempty
    np.testing.assert_allclose(bins.fraction_positive[keep], prob_true, rtol=1e-12)
    np.testing.assert_allclose(bins.mean_predicted[keep], prob_pred, rtol=1e-12)
    assert bins.counts.sum() == 700
    np.testing.assert_array_equal(bins.weights, bins.counts)
    assert np.isnan(bins.mean_predicted[~keep]).all()
    assert bins.edges.shape == (n_bins + 1,)


def test_integer_weights_equal_repeated_points() -> None:
    y, p = predictions(200, seed=2)
    w = np.random.default_rng(3).integers(0, 4, 200)
    weighted = calibration(y, p, n_bins=6, sample_weight=w)
    repeated = calibration(np.repeat(y, w), np.repeat(p, w), n_bins=6)
    np.testing.assert_allclose(weighted.bins.weights, repeated.bins.counts)
    keep = weighted.bins.nonempty
    np.testing.assert_allclose(
        weighted.bins.mean_predicted[keep], repeated.bins.mean_predicted[keep], rtol=1e-12
    )
    np.testing.assert_allclose(
        weighted.bins.fraction_positive[keep], repeated.bins.fraction_positive[keep], rtol=1e-12
    )
    assert weighted.ece == pytest.approx(repeated.ece, rel=1e-12)
    assert weighted.brier == pytest.approx(repeated.brier, rel=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_brier_matches_sklearn(weighted: bool) -> None:
    y, p = predictions(500, seed=4)
    w = np.random.default_rng(5).uniform(0.1, 2.0, 500) if weighted else None
    result = calibration(y, p, sample_weight=w)
    assert result.brier == pytest.approx(brier_score_loss(y, p, sample_weight=w), rel=1e-12)


def direct_ece(y, p, edges, w=None):  # type: ignore[no-untyped-def]
    """ECE point by point: find each point's bin by comparing with the edges in Python."""
    n_bins = len(edges) - 1
    w = np.ones(len(y)) if w is None else w
    tot = [0.0] * n_bins
    sum_p = [0.0] * n_bins
    sum_y = [0.0] * n_bins
    for yi, pi, wi in zip(y, p, w, strict=True):
        k = 0
        while k < n_bins - 1 and pi > edges[k + 1]:
            k += 1
        tot[k] += wi
        sum_p[k] += wi * pi
        sum_y[k] += wi * yi
    total = sum(tot)
    return sum(
        abs(sp / t - sy / t) * t / total for t, sp, sy in zip(tot, sum_p, sum_y, strict=True) if t
    )


@pytest.mark.parametrize("strategy", ["uniform", "quantile"])
@pytest.mark.parametrize("weighted", [False, True])
def test_ece_matches_a_direct_computation(strategy: str, weighted: bool) -> None:
    y, p = predictions(400, seed=6, rounded=True)
    w = np.random.default_rng(7).uniform(0.0, 2.0, 400) if weighted else None
    bins = reliability(y, p, n_bins=10, strategy=strategy, sample_weight=w)  # type: ignore[arg-type]
    ece = expected_calibration_error(y, p, n_bins=10, strategy=strategy, sample_weight=w)  # type: ignore[arg-type]
    assert ece == pytest.approx(direct_ece(y, p, bins.edges, w), rel=1e-12)
    assert ece > 0.01  # the data are miscalibrated on purpose


def test_ece_is_zero_when_every_bin_is_calibrated() -> None:
    p = np.array([0.25] * 4 + [0.75] * 4)
    y = np.array([1, 0, 0, 0, 1, 1, 1, 0])
    assert expected_calibration_error(y, p, n_bins=2) == pytest.approx(0.0, abs=1e-15)
    assert expected_calibration_error(y, 1.0 - p, n_bins=2) == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"y_true": [0, 2], "p": [0.1, 0.2]}, "labels 0 and 1"),
        ({"y_true": [0, 1], "p": [0.1, 1.2]}, r"probabilities in \[0, 1\]"),
        ({"y_true": [0, 1], "p": [0.1]}, "same length"),
        ({"y_true": [], "p": []}, "at least one point"),
        ({"y_true": [0, 1], "p": [0.1, 0.2], "n_bins": 0}, "n_bins must be"),
        ({"y_true": [0, 1], "p": [0.1, 0.2], "strategy": "kmeans"}, "strategy must be one of"),
        ({"y_true": [0, 1], "p": [0.1, 0.2], "sample_weight": [0, 0]}, "positive sum"),
        ({"y_true": [0, 1], "p": [0.1, 0.2], "sample_weight": [1]}, "shape"),
    ],
)
def test_bad_input_is_refused(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        reliability(**kwargs)
