"""Marginal effects and prediction intervals of a binary logistic model (delta method).

With ``z = [1, x]`` and ``p = σ(zᵀθ)``:

* ``dydx``: ∂p/∂xⱼ = p(1 − p)·θⱼ; ``eyex``: the elasticity (∂p/∂xⱼ)·xⱼ/p = (1 − p)·θⱼ·xⱼ.
* ``at="overall"`` averages the per-row effects over the rows of X;
  ``at="mean"`` evaluates them at the column means of X.

Standard errors by the delta method, ``J V Jᵀ`` with ``J`` the Jacobian of
the effects in θ (analytic here), as statsmodels' ``get_margeff``.
:func:`probability_interval` is the interval of the linear predictor mapped
through σ (statsmodels' ``get_prediction().conf_int()`` for a ``Logit``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.special

from logitlab.core.types import FloatArray

METHODS = ("dydx", "eyex")
AT = ("overall", "mean")


@dataclass(frozen=True)
class Margins:
    """Marginal effects per feature with delta-method standard errors (shape (n_features,))."""

    effect: FloatArray
    std_error: FloatArray
    z: FloatArray
    p_value: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray


def marginal_effects(
    theta: FloatArray,
    cov: FloatArray,
    X: FloatArray,
    *,
    fit_intercept: bool,
    at: str = "overall",
    method: str = "dydx",
    confidence: float = 0.95,
) -> Margins:
    """Average (or at-the-mean) marginal effects of the features on P(class 1).

    Parameters
    ----------
    theta : ndarray of shape (n_terms,)
        Reported coefficients (intercept first when fitted).
    cov : ndarray of shape (n_terms, n_terms)
    X : ndarray of shape (n_samples, n_features)
    fit_intercept : bool
    at : {"overall", "mean"}
    method : {"dydx", "eyex"}
    confidence : float in (0, 1)

    Raises
    ------
    ValueError
        For an unknown ``at`` or ``method``.
    """
    if at not in AT:
        raise ValueError(f"at must be one of {AT}, got {at!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if at == "mean":
        X = np.mean(X, axis=0, keepdims=True)
    n, p = X.shape
    Z = np.hstack([np.ones((n, 1)), X]) if fit_intercept else X
    off = int(fit_intercept)
    beta = theta[off:]
    prob = scipy.special.expit(Z @ theta)
    J = np.zeros((p, theta.size))
    if method == "dydx":
        f = prob * (1.0 - prob)
        fprime = f * (1.0 - 2.0 * prob)
        effect = np.mean(f) * beta
        # ∂/∂θₖ mean(f)·βⱼ = mean(f'·zₖ)·βⱼ + mean(f)·[k = j]
        J += np.outer(beta, fprime @ Z / n)
        J[np.arange(p), off + np.arange(p)] += np.mean(f)
    else:
        g = 1.0 - prob
        gprime = -prob * (1.0 - prob)
        effect = (g @ X / n) * beta
        # ∂/∂θₖ mean(g·xⱼ)·βⱼ = mean(g'·zₖ·xⱼ)·βⱼ + mean(g·xⱼ)·[k = j]
        J += beta[:, None] * ((X * gprime[:, None]).T @ Z / n)
        J[np.arange(p), off + np.arange(p)] += g @ X / n
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, cov, J), 0.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = effect / se
    zq = float(scipy.special.ndtri(0.5 + confidence / 2.0))
    return Margins(
        effect=np.asarray(effect, dtype=np.float64),
        std_error=se,
        z=z,
        p_value=np.asarray(2.0 * scipy.special.ndtr(-np.abs(z)), dtype=np.float64),
        ci_low=effect - zq * se,
        ci_high=effect + zq * se,
    )


def probability_interval(
    theta: FloatArray, cov: FloatArray, X: FloatArray, *, fit_intercept: bool, alpha: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """P(class 1) and its (1 − alpha) interval: σ(η ± z·se(η)) with se(η)² = zᵀVz.

    Returns
    -------
    prob, low, high : ndarrays of shape (n_samples,)
    """
    n = X.shape[0]
    Z = np.hstack([np.ones((n, 1)), X]) if fit_intercept else X
    eta = Z @ theta
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", Z, cov, Z), 0.0))
    zq = float(scipy.special.ndtri(1.0 - alpha / 2.0))
    return (
        np.asarray(scipy.special.expit(eta), dtype=np.float64),
        np.asarray(scipy.special.expit(eta - zq * se), dtype=np.float64),
        np.asarray(scipy.special.expit(eta + zq * se), dtype=np.float64),
    )


def _multinomial_effects(
    theta: FloatArray, X: FloatArray, n_classes: int, fit_intercept: bool, method: str
) -> FloatArray:
    """Mean effects of shape (n_features, n_classes) on every class probability."""
    n, p = X.shape
    m = p + int(fit_intercept)
    B = np.vstack([np.zeros((1, m)), theta.reshape(n_classes - 1, m)])  # class 0 = 0
    Z = np.hstack([np.ones((n, 1)), X]) if fit_intercept else X
    eta = Z @ B.T
    eta -= eta.max(axis=1, keepdims=True)
    P = np.exp(eta)
    P /= P.sum(axis=1, keepdims=True)
    W = B[:, int(fit_intercept) :]  # (K, p) slopes
    mean_slope = P @ W  # (n, p): Σ_l p_l β_lj
    # ∂p_k/∂x_j = p_k (β_kj − Σ_l p_l β_lj), per row: (n, p, K)
    d = P[:, None, :] * (W.T[None, :, :] - mean_slope[:, :, None])
    if method == "eyex":
        d = d * X[:, :, None] / P[:, None, :]
    return np.asarray(d.mean(axis=0), dtype=np.float64)


def multinomial_marginal_effects(
    theta: FloatArray,
    cov: FloatArray,
    X: FloatArray,
    *,
    n_classes: int,
    fit_intercept: bool,
    at: str = "overall",
    method: str = "dydx",
    confidence: float = 0.95,
) -> Margins:
    """Marginal effects on each class probability of a K-class model, as ``MNLogit.get_margeff``.

    The arrays of the result have shape (n_features, n_classes). Standard
    errors by the delta method with a central-difference Jacobian (step
    ``1e-6·max(1, |θ|)``), as statsmodels computes it numerically too.
    """
    if at not in AT:
        raise ValueError(f"at must be one of {AT}, got {at!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if at == "mean":
        X = np.mean(X, axis=0, keepdims=True)
    effect = _multinomial_effects(theta, X, n_classes, fit_intercept, method)
    J = np.zeros((effect.size, theta.size))
    for k in range(theta.size):
        h = 1e-6 * max(1.0, abs(float(theta[k])))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        diff = _multinomial_effects(up, X, n_classes, fit_intercept, method)
        diff -= _multinomial_effects(down, X, n_classes, fit_intercept, method)
        J[:, k] = diff.ravel() / (2.0 * h)
    se = np.sqrt(np.maximum(np.einsum("ij,jk,ik->i", J, cov, J), 0.0)).reshape(effect.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = effect / se
    zq = float(scipy.special.ndtri(0.5 + confidence / 2.0))
    return Margins(
        effect=effect,
        std_error=se,
        z=z,
        p_value=np.asarray(2.0 * scipy.special.ndtr(-np.abs(z)), dtype=np.float64),
        ci_low=effect - zq * se,
        ci_high=effect + zq * se,
    )
