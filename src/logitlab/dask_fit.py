"""Fitting on Dask arrays: Newton blockwise, the data never gathered on the client.

``LogisticRegression.fit(X, y)`` with a ``dask.array`` X (and y) comes here
(``pip install logitlab[dask]``). The engine is the in-memory one: the same
:func:`logitlab.core.solvers.solve`, the same stopping rule, centring and
working sets; only the passes over the data differ. Each pass maps one
function over the row chunks (value, gradient and, when asked, Hessian of the
chunk, summed in float64) and sums the partial results in a tree on the
workers, so only p-sized vectors and (K·p)² matrices travel to the client.
On a ``dask.distributed`` cluster the work runs wherever the active client
sends it.

Each Newton iteration costs one pass over X: the pass at a trial point also sums
the Hessians the solver may ask for there next (exact, and sketched from every
k-th row of X, the same rows as in memory, so the Dask fit takes the in-memory
fit's steps and stops at its point). X is not persisted (a dataset larger than
the workers' memory is re-read chunk by chunk); X, y and the weights are read
from one graph, so a y computed from X does not make X twice.

The inference state (``summary()``, ``cov_params()``, tests) is computed the
same way: :func:`logitlab.core.fitstate.compute_fit_state` reads the rows only
through :func:`logitlab.core.covariance.reduce_rows`, which
:meth:`DaskObjective.reduce_rows` runs chunk by chunk on the workers (two to
four more passes). Not available on a cluster: the linear-program separation
check (it needs the rows in memory; the summary says "not checked" when the
fit's certificate and the one-feature test do not settle it), and HC2, HC3 and
cluster covariances from Dask arrays (pass the training data in memory, as
after any fit).
"""

from __future__ import annotations

import importlib
import math
import warnings
from typing import Any

import numpy as np

from logitlab.core import solvers
from logitlab.core.loss import Curvature, LogisticLoss
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve
from logitlab.core.types import FloatArray, IntArray


def is_dask_collection(obj: object) -> bool:
    """Whether ``obj`` is a Dask collection (checked without importing dask)."""
    return type(obj).__module__.split(".")[0] == "dask" and hasattr(obj, "__dask_graph__")


#: Each value pass also sums the Hessian (and its sketch) at its point, up to this many
#: coefficients: reading a chunk (from storage, or computing it) costs far more than its
#: Gram, so the solver's Hessian pass that usually follows is saved.
SPECULATIVE_HESSIAN_MAX_COEF = 256


# ------------------------------------------------------------------ chunk work


def _chunk_pass(
    Xb: Any,
    yb: Any,
    swb: Any,
    start: int,
    coef: FloatArray,
    classes: np.ndarray,
    class_weight: FloatArray | None,
    fit_intercept: bool,
    offset: FloatArray | None,
    gradient: bool,
    hessian: bool,
    stride: int,
) -> tuple[Any, ...]:
    """(Σs, Σsℓ, Σs∇ℓ, Σs∇²ℓ, Σ's, Σ's∇²ℓ) of one row chunk, whose first row is row
    ``start`` of X. Σ' runs over the rows of a sketch, every ``stride``-th row of X
    (rows 0, stride, 2·stride, ... as :meth:`Objective.smooth_hessian`'s ``X[::stride]``);
    ``stride`` 0: no sketch. ``gradient=False, hessian=False, stride>0``: the sketch alone."""
    Xb = np.asarray(Xb)
    if Xb.dtype not in (np.float64, np.float32):
        Xb = Xb.astype(np.float64)
    labels = np.asarray(yb)
    K = classes.shape[0]
    index = np.searchsorted(classes, labels)
    target = (index == 1).astype(np.float64) if K == 2 else index.astype(np.float64)
    sw = None if swb is None else np.asarray(swb, dtype=np.float64)
    if class_weight is not None:
        per_row = class_weight[index]
        sw = per_row if sw is None else sw * per_row
    model = LogisticLoss(n_classes=K, fit_intercept=fit_intercept)
    n = coef.size
    sketch_mass, sketch = 0.0, None
    if stride:
        rows = slice((-start) % stride, None, stride)
        s_sw = None if sw is None else sw[rows]
        sketch_mass = float(Xb[rows].shape[0]) if s_sw is None else float(np.sum(s_sw))
        if sketch_mass > 0.0:
            _, _, s_hess, _ = model._pass(
                coef, Xb[rows], target[rows], s_sw, gradient=False, hessian=True, offset=offset
            )
            assert s_hess is not None
            sketch = s_hess * sketch_mass
        else:
            sketch = np.zeros((n, n))
        if not gradient and not hessian:
            return 0.0, 0.0, None, None, sketch_mass, sketch
    mass = float(Xb.shape[0]) if sw is None else float(np.sum(sw))
    if not mass > 0.0:
        return (
            0.0,
            0.0,
            np.zeros(n) if gradient else None,
            np.zeros((n, n)) if hessian else None,
            sketch_mass,
            sketch,
        )
    value, grad, hess, _ = model._pass(
        coef, Xb, target, sw, gradient=gradient, hessian=hessian, offset=offset
    )
    return (
        mass,
        value * mass,
        None if grad is None else grad * mass,
        None if hess is None else hess * mass,
        sketch_mass,
        sketch,
    )


def _add(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if x is None else x + y for x, y in zip(a, b, strict=True))


def _chunk_moments(Xb: Any, swb: Any) -> tuple[float, FloatArray, FloatArray]:
    """(Σs, Σs·x, Σs·x²) of a chunk, for column means and spreads."""
    Xb = np.asarray(Xb, dtype=np.float64)
    if swb is None:
        return float(Xb.shape[0]), Xb.sum(axis=0), (Xb * Xb).sum(axis=0)
    s = np.asarray(swb, dtype=np.float64)
    return float(np.sum(s)), s @ Xb, s @ (Xb * Xb)


class DaskObjective(Objective):
    """:class:`Objective` over a row-chunked ``dask.array`` X (one column chunk)."""

    def __init__(
        self,
        X: Any,
        y: Any,
        *,
        classes: np.ndarray,
        class_weight: FloatArray | None,
        fit_intercept: bool,
        sample_weight: Any,
        penalty: Penalty,
        offset: FloatArray | None = None,
        total_weight: float,
    ) -> None:
        K = classes.shape[0]
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.offset = offset
        self.penalty = penalty
        self.model = LogisticLoss(n_classes=K, fit_intercept=fit_intercept)
        self.n_samples, self.n_features = (int(s) for s in X.shape)
        self.n_coef = self.model.n_coef(self.n_features)
        self.penalized = self.model.weights_mask(self.n_features)
        self.classes = classes
        self.class_weight = class_weight
        self.total_weight = total_weight
        #: (coef, {stride: Hessian of the cross-entropy}) from the last value pass.
        self._hessians: tuple[FloatArray, dict[int, FloatArray]] | None = None
        self._delayed_chunks: tuple[list[Any], list[Any], list[Any], list[int]] | None = None

    def _copy(self, **changes: Any) -> DaskObjective:
        args: dict[str, Any] = {
            "classes": self.classes,
            "class_weight": self.class_weight,
            "fit_intercept": self.model.fit_intercept,
            "sample_weight": self.sample_weight,
            "penalty": self.penalty,
            "offset": self.offset,
            "total_weight": self.total_weight,
            "X": self.X,
            "y": self.y,
        }
        args.update(changes)
        X, y = args.pop("X"), args.pop("y")
        return DaskObjective(X, y, **args)

    def with_penalty(self, penalty: Penalty) -> Objective:
        return self._copy(penalty=penalty)

    def restricted(self, columns: IntArray) -> Objective:
        offset = None if self.offset is None else self.offset[columns]
        return self._copy(X=self.X[:, columns], offset=offset)

    def centered(self) -> Objective:
        if not self.model.fit_intercept or self.offset is not None or self.n_features == 0:
            return self
        mass, total, squares = _reduce(self._map(_chunk_moments, weights=True))
        mean = total / mass
        spread = np.sqrt(np.maximum(squares / mass - mean * mean, 0.0))
        offset = np.where(np.abs(mean) > spread, mean, 0.0)
        if not np.any(offset):
            return self
        return self._copy(offset=offset)

    def reduce_rows(self, func: Any, combine: Any) -> Any:
        """``func(X_chunk, class_index, weights)`` on every row chunk where it lives,
        folded with ``combine`` on the workers (see :func:`logitlab.core.covariance.reduce_rows`).
        The weights include the class weights, as the in-memory objective's do."""
        parts = self._map(_chunk_rows, func, self.classes, self.class_weight)
        return _reduce(parts, combine)

    def _chunks(self) -> tuple[list[Any], list[Any], list[Any], list[int]]:
        """The row chunks of X, y and the sample weights (delayed) and each chunk's first row.

        The three arrays' graphs are optimized together, once: when y (or the weights) is
        computed from X, as in ``y = X @ beta > 0``, a pass makes each chunk of X once and
        reads it for both (optimized apart, each would fuse its own copy of X's tasks)."""
        if self._delayed_chunks is None:
            dask: Any = importlib.import_module("dask")
            X: Any = self.X
            arrays = [X, self.y] if self.sample_weight is None else [X, self.y, self.sample_weight]
            arrays = list(dask.optimize(*arrays))
            lists = [list(a.to_delayed(optimize_graph=False).ravel()) for a in arrays]
            if len(lists) == 2:
                lists.append([None] * len(lists[0]))
            starts = np.cumsum((0, *X.chunks[0][:-1])).tolist()
            self._delayed_chunks = (lists[0], lists[1], lists[2], [int(v) for v in starts])
        return self._delayed_chunks

    def _map(self, func: Any, *args: Any, weights: bool = False) -> list[Any]:
        delayed: Any = importlib.import_module("dask").delayed
        xs, ys, sws, _ = self._chunks()
        if weights:
            return [delayed(func)(x, s) for x, s in zip(xs, sws, strict=True)]
        return [delayed(func)(x, y, s, *args) for x, y, s in zip(xs, ys, sws, strict=True)]

    def _data_pass(
        self, coef: FloatArray, *, gradient: bool, hessian: bool, stride: int = 0
    ) -> tuple[float, FloatArray | None, FloatArray | None, FloatArray | None]:
        """One pass: mean cross-entropy, its gradient and Hessian, and the Hessian of the
        sketch of every ``stride``-th row (0: none); None for what was not asked."""
        delayed: Any = importlib.import_module("dask").delayed
        xs, ys, sws, starts = self._chunks()
        args = (
            np.asarray(coef, dtype=np.float64),
            self.classes,
            self.class_weight,
            self.model.fit_intercept,
            self.offset,
            gradient,
            hessian,
            stride,
        )
        parts = [
            delayed(_chunk_pass)(x, y, s, start, *args)
            for x, y, s, start in zip(xs, ys, sws, starts, strict=True)
        ]
        mass, value, grad, hess, sketch_mass, sketch = _reduce(parts)
        scale = 1.0 / mass if mass > 0.0 else 0.0
        return (
            value * scale,
            None if grad is None else grad * scale,
            None if hess is None else hess * scale,
            sketch / sketch_mass if sketch is not None and sketch_mass > 0.0 else None,
        )

    def _fused_pass(self, coef: FloatArray) -> tuple[float, FloatArray]:
        """Value and gradient at ``coef``, and, in the same pass, the Hessians that
        :func:`logitlab.core.solvers.solve` may ask for at that point next (exact and
        sketched): kept until the next point, so each Newton iteration reads X once."""
        speculate = self.n_coef <= SPECULATIVE_HESSIAN_MAX_COEF
        stride = solvers.sketch_stride(self.n_samples, self.n_coef) if speculate else 0
        value, grad, hess, sketch = self._data_pass(
            coef, gradient=True, hessian=speculate, stride=stride
        )
        assert grad is not None
        self._hessians = None
        if hess is not None:
            kept = {1: hess} if sketch is None else {1: hess, stride: sketch}
            self._hessians = (np.array(coef, dtype=np.float64), kept)
        return value, grad

    def cross_entropy(self, coef: FloatArray) -> float:
        return self._data_pass(coef, gradient=False, hessian=False)[0]

    def smooth_value_gradient(
        self, coef: FloatArray, rows: IntArray | None = None
    ) -> tuple[float, FloatArray]:
        if rows is not None:
            raise NotImplementedError("mini-batches of a Dask array are not supported")
        value, grad = self._fused_pass(coef)
        return self._add_smooth_penalty(coef, value, grad, None)[:2]

    def smooth_value_gradient_hessian(
        self, coef: FloatArray
    ) -> tuple[float, FloatArray, FloatArray]:
        value, grad, hess, _ = self._data_pass(coef, gradient=True, hessian=True)
        assert grad is not None and hess is not None
        value, grad, hess_out = self._add_smooth_penalty(coef, value, grad, hess)
        assert hess_out is not None
        return value, grad, hess_out

    def smooth_hessian(self, coef: FloatArray, *, stride: int = 1) -> FloatArray:
        """As :meth:`Objective.smooth_hessian`: exact, or from every ``stride``-th row of X
        (the same rows as in memory, so the solver takes the same steps as it does there).
        Taken from the last value pass when it was made at ``coef``; else one pass."""
        hess = None
        if self._hessians is not None and np.array_equal(self._hessians[0], coef):
            hess = self._hessians[1].get(stride)
        if hess is None:
            _, _, full, sketch = self._data_pass(
                coef, gradient=False, hessian=stride == 1, stride=0 if stride == 1 else stride
            )
            hess = full if stride == 1 else sketch
        assert hess is not None
        hess = hess.copy()
        if self.penalty.l2:
            idx = np.flatnonzero(self.penalized)
            hess[idx, idx] += self.penalty.l2
        return hess

    def smooth_value_gradient_curvature(
        self, coef: FloatArray
    ) -> tuple[float, FloatArray, Curvature]:
        raise NotImplementedError("Dask fits run method='newton' (Gram sums over chunks)")

    def _add_smooth_penalty(
        self, coef: FloatArray, value: float, grad: FloatArray, hess: FloatArray | None
    ) -> tuple[float, FloatArray, FloatArray | None]:
        w = coef[self.penalized]
        value += self.penalty.smooth_value(w)
        if self.penalty.l2:
            grad[self.penalized] += self.penalty.smooth_gradient(w)
            if hess is not None:
                idx = np.flatnonzero(self.penalized)
                hess[idx, idx] += self.penalty.l2
        return value, grad, hess


def _chunk_rows(
    Xb: Any,
    yb: Any,
    swb: Any,
    func: Any,
    classes: np.ndarray,
    class_weight: FloatArray | None,
) -> Any:
    """``func`` on one chunk, with the labels as class indices and the combined weights."""
    Xb = np.asarray(Xb)
    if Xb.dtype not in (np.float64, np.float32):
        Xb = Xb.astype(np.float64)
    index = np.searchsorted(classes, np.asarray(yb)).astype(np.intp)
    sw = None if swb is None else np.asarray(swb, dtype=np.float64)
    if class_weight is not None:
        per_row = class_weight[index]
        sw = per_row if sw is None else sw * per_row
    return func(Xb, index, sw)


def _reduce(parts: list[Any], combine: Any = _add) -> Any:
    """Fold the chunks' partial results in a tree on the workers; one compute."""
    delayed: Any = importlib.import_module("dask").delayed

    while len(parts) > 1:
        pairs = [delayed(combine)(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        if len(parts) % 2:
            pairs.append(parts[-1])
        parts = pairs
    return parts[0].compute()


# ------------------------------------------------------------------ estimator


def fit_dask(est: Any, X: Any, y: Any, sample_weight: Any) -> Any:
    """``est.fit(X, y, sample_weight)`` for Dask arrays; returns ``est``.

    ``est`` is a :class:`logitlab.LogisticRegression` (typed ``Any``: this module is
    imported by the estimator, so it does not import the estimator back).
    """
    da: Any = importlib.import_module("dask.array")
    delayed: Any = importlib.import_module("dask").delayed

    from sklearn.exceptions import ConvergenceWarning

    from logitlab._inference_api import fit_state
    from logitlab._problems import symmetrize

    est._validate_params()
    if est.solver not in ("auto", "newton"):
        raise ValueError(
            f"Dask arrays are fitted by Newton's method; solver={est.solver!r} is not "
            "available for them (use solver='auto' or 'newton')"
        )
    X = da.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got a Dask array of shape {X.shape}")
    if any(math.isnan(c) for c in X.shape):
        raise ValueError("X has unknown chunk sizes; call X.compute_chunk_sizes() first")
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    X = X.rechunk({1: -1})
    y = da.asarray(y)
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"y must be 1-D with {X.shape[0]} entries, got shape {y.shape}")
    y = y.rechunk((X.chunks[0],))
    sw = None
    if sample_weight is not None:
        sw = da.asarray(sample_weight, dtype=np.float64)
        if sw.ndim == 0:
            sw = da.full(X.shape[0], float(sw), chunks=(X.chunks[0],))
        sw = sw.rechunk((X.chunks[0],))
    classes, counts = (np.asarray(a) for a in da.compute(*da.unique(y, return_counts=True)))
    if classes.shape[0] < 2:
        raise ValueError(
            f"{type(est).__name__} needs samples of at least 2 classes in the data, but "
            f"the data contains only one class: {classes[0]!r}."
        )
    class_weight = None
    if est.class_weight == "balanced":
        # Σ s / (K · Σ_{class k} s), as scikit-learn's compute_class_weight (weighted counts)
        if sw is not None:
            unit = np.ones(classes.shape[0])
            counts = _reduce(
                [
                    delayed(_class_sums)(yb, s, classes, unit)
                    for yb, s in zip(y.to_delayed().ravel(), sw.to_delayed().ravel(), strict=True)
                ]
            )[0]
        counts = np.asarray(counts, dtype=np.float64)
        class_weight = float(np.sum(counts)) / (classes.shape[0] * counts)
    elif isinstance(est.class_weight, dict):
        class_weight = np.array([float(est.class_weight.get(c, 1.0)) for c in classes])
    K = classes.shape[0]
    fit_intercept = bool(est.fit_intercept)
    probe = DaskObjective(
        X,
        y,
        classes=classes,
        class_weight=class_weight,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        penalty=Penalty(),
        total_weight=0.0,
    )
    if sw is None and class_weight is None:
        total = float(X.shape[0])
    else:
        total = float(_reduce(probe._map(_chunk_moments, weights=True))[0])
        if class_weight is not None:
            total = float(sum(_reduce(probe._map(_class_mass, classes, class_weight))))
    C, l1_ratio = est._penalty_settings()  # scikit-learn's deprecated ``penalty`` applied
    alpha = 0.0 if math.isinf(C) else 1.0 / (C * total)
    penalty = Penalty(alpha=alpha, l1_ratio=l1_ratio if alpha else 0.0)
    objective = probe._copy(penalty=penalty, total_weight=total)
    result = solve(objective, tol=float(est.tol), max_iter=int(est.max_iter), method="newton")
    if not result.converged:
        warnings.warn(
            ConvergenceWarning(est._convergence_message(result.optimality)),
            stacklevel=3,
        )
    n_features = objective.n_features
    coef = symmetrize(result.coef, K, n_features, fit_intercept, penalty)
    mat = coef.reshape(-1, n_features + int(fit_intercept))
    est.classes_ = classes
    est.coef_ = np.ascontiguousarray(mat[:, :n_features])
    est.intercept_ = mat[:, n_features].copy() if fit_intercept else np.zeros(mat.shape[0])
    est.n_iter_ = np.array([result.n_iter], dtype=np.int32)
    est.n_features_in_ = n_features
    if hasattr(est, "feature_names_in_"):
        del est.feature_names_in_
    # The inference state's passes run blockwise too (DaskObjective.reduce_rows):
    # summary() works as after an in-memory fit.
    est._inference_state = fit_state(
        objective, coef, converged=result.converged, n_iter=result.n_iter
    )
    return est


def _class_sums(
    yb: Any, swb: Any, classes: np.ndarray, class_weight: FloatArray
) -> tuple[FloatArray]:
    """Per-class sums of the (class- and sample-) weights of a chunk."""
    index = np.searchsorted(classes, np.asarray(yb))
    weights = class_weight[index]
    if swb is not None:
        weights = weights * np.asarray(swb, dtype=np.float64)
    sums: FloatArray = np.bincount(index, weights=weights, minlength=classes.shape[0]).astype(
        np.float64
    )
    return (sums,)


def _class_mass(
    Xb: Any, yb: Any, swb: Any, classes: np.ndarray, class_weight: FloatArray
) -> tuple[float]:
    index = np.searchsorted(classes, np.asarray(yb))
    per_row = class_weight[index]
    if swb is not None:
        per_row = per_row * np.asarray(swb, dtype=np.float64)
    return (float(np.sum(per_row)),)
