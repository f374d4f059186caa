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
from typing import Any

import numpy as np
import scipy.sparse

from logitlab.core.types import FloatArray

#: Sparse entries per block when a float32 sparse matrix is upcast block by block.
SPARSE_BLOCK_ENTRIES = 1 << 20


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
    """``Σᵢ hᵢ xᵢⱼ²`` per column j for sparse X: the Hessian's diagonal, without a copy of X.

    Blocks of rows (CSR) or columns (CSC) are read as views of X's index arrays
    with their values squared (no slicing copies), each summed by one sparse
    matrix–vector product.
    """
    csr = X.format == "csr"
    n, p = X.shape
    indptr, indices, data = X.indptr, X.indices, X.data
    out = np.zeros(p)
    for sl in _sparse_blocks(X):
        s, e = int(indptr[sl.start]), int(indptr[sl.stop])
        vals = np.square(data[s:e], dtype=np.float64)
        ptr = indptr[sl.start : sl.stop + 1] - s
        size = sl.stop - sl.start
        if csr:
            blk = scipy.sparse.csr_matrix((vals, indices[s:e], ptr), shape=(size, p), copy=False)
            out += blk.T @ h[sl]
        else:
            blk = scipy.sparse.csc_matrix((vals, indices[s:e], ptr), shape=(n, size), copy=False)
            out[sl] = blk.T @ h
    return out


def column_means(X: Any, sample_weight: FloatArray | None) -> FloatArray:
    """(Weighted) column means of dense X in float64, read in row blocks."""
    n, p = X.shape
    total = np.zeros(p)
    step = max(1, (1 << 18) // max(p, 1))
    for start in range(0, n, step):
        sl = slice(start, min(n, start + step))
        Xb = np.asarray(X[sl], dtype=np.float64)
        # A product, not Xb.sum(axis=0): 10x faster on narrow blocks (1e6 x 2: 14 -> 1.3 ms).
        total += (np.ones(Xb.shape[0]) if sample_weight is None else sample_weight[sl]) @ Xb
    mass = float(n) if sample_weight is None else float(np.sum(sample_weight))
    out: FloatArray = total / mass
    return out


def column_spreads(X: Any, mean: FloatArray, sample_weight: FloatArray | None) -> FloatArray:
    """(Weighted) column standard deviations of dense X about ``mean``."""
    n, p = X.shape
    total = np.zeros(p)
    step = max(1, (1 << 18) // max(p, 1))
    for start in range(0, n, step):
        sl = slice(start, min(n, start + step))
        D = np.subtract(X[sl], mean, dtype=np.float64)
        D *= D
        total += (np.ones(D.shape[0]) if sample_weight is None else sample_weight[sl]) @ D
    mass = float(n) if sample_weight is None else float(np.sum(sample_weight))
    out: FloatArray = np.sqrt(total / mass)
    return out
