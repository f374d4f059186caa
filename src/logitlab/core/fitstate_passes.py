"""The fit state's passes over in-memory rows, fused and without per-row tensors (issue 13).

:func:`~logitlab.core.fitstate.compute_fit_state` runs these when the rows are
in memory and the solver left its column means on the objective: one pass
gives the information (or it is mapped from the solver's last Hessian), the
HC0 meat, the score sums, the fingerprint moments and each term's reach; the
separation certificate is then proved for all rows at once from the reach
when it can be. The sums equal those of the general per-block pass
(``fitstate._first_pass``), which Dask's chunks still use.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse

from logitlab.core.covariance import (
    Design,
    blocks,
    dense_rows,
    log_likelihood,
    probabilities,
    residuals,
    weighted_gram,
)
from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray

#: Design terms up to which the binary first pass forms its Grams on transposed blocks.
NARROW_TERMS = 16
#: Stored entries per piece when the wide state sums the columns of a sparse X.
SUM_NONZEROS = 1 << 18


def binary_first_pass(
    design: Design,
    theta_c: FloatArray,
    X: Any,
    y: Any,
    sw: FloatArray | None,
    *,
    with_info: bool = True,
    with_meat: bool = True,
) -> tuple[Any, ...]:
    """:func:`_first_pass` of a binary model, without its (rows, K, K) arrays (issue 13).

    The same sums by the same arithmetic: p̂₁ from the stable logistic, the
    residual ``1 − p̂₁ = p̂₀`` for the positives and ``−p̂₁`` for the others, the
    information weight ``p̂₁ − p̂₁²``.
    """
    m = design.n_terms
    b = theta_c.reshape(1, m)[0]
    info = np.zeros((m, m))
    meat0 = np.zeros((m, m))
    g = np.zeros((1, m))
    r_abs = np.zeros(1)
    ss = np.zeros(m)
    log_lik = 0.0
    moments = np.zeros((2, m))
    reach = np.zeros(m)
    # Few terms: every product on the transposed block, and no 1-D BLAS dot (with
    # threaded BLAS on a loaded machine those spin: fit state 0.08 -> 0.49 s CPU at
    # 1e6 x 2 with 2 threads, measured).
    narrow = m <= NARROW_TERMS
    # Without Grams the wide pass is a few matrix-vector products per block, bound by
    # memory: blocks 1/16 the size stay in cache for all of them (an L1 fit's state at
    # 50,000 x 500: 0.13 -> 0.09 s).
    width = X.shape[1] if narrow or with_info or with_meat else 16 * X.shape[1]
    for sl in blocks(X.shape[0], width):
        # The transposed block is filled directly (not Z and then its transpose).
        ZT = _transposed_rows(design, X, sl) if narrow else design.rows(X, sl)
        Z = ZT.T if narrow else ZT
        if not Z.shape[0]:
            continue
        axis = 1 if narrow else 0  # max |z| without a temporary |Z|
        reach = np.maximum(reach, np.maximum(ZT.max(axis=axis), -ZT.min(axis=axis)))
        positive = np.asarray(y[sl]) == 1
        s = None if sw is None else np.asarray(sw[sl], dtype=np.float64)
        if narrow:
            eta = b[0] * ZT[0]
            for j in range(1, m):
                eta += b[j] * ZT[j]
        else:
            eta = Z @ b
        e = np.exp(-np.abs(eta))
        big, small = 1.0 / (1.0 + e), e / (1.0 + e)
        # np.where on a random mask is ~6 ns an entry (most of this pass at 1e6 x 2);
        # a 0/1 select by products is exact (x·1 = x, x·0 + y = y) and 3x faster.
        # The residual is p̂₀ = small (big) for a positive with eta >= 0 (< 0), and
        # -p̂₁ = -big (-small) for a negative: small where the sign of eta agrees.
        sign = 2.0 * positive - 1.0
        up = eta >= 0
        agree = (up == positive).astype(np.float64)
        r = (small * agree + big * (1.0 - agree)) * sign
        terms = np.maximum(eta * -sign, 0.0) + np.log1p(e)  # |t| = |eta|: exp(-|t|) is e
        rs = r if s is None else r * s
        if s is None:
            log_lik -= float(np.sum(terms))
        else:
            log_lik -= float(np.sum(s * terms)) if narrow else float(s @ terms)
        gram = partial(narrow_gram, ZT) if narrow else weighted_gram
        ones = np.ones(Z.shape[0]) if s is None else s

        def rmul(v: FloatArray, ZT: FloatArray = ZT, narrow: bool = narrow) -> FloatArray:
            out: FloatArray = ZT @ v if narrow else v @ ZT
            return out

        if with_info:  # else the solver's Hessian gives it
            u = up.astype(np.float64)
            p1 = big * u + small * (1.0 - u)
            w = -p1 * p1 + p1
            info += gram(Z, w if s is None else w * s)
        if with_meat:
            meat0 += gram(Z, r * r if s is None else (r * r) * s)
        g[0] += rmul(rs)
        r_abs += np.abs(rs).sum()
        ss += (ZT * ZT) @ ones if narrow else ones @ (Z * Z)
        s1 = ones * positive
        moments[1] += rmul(s1)
        moments[0] += rmul(ones - s1)
    mass, n_rows, counts = weight_totals(y, sw, 2)
    empty = np.zeros((0, 0))
    return (
        info,
        meat0,
        np.zeros((m, m)),
        empty,
        g,
        r_abs,
        ss,
        log_lik,
        moments,
        mass,
        n_rows,
        counts,
        reach,
    )


def _transposed_rows(design: Design, X: Any, sl: slice) -> FloatArray:
    """``design.rows(X, sl).T`` as a C-ordered float64 array, filled in one copy."""
    block: Any = X[sl] if isinstance(X, np.ndarray) else dense_rows(X, sl)
    if not design.fit_intercept:
        return np.array(block.T, dtype=np.float64, order="C")
    out = np.empty((design.n_terms, block.shape[0]))
    out[0] = 1.0
    np.subtract(block.T, design.center[:, None], out=out[1:])
    return out


def narrow_gram(ZT: FloatArray, Z: FloatArray, w: FloatArray) -> FloatArray:
    """``Zᵀ diag(w) Z`` (w ≥ 0) from the transposed block ``ZT``: for a few columns a
    (m, rows) x (rows, m) product is about 6x faster than one on Z's own layout."""
    G = (ZT * w) @ ZT.T
    return np.asarray((G + G.T) / 2.0, dtype=np.float64)


def multinomial_first_pass(
    design: Design,
    theta_c: FloatArray,
    X: Any,
    y: Any,
    sw: FloatArray | None,
    *,
    symmetric: bool,
    with_info: bool = True,
    with_meat: bool = True,
) -> tuple[Any, ...]:
    """:func:`_first_pass` of a K-class model with a few products per block (issue 13).

    Per row the information weight is ``diag p̂ − p̂p̂ᵀ``, so its sum is
    ``Σ_k Zᵀdiag(sp̂_k)Z`` on the diagonal blocks minus ``GᵀG`` with
    ``G = √s·(p̂ ⊗ z)``; the meat is ``HᵀH`` with ``H = √s·(r ⊗ z)``; and the
    certificate matrix is the information on the non-reference classes plus
    their meat (``Σ_{k≠y} p̂_k (e_y − e_k)(e_y − e_k)ᵀ = diag p̂ − p̂p̂ᵀ + (e_y − p̂)(e_y − p̂)ᵀ``),
    for one matrix product each instead of a weighted Gram per pair of classes.
    """
    K = design.n_classes
    q, m = design.n_blocks, design.n_terms
    n_h = K if symmetric else q
    info = np.zeros((n_h * m, n_h * m))
    meat = np.zeros((n_h * m, n_h * m))
    g = np.zeros((q, m))
    r_abs = np.zeros(q)
    ss = np.zeros(m)
    log_lik = 0.0
    moments = np.zeros((K, m))
    reach = np.zeros(m)
    buffer = np.empty((0, n_h, m))
    for sl in blocks(X.shape[0], 4 * n_h * m):  # G and H: (rows, n_h·m) each
        Z = design.rows(X, sl)
        if not Z.shape[0]:
            continue
        reach = np.maximum(reach, np.max(np.abs(Z), axis=0))
        labels = np.asarray(y[sl]).astype(np.intp)
        s = np.ones(Z.shape[0]) if sw is None else np.asarray(sw[sl], dtype=np.float64)
        P = probabilities(design, theta_c, Z)
        log_lik += log_likelihood(design, theta_c, Z, labels, s)
        R = residuals(P, labels)
        Ph = P if symmetric else P[:, 1:]
        if symmetric:
            R_h = np.empty_like(P)  # e_y − p̂ on every class (they sum to 0)
            R_h[:, 1:] = R
            R_h[:, 0] = -R.sum(axis=1)
        else:
            R_h = R
        rows = Z.shape[0]
        if buffer.shape[0] < rows:
            buffer = np.empty((rows, n_h, m))  # reused by every block of this size
        out = buffer[:rows]
        Zr = Z * np.sqrt(s)[:, None]
        if with_info:  # else the solver's Hessian gives it
            for k in range(n_h):
                info[k * m : (k + 1) * m, k * m : (k + 1) * m] += weighted_gram(Z, Ph[:, k] * s)
            G = np.multiply(Ph[:, :, None], Zr[:, None, :], out=out).reshape(rows, n_h * m)
            info -= G.T @ G
        if with_meat:
            H = np.multiply(R_h[:, :, None], Zr[:, None, :], out=out).reshape(rows, n_h * m)
            meat += H.T @ H
        Rs = R * s[:, None]
        g += Rs.T @ Z
        r_abs += np.abs(Rs).sum(axis=0)
        ss += s @ (Z * Z)
        onehot = np.zeros_like(P)
        onehot[np.arange(P.shape[0]), labels] = 1.0
        moments += (onehot * s[:, None]).T @ Z
    info = (info + info.T) / 2.0
    meat = (meat + meat.T) / 2.0
    mass, n_rows, counts = weight_totals(y, sw, K)
    if symmetric:
        meat0, meat_sym = meat[m:, m:], meat
        cert = info[m:, m:] + meat0
    else:
        meat0, meat_sym, cert = meat, np.zeros((0, 0)), np.zeros((q * m, q * m))
    return info, meat0, cert, meat_sym, g, r_abs, ss, log_lik, moments, mass, n_rows, counts, reach


def information_from_hessian(
    objective: Objective,
    design: Design,
    hessian: FloatArray,
    offset: FloatArray | None,
    sw_sum: float,
    symmetric: bool,
) -> FloatArray:
    """The first pass's information ``Σ sᵢ Wᵢ ⊗ zᵢzᵢᵀ`` from the solver's Hessian at the fit.

    The solver's Hessian is ``(1/Σs) Σ sᵢ Wᵢ ⊗ x̃ᵢx̃ᵢᵀ + l2·I`` on the penalized
    weights, per class ``x̃ = [x − o, 1]`` (o its column offsets) and all K
    classes for K ≥ 3. The design row is ``z = [1, x − c] = M x̃`` with
    ``z₀ = x̃_p`` and ``zⱼ = x̃ⱼ + (oⱼ − cⱼ)·x̃_p``, so the information is
    ``Σs·(I ⊗ M)(H − l2)(I ⊗ M)ᵀ``, on classes 1..K−1 unless ``symmetric``.
    """
    p, m = objective.n_features, design.n_terms
    H = np.array(hessian, dtype=np.float64)
    l2 = objective.penalty.l2
    if l2:
        idx = np.flatnonzero(objective.penalized)
        H[idx, idx] -= l2
    o = np.zeros(p) if offset is None else np.asarray(offset, dtype=np.float64)
    M = np.zeros((m, m))
    M[0, p] = 1.0
    M[1:, :p] = np.eye(p)
    M[1:, p] = o - design.center
    outputs = H.shape[0] // m
    big = np.kron(np.eye(outputs), M)
    info = sw_sum * (big @ H @ big.T)
    if outputs > 1 and not symmetric:
        info = info[m:, m:]
    return np.asarray((info + info.T) / 2.0, dtype=np.float64)


def certified_by_reach(
    design: Design, theta_c: FloatArray, v: FloatArray, v_err: FloatArray
) -> bool:
    """The separation certificate proved for every row at once from the terms' reach.

    A row's correction factor is ``1 − (uᵢ_y − uᵢₖ) − (b_y + b_k)`` with
    ``|uᵢₖ| = |zᵢ·vₖ| ≤ |vₖ|·reach``, so when twice the largest such bound plus
    twice the largest rounding bound stays below 1/4 every factor exceeds 1/2
    (:func:`~logitlab.core.separation.certify_no_separation`'s test); and every
    probability is positive when the linear predictors' spread is far from
    exp's underflow. Without a reach (or when the bound is too loose) the rows
    are checked one by one (issue 13: one pass fewer on converged fits).
    """
    reach = design.reach
    if reach is None:
        return False
    q, m = design.n_blocks, design.n_terms
    u = np.abs(v) @ reach
    eta = np.abs(theta_c.reshape(q, m)) @ reach
    if not (np.all(np.isfinite(u)) and np.all(np.isfinite(eta))):
        return False
    spread = 2.0 * float(np.max(eta)) + math.log(design.n_classes)
    return 2.0 * float(np.max(u)) + 2.0 * float(np.max(v_err)) < 0.25 and spread < 600.0


def weight_totals(y: Any, sw: FloatArray | None, K: int) -> tuple[float, int, FloatArray]:
    """(Σs, rows of positive weight, per-class Σs) of some rows."""
    if sw is None and K == 2:  # labels 0 / 1: no integer copy of them (1e6 rows: 9 -> 1 ms)
        n, positives = len(y), int(np.count_nonzero(np.asarray(y) == 1))
        return float(n), n, np.array([n - positives, positives], dtype=np.float64)
    labels = np.asarray(y).astype(np.intp)
    if sw is None:
        return (
            float(labels.shape[0]),
            labels.shape[0],
            np.bincount(labels, minlength=K).astype(np.float64),
        )
    counts = np.bincount(labels, weights=sw, minlength=K).astype(np.float64)
    return float(np.sum(sw)), int(np.count_nonzero(sw > 0)), counts


def column_sums(X: Any, sw: FloatArray | None) -> tuple[FloatArray, FloatArray]:
    """(Σs·x, Σs·x²) of each column (X dense or SciPy sparse), read in pieces.

    Dense X in row blocks; CSR/CSC X in runs of about ``SUM_NONZEROS`` stored
    entries (issue 13: ``X.multiply(X)`` copied all of a sparse X, and
    float32 X was copied to float64 whole, twice).
    """
    n, p = X.shape
    w = np.ones(n) if sw is None else np.asarray(sw, dtype=np.float64)
    first, second = np.zeros(p), np.zeros(p)
    if scipy.sparse.issparse(X):
        data: Any = X if X.format in ("csr", "csc") else X.tocsr()
        csr = data.format == "csr"
        major = n if csr else p
        step = max(1, int(major * SUM_NONZEROS // max(int(data.nnz), 1)))
        for start in range(0, major, step):
            stop = min(major, start + step)
            piece = data[start:stop] if csr else data[:, start:stop]  # a copy of the piece only
            if not piece.has_canonical_format:
                piece.sum_duplicates()  # duplicates add before they are squared
            d = np.asarray(piece.data, dtype=np.float64)
            counts = np.diff(piece.indptr)
            if csr:
                ws, cols = np.repeat(w[start:stop], counts) * d, piece.indices
            else:
                ws, cols = w[piece.indices] * d, np.repeat(np.arange(start, stop), counts)
            first += np.bincount(cols, weights=ws, minlength=p)
            second += np.bincount(cols, weights=ws * d, minlength=p)
        return first, second
    for sl in blocks(n, p):
        block = dense_rows(X, sl)  # may be a view of X: never written to
        first += w[sl] @ block
        second += w[sl] @ np.square(block)
    return first, second
