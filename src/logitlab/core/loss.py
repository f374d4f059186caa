"""Mean cross-entropy of the binary and multinomial (softmax) logistic models.

Coefficients are always a flat vector. For the binary model it is
``[w_1 .. w_p, b]``; for the multinomial model it is the C-order ravel of a
``(n_classes, n_features + 1)`` matrix whose last column holds the intercepts
(the intercept entries are absent when ``fit_intercept=False``).

The loss is the sample-weighted *mean* cross-entropy
``Σ sᵢ ℓᵢ / Σ sᵢ``. Every pass over the data runs in row blocks so that the
memory a fit needs beyond ``X`` stays small whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse
from scipy.linalg.blas import dsyrk

from logitlab.core.design import (
    is_sparse,
    needs_buffer,
    row_block,
    sparse_matvec,
    sparse_rmatvec,
    sparse_weighted_gram,
    sparse_weighted_square_sums,
)
from logitlab.core.link import logsumexp, softmax
from logitlab.core.types import FloatArray

#: Rows processed at once, at most; bounds the temporary memory of every pass.
CHUNK_ROWS = 32_768
#: Matrix entries per block: wide data gets fewer rows so a block stays in cache.
CHUNK_ENTRIES = 1 << 18
#: Multinomial Hessians of more coefficients than this are summed as diag − GᵀG
#: (:class:`_MultinomialGram`); smaller ones (fused Newton, reused by the fit state)
#: by the kernel that keeps pₖ(1 − pₖ) accurate.
GRAM_HESSIAN_MIN_COEF = 16
#: Up to this many features the binary pass works on transposed row blocks ...
NARROW_MAX_FEATURES = 16
#: ... of this many rows.
NARROW_BLOCK_ROWS = 4096
#: ... or about this many entries, when that is more rows (1e6 x 2: 32,768-row blocks).
NARROW_BLOCK_ENTRIES = 1 << 16


def _block_rows(n_features: int) -> int:
    return max(1, min(CHUNK_ROWS, max(256, CHUNK_ENTRIES // max(n_features, 1))))


def _blocks(n_rows: int, n_features: int = 1) -> Iterator[slice]:
    size = _block_rows(n_features)
    for start in range(0, n_rows, size):
        yield slice(start, min(n_rows, start + size))


def _binary_terms(z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """softplus(z), sigmoid(z) and sigmoid'(z), sharing one exponential."""
    e = np.exp(-np.abs(z))
    inv = 1.0 / (1.0 + e)
    softplus = np.maximum(z, 0.0) + np.log1p(e)
    prob = np.where(z >= 0, inv, e * inv)
    curvature = e * inv * inv
    return softplus, prob, curvature


@dataclass(frozen=True)
class LogisticLoss:
    """Weighted mean cross-entropy of a linear logistic model.

    Parameters
    ----------
    n_classes : int, default=2
        2 gives the binary model (one coefficient vector, labels in {0, 1});
        more gives the multinomial model (labels are integers 0 .. K-1).
    fit_intercept : bool, default=True
        Whether the last coefficient of each class is an intercept.
    """

    n_classes: int = 2
    fit_intercept: bool = True

    @property
    def is_binary(self) -> bool:
        return self.n_classes == 2

    @property
    def n_outputs(self) -> int:
        """Number of linear scores per sample: 1 for binary, K for multinomial."""
        return 1 if self.is_binary else self.n_classes

    def n_coef(self, n_features: int) -> int:
        """Length of the flat coefficient vector."""
        return self.n_outputs * (n_features + int(self.fit_intercept))

    def weights_mask(self, n_features: int) -> np.ndarray:
        """Boolean mask over the flat coefficients: True for weights, False for intercepts."""
        width = n_features + int(self.fit_intercept)
        row = np.ones(width, dtype=bool)
        if self.fit_intercept:
            row[-1] = False
        return np.tile(row, self.n_outputs)

    def split(self, coef: FloatArray, n_features: int) -> tuple[FloatArray, FloatArray]:
        """Return (weights, intercepts) as views.

        Binary: weights of shape (n_features,), intercept of shape ().
        Multinomial: weights of shape (n_classes, n_features), intercepts of shape (n_classes,).
        """
        width = n_features + int(self.fit_intercept)
        mat = coef.reshape(self.n_outputs, width)
        weights = mat[:, :n_features]
        intercepts = mat[:, n_features] if self.fit_intercept else np.zeros(self.n_outputs)
        if self.is_binary:
            return weights[0], np.asarray(intercepts[0])
        return weights, intercepts

    def raw_prediction(self, coef: FloatArray, X: Any) -> FloatArray:
        """Linear scores z: shape (n_samples,) for binary, (n_samples, n_classes) otherwise."""
        weights, intercepts = self.split(coef, X.shape[1])
        if is_sparse(X):
            W = weights if self.is_binary else np.ascontiguousarray(weights.T)
            return sparse_matvec(X, W) + intercepts
        if self.is_binary:
            return np.asarray(X @ weights + intercepts, dtype=np.float64)
        return np.asarray(X @ weights.T + intercepts, dtype=np.float64)

    def probabilities(self, coef: FloatArray, X: FloatArray) -> FloatArray:
        """p̂(class 1) of shape (n_samples,) for binary; class probabilities (n_samples, K) else."""
        z = self.raw_prediction(coef, X)
        if self.is_binary:
            return _binary_terms(z)[1]
        return softmax(z, axis=1)

    # ------------------------------------------------------------------ passes
    #
    # Every pass shares one signature:
    #
    # coef : ndarray of shape (n_coef,)
    #     Flat coefficients (see the module docstring for the layout).
    # X : ndarray or scipy CSR/CSC matrix of shape (n_samples, n_features)
    #     Float64 or float32 features (see logitlab.core.design); read in row
    #     blocks, never copied whole, never densified.
    # y : ndarray of shape (n_samples,)
    #     Binary: 0.0 / 1.0. Multinomial: class indices 0 .. n_classes-1 (as floats or ints).
    # sample_weight : ndarray of shape (n_samples,) or None
    #     Non-negative weights with a positive sum; None weighs every row 1.
    #
    # offset : ndarray of shape (n_features,) or None (keyword)
    #     Use the columns as X − offset (centring; dense X only).
    #
    # Values are means (divided by Σ sᵢ); gradients have shape (n_coef,) and
    # Hessians (n_coef, n_coef).

    def loss(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> float:
        """Weighted mean cross-entropy Σ sᵢℓᵢ / Σ sᵢ (a float).

        Raises
        ------
        ValueError
            If the sample weights sum to zero.
        """
        return self._pass(coef, X, y, sample_weight, gradient=False, hessian=False, offset=offset)[
            0
        ]

    def loss_gradient(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> tuple[float, FloatArray]:
        """Loss and its gradient with respect to the flat coefficients."""
        value, grad, _, _ = self._pass(
            coef, X, y, sample_weight, gradient=True, hessian=False, offset=offset
        )
        assert grad is not None
        return value, grad

    def loss_gradient_hessian(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> tuple[float, FloatArray, FloatArray]:
        """Loss, gradient and Hessian (n_coef, n_coef) in one pass over the data."""
        value, grad, hess, _ = self._pass(
            coef, X, y, sample_weight, gradient=True, hessian=True, offset=offset
        )
        assert grad is not None and hess is not None
        return value, grad, hess

    def loss_gradient_hessian_sums(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> tuple[float, FloatArray, FloatArray, ScoreSums]:
        """:meth:`loss_gradient_hessian` plus the score sums the fit state needs (one pass).

        Binary model, dense X only (issue 13: the fit state then reads X no more).
        """
        if not self.is_binary or is_sparse(X):
            raise ValueError("the score sums are summed for a binary model on dense X only")
        sums = ScoreSums(np.zeros((0, 0)), 0.0)
        value, grad, hess, _ = self._pass(
            coef, X, y, sample_weight, gradient=True, hessian=True, offset=offset, sums=sums
        )
        assert grad is not None and hess is not None
        return value, grad, hess, sums

    def gradient_hessian(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Gradient and Hessian."""
        _, grad, hess = self.loss_gradient_hessian(coef, X, y, sample_weight, offset=offset)
        return grad, hess

    def hessian(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> FloatArray:
        """Hessian (n_coef, n_coef) alone; one pass over the data."""
        _, _, hess, _ = self._pass(
            coef, X, y, sample_weight, gradient=False, hessian=True, offset=offset
        )
        assert hess is not None
        return hess

    def loss_gradient_curvature(
        self,
        coef: FloatArray,
        X: Any,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
        *,
        offset: FloatArray | None = None,
    ) -> tuple[float, FloatArray, Curvature]:
        """Loss, gradient and the per-row weights :meth:`hessian_vector` needs (one pass)."""
        value, grad, _, curv = self._pass(
            coef, X, y, sample_weight, gradient=True, hessian=False, offset=offset, curvature=True
        )
        assert grad is not None and curv is not None
        return value, grad, curv

    # ------------------------------------------------------------ passes, inside

    def _pass(
        self,
        coef: FloatArray,
        X: Any,
        y: FloatArray,
        sample_weight: FloatArray | None,
        *,
        gradient: bool,
        hessian: bool,
        offset: FloatArray | None = None,
        curvature: bool = False,
        sums: ScoreSums | None = None,
    ) -> tuple[float, FloatArray | None, FloatArray | None, Curvature | None]:
        n_samples = X.shape[0]
        sw_sum = float(n_samples) if sample_weight is None else float(np.sum(sample_weight))
        if not sw_sum > 0.0:
            raise ValueError("the sample weights must have a positive sum")
        if offset is not None and is_sparse(X):
            raise ValueError("sparse X cannot be centred (it would no longer be sparse)")
        scale = 1.0 / sw_sum
        if self.is_binary:
            value, grad, hess, h = self._binary_pass(
                coef, X, y, sample_weight, gradient, hessian, offset, curvature, sums
            )
            if sums is not None:
                sums.meat *= scale
            curv = None
            if h is not None:
                h *= scale
                curv = Curvature(h, None, scale)
        else:
            value, grad, hess, P = self._multinomial_pass(
                coef, X, y, sample_weight, gradient, hessian, offset, curvature
            )
            curv = None if P is None else Curvature(P, sample_weight, scale)
        if grad is not None:
            grad *= scale
        if hess is not None:
            hess *= scale
        return value * scale, grad, hess, curv

    def _binary_pass(
        self,
        coef: FloatArray,
        X: Any,
        y: FloatArray,
        sw: FloatArray | None,
        gradient: bool,
        hessian: bool,
        offset: FloatArray | None,
        curvature: bool,
        sums: ScoreSums | None = None,
    ) -> tuple[float, FloatArray | None, FloatArray | None, FloatArray | None]:
        n_samples, p = X.shape
        fi = self.fit_intercept
        m = p + int(fi)
        w = coef[:p]
        b = float(coef[p]) if fi else 0.0
        h_all = np.empty(n_samples) if curvature else None
        need_r = gradient
        need_h = hessian or curvature
        if is_sparse(X):
            z = sparse_matvec(X, w)
            if fi:
                z += b
            work = _BinaryWork(n_samples)
            total, r, h = _binary_terms_into(z, y, sw, work, need_r, need_h)
            grad = hess = None
            if r is not None:
                grad = np.empty(m)
                grad[:p] = sparse_rmatvec(X, r)
                if fi:
                    grad[p] = float(np.sum(r))
            if h is not None and h_all is not None:
                h_all[:] = h
            if hessian and h is not None:
                hess = np.empty((m, m))
                hess[:p, :p] = sparse_weighted_gram(X, h)
                if fi:
                    col = sparse_rmatvec(X, h)
                    hess[:p, p] = col
                    hess[p, :p] = col
                    hess[p, p] = float(np.sum(h))
            return total, grad, hess, h_all
        if p <= NARROW_MAX_FEATURES:
            total, grad, hess = self._binary_pass_narrow(
                w, b, X, y, sw, gradient, hessian, offset, h_all, sums
            )
            return total, grad, hess, h_all
        total = 0.0
        grad = np.zeros(m) if gradient else None
        # The Hessian is accumulated by rank-k updates (BLAS syrk) of the rows
        # [x·sqrt(h), sqrt(h)]: half the flops of a general product, the
        # intercept's row and column included, into one reused buffer.
        gram = np.zeros((m, m), order="F") if hessian else None
        meat = np.zeros((m, m), order="F") if sums is not None else None
        rows = min(n_samples, _block_rows(m))
        scaled = np.empty((rows, m)) if hessian or meat is not None else None
        buf = np.empty((rows, p)) if needs_buffer(X, offset) else None
        work = _BinaryWork(rows)
        for sl in _blocks(n_samples, m):
            Xb = row_block(X, sl, buf, offset)
            nb = Xb.shape[0]
            z = work.z[:nb]
            np.matmul(Xb, w, out=z)
            if fi:
                z += b
            swb = None if sw is None else sw[sl]
            part, r, h = _binary_terms_into(
                z, y[sl], swb, work, need_r, need_h, meat is not None
            )
            total += part
            if meat is not None and scaled is not None and sums is not None and r is not None:
                # the score outer products Σ sᵢ(yᵢ − p̂ᵢ)² x̃ᵢx̃ᵢᵀ, before h reuses the buffer
                sums.score_abs += float(np.sum(np.abs(r)))
                mw = work.meat[:nb]
                np.sqrt(mw, out=mw)
                Xs = scaled[:nb]
                np.multiply(Xb, mw[:, None], out=Xs[:, :p])
                if fi:
                    Xs[:, p] = mw
                if m:
                    meat = dsyrk(1.0, Xs.T, beta=1.0, c=meat, overwrite_c=1)
            if grad is not None and r is not None:
                grad[:p] += Xb.T @ r
                if fi:
                    grad[p] += float(np.sum(r))
            if h is not None and h_all is not None:
                h_all[sl] = h
            if gram is not None and scaled is not None and h is not None:
                np.sqrt(h, out=h)
                Xs = scaled[:nb]
                np.multiply(Xb, h[:, None], out=Xs[:, :p])
                if fi:
                    Xs[:, p] = h
                if m:
                    gram = dsyrk(1.0, Xs.T, beta=1.0, c=gram, overwrite_c=1)
        hess = None
        if gram is not None:
            symmetrize_upper(gram)
            hess = gram
        if meat is not None and sums is not None:
            symmetrize_upper(meat)
            sums.meat = np.ascontiguousarray(meat)
        return total, grad, hess, h_all

    def _binary_pass_narrow(
        self,
        w: FloatArray,
        b: float,
        X: FloatArray,
        y: FloatArray,
        sw: FloatArray | None,
        gradient: bool,
        hessian: bool,
        offset: FloatArray | None,
        h_all: FloatArray | None,
        sums: ScoreSums | None = None,
    ) -> tuple[float, FloatArray | None, FloatArray | None]:
        """The binary pass for tall, narrow data (few features).

        Products with a row block of shape (rows, p) for small p run far below
        BLAS speed, and broadcasting over its rows is slow too; each block is
        therefore copied once into a transposed (p, rows) buffer, on which the
        scores, the gradient and the Hessian are contiguous products. Every
        temporary lives in buffers made once per pass (fresh 256 KB arrays per
        block made the pass 5.6x slower when the allocator returned them early).
        Blocks are short (``NARROW_BLOCK_ROWS``): a (p, rows) x (rows, p) product
        keeps its operands in cache (issue 13: the fused pass at 1e6 x 10 float32
        0.060 -> 0.036 s against 32,768-row blocks). The Hessian stays float64
        (products in float32 saved 0.005 s a pass at 1e6 x 10 but the fit state
        then had to sum the information itself: no faster fit, measured).
        """
        n_samples, p = X.shape
        fi = self.fit_intercept
        m = p + int(fi)
        total = 0.0
        grad = np.zeros(m) if gradient else None
        hess = np.zeros((m, m)) if hessian else None
        # at least NARROW_BLOCK_ROWS, more for very few features (fewer Python steps)
        rows = max(NARROW_BLOCK_ROWS, NARROW_BLOCK_ENTRIES // max(p, 1))
        rows = max(1, min(n_samples, rows, CHUNK_ROWS))
        xt_buf = np.empty((p, rows))
        xh_buf = np.empty((p, rows)) if hessian or sums is not None else None
        meat = np.zeros((m, m)) if sums is not None else None
        work = _BinaryWork(rows)
        col = None if offset is None else offset[:, None]
        for start in range(0, n_samples, rows):
            sl = slice(start, min(n_samples, start + rows))
            nb = sl.stop - sl.start
            XT = xt_buf[:, :nb]
            np.copyto(XT, X[sl].T)
            if col is not None:
                XT -= col
            z = work.z[:nb]
            np.matmul(w, XT, out=z)
            if fi:
                z += b
            swb = None if sw is None else sw[sl]
            part, r, h = _binary_terms_into(
                z, y[sl], swb, work, gradient, hessian or h_all is not None, meat is not None
            )
            total += part
            if meat is not None and sums is not None and r is not None and xh_buf is not None:
                sums.score_abs += float(np.sum(np.abs(r)))
                mw = work.meat[:nb]
                Xm = xh_buf[:, :nb]
                np.multiply(XT, mw, out=Xm)
                meat[:p, :p] += Xm @ XT.T
                if fi:
                    meat[:p, p] += np.sum(Xm, axis=1)
                    meat[p, p] += float(np.sum(mw))
            if grad is not None and r is not None:
                grad[:p] += XT @ r
                if fi:
                    grad[p] += float(np.sum(r))
            if h is not None and h_all is not None:
                h_all[sl] = h
            if hess is not None and h is not None and xh_buf is not None:
                Xh = xh_buf[:, :nb]
                np.multiply(XT, h, out=Xh)
                hess[:p, :p] += Xh @ XT.T
                if fi:
                    hess[:p, p] += np.sum(Xh, axis=1)
                    hess[p, p] += float(np.sum(h))
        for a in (hess, meat):
            if a is not None:
                a[:p, :p] += a[:p, :p].T
                a[:p, :p] *= 0.5
                if fi:
                    a[p, :p] = a[:p, p]
        if meat is not None and sums is not None:
            sums.meat = meat
        return total, grad, hess

    def _multinomial_pass(
        self,
        coef: FloatArray,
        X: Any,
        y: FloatArray,
        sw: FloatArray | None,
        gradient: bool,
        hessian: bool,
        offset: FloatArray | None,
        curvature: bool,
    ) -> tuple[float, FloatArray | None, FloatArray | None, FloatArray | None]:
        n_samples, p = X.shape
        K = self.n_classes
        fi = self.fit_intercept
        m = p + int(fi)
        W = coef.reshape(K, m)
        WT = np.ascontiguousarray(W[:, :p].T)
        total = 0.0
        G = np.zeros((K, m)) if gradient else None
        H = np.zeros((K * m, K * m)) if hessian else None
        P_all = np.empty((n_samples, K)) if curvature else None
        labels = y.astype(np.intp, copy=False)
        sparse = is_sparse(X)
        if sparse:
            blocks: Iterator[slice] = iter([slice(0, n_samples)])
            rows = n_samples
        else:
            blocks = _blocks(n_samples, (p + 1) * K)
            rows = min(n_samples, _block_rows((p + 1) * K))
        buf = np.empty((rows, p)) if not sparse and needs_buffer(X, offset) else None
        z_buf = np.empty((rows, K))
        gram = (
            _MultinomialGram(rows, K, p, fi)
            if H is not None and not sparse and K * m > GRAM_HESSIAN_MIN_COEF
            else None
        )
        for sl in blocks:
            Xb = None if sparse else row_block(X, sl, buf, offset)
            nb = sl.stop - sl.start
            if Xb is None:
                Z = sparse_matvec(X, WT)
            else:
                Z = z_buf[:nb]
                np.matmul(Xb, WT, out=Z)
            if fi:
                Z += W[:, p]
            lse = logsumexp(Z, axis=1)
            yb = labels[sl]
            idx = np.arange(nb)
            losses = lse - Z[idx, yb]
            swb = None if sw is None else sw[sl]
            total += float(np.sum(losses)) if swb is None else float(swb @ losses)
            if G is None and H is None and P_all is None:
                continue
            Z -= lse[:, None]
            P = np.exp(Z, out=Z)  # class probabilities, rows sum to 1
            if P_all is not None:
                P_all[sl] = P
            if G is not None:
                R = P.copy()
                R[idx, yb] -= 1.0
                if swb is not None:
                    R *= swb[:, None]
                G[:, :p] += (R.T @ Xb) if Xb is not None else sparse_rmatvec(X, R).T
                if fi:
                    G[:, p] += np.sum(R, axis=0)
            if H is not None:
                if Xb is None:
                    _add_sparse_multinomial_hessian(H, X, P, swb, fi)
                elif gram is not None:
                    gram.add(Xb, P, swb)
                else:
                    _add_multinomial_hessian(H, Xb, P, swb, fi)
        if H is not None and gram is not None:
            gram.finish(H)
        if H is not None and not sparse:
            symmetrize_upper(H)
        grad = None if G is None else G.ravel()
        return total, grad, H, P_all

    # ------------------------------------------------ Hessian-vector products

    def hessian_vector(
        self, curv: Curvature, v: FloatArray, X: Any, offset: FloatArray | None = None
    ) -> FloatArray:
        """The cross-entropy Hessian at ``curv``'s coefficients times ``v`` (n_coef,).

        Two passes over X (X·v, then Xᵀ·(weights ⊙ X·v)); the square matrix is
        never formed. Multinomial: the class blocks are applied together, row i
        contributing sᵢ (diag(pᵢ) − pᵢpᵢᵀ) (V x̃ᵢ) ⊗ x̃ᵢ.
        """
        n, p = X.shape
        fi = self.fit_intercept
        m = p + int(fi)
        K = self.n_outputs
        V = v.reshape(K, m)
        VT = np.ascontiguousarray(V[:, :p].T)
        out = np.zeros((K, m))
        binary = self.is_binary

        def rows_part(Zv: FloatArray, sl: slice) -> FloatArray:
            if fi:
                Zv += V[:, p]
            if binary:
                Zv *= curv.weights[sl, None]
                return Zv
            P = curv.weights[sl]
            T = P * Zv
            T -= P * np.sum(T, axis=1, keepdims=True)
            if curv.sample_weight is not None:
                T *= curv.sample_weight[sl, None]
            T *= curv.scale
            return T

        if is_sparse(X):
            T = rows_part(sparse_matvec(X, VT), slice(0, n))
            out[:, :p] = sparse_rmatvec(X, T).T
            if fi:
                out[:, p] = T.sum(axis=0)
            return out.ravel()
        rows = min(n, _block_rows(m * K))
        buf = np.empty((rows, p)) if needs_buffer(X, offset) else None
        for sl in _blocks(n, m * K):
            Xb = row_block(X, sl, buf, offset)
            T = rows_part(Xb @ VT, sl)
            out[:, :p] += T.T @ Xb
            if fi:
                out[:, p] += T.sum(axis=0)
        return out.ravel()

    def hessian_diagonal(
        self, curv: Curvature, X: Any, offset: FloatArray | None = None
    ) -> FloatArray:
        """The diagonal of the cross-entropy Hessian at ``curv``'s coefficients (n_coef,)."""
        n, p = X.shape
        fi = self.fit_intercept
        m = p + int(fi)
        K = self.n_outputs
        if self.is_binary:
            A = curv.weights[:, None]
        else:
            P = curv.weights
            A = P * (1.0 - P)
            if curv.sample_weight is not None:
                A = A * curv.sample_weight[:, None]
            A *= curv.scale
        out = np.zeros((K, m))
        if fi:
            out[:, p] = A.sum(axis=0)
        if is_sparse(X):
            for k in range(K):
                out[k, :p] = sparse_weighted_square_sums(X, np.ascontiguousarray(A[:, k]))
            return out.ravel()
        rows = min(n, _block_rows(p))
        buf = np.empty((rows, p))
        for sl in _blocks(n, p):
            Xb = buf[: sl.stop - sl.start]
            if offset is None:
                np.multiply(X[sl], X[sl], out=Xb, dtype=np.float64)  # squares, no copy first
            else:
                np.copyto(Xb, X[sl])
                Xb -= offset
                np.multiply(Xb, Xb, out=Xb)
            out[:, :p] += A[sl].T @ Xb
        return out.ravel()


@dataclass(frozen=True)
class Curvature:
    """Per-row second-order weights at one point, for Hessian-vector products.

    Binary: ``weights`` of shape (n_samples,) holds sᵢσ'(zᵢ)/Σs. Multinomial:
    ``weights`` of shape (n_samples, n_classes) holds the probabilities, and the
    row weights are ``sample_weight`` (None: 1) times ``scale`` (1/Σs).
    """

    weights: FloatArray
    sample_weight: FloatArray | None
    scale: float


@dataclass
class ScoreSums:
    """What a final pass sums besides the value, gradient and Hessian (binary, dense X).

    ``meat``: Σ sᵢ(yᵢ − p̂ᵢ)² x̃ᵢx̃ᵢᵀ / Σs, x̃ = [x − offset, 1] (the Hessian's
    coordinates), the HC0 meat; ``score_abs``: Σ |sᵢ(yᵢ − p̂ᵢ)|.
    """

    meat: FloatArray
    score_abs: float
    cross_entropy: float = 0.0
    """The mean cross-entropy alone (no penalty); set by the objective."""
    loss_gradient: FloatArray | None = None
    """Its gradient (no penalty); set by :class:`~logitlab.core.objective.Objective`."""


class _BinaryWork:
    """Reused per-block buffers of the binary passes."""

    def __init__(self, rows: int) -> None:
        self.z = np.empty(rows)
        self.e = np.empty(rows)
        self.t = np.empty(rows)
        self.u = np.empty(rows)
        self.r = np.empty(rows)
        self.mask = np.empty(rows, dtype=bool)
        self.meat = np.empty(rows)


def _binary_terms_into(
    z: FloatArray,
    yb: FloatArray,
    swb: FloatArray | None,
    work: _BinaryWork,
    need_r: bool,
    need_h: bool,
    need_meat: bool = False,
) -> tuple[float, FloatArray | None, FloatArray | None]:
    """Summed (weighted) losses, residuals sᵢ(σ(zᵢ) − yᵢ) and curvatures sᵢσ'(zᵢ) of a block.

    Written into ``work``'s buffers (the returned arrays are views of them, valid
    until the next block). ``need_meat`` (with ``need_r``) also writes the score
    weights sᵢ(σ(zᵢ) − yᵢ)² into ``work.meat``.
    """
    nb = z.shape[0]
    e, t, u = work.e[:nb], work.t[:nb], work.u[:nb]
    np.abs(z, out=e)
    np.negative(e, out=e)
    np.exp(e, out=e)  # e = exp(-|z|) in (0, 1]: never overflows
    # ℓ = log1p(e) + (max(z, 0) − y·z): the bracket is exact for 0/1 labels,
    # so tiny losses on well-separated rows keep their relative precision.
    np.maximum(z, 0.0, out=t)
    np.multiply(yb, z, out=u)
    t -= u
    np.log1p(e, out=u)
    t += u
    total = float(np.sum(t)) if swb is None else float(swb @ t)
    if not (need_r or need_h):
        return total, None, None
    inv = u
    np.add(e, 1.0, out=inv)
    np.reciprocal(inv, out=inv)  # 1 / (1 + e)
    q = e
    q *= inv  # σ(−|z|) in (0, ½], accurate to the last bit
    r = None
    if need_r:
        # σ(z) − y = (step(z) − y) ± σ(−|z|): the integer part first, so a
        # well-classified row keeps its tiny residual exactly.
        r = work.r[:nb]
        mask = work.mask[:nb]
        np.signbit(z, out=mask)
        np.subtract(1.0, mask, out=r)
        r -= yb
        np.copysign(q, z, out=t)
        r -= t
        if need_meat:
            mw = work.meat[:nb]
            np.multiply(r, r, out=mw)
            if swb is not None:
                mw *= swb
        if swb is not None:
            r *= swb
    h = None
    if need_h:
        h = q
        h *= inv  # σ'(z) = σ(z)·σ(−z)
        if swb is not None:
            h *= swb
    return total, r, h


def symmetrize_upper(a: FloatArray, block: int = 256) -> None:
    """Copy the upper triangle of the square ``a`` into its lower one, in place.

    Column strips of ``block`` columns: no temporary of the matrix's size (np.triu
    made three, 32 % of a 5,000-feature fit).
    """
    m = a.shape[0]
    for j0 in range(0, m, block):
        j1 = min(m, j0 + block)
        d = a[j0:j1, j0:j1]
        d[...] = np.triu(d) + np.triu(d, 1).T
        if j1 < m:
            a[j1:, j0:j1] = a[j0:j1, j1:].T


def _add_multinomial_hessian(
    H: FloatArray, Xb: FloatArray, P: FloatArray, swb: FloatArray | None, fit_intercept: bool
) -> None:
    """Add one row block's Hessian Σᵢ sᵢ (diag(pᵢ) − pᵢpᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ to H, x̃ = [x, 1].

    Block (k, l) is X̃ᵀ diag(sᵢ pᵢₖ (δₖₗ − pᵢₗ)) X̃. One matrix product per class k
    fills the block row k for every l ≥ k at once (few, large BLAS calls; the
    caller mirrors the upper half, halving the flops). The diagonal weight
    pₖ(1 − pₖ) takes 1 − pₖ as the sum of the other classes' probabilities,
    which stays accurate when pₖ is close to 1.
    """
    nb, p = Xb.shape
    K = P.shape[1]
    m = p + int(fit_intercept)
    if fit_intercept:
        Xa = np.empty((nb, m))
        Xa[:, :p] = Xb
        Xa[:, p] = 1.0
    else:
        Xa = np.ascontiguousarray(Xb)
    weights_all = _multinomial_weights(P, swb)
    scaled = np.empty((nb, K, m))
    for k in range(K):
        # Block row k from block column k on: the caller mirrors the upper half.
        part = scaled[:, : K - k]
        np.multiply(Xa[:, None, :], weights_all[k][:, k:, None], out=part)
        H[k * m : (k + 1) * m, k * m :] += Xa.T @ part.reshape(nb, (K - k) * m)


class _MultinomialGram:
    """The multinomial Hessian as ``Σᵢ sᵢ diag(pᵢ) ⊗ x̃ᵢx̃ᵢᵀ − GᵀG``, ``G = √s·(p ⊗ x̃)``.

    Per block one (m, rows) x (rows, K·m) product for the diagonal blocks and
    one (K·m, rows) x (rows, K·m) product for GᵀG: large, well-shaped BLAS calls
    (issue 13: half the time of :func:`_add_multinomial_hessian`'s K products
    on (rows, (K − k)·m) operands at 100,000 x 20 with 5 classes, measured 104
    -> 53 ms a pass). ``diag p − ppᵀ`` is formed by a difference, which loses
    the relative accuracy of ``pₖ(1 − pₖ)`` when pₖ is within rounding of 1:
    used for the Newton steps of larger problems only (more than
    ``GRAM_HESSIAN_MIN_COEF`` coefficients), never for a Hessian the fit state
    reuses as the information (those come from fused passes, which keep the
    accurate kernel).
    """

    def __init__(self, rows: int, K: int, p: int, fit_intercept: bool) -> None:
        self.K, self.p, self.m = K, p, p + int(fit_intercept)
        self.fit_intercept = fit_intercept
        self.xa = np.empty((rows, self.m))
        if fit_intercept:
            self.xa[:, p] = 1.0
        self.g = np.empty((rows, K, self.m))
        self.diag = np.zeros((self.m, K * self.m))
        self.outer = np.zeros((K * self.m, K * self.m))

    def add(self, Xb: FloatArray, P: FloatArray, swb: FloatArray | None) -> None:
        nb = Xb.shape[0]
        xa = self.xa[:nb]
        xa[:, : self.p] = Xb
        g = self.g[:nb]
        np.multiply(xa[:, None, :], P[:, :, None], out=g)
        flat = g.reshape(nb, self.K * self.m)
        if swb is None:
            self.diag += xa.T @ flat
        else:
            self.diag += (xa * swb[:, None]).T @ flat
            flat *= np.sqrt(swb)[:, None]
        self.outer += flat.T @ flat

    def finish(self, H: FloatArray) -> None:
        m = self.m
        H -= self.outer
        for k in range(self.K):
            H[k * m : (k + 1) * m, k * m : (k + 1) * m] += self.diag[:, k * m : (k + 1) * m]


def _multinomial_weights(P: FloatArray, swb: FloatArray | None) -> list[FloatArray]:
    """For each class k the (rows, K) weights sᵢ pᵢₖ(δₖₗ − pᵢₗ) of block row k."""
    A = P if swb is None else P * swb[:, None]
    # 1 − p_k = Σ_{j<k} p_j + Σ_{j>k} p_j: sums of non-negative terms only
    before = np.zeros_like(P)
    np.cumsum(P[:, :-1], axis=1, out=before[:, 1:])
    after = np.zeros_like(P)
    np.cumsum(P[:, :0:-1], axis=1, out=after[:, -2::-1])
    rest = before + after
    out = []
    for k in range(P.shape[1]):
        weights = P * -A[:, k : k + 1]  # −s p_k p_l
        weights[:, k] = A[:, k] * rest[:, k]  # s p_k (1 − p_k)
        out.append(weights)
    return out


def _add_sparse_multinomial_hessian(
    H: FloatArray, X: Any, P: FloatArray, swb: FloatArray | None, fit_intercept: bool
) -> None:
    """Sparse X: block (k, l) of the Hessian is X̃ᵀ diag(wₖₗ) X̃ (for small problems only)."""
    p = X.shape[1]
    m = p + int(fit_intercept)
    K = P.shape[1]
    for k, weights in enumerate(_multinomial_weights(P, swb)):
        for j in range(K):
            w = weights[:, j]
            blk = H[k * m : (k + 1) * m, j * m : (j + 1) * m]
            Xw = scipy.sparse.csr_matrix(X.astype(np.float64, copy=False).multiply(w[:, None]))
            blk[:p, :p] += (Xw.T @ X.astype(np.float64, copy=False)).toarray()
            if fit_intercept:
                col = sparse_rmatvec(X, w)
                blk[:p, p] += col
                blk[p, :p] += col
                blk[p, p] += float(np.sum(w))
