"""The feature matrix as the loss sees it: dense or sparse, float64 or float32, centred.

Every pass over the data reads ``X`` through the helpers here, so that

- dense ``X`` is read in row blocks; a float32 block (or one to be centred) is
  copied into one reused float64 buffer, so sums accumulate in float64 while
  ``X`` itself is never copied whole;
- sparse ``X`` (scipy CSR / CSC, matrices or arrays) is multiplied as it is
  (float64) or block by block upcast (float32), never densified;
- an ``offset`` of shape (n_features,) means the columns are used as
  ``X − offset`` (internal centring) without ever forming that matrix.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from logitlab.core.types import FloatArray

#: Sparse entries per block when a float32 sparse matrix is upcast block by block.
SPARSE_BLOCK_ENTRIES = 1 << 20
#: :func:`data_sums` reads X with up to this many columns in transposed blocks ...
NARROW_COLUMNS = 64
#: ... of about this many entries.
NARROW_ENTRIES = 1 << 16


def is_sparse(X: Any) -> bool:
    """Whether ``X`` is a scipy sparse matrix or array."""
    return bool(scipy.sparse.issparse(X))


def check_design(X: Any) -> Any:
    """``X`` as the loss accepts it, or a ``TypeError`` / ``ValueError`` saying what is allowed.

    Dense: a 2-D float64 or float32 ndarray (any memory order; not copied).
    Sparse: scipy CSR or CSC (``csr_matrix``, ``csr_array``, ``csc_*``) of float64 or
    float32 (not copied, not densified).
    """
    if is_sparse(X):
        if X.format not in ("csr", "csc"):
            raise TypeError(
                f"sparse X must be in CSR or CSC format, got {X.format.upper()}; "
                "convert it with X.tocsr()"
            )
        dtype = X.dtype
    elif isinstance(X, np.ndarray):
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got an array of shape {X.shape}")
        dtype = X.dtype
    else:
        raise TypeError(
            f"X must be a NumPy ndarray or a scipy CSR/CSC matrix, got {type(X).__name__}"
        )
    if dtype not in (np.float64, np.float32):
        raise TypeError(f"X must hold float64 or float32 values, got {dtype}")
    return X


def row_block(X: FloatArray, sl: slice, buf: FloatArray | None, offset: FloatArray | None) -> Any:
    """Rows ``sl`` of dense ``X`` as float64, centred by ``offset`` when given.

    A float64 block without offset is a view; otherwise the block is written into
    ``buf`` (a reused buffer with at least as many rows).
    """
    Xb = X[sl]
    if buf is None:
        return Xb
    out = buf[: Xb.shape[0]]
    np.copyto(out, Xb)
    if offset is not None:
        out -= offset
    return out


def needs_buffer(X: Any, offset: FloatArray | None) -> bool:
    return X.dtype != np.float64 or offset is not None


def _sparse_blocks(X: Any) -> Iterator[slice]:
    """Row blocks (CSR) or column blocks (CSC) of about SPARSE_BLOCK_ENTRIES entries."""
    n = X.shape[0] if X.format == "csr" else X.shape[1]
    per = max(1, int(SPARSE_BLOCK_ENTRIES * n / max(X.nnz, 1)))
    for start in range(0, n, per):
        yield slice(start, min(n, start + per))


def sparse_matvec(X: Any, W: FloatArray) -> FloatArray:
    """``X @ W`` in float64 for sparse X; W of shape (p,) or (p, k)."""
    if X.dtype == np.float64:
        return np.asarray(X @ W, dtype=np.float64)
    out = np.zeros((X.shape[0], *W.shape[1:]))
    for sl in _sparse_blocks(X):
        if X.format == "csr":
            out[sl] = X[sl].astype(np.float64) @ W
        else:
            out += X[:, sl].astype(np.float64) @ W[sl]
    return out


def sparse_rmatvec(X: Any, R: FloatArray) -> FloatArray:
    """``X.T @ R`` in float64 for sparse X; R of shape (n,) or (n, k)."""
    if X.dtype == np.float64:
        return np.asarray(X.T @ R, dtype=np.float64)
    out = np.zeros((X.shape[1], *R.shape[1:]))
    for sl in _sparse_blocks(X):
        if X.format == "csr":
            out += X[sl].astype(np.float64).T @ R[sl]
        else:
            out[sl] = X[:, sl].astype(np.float64).T @ R
    return out


def sparse_weighted_gram(X: Any, h: FloatArray) -> FloatArray:
    """Dense ``Xᵀ diag(h) X`` of shape (p, p) for sparse X (h ≥ 0)."""
    root = np.sqrt(h)
    out = np.zeros((X.shape[1], X.shape[1]))
    if X.format == "csr":
        for sl in _sparse_blocks(X):
            Xs = scipy.sparse.csr_matrix(X[sl].astype(np.float64).multiply(root[sl, None]))
            out += (Xs.T @ Xs).toarray()
    else:
        Xs = scipy.sparse.csc_matrix(X.astype(np.float64, copy=False).multiply(root[:, None]))
        out += (Xs.T @ Xs).toarray()
    return out


def sparse_weighted_square_sums(X: Any, h: FloatArray) -> FloatArray:
    """``Σᵢ hᵢ xᵢⱼ²`` per column j for sparse X: the Hessian's diagonal, without a copy of X."""
    if X.format == "csr":
        out = np.zeros(X.shape[1])
        for sl in _sparse_blocks(X):
            blk = X[sl]
            rows = np.repeat(np.arange(blk.shape[0]), np.diff(blk.indptr))
            vals = blk.data.astype(np.float64)
            np.multiply(vals, vals, out=vals)
            vals *= h[sl][rows]
            out += np.bincount(blk.indices, weights=vals, minlength=X.shape[1])
        return out
    out = np.zeros(X.shape[1])
    for sl in _sparse_blocks(X):
        blk = X[:, sl]
        vals = blk.data.astype(np.float64)
        np.multiply(vals, vals, out=vals)
        vals *= h[blk.indices]
        cols = np.repeat(np.arange(blk.shape[1]), np.diff(blk.indptr))
        out[sl] = np.bincount(cols, weights=vals, minlength=blk.shape[1])
    return out


def column_means(X: Any, sample_weight: FloatArray | None) -> FloatArray:
    """(Weighted) column means of dense X in float64, read in row blocks."""
    return column_moments(X, sample_weight)[0]


def column_moments(X: Any, sample_weight: FloatArray | None) -> tuple[FloatArray, FloatArray]:
    """(Weighted) column means and standard deviations of dense X, in one pass."""
    sums = data_sums(X, sample_weight)
    return sums.mean, sums.spread


@dataclass(frozen=True)
class DataSums:
    """Sums of dense X's columns from one read (see :func:`data_sums`)."""

    mean: FloatArray
    """Weighted column means (p,)."""
    square: FloatArray
    """Σ sᵢ(xᵢ − mean)² per column (p,)."""
    class_sums: FloatArray | None
    """Σ sᵢ[yᵢ = k](xᵢ − mean) of shape (K, p), when labels were given."""
    low: FloatArray
    """Smallest value of each column (every row, whatever its weight)."""
    high: FloatArray
    """Largest value of each column."""
    mass: float
    """Σ sᵢ."""

    @property
    def spread(self) -> FloatArray:
        """Weighted column standard deviations (divisor Σs)."""
        out: FloatArray = np.sqrt(self.square / self.mass)
        return out


def data_sums(
    X: Any, sample_weight: FloatArray | None, labels: Any = None, n_classes: int = 0
) -> DataSums:
    """Means, squared deviations, per-class deviation sums and extremes of dense X's columns.

    One read of X (issue 13: the centring read it twice, and the fit state once
    more for the same sums). The means are the blocks' sums over the total
    weight; the squared deviations and the class sums are taken about each
    block's own mean and shifted to the overall one at the end
    (Σ M2_b + Σ W_b (μ_b − μ)², and Σ S_kb + W_kb (μ_b − μ)): exact, and free
    of the cancellation of Σ x² − n μ² far from the origin.
    """
    n, p = X.shape
    total = np.zeros(p)
    # Few columns: short transposed blocks, on which every reduction runs along
    # contiguous rows (issue 13: 1e6 x 10 float32 0.10 -> 0.04 s, 1e5 x 50 0.024 -> 0.018 s
    # against (rows, p) blocks).
    narrow = p <= NARROW_COLUMNS
    step = max(256, NARROW_ENTRIES // max(p, 1)) if narrow else max(1, (1 << 18) // max(p, 1))
    square = np.zeros(p)
    K = n_classes if labels is not None else 0
    class_sums = np.zeros((K, p))
    low, high = np.full(p, np.inf), np.full(p, -np.inf)
    parts: list[tuple[float, FloatArray, FloatArray]] = []
    rows = max(1, min(n, step))
    buf = np.empty((p, rows)) if narrow else np.empty((rows, p))
    sq = np.empty((p, rows)) if narrow else buf
    onehot_buf = np.empty((rows, K))
    for start in range(0, n, step):
        sl = slice(start, min(n, start + step))
        nb = sl.stop - sl.start
        swb = None if sample_weight is None else sample_weight[sl]
        if narrow:
            D = buf[:, :nb]
            np.copyto(D, X[sl].T)
            axis = 1
            block_sum = D.sum(axis=1) if swb is None else D @ swb
        else:
            Xb = np.asarray(X[sl], dtype=np.float64)  # a view of float64 X
            D = buf[:nb]
            axis = 0
            block_sum = (np.ones(nb) if swb is None else swb) @ Xb  # a product: faster
        np.minimum(low, (D if narrow else Xb).min(axis=axis), out=low)
        np.maximum(high, (D if narrow else Xb).max(axis=axis), out=high)
        total += block_sum
        mass_b = float(nb) if swb is None else float(np.sum(swb))
        if not mass_b > 0.0:
            continue
        mean_b = block_sum / mass_b
        if narrow:
            D -= mean_b[:, None]
        else:
            np.subtract(Xb, mean_b, out=D)
        class_mass = np.zeros(K)
        if K:
            onehot = onehot_buf[:nb]
            if K == 2:  # labels 0 / 1: no scatter
                np.copyto(onehot[:, 1], labels[sl], casting="unsafe")
                if swb is not None:
                    onehot[:, 1] *= swb
                    np.subtract(swb, onehot[:, 1], out=onehot[:, 0])
                else:
                    np.subtract(1.0, onehot[:, 1], out=onehot[:, 0])
            else:
                onehot[...] = 0.0
                onehot[np.arange(nb), np.asarray(labels[sl]).astype(np.intp)] = 1.0
                if swb is not None:
                    onehot *= swb[:, None]
            class_sums += (D @ onehot).T if narrow else onehot.T @ D
            class_mass = onehot.sum(axis=0)
        S = sq[:, :nb] if narrow else D
        np.multiply(D, D, out=S)
        if narrow:
            square += S.sum(axis=1) if swb is None else S @ swb
        else:
            square += S.sum(axis=0) if swb is None else swb @ S
        parts.append((mass_b, mean_b, class_mass))
    mass = float(n) if sample_weight is None else float(np.sum(sample_weight))
    mean: FloatArray = total / mass
    for mass_b, mean_b, class_mass in parts:
        shift = mean_b - mean
        square += mass_b * shift**2
        if K:
            class_sums += np.outer(class_mass, shift)
    return DataSums(
        mean=mean,
        square=square,
        class_sums=class_sums if K else None,
        low=low,
        high=high,
        mass=mass,
    )
