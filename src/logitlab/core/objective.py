"""The objective every optimizer and solver minimizes.

``f(coef) = Σ sᵢ ℓᵢ(coef) / Σ sᵢ + Penalty(weights)``, where ℓ is the
cross-entropy of :class:`~logitlab.core.loss.LogisticLoss` and the penalty never
touches the intercept. The *smooth part* is the cross-entropy plus the L2 term;
the L1 term is left to :meth:`Objective.prox`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from logitlab.core.design import DataSums, data_sums, is_sparse
from logitlab.core.loss import Curvature, LogisticLoss, ScoreSums
from logitlab.core.penalty import Penalty
from logitlab.core.types import BoolArray, FloatArray, IntArray


class Objective:
    """Data, model and penalty bound together.

    Parameters
    ----------
    X : ndarray or scipy CSR/CSC matrix of shape (n_samples, n_features)
        Float64 or float32 features; used as given (never copied, never densified).
    y : ndarray of shape (n_samples,)
        Binary model: 0.0 / 1.0. Multinomial: class indices 0 .. n_classes-1.
    n_classes : int, default=2
    fit_intercept : bool, default=True
    sample_weight : ndarray of shape (n_samples,) or None
        Non-negative weights (class weights already multiplied in).
    penalty : Penalty, default=Penalty()
    offset : ndarray of shape (n_features,) or None, default=None
        When given, the model sees the columns as ``X − offset`` (centred
        coordinates: see :meth:`centered`); dense X only.

    Attributes
    ----------
    n_coef : int
        Length of the flat coefficient vector every method takes (``coef`` of
        shape (n_coef,)); gradients have that shape, Hessians (n_coef, n_coef).
    penalized : ndarray of bool of shape (n_coef,)
        True for weights, False for intercepts (never penalized).
    """

    def __init__(
        self,
        X: Any,
        y: FloatArray,
        *,
        n_classes: int = 2,
        fit_intercept: bool = True,
        sample_weight: FloatArray | None = None,
        penalty: Penalty | None = None,
        offset: FloatArray | None = None,
    ) -> None:
        if offset is not None and is_sparse(X):
            raise ValueError("sparse X cannot be centred (it would no longer be sparse)")
        self.X = X
        self.offset = offset
        #: Column means computed by :meth:`centered` (float64, weighted), kept so the fit
        #: state's centering reuses them instead of another pass over X (issue 13).
        self.column_means: FloatArray | None = None
        #: The column sums :meth:`centered` read with them (the fit state's moments).
        self.data_sums: DataSums | None = None
        self.y = y
        self.sample_weight = sample_weight
        self.penalty = penalty if penalty is not None else Penalty()
        self.model = LogisticLoss(n_classes=n_classes, fit_intercept=fit_intercept)
        self.n_samples, self.n_features = X.shape
        self.n_coef = self.model.n_coef(self.n_features)
        self.penalized: BoolArray = self.model.weights_mask(self.n_features)

    def with_penalty(self, penalty: Penalty) -> Objective:
        """The same data and model under another penalty (no copy of the data)."""
        return Objective(
            self.X,
            self.y,
            n_classes=self.model.n_classes,
            fit_intercept=self.model.fit_intercept,
            sample_weight=self.sample_weight,
            penalty=penalty,
            offset=self.offset,
        )

    def centered(self) -> Objective:
        """The same problem in columns centred where their offset dwarfs their spread.

        A column whose (weighted) mean exceeds its standard deviation is used as
        ``x − mean`` (only with an intercept, which absorbs the shift; sparse X is
        never centred). The optimum is the same model: :meth:`to_centered` and
        :meth:`from_centered` map coefficients between the two. Centring keeps the
        Hessian well conditioned for data such as ``X + 1e6``, where the raw
        problem cannot be solved to a small gradient in floating point.
        Returns ``self`` when no column needs it.
        """
        if not self.model.fit_intercept or is_sparse(self.X) or self.offset is not None:
            return self
        if self.n_samples == 0 or self.n_features == 0:
            return self
        sums = data_sums(self.X, self.sample_weight, self.y, self.model.n_classes)
        mean, spread = sums.mean, sums.spread
        self.column_means = mean
        self.data_sums = sums
        offset = np.where(np.abs(mean) > spread, mean, 0.0)
        if not np.any(offset):
            return self
        return Objective(
            self.X,
            self.y,
            n_classes=self.model.n_classes,
            fit_intercept=True,
            sample_weight=self.sample_weight,
            penalty=self.penalty,
            offset=offset,
        )

    def restricted(self, columns: IntArray) -> Objective:
        """The same problem on the feature columns ``columns`` only (a copy of those columns).

        Sparse columns are copied densely when that at most doubles their memory (a third
        or more of their entries stored): an L1 working set holds the frequent columns,
        whose Hessian passes then run as dense products (issue 13: scipy's sparse
        Gram was 0.43 of a 0.58 s sparse L1 fit at 1e5 x 20,000, on columns 65-80 % full).
        """
        X = self.X
        if is_sparse(X):
            Xw = X[:, columns]
            stored = Xw.data.nbytes + Xw.indices.nbytes + Xw.indptr.nbytes
            if Xw.shape[0] * Xw.shape[1] * Xw.dtype.itemsize <= 2 * stored:
                Xw = Xw.toarray()
        else:
            Xw = np.take(X, columns, axis=1)
        return Objective(
            Xw,
            self.y,
            n_classes=self.model.n_classes,
            fit_intercept=self.model.fit_intercept,
            sample_weight=self.sample_weight,
            penalty=self.penalty,
            offset=None if self.offset is None else self.offset[columns],
        )

    def _shift(self, coef: FloatArray, sign: float, offset: FloatArray | None) -> FloatArray:
        if offset is None:
            return coef
        mat = np.array(coef, dtype=np.float64).reshape(self.model.n_outputs, -1)
        mat[:, -1] += sign * (mat[:, : self.n_features] @ offset)
        out: FloatArray = mat.ravel()
        return out

    def to_centered(self, coef: FloatArray, centered: Objective) -> FloatArray:
        """Coefficients of this objective in ``centered``'s coordinates (b + offset·w)."""
        return self._shift(coef, 1.0, centered.offset)

    def from_centered(self, coef: FloatArray, centered: Objective) -> FloatArray:
        """Coefficients of ``centered`` back in this objective's coordinates (b − offset·w)."""
        return self._shift(coef, -1.0, centered.offset)

    def gradient_from_centered(self, grad: FloatArray, centered: Objective) -> FloatArray:
        """A smooth gradient of ``centered`` in this objective's coordinates (g_w + offset·g_b)."""
        if centered.offset is None:
            return grad
        mat = np.array(grad, dtype=np.float64).reshape(self.model.n_outputs, -1)
        mat[:, : self.n_features] += mat[:, -1:] * centered.offset
        out: FloatArray = mat.ravel()
        return out

    def initial_coef(self) -> FloatArray:
        return np.zeros(self.n_coef)

    # --------------------------------------------------------------- values

    def value(self, coef: FloatArray) -> float:
        """Full objective: cross-entropy + L2 + L1."""
        return self.cross_entropy(coef) + self.penalty.value(coef[self.penalized])

    def cross_entropy(self, coef: FloatArray) -> float:
        return self.model.loss(coef, self.X, self.y, self.sample_weight, offset=self.offset)

    def smooth_value_gradient(
        self, coef: FloatArray, rows: IntArray | None = None
    ) -> tuple[float, FloatArray]:
        """Cross-entropy + L2 term and its gradient; ``rows`` restricts the data to a mini-batch."""
        X, y, sw = self._data(rows)
        value, grad = self.model.loss_gradient(coef, X, y, sw, offset=self.offset)
        w = coef[self.penalized]
        value += self.penalty.smooth_value(w)
        if self.penalty.l2:
            grad[self.penalized] += self.penalty.smooth_gradient(w)
        return value, grad

    def smooth_value_gradient_hessian(
        self, coef: FloatArray
    ) -> tuple[float, FloatArray, FloatArray]:
        """Cross-entropy + L2 term, gradient and Hessian in one pass."""
        value, grad, hess = self.model.loss_gradient_hessian(
            coef, self.X, self.y, self.sample_weight, offset=self.offset
        )
        return self._with_l2(coef, value, grad, hess)

    def smooth_value_gradient_hessian_sums(
        self, coef: FloatArray
    ) -> tuple[float, FloatArray, FloatArray, ScoreSums]:
        """:meth:`smooth_value_gradient_hessian` plus the fit state's score sums, one pass.

        Binary model on dense X (see :meth:`LogisticLoss.loss_gradient_hessian_sums`);
        the sums also keep the cross-entropy and its gradient without the penalty.
        """
        value, grad, hess, sums = self.model.loss_gradient_hessian_sums(
            coef, self.X, self.y, self.sample_weight, offset=self.offset
        )
        sums.cross_entropy = value
        sums.loss_gradient = grad.copy()
        return (*self._with_l2(coef, value, grad, hess), sums)

    def _with_l2(
        self, coef: FloatArray, value: float, grad: FloatArray, hess: FloatArray
    ) -> tuple[float, FloatArray, FloatArray]:
        """The cross-entropy's value, gradient and Hessian plus the L2 term's (in place)."""
        w = coef[self.penalized]
        value += self.penalty.smooth_value(w)
        if self.penalty.l2:
            grad[self.penalized] += self.penalty.smooth_gradient(w)
            idx = np.flatnonzero(self.penalized)
            hess[idx, idx] += self.penalty.l2
        return value, grad, hess

    def smooth_hessian(self, coef: FloatArray, *, stride: int = 1) -> FloatArray:
        """Hessian of the cross-entropy + L2 term alone (one pass over the data).

        ``stride`` > 1 estimates it from every stride-th row (views, no copy):
        a cheap sketch for Newton steps far from the optimum.
        """
        sl = slice(None, None, stride)
        sw = None if self.sample_weight is None else self.sample_weight[sl]
        X = self.X if stride == 1 else self.X[sl]
        hess = self.model.hessian(coef, X, self.y[sl], sw, offset=self.offset)
        if self.penalty.l2:
            idx = np.flatnonzero(self.penalized)
            hess[idx, idx] += self.penalty.l2
        return hess

    def smooth_value_gradient_curvature(
        self, coef: FloatArray
    ) -> tuple[float, FloatArray, Curvature]:
        """Cross-entropy + L2 term, gradient, and the row weights of :meth:`hessian_vector`."""
        value, grad, curv = self.model.loss_gradient_curvature(
            coef, self.X, self.y, self.sample_weight, offset=self.offset
        )
        w = coef[self.penalized]
        value += self.penalty.smooth_value(w)
        if self.penalty.l2:
            grad[self.penalized] += self.penalty.smooth_gradient(w)
        return value, grad, curv

    def hessian_vector(self, curv: Curvature, v: FloatArray) -> FloatArray:
        """Hessian of the smooth part (at the point ``curv`` was made) times v (n_coef,)."""
        out = self.model.hessian_vector(curv, v, self.X, self.offset)
        if self.penalty.l2:
            out[self.penalized] += self.penalty.l2 * v[self.penalized]
        return out

    def hessian_diagonal(self, curv: Curvature) -> FloatArray:
        """Diagonal of the smooth part's Hessian at the point ``curv`` was made (n_coef,)."""
        out = self.model.hessian_diagonal(curv, self.X, self.offset)
        if self.penalty.l2:
            out[self.penalized] += self.penalty.l2
        return out

    def l1_value(self, coef: FloatArray) -> float:
        return self.penalty.l1 * float(np.sum(np.abs(coef[self.penalized])))

    def prox(self, coef: FloatArray, step: float) -> FloatArray:
        """Proximal map of the L1 term (identity on intercepts and without L1)."""
        if self.penalty.is_smooth:
            return coef
        out = coef.copy()
        out[self.penalized] = self.penalty.prox(coef[self.penalized], step)
        return out

    def optimality(self, coef: FloatArray, grad: FloatArray | None = None) -> float:
        """∞-norm of the minimum-norm subgradient: 0 exactly at the optimum."""
        if grad is None:
            _, grad = self.smooth_value_gradient(coef)
        return float(np.max(np.abs(self.min_norm_subgradient(coef, grad)), initial=0.0))

    def min_norm_subgradient(self, coef: FloatArray, grad: FloatArray) -> FloatArray:
        """The smallest element of ∂f(coef) given the smooth gradient."""
        l1 = self.penalty.l1
        if l1 == 0.0:
            return grad
        out = grad.copy()
        idx = np.flatnonzero(self.penalized)
        w = coef[idx]
        g = grad[idx]
        nonzero = w != 0.0
        out[idx] = np.where(
            nonzero, g + l1 * np.sign(w), np.sign(g) * np.maximum(np.abs(g) - l1, 0.0)
        )
        return out

    def _data(self, rows: IntArray | None) -> tuple[FloatArray, FloatArray, FloatArray | None]:
        if rows is None:
            return self.X, self.y, self.sample_weight
        sw = None if self.sample_weight is None else self.sample_weight[rows]
        return self.X[rows], self.y[rows], sw
