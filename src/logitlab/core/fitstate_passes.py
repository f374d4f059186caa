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
from logitlab.core.loss import ScoreSums
from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray

#: Design terms up to which the binary first pass forms its Grams on transposed blocks ...
NARROW_TERMS = 16
#: ... of this many rows.
NARROW_BLOCK_ROWS = 4096
#: ... or about this many entries, when that is more rows.
NARROW_BLOCK_ENTRIES = 1 << 16
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
    if m <= NARROW_TERMS and design.fit_intercept and not scipy.sparse.issparse(X):
        return _binary_first_pass_narrow(design, theta_c, X, y, sw, with_info, with_meat)
    b = theta_c.reshape(1, m)[0]
    info = np.zeros((m, m))
    meat0 = np.zeros((m, m))
    g = np.zeros((1, m))
    r_abs = np.zeros(1)
    ss = np.zeros(m)
    log_lik = 0.0
    moments = np.zeros((2, m))
    reach = np.zeros(m)
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        if not Z.shape[0]:
            continue
        reach = np.maximum(reach, np.max(np.abs(Z), axis=0))
        positive = np.asarray(y[sl]) == 1
        s = np.ones(Z.shape[0]) if sw is None else np.asarray(sw[sl], dtype=np.float64)
        eta = Z @ b
        p1, p0 = _binary_probabilities(eta)
        log_lik -= float(s @ _binary_terms(eta, positive))
        r = np.where(positive, p0, -p1)
        if with_info:  # else the solver's Hessian gives it
            w = -p1 * p1 + p1
            info += weighted_gram(Z, w * s)
        if with_meat:
            meat0 += weighted_gram(Z, (r * r) * s)
        rs = r * s
        g[0] += rs @ Z
        r_abs += np.abs(rs).sum()
        ss += s @ (Z * Z)
        s1 = np.where(positive, s, 0.0)
        moments[1] += s1 @ Z
        moments[0] += (s - s1) @ Z
    return _binary_sums(info, meat0, g, r_abs, ss, log_lik, moments, reach, y, sw)


def _binary_probabilities(eta: FloatArray) -> tuple[FloatArray, FloatArray]:
    """(p̂₁, p̂₀) of some linear predictors, each from the stable logistic."""
    e = np.exp(-np.abs(eta))
    big, small = 1.0 / (1.0 + e), e / (1.0 + e)
    up = eta >= 0
    return np.where(up, big, small), np.where(up, small, big)


def _binary_terms(eta: FloatArray, positive: Any) -> FloatArray:
    """−log p̂(yᵢ) of each row."""
    t = eta * np.where(positive, 1.0, -1.0)
    out: FloatArray = np.maximum(-t, 0.0) + np.log1p(np.exp(-np.abs(t)))
    return out


def _binary_sums(
    info: FloatArray,
    meat0: FloatArray,
    g: FloatArray,
    r_abs: FloatArray,
    ss: FloatArray,
    log_lik: float,
    moments: FloatArray,
    reach: FloatArray,
    y: Any,
    sw: FloatArray | None,
) -> tuple[Any, ...]:
    m = info.shape[0]
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


def _binary_first_pass_narrow(
    design: Design,
    theta_c: FloatArray,
    X: FloatArray,
    y: Any,
    sw: FloatArray | None,
    with_info: bool,
    with_meat: bool,
) -> tuple[Any, ...]:
    """:func:`binary_first_pass` for a few terms, on short transposed blocks.

    Each block of rows is copied once into a (terms, rows) buffer ``ZT`` (row 0
    the intercept's ones), on which every sum is a contiguous product: the two
    weighted Grams are one (2·terms, rows) x (rows, terms) product, the score,
    the class moments one (terms, rows) x (rows, 3) product. Short blocks keep
    the operands in cache (issue 13: 3.6x faster than 16,384-row blocks of
    ``Z`` at 1e6 x 10). Without a second product on the transposed block no
    1-D BLAS dot runs either (with threaded BLAS on a loaded machine those
    spin: fit state 0.08 -> 0.49 s CPU at 1e6 x 2 with 2 threads, measured).
    """
    m = design.n_terms
    n = X.shape[0]
    b = theta_c.reshape(1, m)[0]
    grams = np.zeros((2 * m, m))
    sums = np.zeros((m, 3))  # g, the positives' and the negatives' moments
    r_abs = 0.0
    ss = np.zeros(m)
    log_lik = 0.0
    high = np.full(m, -np.inf)
    low = np.full(m, np.inf)
    rows = min(max(n, 1), max(NARROW_BLOCK_ROWS, NARROW_BLOCK_ENTRIES // m))
    zt_buf = np.empty((m, rows))
    zt_buf[0] = 1.0
    wz_buf = np.empty((2 * m, rows))
    v_buf = np.empty((rows, 3))
    sq_buf = np.empty((m, rows))
    col = design.center[:, None]
    which = [k for k, on in enumerate((with_info, with_meat)) if on]
    for start in range(0, n, rows):
        sl = slice(start, min(n, start + rows))
        nb = sl.stop - sl.start
        ZT = zt_buf[:, :nb]
        np.copyto(ZT[1:], X[sl].T)
        ZT[1:] -= col
        np.maximum(high, np.max(ZT, axis=1), out=high)
        np.minimum(low, np.min(ZT, axis=1), out=low)
        positive = np.asarray(y[sl]) == 1
        s = np.ones(nb) if sw is None else np.asarray(sw[sl], dtype=np.float64)
        eta = b @ ZT
        p1, p0 = _binary_probabilities(eta)
        log_lik -= float(np.sum(s * _binary_terms(eta, positive)))
        r = np.where(positive, p0, -p1)
        weights = ((-p1 * p1 + p1) * s, (r * r) * s)
        for k in which:
            np.multiply(ZT, weights[k], out=wz_buf[k * m : (k + 1) * m, :nb])
        if which:
            lo, hi = which[0] * m, (which[-1] + 1) * m
            grams[lo:hi] += wz_buf[lo:hi, :nb] @ ZT.T
        rs = r * s
        r_abs += float(np.sum(np.abs(rs)))
        V = v_buf[:nb]
        V[:, 0] = rs
        np.copyto(V[:, 1], s)
        V[:, 1][~positive] = 0.0
        np.subtract(s, V[:, 1], out=V[:, 2])
        sums += ZT @ V
        SQ = sq_buf[:, :nb]
        np.multiply(ZT, ZT, out=SQ)
        ss += SQ @ s
    info, meat0 = grams[:m], grams[m:]
    info = (info + info.T) / 2.0
    meat0 = (meat0 + meat0.T) / 2.0
    reach = np.maximum(high, -low) if n else np.zeros(m)
    moments = np.ascontiguousarray(sums[:, [2, 1]].T)
    g = sums[:, 0].reshape(1, m).copy()
    return _binary_sums(info, meat0, g, np.array([r_abs]), ss, log_lik, moments, reach, y, sw)


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
            G = np.multiply(Ph[:, :, None], Zr[:, None, :], out=out).reshape(rows, n_h * m)
            # the diagonal blocks Σ sᵢp̂ᵢₖ zᵢzᵢᵀ = Zrᵀ G_k: one product for all k (issue 13:
            # K weighted Grams of m columns each ran far below BLAS speed)
            D = Zr.T @ G
            for k in range(n_h):
                info[k * m : (k + 1) * m, k * m : (k + 1) * m] += D[:, k * m : (k + 1) * m]
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
    H = np.array(hessian, dtype=np.float64)
    l2 = objective.penalty.l2
    if l2:
        idx = np.flatnonzero(objective.penalized)
        H[idx, idx] -= l2
    big = _design_map(objective, design, offset, H.shape[0])
    info = sw_sum * (big @ H @ big.T)
    if big.shape[0] > design.n_terms and not symmetric:
        info = info[design.n_terms :, design.n_terms :]
    return np.asarray((info + info.T) / 2.0, dtype=np.float64)


def _design_map(
    objective: Objective, design: Design, offset: FloatArray | None, size: int
) -> FloatArray:
    """``I ⊗ M``: the solver's coordinates ``x̃ = [x − o, 1]`` to the design's ``z = [1, x − c]``."""
    p, m = objective.n_features, design.n_terms
    o = np.zeros(p) if offset is None else np.asarray(offset, dtype=np.float64)
    M = np.zeros((m, m))
    M[0, p] = 1.0
    M[1:, :p] = np.eye(p)
    M[1:, p] = o - design.center
    return np.asarray(np.kron(np.eye(size // m), M), dtype=np.float64)


def binary_sums_from_solver(
    objective: Objective,
    hessian: FloatArray | None,
    offset: FloatArray | None,
    sums: ScoreSums,
) -> tuple[Design, tuple[Any, ...]] | None:
    """The binary first pass's sums without a pass over X, or None when they do not apply.

    The solver's last pass gave the Hessian, the HC0 meat, the score (the
    cross-entropy's gradient) and Σ|score| at the fit; the centring's one read
    of X gave each column's mean, squared deviations, per-class deviation sums
    and extremes (:func:`~logitlab.core.design.data_sums`). Mapped to the
    design's coordinates they are the first pass's sums (issue 13: the state's
    pass was a third of a 1e5 x 50 fit). Not used when a column's mean exceeds
    its spread: there the class sums taken about the block means differ from the
    data moments summed about the overall mean by more than their check allows.
    """
    data = getattr(objective, "data_sums", None)
    if hessian is None or data is None or data.class_sums is None or sums.loss_gradient is None:
        return None
    center = data.mean
    if not np.all(np.abs(center) <= data.spread):
        return None
    sw_sum, n_rows, counts = weight_totals(objective.y, objective.sample_weight, 2)
    reach = np.r_[1.0, np.maximum(data.high - center, center - data.low)]
    design = Design(n_classes=2, fit_intercept=True, center=center, reach=reach)
    m = design.n_terms
    info = information_from_hessian(objective, design, hessian, offset, sw_sum, False)
    big = _design_map(objective, design, offset, m)
    meat0 = sw_sum * (big @ sums.meat @ big.T)
    meat0 = (meat0 + meat0.T) / 2.0
    g = (-sw_sum * (big @ sums.loss_gradient)).reshape(1, m)
    ss = np.r_[sw_sum, data.square]
    moments = np.column_stack([counts, data.class_sums])
    log_lik = -sw_sum * sums.cross_entropy
    out = (
        info,
        meat0,
        np.zeros((m, m)),
        np.zeros((0, 0)),
        g,
        np.array([sums.score_abs]),
        ss,
        log_lik,
        moments,
        sw_sum,
        n_rows,
        counts,
    )
    return design, out


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
