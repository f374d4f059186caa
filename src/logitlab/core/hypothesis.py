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

import re
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


_TERM = re.compile(
    r"\s*(?P<sign>[+-])?\s*(?:(?P<coef>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)\s*\*\s*)?"
    r"(?P<atom>[^+\-*=,\s][^+*=,]*?)\s*(?=[+\-=,]|$)"
)


def parse_constraints(text: str, names: list[str]) -> tuple[FloatArray, FloatArray]:
    """``R`` and ``q`` of linear constraints written with the coefficient names.

    Comma-separated equations such as ``"x1 = x2, 2*x3 - x4 = 1"``; an
    equation without ``=`` means ``= 0`` (``"x1, x2"`` tests both are zero).
    Each side is a sum of ``[number *] name`` terms and plain numbers.

    Raises
    ------
    ValueError
        For an unknown name or a malformed equation (the message names it).
    """
    index = {name: j for j, name in enumerate(names)}
    rows, rhs = [], []
    for equation in text.split(","):
        if not equation.strip():
            raise ValueError(f"empty constraint in {text!r}")
        sides = equation.split("=")
        if len(sides) > 2:
            raise ValueError(f"constraint {equation.strip()!r} has more than one '='")
        row = np.zeros(len(names))
        const = 0.0
        for side_no, side in enumerate(sides if len(sides) == 2 else [*sides, "0"]):
            sign_side = 1.0 if side_no == 0 else -1.0
            pos = 0
            side = side.strip()
            if not side:
                raise ValueError(f"constraint {equation.strip()!r} has an empty side")
            while pos < len(side):
                match = _TERM.match(side, pos)
                if match is None or match.end() == pos:
                    raise ValueError(f"cannot read {side[pos:]!r} in {equation.strip()!r}")
                pos = match.end()
                factor = -1.0 if match["sign"] == "-" else 1.0
                factor *= float(match["coef"]) if match["coef"] else 1.0
                atom = match["atom"].strip()
                try:
                    const -= sign_side * factor * float(atom)
                except ValueError:
                    if atom not in index:
                        raise ValueError(
                            f"unknown coefficient {atom!r} in {equation.strip()!r}; "
                            f"the names are {names}"
                        ) from None
                    row[index[atom]] += sign_side * factor
        rows.append(row)
        rhs.append(const)
    return np.asarray(rows, dtype=np.float64), np.asarray(rhs, dtype=np.float64)
