"""The exact solver: (proximal or truncated) Newton run until the stopping rule holds.

``solve(objective, method=...)`` picks one of two methods:

- ``"newton"``: damped Newton with the exact Hessian and a Cholesky factor
  (proximal Newton with coordinate descent for L1 terms). When the rows are
  fewer than the features (binary, L2), Newton runs in the rows' space
  (:mod:`logitlab.core.dual_newton`): the weights stay w₀-scaled plus X̃ᵀa, the
  Gram matrix X̃X̃ᵀ is formed once and each step solves an n × n system
  (Woodbury), so the p × p Hessian is never formed and a step costs one pass
  over X (the gradient the stopping rule tests).
- ``"newton-cg"``: truncated Newton. The step solves the Newton system by
  preconditioned conjugate gradients on Hessian–vector products (two passes
  over X each), so the K·p square matrix is never formed. Multinomial fits on
  dense X are preconditioned by a Kronecker product M ⊗ G (class coupling ×
  feature Gram), binary and sparse ones by the Hessian's diagonal.
- ``"auto"`` (default) chooses by shape, see :func:`choose_method`: exact
  Newton for few coefficients, and in the rows' space for binary L2 data with
  p ≥ 2n and n² ≤ 1,000·p (n rows, p features); truncated Newton otherwise.

L1 and elastic-net fits with many features run proximal Newton on working sets
(:mod:`logitlab.core.working_set`): the active features plus the worst violators.

**Stopping rule** (the same for every method). The solver stops at the first
point where both

1. the largest entry of the (minimum-norm sub)gradient of the mean objective is
   at most ``tol``, and
2. the Newton decrement λ = √(gᵀH⁻¹g) (for L1 the proximal one, √(dᵀHd) for
   the proximal Newton step d) is at most ``tol``.

λ is the distance to the optimum measured in the Hessian's own metric, so the
second test is invariant to rescaling features or reweighting rows: when the
curvature is tiny (rare events: 20 positives in 200,000 rows give an intercept
curvature of 1e-4) a small gradient alone is not yet a small error, and the
rule asks for one more Newton step, which squares the error. λ at a new point
is estimated with the Hessian already factorized (no extra pass over the data).

**Internal centring.** With an intercept, columns whose mean exceeds their
spread are centred inside the solver (``X + 1e6`` is solved as ``X``); the
intercept is shifted back at the end. The stopping rule is applied in the
centred coordinates, where the problem is well conditioned; ``optimality`` is
reported for the caller's (raw) coordinates.

Each iteration of "newton" costs one pass over the data for the trial point
plus, when the coefficients are many, one Hessian pass; the Hessian may be
sketched from every k-th row far from the optimum, and is reused once when
quadratic convergence predicts that the previous one will do for the last step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import scipy.linalg

from logitlab.core.design import is_sparse
from logitlab.core.dual_newton import newton_dual
from logitlab.core.loss import Curvature, ScoreSums
from logitlab.core.objective import Objective
from logitlab.core.optimizers import center_replicated, newton_direction, rounding_level
from logitlab.core.types import FloatArray
from logitlab.core.working_set import solve_working_set

#: The values ``method`` accepts.
METHODS = ("auto", "newton", "newton-cg")

#: Up to this many coefficients the Hessian rides along with every value pass.
FUSED_HESSIAN_MAX_COEF = 16
#: "auto": exact Newton up to this many coefficients (dense X); truncated Newton above.
AUTO_NEWTON_MAX_COEF = 1000
#: The same bound for the multinomial model, whose Hessian pass costs K times more per entry.
AUTO_NEWTON_MAX_COEF_MULTINOMIAL = 200
#: "auto": exact Newton in the rows' space (binary L2, n rows, p ≥ 2n features) when
#: n² ≤ AUTO_DUAL_ROWS_SQUARED_PER_FEATURE · p. Its cost, ≈ n²p/2 for the Gram matrix
#: X̃X̃ᵀ once plus an n × n Cholesky factor (n³/3) per step, both at matrix-product
#: speed, against truncated Newton's ≈ 100 matrix–vector passes over X (n·p each):
#: on 1-thread BLAS the two cost the same near 1,000 × 1,300, 2,000 × 4,000 and
#: 3,000 × 9,000 (the dual is 3-7x faster at 500 × 5,000 and 200 × 20,000).
AUTO_DUAL_ROWS_SQUARED_PER_FEATURE = 1000

#: L1 / elastic-net fits with more features than this run on working sets.
WORKING_SET_MIN_FEATURES = 40

#: A sketched Hessian uses every stride-th row, about this many rows per coefficient.
_SKETCH_ROWS_PER_COEF = 200
_MIN_SKETCH_STRIDE = 4
_FAR_RATIO = 0.1  # optimality shrinking by less than this factor per step: still far
_MAX_SKETCHES = 4

_ARMIJO = 1e-4
_MAX_HALVINGS = 40
_EXACT, _STALE, _SKETCH = "exact", "stale", "sketch"


@dataclass(frozen=True)
class SolveResult:
    """Outcome of :func:`solve`."""

    coef: FloatArray
    """Coefficients of shape (objective.n_coef,) at the last accepted point."""
    value: float
    """Full objective at ``coef``."""
    n_iter: int
    """Newton iterations taken."""
    converged: bool
    """Whether the stopping rule (see the module docstring) held at ``coef``."""
    optimality: float
    """∞-norm of the minimum-norm subgradient at ``coef`` (raw coordinates)."""
    hessian: FloatArray | None = None
    """The smooth part's Hessian at ``coef`` (cross-entropy with rows weighted by
    sᵢ/Σs, plus the L2 term), shape (n_coef, n_coef), in the coordinates of the
    columns ``x − hessian_offset``: kept when exact Newton's last fused pass
    computed it at the converged ``coef`` of a smooth, dense problem
    (the fit state reuses it, issue 13); else None."""
    hessian_offset: FloatArray | None = None
    """The column offsets of ``hessian``'s coordinates (None: the raw columns)."""
    sums: ScoreSums | None = None
    """The score sums (HC0 meat, Σ|score|, cross-entropy and its gradient) at ``coef``
    in ``hessian``'s coordinates, when Newton's last pass summed them with the Hessian
    (binary, dense X in memory: the fit state then reads X no more, issue 13); else None."""


def choose_method(objective: Objective) -> str:
    """The method ``method="auto"`` runs, by the shape of the problem.

    - an L1 term: "newton" (proximal Newton);
    - sparse X: "newton-cg" (products with X keep it sparse);
    - at most ``AUTO_NEWTON_MAX_COEF`` (1,000) coefficients, or
      ``AUTO_NEWTON_MAX_COEF_MULTINOMIAL`` (200) for three or more classes:
      "newton" (the Hessian pass runs at matrix-product speed and Newton needs
      few passes);
    - binary L2 with at least twice as many features p as rows n and n² ≤
      ``AUTO_DUAL_ROWS_SQUARED_PER_FEATURE`` · p (1,000 · p: 1,000 rows from
      2,000 features on, 2,000 rows from 4,000): "newton" in the rows' space
      (:mod:`logitlab.core.dual_newton`: the Gram matrix X̃X̃ᵀ once, then n × n
      Cholesky factors; its cost grows as n²p + n³, truncated Newton's as n·p
      times the Hessian–vector products, so the dual wins while n²/p is small;
      p ≥ 2n keeps its two n × n matrices within X's size);
    - otherwise (many coefficients: wide data, many classes): "newton-cg".
    """
    if not objective.penalty.is_smooth:
        return "newton"
    if is_sparse(objective.X):
        return "newton-cg"
    limit = AUTO_NEWTON_MAX_COEF
    if not objective.model.is_binary:
        limit = AUTO_NEWTON_MAX_COEF_MULTINOMIAL
    if objective.n_coef <= limit:
        return "newton"
    n = objective.n_samples
    p = objective.n_features
    if _dual_applies(objective) and 2 * n <= p and n * n <= AUTO_DUAL_ROWS_SQUARED_PER_FEATURE * p:
        return "newton"
    return "newton-cg"


def solve(
    objective: Objective,
    coef0: FloatArray | None = None,
    *,
    tol: float = 1e-8,
    max_iter: int = 100,
    method: str = "auto",
    score_sums: bool = False,
) -> SolveResult:
    """Minimize ``objective`` until the stopping rule holds.

    Parameters
    ----------
    objective : Objective
    coef0 : ndarray of shape (objective.n_coef,), default=zeros
        Starting point. Multinomial coefficients are first shifted to sum to
        zero over the classes wherever that cannot raise the objective, so the
        unpenalized directions softmax cannot see end at the sum-zero solution.
    tol : float, default=1e-8
        Stop when the largest entry of the minimum-norm subgradient and the
        Newton decrement are both at most ``tol`` (see the module docstring).
    max_iter : int, default=100
        Newton iterations at most.
    method : {"auto", "newton", "newton-cg"}, default="auto"
        "newton": exact (proximal) Newton with Cholesky, or its dual form when
        rows are fewer than features; "newton-cg": truncated Newton on
        Hessian–vector products (L1 terms always use proximal Newton);
        "auto": :func:`choose_method`.
    score_sums : bool, default=False
        Binary exact Newton on dense X in memory (at most ``AUTO_NEWTON_MAX_COEF``
        coefficients): read the trial predicted to be the last with its Hessian
        and the fit state's score sums (``SolveResult.sums``), so that the state
        needs no pass over X (issue 13). A wrong prediction costs one more
        weighted Gram in that pass.

    Returns
    -------
    SolveResult
        ``converged`` is False when ``max_iter`` ran out or the line search
        could not make progress (for example on separable data without penalty,
        where the optimum lies at infinity).
    """
    if not tol > 0.0:
        raise ValueError(f"tol must be > 0, got {tol!r}")
    if max_iter < 0:
        raise ValueError(f"max_iter must be >= 0, got {max_iter!r}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}; got {method!r}")
    if coef0 is None:
        coef = objective.initial_coef()
    else:
        coef = np.array(coef0, dtype=np.float64)
        if coef.shape != (objective.n_coef,):
            raise ValueError(f"coef0 must have shape ({objective.n_coef},), got {coef.shape}")
        coef = center_replicated(objective, coef)
    if method == "auto":
        method = choose_method(objective)
    work = objective.centered()
    start = objective.to_centered(coef, work)
    if method == "newton-cg" and work.penalty.is_smooth:
        out = _newton_cg(work, start, tol, max_iter)
    elif not work.penalty.is_smooth and work.n_features > WORKING_SET_MIN_FEATURES:
        out = _Outcome(*solve_working_set(work, start, tol, max_iter, _newton))
    else:
        out = _newton(work, start, tol, max_iter, score_sums=score_sums)
    coef = objective.from_centered(out.coef, work)
    if work is not objective and not objective.model.is_binary:
        # Shifting every class's intercept by the same amount changes nothing:
        # keep them summing to zero after un-centring too.
        mat = coef.reshape(objective.model.n_classes, -1)
        mat[:, -1] -= mat[:, -1].mean()
    grad = objective.gradient_from_centered(out.grad, work)
    # Dense passes read float32 rows into float64 blocks: the Hessian is float64 either way.
    keep = out.hessian is not None and out.converged and not is_sparse(objective.X)
    return SolveResult(
        coef=coef,
        value=out.value,
        n_iter=out.n_iter,
        converged=out.converged,
        optimality=objective.optimality(coef, grad),
        hessian=out.hessian if keep else None,
        hessian_offset=work.offset if keep else None,
        sums=out.sums if keep else None,
    )


@dataclass(frozen=True)
class _Outcome:
    coef: FloatArray
    value: float
    grad: FloatArray
    n_iter: int
    converged: bool
    hessian: FloatArray | None = None  # the smooth part's at coef, when a pass made it
    sums: ScoreSums | None = None  # the score sums at coef, when that pass made them


# ----------------------------------------------------------------- Newton


class _Model(Protocol):
    """A quadratic model of the smooth part at some point: it gives steps and decrements."""

    kind: str

    def step(self, coef: FloatArray, grad: FloatArray) -> tuple[FloatArray, float]:
        """The (proximal) Newton direction from ``coef`` and the decrement it implies."""
        ...


class _CholeskyModel:
    """The exact (or sketched) Hessian; factorized once, used for any number of steps."""

    def __init__(self, objective: Objective, hess: FloatArray, kind: str) -> None:
        self.objective = objective
        self.hess = hess
        self.kind = kind
        self._factor: tuple[FloatArray, bool] | None = None
        self._singular = False

    def _solve(self, rhs: FloatArray) -> FloatArray:
        if self._factor is None and not self._singular:
            a = _with_flat_curvature(self.objective, self.hess)
            try:
                self._factor = scipy.linalg.cho_factor(
                    a, lower=False, overwrite_a=a is not self.hess, check_finite=False
                )
            except scipy.linalg.LinAlgError:
                self._singular = True
        if self._factor is not None:
            d = scipy.linalg.cho_solve(self._factor, rhs, check_finite=False)
            if np.all(np.isfinite(d)):
                return np.asarray(d, dtype=np.float64)
            self._factor, self._singular = None, True
        a = _with_flat_curvature(self.objective, self.hess)
        return np.asarray(scipy.linalg.lstsq(a, rhs, check_finite=False)[0], dtype=np.float64)

    def step(self, coef: FloatArray, grad: FloatArray) -> tuple[FloatArray, float]:
        if self.objective.penalty.is_smooth:
            d = self._solve(-grad)
            return d, _decrement(-float(grad @ d))
        d = newton_direction(self.objective, coef, grad, self.hess)
        return d, _decrement(float(d @ (self.hess @ d)))


def _dual_applies(objective: Objective) -> bool:
    return (
        objective.model.is_binary
        and objective.penalty.is_smooth
        and objective.penalty.l2 > 0.0
        and not is_sparse(objective.X)
        and objective.n_samples < objective.n_features
    )


def _decrement(squared: float) -> float:
    return float(np.sqrt(max(squared, 0.0)))


def _newton(
    objective: Objective, coef: FloatArray, tol: float, max_iter: int, score_sums: bool = False
) -> _Outcome:
    fused = objective.n_coef <= FUSED_HESSIAN_MAX_COEF
    if not fused and _dual_applies(objective):
        dual = newton_dual(objective, coef, tol, max_iter)
        return _Outcome(dual.coef, dual.value, dual.grad, dual.n_iter, dual.converged)
    stride = 0 if fused else sketch_stride(objective.n_samples, objective.n_coef)
    can_sketch = stride > 0
    mode = "hessian" if fused else "plain"
    # The trial point predicted to be the last is read with its Hessian and the fit
    # state's score sums in one pass (issue 13): the state then needs no pass of its own.
    with_sums = (
        score_sums
        and objective.n_coef <= AUTO_NEWTON_MAX_COEF
        and objective.model.is_binary
        and objective.penalty.is_smooth
        and not is_sparse(objective.X)
        and not hasattr(objective, "reduce_rows")
    )
    predicted_last = False
    sums: ScoreSums | None = None

    model: _Model
    if fused:
        smooth, grad, hess = objective.smooth_value_gradient_hessian(coef)
        model = _CholeskyModel(objective, hess, _EXACT)
    else:
        smooth, grad = objective.smooth_value_gradient(coef)
        model = _hessian_model(objective, coef, stride if can_sketch else 1)
    l1 = objective.l1_value(coef)
    value = smooth + l1
    opt = objective.optimality(coef, grad)
    d, lam = model.step(coef, grad)
    n_iter = 0
    sketches = 0
    converged = False
    while True:
        if opt <= tol and lam <= tol:
            if model.kind != _SKETCH:
                converged = True
                break
            model = _hessian_model(objective, coef, 1)
            d, lam = model.step(coef, grad)
            continue
        if n_iter >= max_iter:
            break
        n_iter += 1
        trial_mode = "sums" if with_sums and predicted_last else mode
        predicted_last = False
        step = _line_search(objective, coef, value, l1, opt, grad, d, trial_mode)
        if step is None:
            if model.kind == _EXACT:
                break
            # The sketched or earlier Hessian gave no usable step: retry with the exact one.
            model = _hessian_model(objective, coef, 1)
            d, lam = model.step(coef, grad)
            continue
        coef, value, grad, l1, extra = step
        sums = None
        if isinstance(extra, tuple):  # the pass of a "sums" trial
            extra, sums = extra
        previous, opt = opt, objective.optimality(coef, grad)
        ratio = opt / previous if previous > 0.0 else 0.0
        if fused:
            assert isinstance(extra, np.ndarray)
            model = _CholeskyModel(objective, extra, _EXACT)
            # quadratic convergence: the next optimality about opt·ratio² (cheap if wrong)
            predicted_last = opt * ratio * ratio <= tol or opt <= tol
        elif sums is not None:
            assert isinstance(extra, np.ndarray)
            model = _CholeskyModel(objective, extra, _EXACT)  # exact at the new point
            predicted_last = opt * ratio * ratio <= tol  # when the decrement asks one more
        else:
            # The decrement at the new point, estimated with the Hessian in hand
            # (a triangular solve; under L1 a coordinate descent, so only when the
            # gradient test or the stale-Hessian rule below may need it).
            lam_before = lam
            smooth_part = objective.penalty.is_smooth
            if smooth_part or opt <= tol or (model.kind == _EXACT and opt * ratio <= tol):
                d, lam = model.step(coef, grad)
            else:
                lam = np.inf
            if (opt <= tol and lam <= tol and model.kind != _SKETCH) or n_iter >= max_iter:
                continue
            if can_sketch and ratio > _FAR_RATIO and sketches < _MAX_SKETCHES:
                # Still far from the optimum (the gradient shrinks slowly): a Hessian
                # from every stride-th row steers as well as the exact one, for less.
                model = _hessian_model(objective, coef, stride)
                sketches += 1
            elif (
                model.kind == _EXACT
                and opt * ratio <= tol
                and lam * lam / max(lam_before, 1e-300) <= tol
            ):
                # Quadratic convergence has set in: the Hessian moved by about as much
                # as the gradient shrank, so one step with the previous Hessian is
                # predicted to land within tol. Never two such steps in a row. That
                # trial is read with its Hessian and score sums when they apply.
                model.kind = _STALE
                predicted_last = True
                continue
            else:
                model = _hessian_model(objective, coef, 1)
                # a full step from the exact Hessian predicted to land within tol
                predicted_last = opt * ratio * ratio <= tol
        d, lam = model.step(coef, grad)
    # In fused mode the model always holds the exact Hessian at coef (issue 13), and
    # after a "sums" pass at coef so does every model since (made at coef).
    hessian = None
    exact_here = fused or sums is not None
    if exact_here and objective.penalty.is_smooth and isinstance(model, _CholeskyModel):
        hessian = model.hess
    return _Outcome(
        coef, value, grad, n_iter, converged, hessian, sums if hessian is not None else None
    )


def sketch_stride(n_samples: int, n_coef: int) -> int:
    """The stride of the rows exact Newton sketches its Hessian from far from the optimum
    (about ``_SKETCH_ROWS_PER_COEF`` rows per coefficient); 0 when too few rows for a sketch.
    The Dask objective sums the same rows (:mod:`logitlab.dask_fit`)."""
    stride = n_samples // (_SKETCH_ROWS_PER_COEF * max(n_coef, 1))
    return stride if stride >= _MIN_SKETCH_STRIDE else 0


def _hessian_model(objective: Objective, coef: FloatArray, stride: int) -> _CholeskyModel:
    """The exact Hessian (stride 1) or a sketch from every stride-th row."""
    sw = objective.sample_weight
    if stride > 1 and sw is not None and not np.sum(sw[::stride]) > 0.0:
        stride = 1  # the sketch's rows carry no weight
    hess = objective.smooth_hessian(coef, stride=stride)
    return _CholeskyModel(objective, hess, _EXACT if stride == 1 else _SKETCH)


def _with_flat_curvature(objective: Objective, hess: FloatArray) -> FloatArray:
    """H plus curvature along the flat softmax directions (a copy), or H itself.

    Adding the same vector to every class changes no probability, so the
    multinomial Hessian is singular there; the gradient has no component along
    those directions, so the added curvature only keeps the step out of them.
    """
    flat = _flat_columns(objective)
    if flat is None:
        return hess
    K = objective.model.n_classes
    m = objective.n_coef // K
    scale = max(float(np.trace(hess)) / hess.shape[0], 1e-12)
    out = hess.copy()
    cols = np.flatnonzero(flat)
    for k in range(K):
        for j in range(K):
            out[k * m + cols, j * m + cols] += scale / K
    return out


def _flat_columns(objective: Objective) -> FloatArray | None:
    """Mask (per class row) of the columns along which the multinomial objective is flat."""
    model = objective.model
    if model.is_binary:
        return None
    m = objective.n_coef // model.n_classes
    flat = np.zeros(m)
    if model.fit_intercept:
        flat[-1] = 1.0
    if objective.penalty.alpha == 0.0:
        flat[: objective.n_features] = 1.0
    return flat if flat.any() else None


def _line_search(
    objective: Objective,
    coef: FloatArray,
    value: float,
    l1: float,
    opt: float,
    grad: FloatArray,
    d: FloatArray,
    mode: str,
) -> tuple[FloatArray, float, FloatArray, float, Any] | None:
    """Backtracking from the (proximal) Newton step; None when no step is usable.

    A trial point is accepted by the Armijo condition or, when the objective is
    flat to rounding, by a smaller optimality measure. Each trial costs one
    pass over the data, which also yields its gradient and, by ``mode``, its
    Hessian ("hessian"); "sums" reads the first trial with its Hessian and score
    sums (extra: the pair), any later one as "plain" (None), or as "hessian" in
    fused Newton.
    """
    decrease = float(grad @ d) + objective.l1_value(coef + d) - l1
    if not np.isfinite(decrease) or decrease > rounding_level(value):
        return None
    decrease = min(decrease, 0.0)  # a "gain" within rounding: judged by the gradient
    t = 1.0
    for _ in range(_MAX_HALVINGS):
        trial = coef + t * d
        extra: Any = None
        if mode == "sums":
            t_smooth, t_grad, t_hess, t_sums = objective.smooth_value_gradient_hessian_sums(trial)
            extra = (t_hess, t_sums)
            mode = "hessian" if objective.n_coef <= FUSED_HESSIAN_MAX_COEF else "plain"
        elif mode == "hessian":
            t_smooth, t_grad, extra = objective.smooth_value_gradient_hessian(trial)
        else:
            t_smooth, t_grad = objective.smooth_value_gradient(trial)
        t_l1 = objective.l1_value(trial)
        t_value = t_smooth + t_l1
        if t_value <= value + _ARMIJO * t * decrease or (
            abs(t_value - value) <= rounding_level(value)
            and objective.optimality(trial, t_grad) < opt
        ):
            return trial, t_value, t_grad, t_l1, extra
        t *= 0.5
    return None


# ----------------------------------------------------------- truncated Newton

#: Conjugate-gradient iterations per Newton step at most.
CG_MAX_ITER = 500


def _newton_cg(objective: Objective, coef: FloatArray, tol: float, max_iter: int) -> _Outcome:
    """Truncated Newton: each step solves H d = −g by preconditioned CG.

    The inner tolerance follows the gradient (Eisenstat–Walker: relative residual
    min(½, √(‖g‖/‖g₀‖))), so early steps are cheap and late ones converge
    superlinearly. Each trial point's pass also yields its rows' curvatures.

    Once the gradient passes, the decrement is measured by a tight solve
    (relative residual ≤ 1e-2, usually far less), except where a loose one
    (``_MEASURE_FORCING``) already proves λ ≤ tol: binary L2 fits, whose Hessian
    has a certified curvature floor μ (:func:`_curvature_floor`), and for which
    −gᵀd − dᵀr + ‖r‖²/μ bounds λ² from above for any trial d with residual r.
    The stopping rule is unchanged; only its proof is cheaper.
    """
    value, grad, curv = objective.smooth_value_gradient_curvature(coef)
    opt = objective.optimality(coef, grad)
    g0 = max(float(np.linalg.norm(grad)), 1e-300)
    gram = _KroneckerPreconditioner.gram(objective)
    n_iter = 0
    converged = False
    while True:
        forcing = min(0.5, float(np.sqrt(np.linalg.norm(grad) / g0)))
        precondition = None if gram is None else _KroneckerPreconditioner(objective, curv, gram)
        if opt <= tol:
            # The decrement must be measured, not guessed. A loose solve first: where the
            # Hessian has a certified curvature floor, it bounds λ from above.
            floor = _curvature_floor(objective, curv)
            if floor is not None:
                d = _cg(objective, curv, grad, _MEASURE_FORCING, precondition)
                if _decrement_bound(objective, curv, grad, d, floor) <= tol:
                    converged = True
                    break
            forcing = min(forcing, 1e-2)
        d = _cg(objective, curv, grad, forcing, precondition)
        lam = _decrement(-float(grad @ d))
        if opt <= tol and lam <= tol:
            converged = True
            break
        if n_iter >= max_iter:
            break
        n_iter += 1
        step = _cg_line_search(objective, coef, value, opt, grad, d)
        if step is None:
            break
        coef, value, grad, curv = step
        opt = objective.optimality(coef, grad)
    return _Outcome(coef, value, grad, n_iter, converged)


#: The relative residual of the loose solve that may certify the decrement (see _newton_cg).
_MEASURE_FORCING = 0.1


def _curvature_floor(objective: Objective, curv: Curvature) -> float | None:
    """A certified lower bound μ > 0 on the smallest eigenvalue of a binary L2 fit's Hessian.

    In the coordinates (weights, intercept) the Hessian is H = [[A, c], [cᵀ, s]] with
    A = X̃ᵀDX̃ + αI, c = X̃ᵀh, s = Σh (D = diag(h), the rows' curvatures). A − ccᵀ/s
    is αI plus the rows' h-weighted scatter about their mean (positive semidefinite by
    Cauchy–Schwarz), so H ⪰ diag(αI, 0) + uuᵀ/s with u = (c, s). That matrix has the
    eigenvalue α on the weights orthogonal to c, and the two of
    [[‖c‖²/s + α, ‖c‖], [‖c‖, s]] (determinant αs) on the rest: μ is the least of them.
    c and s are H times the intercept's unit vector, one Hessian–vector product.
    None when there is no floor to give (no L2 term, multinomial, L1).
    """
    alpha = float(objective.penalty.l2)
    if not objective.model.is_binary or not objective.penalty.is_smooth or not alpha > 0.0:
        return None
    free = ~objective.penalized
    if not free.any():
        return alpha
    if int(np.count_nonzero(free)) != 1:
        return None
    e = np.zeros(objective.n_coef)
    e[free] = 1.0
    q = objective.hessian_vector(curv, e)
    s = float(q[free][0])
    t = float(np.linalg.norm(q[~free]))
    if not (s > 0.0 and np.isfinite(s) and np.isfinite(t)):
        return None
    trace = s + t * t / s + alpha
    small = 2.0 * s * alpha / (trace + float(np.sqrt(max(trace * trace - 4.0 * s * alpha, 0.0))))
    return min(alpha, small)


def _decrement_bound(
    objective: Objective, curv: Curvature, grad: FloatArray, d: FloatArray, floor: float
) -> float:
    """An upper bound on the Newton decrement √(gᵀH⁻¹g) from any trial solution d of H d = −g.

    With the true residual r = H d + g (one more product), gᵀH⁻¹g = −gᵀd − dᵀr + rᵀH⁻¹r
    exactly, and rᵀH⁻¹r ≤ ‖r‖²/μ for μ below H's spectrum (:func:`_curvature_floor`).
    """
    r = objective.hessian_vector(curv, d) + grad
    squared = -float(grad @ d) - float(d @ r) + float(r @ r) / floor
    return float(np.sqrt(max(squared, 0.0))) if np.isfinite(squared) else float("inf")


class _KroneckerPreconditioner:
    """M ⊗ G + αI for the multinomial Hessian Σᵢ wᵢ Cᵢ ⊗ x̃ᵢx̃ᵢᵀ + αI (dense X).

    Cᵢ = diag(pᵢ) − pᵢpᵢᵀ couples the classes and x̃ᵢx̃ᵢᵀ the features; taking
    each at its mean (M = Σ wᵢCᵢ, G = the Gram matrix of the rows, from a
    subsample of them) gives a Kronecker product, whose inverse is applied
    through the eigenvectors of both factors in O(K·m·(K + m)) per CG step. It
    captures correlated features and the class coupling, which the Jacobi
    (diagonal) preconditioner cannot: on 6,000 × 784 with 10 classes CG needs
    several times fewer Hessian–vector products. G and its eigenvectors are made
    once per solve (:meth:`gram`), M at every Newton step (O(n·K²)).
    """

    #: Rows of the subsample G is estimated from, per column.
    ROWS_PER_COLUMN = 4
    MIN_ROWS = 2000
    #: Above this many terms per class the eigendecomposition of G (O(m³)) is not worth it.
    MAX_TERMS = 2500

    @staticmethod
    def gram(objective: Objective) -> tuple[FloatArray, FloatArray] | None:
        """Eigenvalues and eigenvectors of G, or None when this preconditioner does not apply."""
        model = objective.model
        X = objective.X
        n, p = X.shape
        m = p + int(model.fit_intercept)
        if model.is_binary or is_sparse(X) or m > _KroneckerPreconditioner.MAX_TERMS:
            return None
        stride = max(
            1,
            n
            // max(_KroneckerPreconditioner.MIN_ROWS, _KroneckerPreconditioner.ROWS_PER_COLUMN * m),
        )
        rows = np.asarray(X[::stride], dtype=np.float64)
        if objective.offset is not None:
            rows = rows - objective.offset
        sw = objective.sample_weight
        w = np.ones(rows.shape[0]) if sw is None else np.asarray(sw[::stride], dtype=np.float64)
        if not np.sum(w) > 0.0:
            return None
        w = w / np.sum(w)
        if model.fit_intercept:
            rows = np.column_stack([rows, np.ones(rows.shape[0])])
        rows *= np.sqrt(w)[:, None]
        G = rows.T @ rows
        lam, U = np.linalg.eigh(G)
        return np.maximum(lam, 0.0), U

    def __init__(
        self, objective: Objective, curv: Curvature, gram: tuple[FloatArray, FloatArray]
    ) -> None:
        P = curv.weights
        w = (
            np.full(P.shape[0], curv.scale)
            if curv.sample_weight is None
            else (curv.sample_weight * curv.scale)
        )
        M = np.diag(w @ P) - (P * w[:, None]).T @ P
        K = M.shape[0]
        lam, self.U = gram
        if _flat_columns(objective) is not None:
            # the softmax's flat direction (all classes alike): give it the mean curvature
            M += float(np.trace(M)) / K * np.full((K, K), 1.0 / K)
        mu, self.V = np.linalg.eigh(M)
        denom = np.outer(np.maximum(mu, 0.0), lam) + objective.penalty.l2
        self.inv = 1.0 / np.maximum(denom, 1e-12 * float(np.max(denom)) + 1e-300)
        self.shape = (K, lam.shape[0])

    def __call__(self, r: FloatArray) -> FloatArray:
        T = self.V.T @ r.reshape(self.shape) @ self.U
        T *= self.inv
        out: FloatArray = (self.V @ T @ self.U.T).ravel()
        return out


def _cg(
    objective: Objective,
    curv: Curvature,
    grad: FloatArray,
    forcing: float,
    precondition: Callable[[FloatArray], FloatArray] | None = None,
) -> FloatArray:
    """Approximately solve (H + flat curvature) d = −g by preconditioned CG.

    ``precondition`` applies an approximate inverse of H; by default the inverse
    of H's diagonal (Jacobi).
    """
    flat = _flat_columns(objective)
    diag = objective.hessian_diagonal(curv) if precondition is None else np.ones(objective.n_coef)
    K = objective.model.n_outputs
    m = objective.n_coef // K
    flat_scale = 0.0
    if flat is not None:
        if precondition is not None:
            diag = objective.hessian_diagonal(curv)
        flat_scale = max(float(np.mean(diag)), 1e-12)
        diag = diag + flat_scale / K * np.tile(flat, K)
    inv_diag = 1.0 / np.maximum(diag, 1e-300 + 1e-12 * float(np.max(diag, initial=0.0)))
    if precondition is None:

        def precondition(r: FloatArray) -> FloatArray:
            return inv_diag * r

    def matvec(v: FloatArray) -> FloatArray:
        out = objective.hessian_vector(curv, v)
        if flat is not None:
            mat = v.reshape(K, m)
            out += flat_scale * np.tile(flat * mat.mean(axis=0), K)
        return out

    b = -grad
    x = np.zeros_like(b)
    r = b.copy()
    z = precondition(r)
    p = z.copy()
    rz = float(r @ z)
    target = forcing * float(np.linalg.norm(b))
    for _ in range(CG_MAX_ITER):
        if float(np.linalg.norm(r)) <= target:
            break
        q = matvec(p)
        curvature = float(p @ q)
        if not curvature > 0.0:
            break  # flat (to rounding) along p: keep what we have
        a = rz / curvature
        x += a * p
        r -= a * q
        z = precondition(r)
        rz_new = float(r @ z)
        p *= rz_new / rz
        p += z
        rz = rz_new
    if not np.any(x):
        x = precondition(b)  # no CG step was taken: a scaled gradient step
    if flat is not None:
        # An inexact solve leaves a component along the flat directions (the
        # preconditioner mixes them in): remove it, so class sums stay fixed.
        mat = x.reshape(K, m)
        mat -= flat * mat.mean(axis=0)
    return x


def _cg_line_search(
    objective: Objective,
    coef: FloatArray,
    value: float,
    opt: float,
    grad: FloatArray,
    d: FloatArray,
) -> tuple[FloatArray, float, FloatArray, Curvature] | None:
    decrease = float(grad @ d)
    if not np.isfinite(decrease) or decrease > rounding_level(value):
        return None
    decrease = min(decrease, 0.0)
    t = 1.0
    for _ in range(_MAX_HALVINGS):
        trial = coef + t * d
        t_value, t_grad, t_curv = objective.smooth_value_gradient_curvature(trial)
        if t_value <= value + _ARMIJO * t * decrease or (
            abs(t_value - value) <= rounding_level(value)
            and objective.optimality(trial, t_grad) < opt
        ):
            return trial, t_value, t_grad, t_curv
        t *= 0.5
    return None
