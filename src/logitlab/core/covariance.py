"""Information matrices, sandwich "meats" and their scale-invariant inverses.

Every matrix here is in the parametrization the inference tables report: per
linear predictor (one for a binary model, K−1 for a K-class model with class 0
as the reference), the intercept first (when fitted), then the features.

Scale invariance
----------------
A feature in dollars (mean 6e4) or multiplied by 1e5 makes the raw information
matrix ``Xᵀ W X`` badly conditioned for a reason that has nothing to do with
the data's information: the units. Two steps remove it:

* **Centering.** With an intercept, the passes use the design ``[1, x − x̄]``
  (x̄ the weighted column means). The linear predictor is unchanged; only the
  intercept moves, ``b = b_c − w·x̄``, which is the linear map ``T`` applied to
  the covariance at the end (``T Σ_c Tᵀ``). An offset of 1e6 then costs nothing.
* **Equilibration.** The (centered) information is scaled to a unit diagonal
  before it is inverted, and singularity is decided on that scaled matrix: a
  column scaled by 1e6 or 1e-6 gives the same verdict and the same relative
  accuracy as the unscaled one.

All passes run in row blocks, so their memory beyond ``X`` stays small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from logitlab.core.link import logsumexp, softmax
from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray, IntArray

#: Rows per block of every pass, at most ...
_BLOCK_ROWS = 16_384
#: ... and about this many entries (a dense block of 2^21 floats is 16 MB).
_BLOCK_ENTRIES = 1 << 21
#: An equilibrated information matrix whose smallest eigenvalue is below this
#: fraction of its largest is singular (collinear or constant features).
SINGULAR_RTOL = 1e-12


@dataclass(frozen=True)
class Design:
    """How the passes see the data: centering, the reference parametrization.

    Attributes
    ----------
    n_classes : int
    fit_intercept : bool
    center : ndarray of shape (n_features,)
        The weighted column means subtracted before the passes (zeros without
        an intercept).
    """

    n_classes: int
    fit_intercept: bool
    center: FloatArray
    reach: FloatArray | None = None
    """Largest |z| of each term of the centered design (bounds rounding errors)."""

    @property
    def n_terms(self) -> int:
        """Terms per linear predictor (intercept + features)."""
        return int(self.center.shape[0]) + int(self.fit_intercept)

    @property
    def n_blocks(self) -> int:
        """Linear predictors reported: 1 for binary, K−1 for multinomial."""
        return max(self.n_classes - 1, 1)

    def rows(self, X: FloatArray, sl: slice) -> FloatArray:
        """The centered design ``[1, x − x̄]`` (or ``x`` without intercept) of rows ``sl``."""
        block = dense_rows(X, sl)
        if not self.fit_intercept:
            return block
        out = np.empty((block.shape[0], self.n_terms))
        out[:, 0] = 1.0
        np.subtract(block, self.center, out=out[:, 1:])
        return out

    def uncenter(self) -> FloatArray:
        """``T`` of shape (n_blocks·n_terms,)²: centered parameters to the reported ones."""
        m = self.n_terms
        T = np.eye(m)
        if self.fit_intercept:
            T[0, 1:] = -self.center
        return np.asarray(np.kron(np.eye(self.n_blocks), T), dtype=np.float64)


def dense_rows(X: FloatArray, sl: slice) -> FloatArray:
    """Rows ``sl`` of X as a dense float64 block (X may be float32 or a SciPy sparse matrix)."""
    block: Any = X[sl]
    if scipy.sparse.issparse(block):
        return np.asarray(block.toarray(), dtype=np.float64)
    return np.asarray(block, dtype=np.float64)


def reduce_rows(
    objective: Objective, func: Callable[[Any, Any, Any], Any], combine: Callable[[Any, Any], Any]
) -> Any:
    """``func(X, y, sample_weight)`` over the rows of ``objective``, the results combined.

    In memory this is one call on all the rows (``func`` reads them in
    :func:`blocks`); ``y`` is the objective's class index per row. An objective
    whose rows live elsewhere, such as the chunks of a Dask array on a cluster,
    has its own ``reduce_rows(func, combine)``: it calls ``func`` on each chunk
    where the chunk lives and folds the results with ``combine`` (associative),
    so only ``func``'s small results travel. ``func`` must therefore be
    picklable (a module-level function, or a ``functools.partial`` of one).
    """
    own = getattr(objective, "reduce_rows", None)
    if own is not None:
        return own(func, combine)
    return func(objective.X, objective.y, objective.sample_weight)


def add_parts(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    """Entry-wise sum of two tuples of partial sums (numbers or arrays)."""
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _design_sums(
    X: FloatArray, y: Any, sw: FloatArray | None
) -> tuple[float, FloatArray, FloatArray, FloatArray]:
    """(Σs, Σs·x, min x, max x) of some rows (in blocks)."""
    p = X.shape[1]
    total = np.zeros(p)
    low, high = np.full(p, np.inf), np.full(p, -np.inf)
    for sl in blocks(X.shape[0], p):
        rows = dense_rows(X, sl)
        total += rows.sum(axis=0) if sw is None else sw[sl] @ rows
        if rows.shape[0]:
            low = np.minimum(low, rows.min(axis=0))
            high = np.maximum(high, rows.max(axis=0))
    mass = float(X.shape[0]) if sw is None else float(np.sum(sw))
    return mass, total, low, high


def _combine_design(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return a[0] + b[0], a[1] + b[1], np.minimum(a[2], b[2]), np.maximum(a[3], b[3])


def make_design(objective: Objective) -> Design:
    """The design of ``objective``'s data (weighted means of the positive-weight rows)."""
    fi = objective.model.fit_intercept
    p = objective.n_features
    mass, total, low, high = reduce_rows(objective, _design_sums, _combine_design)
    center = np.zeros(p)
    if fi and objective.n_samples:
        center = total / mass
    reach = (
        np.maximum(np.abs(low - center), np.abs(high - center)) if objective.n_samples else center
    )
    if fi:
        reach = np.r_[1.0, reach]
    return Design(
        n_classes=objective.model.n_classes,
        fit_intercept=fi,
        center=center,
        reach=np.asarray(reach, dtype=np.float64),
    )


def table_coef(
    coef: FloatArray, n_classes: int, n_features: int, fit_intercept: bool
) -> FloatArray:
    """Flat fit coefficients (``[w, b]`` per class) to the reported vector.

    Binary: ``[b, w]``; multinomial: ``[b_k − b_0, w_k − w_0]`` for k = 1 .. K−1.
    """
    m = n_features + int(fit_intercept)
    mat = np.asarray(coef, dtype=np.float64).reshape(-1, m)
    if n_classes > 2:
        mat = mat[1:] - mat[0]
    if fit_intercept:
        mat = np.hstack([mat[:, -1:], mat[:, :-1]])
    return np.asarray(mat.ravel(), dtype=np.float64)


def blocks(n_rows: int, width: int = 1) -> Iterator[slice]:
    """Row slices of at most ``_BLOCK_ROWS`` rows and about ``_BLOCK_ENTRIES`` entries."""
    size = max(64, min(_BLOCK_ROWS, _BLOCK_ENTRIES // max(width, 1)))
    for start in range(0, n_rows, size):
        yield slice(start, min(n_rows, start + size))


def log_likelihood(
    design: Design, theta_c: FloatArray, Z: FloatArray, labels: IntArray, weights: FloatArray
) -> float:
    """``Σ sᵢ log p̂(yᵢ)`` of some rows, computed stably (log-sum-exp)."""
    B = theta_c.reshape(design.n_blocks, design.n_terms)
    if design.n_classes == 2:
        t = (Z @ B[0]) * np.where(labels == 1, 1.0, -1.0)  # log σ(t) = −softplus(−t)
        return float(-(weights @ (np.maximum(-t, 0.0) + np.log1p(np.exp(-np.abs(t))))))
    eta = np.hstack([np.zeros((Z.shape[0], 1)), Z @ B.T])
    own = eta[np.arange(Z.shape[0]), labels]
    return float(weights @ (own - logsumexp(eta, axis=1)))


def probabilities(design: Design, theta_c: FloatArray, Z: FloatArray) -> FloatArray:
    """Class probabilities (rows, K) of the centered design rows at centered parameters."""
    B = theta_c.reshape(design.n_blocks, design.n_terms)
    eta = Z @ B.T  # (rows, K-1) log-odds against class 0
    if design.n_classes == 2:
        # Both columns directly (not 1 − p): a probability of 1e-20 keeps its digits.
        e = np.exp(-np.abs(eta[:, 0]))
        big, small = 1.0 / (1.0 + e), e / (1.0 + e)
        positive = eta[:, 0] >= 0
        return np.column_stack([np.where(positive, small, big), np.where(positive, big, small)])
    return softmax(np.hstack([np.zeros((Z.shape[0], 1)), eta]), axis=1)


def residuals(P: FloatArray, labels: IntArray) -> FloatArray:
    """``e_y − p̂`` on the non-reference classes, shape (rows, K−1).

    The own class's ``1 − p̂_y`` is summed from the other classes'
    probabilities, so it keeps its digits when p̂_y is within 1e-16 of 1.
    """
    rows = np.arange(P.shape[0])
    others = P.copy()
    others[rows, labels] = 0.0
    R = -P
    R[rows, labels] = others.sum(axis=1)
    return np.asarray(R[:, 1:], dtype=np.float64)


def centered_theta(design: Design, theta: FloatArray) -> FloatArray:
    """Reported parameters to centered ones (the inverse of :meth:`Design.uncenter`)."""
    mat = theta.reshape(design.n_blocks, design.n_terms).copy()
    if design.fit_intercept:
        mat[:, 0] += mat[:, 1:] @ design.center
    return np.asarray(mat.ravel(), dtype=np.float64)


def weighted_gram(Z: FloatArray, w: FloatArray) -> FloatArray:
    """``Zᵀ diag(w) Z``: a symmetric rank-k update (dsyrk) when w ≥ 0, else a product."""
    if np.all(w >= 0.0):
        # A general product beats dsyrk here (OpenBLAS, row blocks of a few thousand
        # rows: 2x at 51 columns, measured), and dsyrk's C-ordered input was copied.
        A = Z * np.sqrt(w)[:, None]
        G = A.T @ A
    else:
        G = Z.T @ (Z * w[:, None])
    G += G.T
    G *= 0.5
    return np.asarray(G, dtype=np.float64)


def block_grams(Z: FloatArray, weights: list[FloatArray]) -> list[FloatArray]:
    """``Σᵢ Wᵢ ⊗ zᵢzᵢᵀ`` for each per-row weight array ``W`` of shape (rows, q, q).

    The weights are symmetric in their last two axes; each block is one
    :func:`weighted_gram`.
    """
    m = Z.shape[1]
    out = []
    for W in weights:
        q = W.shape[1]
        full = np.empty((q * m, q * m))
        for k in range(q):
            for j in range(k, q):
                g = weighted_gram(Z, W[:, k, j])
                full[k * m : (k + 1) * m, j * m : (j + 1) * m] = g
                full[j * m : (j + 1) * m, k * m : (k + 1) * m] = g.T
        out.append(full)
    return out


def equilibrated_inverse(info: FloatArray) -> FloatArray | None:
    """Inverse of a symmetric positive semi-definite matrix, or None when it is singular.

    The matrix is scaled to a unit diagonal first, and singularity is decided
    there (smallest eigenvalue below ``SINGULAR_RTOL`` times the largest), so
    the verdict and the relative accuracy do not depend on the units of the
    columns.
    """
    d = np.sqrt(np.diag(info))
    if info.size == 0:
        return np.zeros_like(info)
    if not np.all(np.isfinite(info)) or np.any(d <= 0.0):
        return None
    scaled = info / d[:, None] / d[None, :]
    eig, vec = np.linalg.eigh(scaled)
    if eig[0] <= SINGULAR_RTOL * max(eig[-1], 1e-300):
        return None
    inv = (vec / eig) @ vec.T / d[:, None] / d[None, :]
    return np.asarray((inv + inv.T) / 2.0, dtype=np.float64)
