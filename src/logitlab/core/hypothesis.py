"""Wald and likelihood-ratio tests on fitted logistic models (statsmodels' numbers).

* :func:`wald_test`: the linear hypothesis ``R θ = q`` on the reported
  coefficients, ``W = (Rθ − q)ᵀ (R V Rᵀ)⁻¹ (Rθ − q)`` against a chi-squared
  distribution with rank(R) degrees of freedom, as statsmodels'
  ``results.wald_test((R, q), scalar=True)`` for a ``Logit`` (which uses the
  normal, not the t, distribution).
* :func:`lr_test`: ``2·(ℓ_full − ℓ_restricted)`` on the difference in the
  number of parameters, as statsmodels' ``compare_lr_test``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.stats

from logitlab.core.types import FloatArray


@dataclass(frozen=True)
class TestResult:
    """A chi-squared test: its statistic, p-value and degrees of freedom."""

    statistic: float
    p_value: float
    df: int

    def __str__(self) -> str:
        return f"chi2({self.df}) = {self.statistic:.6g}, p = {self.p_value:.6g}"


def wald_test(
    theta: FloatArray,
    cov: FloatArray,
    R: npt.ArrayLike,
    q: npt.ArrayLike | None = None,
) -> TestResult:
    """Wald test of ``R θ = q``.

    Parameters
    ----------
    theta : ndarray of shape (n_params,)
    cov : ndarray of shape (n_params, n_params)
    R : array-like of shape (n_restrictions, n_params) or (n_params,)
    q : array-like of shape (n_restrictions,), default zeros

    Raises
    ------
    ValueError
        If the shapes do not fit, or ``R V Rᵀ`` is singular (redundant restrictions).
    """
    Rm = np.atleast_2d(np.asarray(R, dtype=np.float64))
    if Rm.ndim != 2 or Rm.shape[1] != theta.size:
        raise ValueError(
            f"R must have {theta.size} columns (one per coefficient, in table order), "
            f"got shape {np.shape(R)}"
        )
    qv = np.zeros(Rm.shape[0]) if q is None else np.asarray(q, dtype=np.float64).reshape(-1)
    if qv.shape[0] != Rm.shape[0]:
        raise ValueError(f"q must have {Rm.shape[0]} entries (one per row of R), got {qv.size}")
    diff = Rm @ theta - qv
    middle = Rm @ cov @ Rm.T
    rank = int(np.linalg.matrix_rank(middle))
    if rank < Rm.shape[0]:
        raise ValueError("R V Rᵀ is singular: the restrictions in R are redundant")
    stat = float(diff @ np.linalg.solve(middle, diff))
    return TestResult(statistic=stat, p_value=float(scipy.stats.chi2.sf(stat, rank)), df=rank)


def lr_test(
    log_likelihood_full: float,
    n_params_full: int,
    log_likelihood_restricted: float,
    n_params_restricted: int,
) -> TestResult:
    """Likelihood-ratio test of a restricted model nested in a full one.

    Raises
    ------
    ValueError
        If the restricted model does not have fewer parameters.
    """
    df = n_params_full - n_params_restricted
    if df <= 0:
        raise ValueError(
            f"the restricted model must have fewer parameters than the full one "
            f"({n_params_restricted} vs {n_params_full})"
        )
    stat = 2.0 * (log_likelihood_full - log_likelihood_restricted)
    return TestResult(statistic=stat, p_value=float(scipy.stats.chi2.sf(stat, df)), df=df)
