"""The optimization problem behind one ``LogisticRegression.fit``, and its answer.

Most fits minimize the model's own objective. Two settings change the
problem: scikit-learn's ``solver='liblinear'`` penalizes the intercept (as the
weight of a constant column), and a class whose samples all weigh 0 has its
optimum at infinity, so the remaining classes are fitted on their own. Each
builder here returns the coefficients in the estimator's layout: one row per
linear predictor, intercept last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import SolveResult
from logitlab.core.types import FloatArray

#: Runs a solver on an objective from a starting point (None: the objective's own).
Minimize = Callable[[Objective, FloatArray | None], SolveResult]


@dataclass(frozen=True)
class Fit:
    """One fitted problem, mapped back to the estimator's layout."""

    matrix: FloatArray
    """Shape (1 or n_classes, n_features [+ 1]): a row per linear predictor, intercept last."""
    result: SolveResult
    objective: Objective
    coef: FloatArray
    """The objective's own coefficients at the optimum (multinomial: symmetrized)."""
    standard: bool
    """Whether ``objective`` is the model's own problem (the one ``summary()`` knows)."""


def fit_problem(
    minimize: Minimize,
    X: FloatArray,
    y_index: np.ndarray,
    n_classes: int,
    active: np.ndarray,
    sw: FloatArray | None,
    penalty: Penalty,
    warm: FloatArray | None,
    *,
    fit_intercept: bool,
    liblinear_scaling: float | None = None,
) -> Fit:
    """Build the objective the settings call for, minimize it, map the result back.

    Parameters
    ----------
    minimize : callable (objective, coef0) -> SolveResult
    X : ndarray of shape (n_samples, n_features)
    y_index : ndarray of shape (n_samples,)
        Class index of each sample (0/1 for two classes).
    n_classes : int
    active : ndarray of int
        Indices of the classes with positive total weight (at least two).
    sw : ndarray of shape (n_samples,) or None
        Sample weights, class weights multiplied in.
    penalty : Penalty
    warm : ndarray of shape (1 or n_classes, n_features [+ 1]) or None
        A previous fit to start from, in the estimator's layout.
    fit_intercept : bool
    liblinear_scaling : float or None
        ``intercept_scaling`` when the intercept is penalized as in liblinear.
    """
    n_features = X.shape[1]
    if liblinear_scaling is not None:
        return _fit_liblinear(
            minimize, X, y_index, sw, penalty, warm, fit_intercept, liblinear_scaling
        )
    if fit_intercept and active.shape[0] < n_classes:
        return _fit_without_empty_classes(
            minimize, X, y_index, n_classes, active, sw, penalty, warm
        )
    objective = Objective(
        X,
        y_index.astype(np.float64),
        n_classes=n_classes,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        penalty=penalty,
    )
    coef0 = None if warm is None or not np.all(np.isfinite(warm)) else warm.ravel()
    result = minimize(objective, coef0)
    coef = symmetrize(result.coef, n_classes, n_features, fit_intercept, penalty)
    return Fit(coef.reshape(-1, n_features + int(fit_intercept)), result, objective, coef, True)


def _fit_liblinear(
    minimize: Minimize,
    X: FloatArray,
    y_index: np.ndarray,
    sw: FloatArray | None,
    penalty: Penalty,
    warm: FloatArray | None,
    fit_intercept: bool,
    scaling: float,
) -> Fit:
    """liblinear's problem: the intercept is the penalized weight of a constant column.

    The column holds ``scaling`` (``intercept_scaling``); the intercept is its
    weight times that value. Without an intercept this is the ordinary problem.
    """
    n_samples, n_features = X.shape
    Xl = X
    if fit_intercept:  # a copy with the constant column (sparse stays sparse)
        column = np.full((n_samples, 1), scaling, dtype=X.dtype)
        Xl = (
            sp.hstack([X, sp.csr_array(column)], format=getattr(X, "format", "csr"))
            if sp.issparse(X)
            else np.hstack([X, column])
        )
    objective = Objective(
        Xl, y_index.astype(np.float64), fit_intercept=False, sample_weight=sw, penalty=penalty
    )
    coef0 = None
    if warm is not None and np.all(np.isfinite(warm)):
        coef0 = warm[0].copy()
        if fit_intercept:
            coef0[-1] /= scaling
    result = minimize(objective, coef0)
    w = result.coef
    row = np.r_[w[:n_features], w[n_features] * scaling] if fit_intercept else w
    return Fit(row[None, :], result, objective, w, not fit_intercept)


def _fit_without_empty_classes(
    minimize: Minimize,
    X: FloatArray,
    y_index: np.ndarray,
    n_classes: int,
    active: np.ndarray,
    sw: FloatArray | None,
    penalty: Penalty,
    warm: FloatArray | None,
) -> Fit:
    """Fit the classes of positive weight; the others get intercept -inf and weights 0.

    That is the limit the full problem's minimizing sequences approach: an
    empty class's intercept falls without bound, its penalized weights go to
    0, and the rest is the softmax model of the remaining classes. Its rows of
    X stay (with weight 0) under a dummy index, so X is not copied.
    """
    n_features = X.shape[1]
    kept = active.shape[0]
    remap = np.zeros(n_classes, dtype=np.intp)
    remap[active] = np.arange(kept)
    target = remap[y_index].astype(np.float64)
    start = None if warm is None or not np.all(np.isfinite(warm[active])) else warm[active]
    if kept == 2:
        # Two classes left: their symmetric softmax rows are ±b/2, with b the binary
        # model's coefficients, and the penalty on both rows is
        # α(ρ‖b‖₁ + (1 − ρ)/4·‖b‖²): the binary model under α' = α(1 + ρ)/2, ρ' = 2ρ/(1 + ρ).
        rho = penalty.l1_ratio
        binary = Penalty(alpha=penalty.alpha * (1 + rho) / 2, l1_ratio=2 * rho / (1 + rho))
        objective = Objective(X, target, sample_weight=sw, penalty=binary)
        result = minimize(objective, None if start is None else start[1] - start[0])
        rows = np.vstack([-result.coef / 2, result.coef / 2])
    else:
        objective = Objective(X, target, n_classes=kept, sample_weight=sw, penalty=penalty)
        result = minimize(objective, None if start is None else start.ravel())
        coef = symmetrize(result.coef, kept, n_features, True, penalty)
        rows = coef.reshape(kept, n_features + 1)
    matrix = np.zeros((n_classes, n_features + 1))
    matrix[:, n_features] = -np.inf
    matrix[active] = rows
    return Fit(matrix, result, objective, result.coef, False)


def symmetrize(
    coef: FloatArray, K: int, n_features: int, fit_intercept: bool, penalty: Penalty
) -> FloatArray:
    """Pick scikit-learn's representative of a multinomial fit: rows summing to zero.

    Shifting every class row by one vector leaves the probabilities unchanged.
    Without a penalty the whole rows are centered; with one, only the
    (unpenalized) intercepts, since the weights' penalty fixes them.
    """
    if K == 2:
        return coef
    mat = coef.reshape(K, n_features + int(fit_intercept)).copy()
    if penalty.alpha == 0.0:
        mat -= mat.mean(axis=0)
    elif fit_intercept:
        mat[:, -1] -= mat[:, -1].mean()
    return mat.ravel()
