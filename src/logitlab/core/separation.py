"""(Quasi-)complete separation of the classes, checked at every size.

With class 0 as the reference (β_0 = 0) and the intercept as a column of ones,
the data are *quasi-completely separated* when some β ≠ 0 gives every row a
margin ``aᵢₖ·β = xᵢ·(β_{yᵢ} − β_k) ≥ 0`` for all k ≠ yᵢ, at least one of them
strictly, and *completely separated* when every margin can be made strictly
positive (Albert & Anderson, 1984). Then the maximum-likelihood estimate does
not exist. Three tests, cheapest first:

1. **A certificate of no separation from the fit** (:func:`certify_no_separation`):
   by Stiemke's theorem there is no such β exactly when some strictly
   positive weights λ satisfy ``Σ λᵢₖ aᵢₖ = 0``. At the maximum-likelihood
   estimate the score equations give such weights, ``λᵢₖ = sᵢ p̂ᵢₖ``; a fit
   that is only nearly converged leaves a residual ``g``, which one
   correction ``λ' = λ ∘ (1 − A M⁺ g)`` removes (``M = Σ λ aaᵀ``). When every
   factor stays above 1/2 this proves there is no separation, for the cost of
   one pass over the data.
2. **One column against the others** (:func:`single_column_separation`):
   a feature whose values in one class all lie on one side of a threshold
   and in the other classes on the other side (a 0/1 column that is 1 only on
   positives, say). One pass of per-class minima and maxima.
3. **The linear programs** (:func:`detect_separation`), solved with HiGHS on a
   working set of rows that grows by the rows the current solution violates
   (a cutting-plane loop), so a 60,000-row problem costs a few small LPs.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import scipy.optimize
import scipy.sparse

from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray, IntArray

Separation = Literal["complete", "quasi-complete"]

#: Rows of the first working set of the cutting-plane loop (besides the per-column extremes).
_WORKING_ROWS = 1_000
#: Rows added per round at most.
_ADD_ROWS = 2_000
#: Rounds before the loop gives up and solves the whole linear program.
_MAX_ROUNDS = 25
#: Margins (of columns scaled to max |x| = 1) below this count as zero.
_MARGIN_TOL = 1e-9


def certify_no_separation(
    Z: FloatArray,
    labels: IntArray,
    weights: FloatArray,
    P: FloatArray,
    M_inv_g: FloatArray,
    error: FloatArray,
) -> bool:
    """Whether the correction factors of one block of rows all exceed 1/2 (see module doc).

    Parameters
    ----------
    Z : ndarray of shape (rows, n_terms)
        Design rows (intercept column included when fitted).
    labels : ndarray of shape (rows,)
        Class indices.
    weights : ndarray of shape (rows,)
        Sample weights; rows with weight 0 are ignored.
    P : ndarray of shape (rows, n_classes)
        Fitted probabilities.
    M_inv_g : ndarray of shape (n_classes - 1, n_terms)
        ``M⁻¹ g`` of the whole data, one row per non-reference class.
    error : ndarray of shape (n_classes - 1,)
        Per class, a bound on ``|zᵢ·e_k|`` over all rows, ``e`` the rounding error of
        ``M⁻¹ g``; each factor must exceed 1/2 by its worst case, so rounding
        cannot fake a proof.
    """
    V = np.vstack([np.zeros((1, Z.shape[1])), M_inv_g])
    U = Z @ V.T  # (rows, K)
    b = np.r_[0.0, error]  # per class: a bound on |zᵢ·(error of M⁻¹g)_k| for every row
    rows = np.arange(Z.shape[0])
    own = U[rows, labels]
    factor = 1.0 - (own[:, None] - U) - (b[labels][:, None] + b[None, :])
    others = (weights > 0)[:, None] & (labels[:, None] != np.arange(P.shape[1]))
    return not bool(np.any(others & ((P <= 0.0) | (factor < 0.5))))


def certificate_weights(labels: IntArray, weights: FloatArray, P: FloatArray) -> FloatArray:
    """Per-row (K−1)×(K−1) weights of ``M = Σ λᵢₖ aᵢₖaᵢₖᵀ`` (reference class dropped).

    ``Lᵢ = Σ_{k≠yᵢ} p̂ᵢₖ (e_{yᵢ} − e_k)(e_{yᵢ} − e_k)ᵀ`` times the sample weight.
    """
    n, K = P.shape
    rows = np.arange(n)
    q = P.copy()
    q[rows, labels] = 0.0
    L = np.zeros((n, K, K))
    L[:, np.arange(K), np.arange(K)] = q
    L[rows, labels, labels] = q.sum(axis=1)  # 1 − p̂_y, keeping its digits near 1
    L[rows, labels, :] -= q
    L[rows, :, labels] -= q
    return np.asarray(L[:, 1:, 1:] * weights[:, None, None], dtype=np.float64)


def _prepared(
    objective: Objective,
) -> tuple[FloatArray, IntArray]:
    """Positive-weight rows, centered (with an intercept), the intercept column appended,
    every column scaled to max |x| = 1.

    One (rows, n_terms) float64 array, filled from X in row blocks and then
    centered and scaled in place (issue 13: the separation check's memory is
    one copy of X, not three).
    """
    from logitlab.core.covariance import blocks, dense_rows

    data: Any = objective.X
    labels = objective.y.astype(np.intp)
    sw = objective.sample_weight
    keep = None if sw is None else sw > 0
    if keep is not None:
        labels = labels[keep]
    n, p = labels.shape[0], objective.n_features
    fi = objective.model.fit_intercept
    out = np.empty((n, p + int(fi)))
    at = 0
    for sl in blocks(data.shape[0], p):
        rows = dense_rows(data, sl)
        if keep is not None:
            rows = rows[keep[sl]]
        out[at : at + rows.shape[0], :p] = rows
        at += rows.shape[0]
    if fi and n:
        out[:, :p] -= np.mean(out[:, :p], axis=0)
        out[:, p] = 1.0
    if n:
        scale = np.maximum(np.abs(out.min(axis=0)), np.abs(out.max(axis=0)))
    else:
        scale = np.ones(out.shape[1])
    scale[scale == 0.0] = 1.0
    out /= scale
    return out, labels


def class_extremes(
    X: FloatArray, labels: IntArray, weights: FloatArray | None, n_classes: int
) -> tuple[FloatArray, FloatArray]:
    """Per class and column, the smallest and largest value (positive-weight rows only).

    Read in row blocks (X may be sparse): shape (n_classes, n_features) each,
    +inf / −inf for a class without rows.
    """
    from logitlab.core.covariance import blocks, dense_rows

    p = X.shape[1]
    mins = np.full((n_classes, p), np.inf)
    maxs = np.full((n_classes, p), -np.inf)
    for sl in blocks(X.shape[0], p):
        rows = dense_rows(X, sl)
        lab = labels[sl]
        live = np.ones(lab.shape[0], dtype=bool) if weights is None else weights[sl] > 0
        for k in range(n_classes):
            mask = live & (lab == k)
            if mask.any():
                part = rows[mask]
                mins[k] = np.minimum(mins[k], part.min(axis=0))
                maxs[k] = np.maximum(maxs[k], part.max(axis=0))
    return mins, maxs


def single_column_separation(
    X: FloatArray, labels: IntArray, n_classes: int, fit_intercept: bool
) -> Separation | None:
    """Separation by one feature alone (one class against the others); None if none is.

    None does not mean the classes are not separated: several columns together
    may still separate them.
    """
    mins, maxs = class_extremes(X, labels, None, n_classes)
    return separation_from_extremes(mins, maxs, fit_intercept)


def separation_from_extremes(
    mins: FloatArray, maxs: FloatArray, fit_intercept: bool
) -> Separation | None:
    """:func:`single_column_separation` from the per-class extremes of :func:`class_extremes`."""
    K = mins.shape[0]
    present = np.isfinite(mins[:, 0]) if mins.shape[1] else np.zeros(K, dtype=bool)
    if mins.shape[1] == 0 or np.count_nonzero(present) < 2:
        return None
    lo_all, hi_all = mins[present].min(axis=0), maxs[present].max(axis=0)
    found: Separation | None = None
    for k in [1] if K == 2 else range(K):
        if not present[k]:
            continue
        rest = present & (np.arange(K) != k)
        for lo_in, hi_out in (
            (mins[k], maxs[rest].max(axis=0)),  # class k above the others
            (-maxs[k], -mins[rest].min(axis=0)),  # class k below the others
        ):
            if fit_intercept:
                # Ties on the threshold only: a constant column separates nothing.
                ok = (lo_in >= hi_out) & (hi_all > lo_all)
                strict = lo_in > hi_out
            else:
                ok = (lo_in >= 0.0) & (hi_out <= 0.0) & (np.maximum(-lo_all, hi_all) > 0.0)
                strict = (lo_in > 0.0) & (hi_out < 0.0)
            if np.any(ok & strict) and K == 2:
                return "complete"
            if np.any(ok):
                found = "quasi-complete"
    return found


def _margin_rows(X: FloatArray, labels: IntArray, K: int) -> FloatArray:
    """Constraint rows ``aᵢₖ`` (one per row and other class) over β_1 .. β_{K−1}.

    Binary: ``X`` itself, its rows' signs flipped in place (no copy).
    """
    m = X.shape[1]
    if K == 2:
        np.multiply(X, np.where(labels == 1, 1.0, -1.0)[:, None], out=X)
        return X
    rows = []
    for k in range(K):
        others = labels != k
        Xi, yi = X[others], labels[others]
        A = np.zeros((Xi.shape[0], K, m))
        A[np.arange(Xi.shape[0]), yi] += Xi
        A[:, k] -= Xi
        rows.append(A[:, 1:, :].reshape(Xi.shape[0], (K - 1) * m))
    return np.vstack(rows)


def _solve_quasi(A: FloatArray) -> FloatArray | None:
    """max Σ A β s.t. A β ≥ 0, |β| ≤ 1: the maximizer, or None when the optimum is 0."""
    n_free = A.shape[1]
    res = scipy.optimize.linprog(
        -np.sum(A, axis=0),
        A_ub=-A,
        b_ub=np.zeros(A.shape[0]),
        bounds=[(-1.0, 1.0)] * n_free,
        method="highs",
    )
    if res.status != 0 or -res.fun <= 1e-6:
        return None
    return np.asarray(res.x, dtype=np.float64)


def _solve_complete(A: FloatArray) -> FloatArray | None:
    """max t s.t. A β ≥ t, |β| ≤ 1, t ≤ 1: the maximizer β, or None when t ≤ 0."""
    n_free = A.shape[1]
    c = np.zeros(n_free + 1)
    c[-1] = -1.0
    res = scipy.optimize.linprog(
        c,
        A_ub=np.hstack([-A, np.ones((A.shape[0], 1))]),
        b_ub=np.zeros(A.shape[0]),
        bounds=[*([(-1.0, 1.0)] * n_free), (None, 1.0)],
        method="highs",
    )
    if res.status != 0 or -res.fun <= _MARGIN_TOL:
        return None
    return np.asarray(res.x[:-1], dtype=np.float64)


def _column_extreme_rows(A: FloatArray) -> set[int]:
    """The rows holding each column's smallest and largest entry (first on ties).

    Read in row blocks: ``np.argmin(A, axis=0)`` would copy all of ``A`` to
    transpose it (issue 13: peak memory).
    """
    from logitlab.core.covariance import blocks

    n, m = A.shape
    low, high = np.full(m, np.inf), np.full(m, -np.inf)
    at_low, at_high = np.zeros(m, dtype=np.intp), np.zeros(m, dtype=np.intp)
    cols = np.arange(m)
    for sl in blocks(n, m):
        part = A[sl]
        i, j = np.argmin(part, axis=0), np.argmax(part, axis=0)
        lo, hi = part[i, cols], part[j, cols]
        better, higher = lo < low, hi > high
        low[better], at_low[better] = lo[better], i[better] + sl.start
        high[higher], at_high[higher] = hi[higher], j[higher] + sl.start
    return set(at_low.tolist()) | set(at_high.tolist())


def _cutting_plane(A: FloatArray, complete: bool) -> bool:
    """Whether the LP (quasi or complete) finds separation on all rows of ``A``.

    Solves on a working set and adds the rows its solution violates until no
    row is violated. A working set whose quasi LP has optimum 0 and whose rows
    have full column rank proves there is no separation on the whole of ``A``.
    """
    n, n_free = A.shape
    if n * (n_free + 1) <= 200_000:
        solver = _solve_complete if complete else _solve_quasi
        return solver(A) is not None
    rng = np.random.default_rng(0)
    start = set(rng.choice(n, size=min(n, _WORKING_ROWS), replace=False).tolist())
    start.update(_column_extreme_rows(A))
    work = np.array(sorted(start), dtype=np.intp)
    for _ in range(_MAX_ROUNDS):
        sub = A[work]
        beta = _solve_complete(sub) if complete else _solve_quasi(sub)
        if beta is None:
            if complete or np.linalg.matrix_rank(sub) == n_free:
                return False
            margins = None
        else:
            margins = A @ beta
            threshold = _MARGIN_TOL if complete else -_MARGIN_TOL
            bad = np.flatnonzero(margins < threshold)
            if bad.size == 0:
                return complete or bool(np.any(margins > _MARGIN_TOL))
        # Grow the working set: the worst violated rows, else fresh random rows.
        if margins is not None:
            order = bad[np.argsort(margins[bad])][:_ADD_ROWS]
        else:
            order = rng.choice(n, size=min(n, _ADD_ROWS), replace=False)
        grown = np.union1d(work, order)
        if grown.size == work.size:
            break
        work = grown
    solver = _solve_complete if complete else _solve_quasi
    return solver(A) is not None


def detect_separation(objective: Objective) -> Separation | None:
    """Whether the classes of ``objective`` are (quasi-)completely separated.

    Runs the single-column test and then the linear programs (see the module
    docstring); rows with zero weight are ignored. Without a fit to certify
    against, this is the full check; the estimator first tries the cheaper
    certificate from its fit.

    Returns
    -------
    "complete", "quasi-complete" or None
    """
    K = objective.model.n_classes
    X, labels = _prepared(objective)
    if X.shape[0] == 0:
        return None
    single = single_column_separation(X, labels, K, objective.model.fit_intercept)
    if single == "complete":
        return "complete"
    A = _margin_rows(X, labels, K)  # binary: X's own memory
    if single is None and not _cutting_plane(A, complete=False):
        return None
    return "complete" if _cutting_plane(A, complete=True) else "quasi-complete"
