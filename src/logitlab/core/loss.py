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

import numpy as np
from scipy.linalg.blas import dsyrk

from logitlab.core.link import logsumexp, softmax
from logitlab.core.types import FloatArray

#: Rows processed at once, at most; bounds the temporary memory of every pass.
CHUNK_ROWS = 32_768
#: Matrix entries per block: wide data gets fewer rows so a block stays in cache.
CHUNK_ENTRIES = 1 << 18
#: Up to this many features the binary pass works on transposed row blocks.
NARROW_MAX_FEATURES = 8


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

    def raw_prediction(self, coef: FloatArray, X: FloatArray) -> FloatArray:
        """Linear scores z: shape (n_samples,) for binary, (n_samples, n_classes) otherwise."""
        weights, intercepts = self.split(coef, X.shape[1])
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
    # X : ndarray of shape (n_samples, n_features)
    #     Float64 features; read in row blocks, never copied.
    # y : ndarray of shape (n_samples,)
    #     Binary: 0.0 / 1.0. Multinomial: class indices 0 .. n_classes-1 (as floats or ints).
    # sample_weight : ndarray of shape (n_samples,) or None
    #     Non-negative weights with a positive sum; None weighs every row 1.
    #
    # Values are means (divided by Σ sᵢ); gradients have shape (n_coef,) and
    # Hessians (n_coef, n_coef).

    def loss(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
    ) -> float:
        """Weighted mean cross-entropy Σ sᵢℓᵢ / Σ sᵢ (a float).

        Raises
        ------
        ValueError
            If the sample weights sum to zero.
        """
        return self._pass(coef, X, y, sample_weight, gradient=False, hessian=False)[0]

    def loss_gradient(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
    ) -> tuple[float, FloatArray]:
        """Loss and its gradient with respect to the flat coefficients."""
        value, grad, _ = self._pass(coef, X, y, sample_weight, gradient=True, hessian=False)
        assert grad is not None
        return value, grad

    def loss_gradient_hessian(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
    ) -> tuple[float, FloatArray, FloatArray]:
        """Loss, gradient and Hessian (n_coef, n_coef) in one pass over the data."""
        value, grad, hess = self._pass(coef, X, y, sample_weight, gradient=True, hessian=True)
        assert grad is not None and hess is not None
        return value, grad, hess

    def gradient_hessian(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Gradient and Hessian."""
        _, grad, hess = self.loss_gradient_hessian(coef, X, y, sample_weight)
        return grad, hess

    def hessian(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None = None,
    ) -> FloatArray:
        """Hessian (n_coef, n_coef) alone; one pass over the data."""
        _, _, hess = self._pass(coef, X, y, sample_weight, gradient=False, hessian=True)
        assert hess is not None
        return hess

    def _pass(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sample_weight: FloatArray | None,
        *,
        gradient: bool,
        hessian: bool,
    ) -> tuple[float, FloatArray | None, FloatArray | None]:
        n_samples = X.shape[0]
        sw_sum = float(n_samples) if sample_weight is None else float(np.sum(sample_weight))
        if not sw_sum > 0.0:
            raise ValueError("the sample weights must have a positive sum")
        pass_ = self._binary_pass if self.is_binary else self._multinomial_pass
        value, grad, hess = pass_(coef, X, y, sample_weight, gradient=gradient, hessian=hessian)
        scale = 1.0 / sw_sum
        if grad is not None:
            grad *= scale
        if hess is not None:
            hess *= scale
        return value * scale, grad, hess

    def _binary_pass(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sw: FloatArray | None,
        *,
        gradient: bool,
        hessian: bool,
    ) -> tuple[float, FloatArray | None, FloatArray | None]:
        n_samples, p = X.shape
        if p <= NARROW_MAX_FEATURES:
            return self._binary_pass_narrow(coef, X, y, sw, gradient=gradient, hessian=hessian)
        fi = self.fit_intercept
        w = coef[:p]
        b = float(coef[p]) if fi else 0.0
        total = 0.0
        grad = np.zeros(p + int(fi)) if gradient else None
        # The Hessian is accumulated by rank-k updates (BLAS syrk) of the rows
        # [x·sqrt(h), sqrt(h)]: half the flops of a general product, the
        # intercept's row and column included, into one reused buffer.
        m = p + int(fi)
        gram = np.zeros((m, m), order="F") if hessian else None
        scaled = np.empty((min(n_samples, _block_rows(m)), m)) if hessian else None
        for sl in _blocks(n_samples, m):
            Xb = X[sl]
            yb = y[sl]
            swb = None if sw is None else sw[sl]
            z = Xb @ w
            if fi:
                z += b
            e = np.abs(z)
            np.negative(e, out=e)
            np.exp(e, out=e)  # e = exp(-|z|) in (0, 1]: never overflows
            # ℓ = log1p(e) + (max(z, 0) − y·z): the bracket is exact for 0/1 labels,
            # so tiny losses on well-separated rows keep their relative precision.
            losses = np.maximum(z, 0.0)
            losses -= yb * z
            losses += np.log1p(e)
            total += float(np.sum(losses)) if swb is None else float(swb @ losses)
            if grad is None and gram is None:
                continue
            inv = e + 1.0
            np.reciprocal(inv, out=inv)  # 1 / (1 + e)
            e *= inv  # now sigmoid(-|z|)
            if grad is not None:
                r = np.where(z >= 0.0, inv, e)  # sigmoid(z)
                r -= yb
                if swb is not None:
                    r *= swb
                grad[:p] += Xb.T @ r
                if fi:
                    grad[p] += float(np.sum(r))
            if gram is not None and scaled is not None:
                h = e
                h *= inv  # sigmoid'(z) = sigmoid(z)·sigmoid(−z)
                if swb is not None:
                    h *= swb
                np.sqrt(h, out=h)
                Xs = scaled[: Xb.shape[0]]
                np.multiply(Xb, h[:, None], out=Xs[:, :p])
                if fi:
                    Xs[:, p] = h
                if m:
                    gram = dsyrk(1.0, Xs.T, beta=1.0, c=gram, overwrite_c=1)
        hess = None
        if gram is not None:
            hess = np.triu(gram) + np.triu(gram, 1).T
        return total, grad, hess

    def _binary_pass_narrow(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sw: FloatArray | None,
        *,
        gradient: bool,
        hessian: bool,
    ) -> tuple[float, FloatArray | None, FloatArray | None]:
        """The binary pass for tall, narrow data (few features).

        Products with a row block of shape (rows, p) for small p run far below
        BLAS speed, and broadcasting over its rows is slow too; each block is
        therefore copied once into a transposed (p, rows) buffer, on which the
        scores, the gradient and the Hessian are contiguous products.
        """
        n_samples, p = X.shape
        fi = self.fit_intercept
        w = coef[:p]
        b = float(coef[p]) if fi else 0.0
        m = p + int(fi)
        total = 0.0
        grad = np.zeros(m) if gradient else None
        hess = np.zeros((m, m)) if hessian else None
        rows = min(n_samples, CHUNK_ROWS)
        xt_buf = np.empty((p, rows))
        for sl in _blocks(n_samples):
            nb = sl.stop - sl.start
            XT = xt_buf[:, :nb]
            np.copyto(XT, X[sl].T)
            yb = y[sl]
            swb = None if sw is None else sw[sl]
            z = w @ XT
            if fi:
                z += b
            e = np.abs(z)
            np.negative(e, out=e)
            np.exp(e, out=e)  # e = exp(-|z|) in (0, 1]: never overflows
            # ℓ = log1p(e) + (max(z, 0) − y·z): the bracket is exact for 0/1 labels.
            losses = np.maximum(z, 0.0)
            losses -= yb * z
            losses += np.log1p(e)
            total += float(np.sum(losses)) if swb is None else float(swb @ losses)
            if grad is None and hess is None:
                continue
            inv = e + 1.0
            np.reciprocal(inv, out=inv)  # 1 / (1 + e)
            q = e * inv  # sigmoid(−|z|) in (0, ½], accurate to the last bit
            if grad is not None:
                # σ(z) − y = (step(z) − y) ± σ(−|z|): the integer part first, so a
                # well-classified row keeps its tiny residual exactly.
                r = np.signbit(z).astype(np.float64)
                np.subtract(1.0, r, out=r)
                r -= yb
                r += np.copysign(q, -z)
                if swb is not None:
                    r *= swb
                grad[:p] += XT @ r
                if fi:
                    grad[p] += float(np.sum(r))
            if hess is not None:
                h = q
                h *= inv  # σ'(z) = σ(z)·σ(−z)
                if swb is not None:
                    h *= swb
                Xh = XT * h
                hess[:p, :p] += Xh @ XT.T
                if fi:
                    hess[:p, p] += np.sum(Xh, axis=1)
                    hess[p, p] += float(np.sum(h))
        if hess is not None and fi:
            hess[p, :p] = hess[:p, p]
        return total, grad, hess

    def _multinomial_pass(
        self,
        coef: FloatArray,
        X: FloatArray,
        y: FloatArray,
        sw: FloatArray | None,
        *,
        gradient: bool,
        hessian: bool,
    ) -> tuple[float, FloatArray | None, FloatArray | None]:
        n_samples, p = X.shape
        K = self.n_classes
        fi = self.fit_intercept
        m = p + int(fi)
        W = coef.reshape(K, m)
        total = 0.0
        G = np.zeros((K, m)) if gradient else None
        H = np.zeros((K * m, K * m)) if hessian else None
        labels = y.astype(np.intp, copy=False)
        for sl in _blocks(n_samples, (p + 1) * K):
            Xb = X[sl]
            nb = Xb.shape[0]
            Z = Xb @ W[:, :p].T
            if fi:
                Z += W[:, p]
            lse = logsumexp(Z, axis=1)
            yb = labels[sl]
            rows = np.arange(nb)
            losses = lse - Z[rows, yb]
            swb = None if sw is None else sw[sl]
            total += float(np.sum(losses)) if swb is None else float(swb @ losses)
            if G is None and H is None:
                continue
            Z -= lse[:, None]
            P = np.exp(Z, out=Z)  # class probabilities, rows sum to 1
            if G is not None:
                R = P.copy()
                R[rows, yb] -= 1.0
                if swb is not None:
                    R *= swb[:, None]
                G[:, :p] += R.T @ Xb
                if fi:
                    G[:, p] += np.sum(R, axis=0)
            if H is not None:
                _add_multinomial_hessian(H, Xb, P, swb, fi)
        grad = None if G is None else G.ravel()
        return total, grad, H


def _add_multinomial_hessian(
    H: FloatArray, Xb: FloatArray, P: FloatArray, swb: FloatArray | None, fit_intercept: bool
) -> None:
    """Add one row block's Hessian Σᵢ sᵢ (diag(pᵢ) − pᵢpᵢᵀ) ⊗ x̃ᵢx̃ᵢᵀ to H, x̃ = [x, 1].

    Block (k, l) is X̃ᵀ diag(sᵢ pᵢₖ (δₖₗ − pᵢₗ)) X̃. One matrix product per class k
    fills the block row k for every l at once (few, large BLAS calls). The
    diagonal weight pₖ(1 − pₖ) takes 1 − pₖ as the sum of the other classes'
    probabilities, which stays accurate when pₖ is close to 1.
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
    A = P if swb is None else P * swb[:, None]
    # 1 − p_k = Σ_{j<k} p_j + Σ_{j>k} p_j: sums of non-negative terms only
    before = np.zeros_like(P)
    np.cumsum(P[:, :-1], axis=1, out=before[:, 1:])
    after = np.zeros_like(P)
    np.cumsum(P[:, :0:-1], axis=1, out=after[:, -2::-1])
    rest = before + after
    scaled = np.empty((nb, K, m))
    for k in range(K):
        weights = P * -A[:, k : k + 1]  # −s p_k p_l
        weights[:, k] = A[:, k] * rest[:, k]  # s p_k (1 − p_k)
        np.multiply(Xa[:, None, :], weights[:, :, None], out=scaled)
        H[k * m : (k + 1) * m, :] += Xa.T @ scaled.reshape(nb, K * m)
