"""A pointwise confidence band around the decision boundary p̂ = τ (binary model).

The linear predictor at a point is ``z(x) = x̃ᵀβ`` with ``x̃ = [x, 1]``. Its
delta-method standard error is ``se(x) = √(x̃ᵀΣx̃)`` for the coefficients'
covariance Σ (exact here: z is linear in β), and the pointwise interval is
``z ± q·se`` with ``q = Φ⁻¹(1 − (1 − level)/2)`` (1.96 for 95 %). The boundary
is the contour ``z = logit(τ)``; a point lies *inside the band* when that level
is within its interval, ``|z − logit(τ)| ≤ q·se``. The band's two edges are the
contours ``z − q·se = logit(τ)`` and ``z + q·se = logit(τ)`` of the ``lower``
and ``upper`` arrays. Which covariance Σ to pass (model-based, sandwich, under a
penalty) is the caller's choice; :mod:`logitlab.core.inference` computes them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import logit
from scipy.stats import norm

from logitlab.core.types import BoolArray, FloatArray


@dataclass(frozen=True)
class Band:
    """Pointwise interval of the linear predictor, and the band around z = logit(τ).

    Every array has the shape of the points given without their last axis
    (``X.shape[:-1]``: a grid stays a grid).

    Attributes
    ----------
    z : ndarray
        Linear predictor x̃ᵀβ.
    se : ndarray
        Its standard error √(x̃ᵀΣx̃).
    lower, upper : ndarray
        ``z − q·se`` and ``z + q·se``.
    inside : ndarray of bool
        Where ``lower <= logit(τ) <= upper``: the band.
    threshold_z : float
        logit(τ), the level of the boundary (and of both edge contours).
    critical : float
        q, the standard normal quantile of the level.
    level : float
        Confidence level, e.g. 0.95.
    """

    z: FloatArray
    se: FloatArray
    lower: FloatArray
    upper: FloatArray
    inside: BoolArray
    threshold_z: float
    critical: float
    level: float


def linear_predictor_interval(
    coef: npt.ArrayLike,
    covariance: npt.ArrayLike,
    X: npt.ArrayLike,
    *,
    fit_intercept: bool = True,
    level: float = 0.95,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Linear predictor, its standard error and its pointwise interval at every point.

    Parameters
    ----------
    coef : array-like of shape (n_coef,)
        Binary coefficients ``[w₁ … w_p, b]`` (``[w₁ … w_p]`` without intercept).
    covariance : array-like of shape (n_coef, n_coef)
        Covariance of ``coef`` in the same order; symmetric, finite.
    X : array-like of shape (..., n_features)
        The points; leading axes (a grid) are kept.
    fit_intercept : bool, default=True
        Whether the last coefficient is an intercept.
    level : float, default=0.95
        Confidence level in (0, 1).

    Returns
    -------
    z, se, lower, upper : ndarrays of shape X.shape[:-1]
    """
    beta, cov, pts, q = _check(coef, covariance, X, fit_intercept, level)
    p = pts.shape[-1]
    flat = pts.reshape(-1, p)
    w = beta[:p]
    z = flat @ w
    if fit_intercept:
        z = z + beta[p]
    # x̃ᵀΣx̃ = xᵀΣ_ww x + 2·xᵀΣ_wb + Σ_bb, without forming x̃.
    quad = np.einsum("ij,jk,ik->i", flat, cov[:p, :p], flat)
    if fit_intercept:
        quad += 2.0 * (flat @ cov[:p, p]) + cov[p, p]
    se = np.sqrt(np.maximum(quad, 0.0))  # rounding can leave -0.0 on a flat direction
    shape = pts.shape[:-1]
    z = z.reshape(shape)
    se = se.reshape(shape)
    return z, se, z - q * se, z + q * se


def boundary_band(
    coef: npt.ArrayLike,
    covariance: npt.ArrayLike,
    X: npt.ArrayLike,
    *,
    tau: float = 0.5,
    fit_intercept: bool = True,
    level: float = 0.95,
) -> Band:
    """The pointwise ``level`` band around the boundary p̂ = ``tau`` on the points ``X``.

    Parameters are those of :func:`linear_predictor_interval`, plus

    tau : float, default=0.5
        The decision threshold, in (0, 1).

    Returns
    -------
    Band
    """
    if not (np.isfinite(tau) and 0.0 < tau < 1.0):
        raise ValueError(f"tau must be a threshold in (0, 1), got {tau!r}")
    z, se, lower, upper = linear_predictor_interval(
        coef, covariance, X, fit_intercept=fit_intercept, level=level
    )
    t = float(logit(tau))
    return Band(
        z=z,
        se=se,
        lower=lower,
        upper=upper,
        inside=(lower <= t) & (t <= upper),
        threshold_z=t,
        critical=_critical(level),
        level=float(level),
    )


def _critical(level: float) -> float:
    return float(norm.ppf(0.5 + 0.5 * level))


def _check(
    coef: npt.ArrayLike,
    covariance: npt.ArrayLike,
    X: npt.ArrayLike,
    fit_intercept: bool,
    level: float,
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    if not (np.isfinite(level) and 0.0 < level < 1.0):
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    beta = np.asarray(coef, dtype=np.float64)
    if beta.ndim != 1:
        raise ValueError(f"coef must be a 1-d array of binary coefficients, got shape {beta.shape}")
    m = beta.size
    cov = np.asarray(covariance, dtype=np.float64)
    if cov.shape != (m, m):
        raise ValueError(f"covariance must have shape ({m}, {m}), got {cov.shape}")
    if not (np.all(np.isfinite(beta)) and np.all(np.isfinite(cov))):
        raise ValueError("coef and covariance must be finite")
    if not np.allclose(cov, cov.T, rtol=1e-10, atol=1e-14 * max(1.0, float(np.abs(cov).max()))):
        raise ValueError("covariance must be symmetric")
    pts = np.asarray(X, dtype=np.float64)
    p = m - int(fit_intercept)
    if pts.ndim < 1 or pts.shape[-1] != p:
        raise ValueError(f"X must have {p} features on its last axis, got shape {pts.shape}")
    return beta, cov, pts, _critical(level)
