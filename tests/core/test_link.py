"""Stable link functions: exact at |z| = 1e4, no warnings (pytest turns them into errors)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sc

from logitlab.core.link import (
    log_sigmoid,
    log_softmax,
    logsumexp,
    sigmoid,
    softmax,
    softplus,
    softplus_and_sigmoid,
)

MODERATE = np.linspace(-30.0, 30.0, 121)
EXTREME = np.array([-1e4, -800.0, -40.0, 0.0, 40.0, 800.0, 1e4])


@pytest.fixture(autouse=True)
def _raise_on_overflow():  # type: ignore[no-untyped-def]
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


def test_sigmoid_matches_scipy_expit() -> None:
    np.testing.assert_allclose(sigmoid(MODERATE), sc.expit(MODERATE), rtol=1e-15, atol=0)


def test_sigmoid_extremes_are_exact() -> None:
    out = sigmoid(EXTREME)
    assert np.all(np.isfinite(out))
    # σ(±1e4) and σ(±800) round to exactly 1 and 0 in float64; σ(±40) is 1 - e^-40 / e^-40.
    np.testing.assert_array_equal(out[[0, 1, 3, 5, 6]], [0.0, 0.0, 0.5, 1.0, 1.0])
    np.testing.assert_allclose(out[2], np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-15)
    assert out[4] == 1.0 - np.exp(-40.0)  # both round to 1.0
    np.testing.assert_allclose(sigmoid(EXTREME) + sigmoid(-EXTREME), 1.0, rtol=1e-15)


def test_softplus_closed_form() -> None:
    # softplus(z) = log(1 + e^z); for z > 40 it is z to double precision, for z < -40 it is e^z.
    np.testing.assert_allclose(softplus(MODERATE), np.logaddexp(0.0, MODERATE), rtol=1e-14)
    out = softplus(EXTREME)
    assert np.all(np.isfinite(out))
    assert out[-1] == 1e4 and out[-2] == 800.0
    assert out[0] == 0.0 and out[1] == 0.0  # e^-800 underflows to 0: the exact rounding
    np.testing.assert_allclose(out[2], np.exp(-40.0), rtol=1e-15)
    np.testing.assert_allclose(out[3], np.log(2.0), rtol=1e-15)


def test_log_sigmoid_matches_scipy_and_is_finite() -> None:
    np.testing.assert_allclose(log_sigmoid(MODERATE), sc.log_expit(MODERATE), rtol=1e-14)
    out = log_sigmoid(EXTREME)
    assert np.all(np.isfinite(out))
    assert out[0] == -1e4 and out[1] == -800.0
    assert out[-1] == 0.0
    np.testing.assert_allclose(out[2], -40.0 - np.log1p(np.exp(-40.0)), rtol=1e-15)


def test_softplus_and_sigmoid_share_one_exponential() -> None:
    z = np.concatenate([MODERATE, EXTREME])
    sp, p = softplus_and_sigmoid(z)
    np.testing.assert_array_equal(sp, softplus(z))
    np.testing.assert_array_equal(p, sigmoid(z))


def test_logsumexp_matches_scipy_and_handles_extremes() -> None:
    rng = np.random.default_rng(0)
    z = rng.normal(scale=10.0, size=(20, 4))
    np.testing.assert_allclose(logsumexp(z, axis=1), sc.logsumexp(z, axis=1), rtol=1e-14)
    big = np.array([[1e4, 1e4, -1e4], [-1e4, -1e4, -1e4], [1e4, 0.0, -1e4]])
    out = logsumexp(big, axis=1)
    np.testing.assert_allclose(out, [1e4 + np.log(2.0), -1e4 + np.log(3.0), 1e4], rtol=1e-15)
    np.testing.assert_allclose(logsumexp(z.T, axis=0), sc.logsumexp(z, axis=1), rtol=1e-14)


def test_softmax_and_log_softmax_match_scipy_and_extremes() -> None:
    rng = np.random.default_rng(1)
    z = rng.normal(scale=10.0, size=(20, 3))
    np.testing.assert_allclose(softmax(z, axis=1), sc.softmax(z, axis=1), rtol=1e-13)
    np.testing.assert_allclose(
        log_softmax(z, axis=1), sc.log_softmax(z, axis=1), rtol=1e-13, atol=1e-15
    )
    # Closed form in extended precision: log p_k = (z_k − z_max) − log1p(Σ_{j≠max} e^{z_j − z_max}).
    zl = z.astype(np.longdouble)
    top = np.argmax(z, axis=1)
    shifted = zl - zl[np.arange(len(z)), top][:, None]
    rest = np.exp(shifted)
    rest[np.arange(len(z)), top] = 0.0
    reference = shifted - np.log1p(np.sum(rest, axis=1, keepdims=True))
    np.testing.assert_allclose(log_softmax(z, axis=1), reference.astype(np.float64), rtol=1e-14)
    big = np.array([[1e4, 0.0, -1e4], [1e4, 1e4, 0.0]])
    np.testing.assert_array_equal(softmax(big, axis=1), [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]])
    lsm = log_softmax(big, axis=1)
    assert np.all(np.isfinite(lsm))
    np.testing.assert_allclose(lsm, [[0.0, -1e4, -2e4], [-np.log(2), -np.log(2), -1e4 - np.log(2)]])
