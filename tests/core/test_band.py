"""The boundary band: the delta method by finite differences, and statsmodels' intervals."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy.special import expit

from logitlab.core.band import boundary_band, linear_predictor_interval


def fitted(n: int = 300, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 2)) * [1.0, 2.0] + [0.5, -1.0]
    y = (X @ [1.2, -0.7] + 0.4 + rng.logistic(size=n) > 0).astype(np.float64)
    res = sm.Logit(y, sm.add_constant(X, prepend=False)).fit(disp=0, method="newton", tol=1e-12)
    return X, res


def test_interval_matches_statsmodels_get_prediction_on_the_linear_predictor() -> None:
    _, res = fitted()
    grid = np.random.default_rng(1).uniform(-4, 4, (57, 2))
    z, se, lower, upper = linear_predictor_interval(res.params, res.cov_params(), grid)
    pred = res.get_prediction(
        sm.add_constant(grid, prepend=False, has_constant="add"), which="linear"
    )
    np.testing.assert_allclose(z, pred.predicted, rtol=1e-12)
    np.testing.assert_allclose(se, pred.se, rtol=1e-10)
    ci = pred.conf_int(alpha=0.05)
    np.testing.assert_allclose(lower, ci[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(upper, ci[:, 1], rtol=1e-10, atol=1e-12)
    _, _, lo90, hi90 = linear_predictor_interval(res.params, res.cov_params(), grid, level=0.9)
    np.testing.assert_allclose(lo90, pred.conf_int(alpha=0.1)[:, 0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hi90, pred.conf_int(alpha=0.1)[:, 1], rtol=1e-10, atol=1e-12)


def finite_difference_se(f, beta, cov, h=1e-6):  # type: ignore[no-untyped-def]
    """Delta method with the gradient of f(β) taken by central differences."""
    grads = []
    for j in range(beta.size):
        e = np.zeros_like(beta)
        e[j] = h
        grads.append((f(beta + e) - f(beta - e)) / (2 * h))
    G = np.stack(grads, axis=-1)
    return np.sqrt(np.einsum("...i,ij,...j->...", G, cov, G))


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_band_matches_a_finite_difference_delta_method_on_a_grid(fit_intercept: bool) -> None:
    _, res = fitted(seed=2)
    beta = np.asarray(res.params) if fit_intercept else np.asarray(res.params)[:2]
    cov = np.asarray(res.cov_params()) if fit_intercept else np.asarray(res.cov_params())[:2, :2]
    gx, gy = np.meshgrid(np.linspace(-3, 4, 31), np.linspace(-6, 3, 23))
    grid = np.stack([gx, gy], axis=-1)  # (23, 31, 2): a grid stays a grid
    band = boundary_band(beta, cov, grid, tau=0.3, fit_intercept=fit_intercept)
    assert band.z.shape == band.se.shape == band.inside.shape == (23, 31)

    def linear(b):  # type: ignore[no-untyped-def]
        z = grid @ b[:2]
        return z + b[2] if fit_intercept else z

    np.testing.assert_allclose(band.z, linear(beta), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(band.se, finite_difference_se(linear, beta, cov), rtol=1e-7)
    assert band.critical == pytest.approx(1.959963984540054, rel=1e-12)
    np.testing.assert_allclose(band.lower, band.z - band.critical * band.se, rtol=1e-15)
    assert band.threshold_z == pytest.approx(np.log(0.3 / 0.7), rel=1e-14)
    # inside the band: the threshold lies in the interval of z, i.e. the interval of p̂
    # (expit is monotone) contains τ
    p_low, p_high = expit(band.lower), expit(band.upper)
    np.testing.assert_array_equal(band.inside, (p_low <= 0.3) & (p_high >= 0.3))
    assert 0 < band.inside.sum() < band.inside.size
    # the boundary itself is inside wherever it crosses the grid
    crossing = np.sign(band.z[:, 1:] - band.threshold_z) != np.sign(
        band.z[:, :-1] - band.threshold_z
    )
    assert np.all(band.inside[:, 1:][crossing] | band.inside[:, :-1][crossing])


def test_the_band_narrows_with_more_data() -> None:
    widths = []
    for n in (200, 3200):
        _, res = fitted(n=n, seed=3)
        band = boundary_band(res.params, res.cov_params(), np.array([[0.0, 0.0], [2.0, 1.0]]))
        widths.append(band.upper - band.lower)
    np.testing.assert_array_less(widths[1], widths[0] / 3)  # about 1/√16 = 1/4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"covariance": np.eye(2)}, r"covariance must have shape \(3, 3\)"),
        ({"covariance": np.array([[1, 2, 0], [0, 1, 0], [0, 0, 1.0]])}, "symmetric"),
        ({"X": np.zeros((4, 3))}, "2 features"),
        ({"tau": 1.0}, r"tau must be a threshold in \(0, 1\)"),
        ({"level": 95}, r"level must be in \(0, 1\)"),
        ({"coef": np.array([1.0, np.nan, 0.0])}, "finite"),
    ],
)
def test_bad_input_is_refused(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    args = {"coef": np.zeros(3), "covariance": np.eye(3), "X": np.zeros((4, 2))} | kwargs
    with pytest.raises(ValueError, match=message):
        boundary_band(**args)
