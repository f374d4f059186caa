"""What the trust views share: the rows they evaluate, the exact fit, and "at the optimum?".

Decisions recorded here:

- **Evaluation rows.** Calibration is measured on :func:`evaluation_rows`: the test
  points when a train/test split exists (``DataSpec.test_share``), else the training
  points, and the view says which.
- **At the optimum** is decided by the gradient at the current weights, measured in
  the Hessian's metric so that it does not depend on the features' scale: the Newton
  decrement λ² = gᵀH⁻¹g of the mean objective, times N/2, estimates how far the
  total log-likelihood (plus penalty) is from its best value. Below
  :data:`OPTIMUM_GAP` the weights are at the optimum, however they got there
  (training, a hand-set value, "Fit exactly"). With an L1 part the objective has a
  kink; there the largest entry of the minimum-norm subgradient must be below
  :data:`OPTIMUM_GAP`.
- **The exact fit** (for leave-one-out and influence) is the optimum of the current
  objective, solved once per change of points or penalty, warm-started from the
  current weights. Unpenalized separated data have no finite optimum: then there is
  no exact fit, and the views say so.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from logitlab.core.fitstate import FitState, compute_fit_state
from logitlab.core.inference import Inference, infer_state
from logitlab.core.objective import Objective
from logitlab.core.separation import Separation, detect_separation
from logitlab.core.solvers import solve
from logitlab.core.types import FloatArray
from logitlab.lab.experiment import Experiment

OPTIMUM_GAP = 1e-8
"""The current weights are at the optimum when N·λ²/2 (λ the Newton decrement) is below this."""
SOLVE_TOL = 1e-10
"""Stopping tolerance of the exact fits (the solver's gradient and decrement test)."""


@dataclass(frozen=True)
class Rows:
    """The points a view evaluates on."""

    X: FloatArray
    y: FloatArray
    design: FloatArray
    """The model's feature columns of ``X`` (:meth:`Experiment.features`)."""
    kind: str
    """"training" today; "test" once a split exists."""


def evaluation_rows(exp: Experiment) -> Rows:
    """The rows calibration is measured on: the test points when a split exists, else training.

    With a split, :meth:`Experiment.evaluation_rows` names them (:mod:`logitlab.lab.split`).
    """
    if not exp.has_split():
        return Rows(X=exp.points.X, y=exp.points.y, design=exp.design(), kind="training")
    which = exp.evaluation_rows()
    mask = exp.rows(which)
    kind = "test" if which == "test" else "training"
    return Rows(X=exp.points.X[mask], y=exp.points.y[mask], design=exp.design()[mask], kind=kind)


@dataclass(frozen=True)
class ExactFit:
    coef: FloatArray | None
    """The optimum of the current objective; None when there is none (``reason`` says why)."""
    reason: str
    separation: Separation | None


@dataclass(frozen=True)
class Optimum:
    gap: float
    """N·λ²/2 at the current weights (with L1: the largest subgradient entry); inf if undefined."""
    at_optimum: bool


_CACHE: weakref.WeakKeyDictionary[Experiment, dict[str, tuple[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)


def _cached(exp: Experiment, name: str, key: Any, make: Any) -> Any:
    store = _CACHE.setdefault(exp, {})
    hit = store.get(name)
    if hit is not None and hit[0] == key:
        return hit[1]
    value = make()
    store[name] = (key, value)
    return value


def _model_key(exp: Experiment) -> tuple[Any, ...]:
    obj = exp.objective()
    return (exp.model_key(), obj.penalty)


def _weights_key(exp: Experiment) -> tuple[Any, ...]:
    return (*_model_key(exp), exp.coef.tobytes())


def one_class(exp: Experiment) -> bool:
    y = exp.points.y
    return bool(y.size == 0 or np.all(y == y[0]))


def separates(exp: Experiment, coef: FloatArray) -> bool:
    """True when the line of ``coef`` puts every point strictly on its own class's side.

    Such a line proves complete separation (no linear program needed): without a
    penalty the cross-entropy then falls forever along it.
    """
    if exp.points.n == 0:
        return False
    z = exp.design() @ coef[:-1] + coef[-1]
    return bool(np.all((z > 0) == (exp.points.y > 0.5)) and np.all(z != 0))


def unbounded(exp: Experiment, separated_now: bool | None = None) -> bool:
    """True when the current weights show there is no finite optimum.

    That is: no penalty and the current line separates the classes (``separated_now``,
    when the caller already knows it). Separation that the current line does not show
    is found when an exact fit is asked for (:func:`exact_fit`); until then the views
    say the weights are not at the optimum, which is also true.
    """
    if exp.objective().penalty.alpha != 0.0 or one_class(exp):
        return False
    return separates(exp, exp.coef) if separated_now is None else separated_now


SEPARATION_CHECK_MAX = 1_000
"""Above this many training points :func:`separation` runs no linear programs."""
CERTIFICATE_ITER = 12
"""Newton iterations the quick non-separation certificate may take."""


def separation(exp: Experiment) -> Separation | None:
    """How the training points are separated when there is no penalty, else None.

    Once per change of points or penalty (a drag changes the points every frame, so this
    is kept cheap). A few Newton iterations from zero that reach a finite minimizer prove
    the points are not separated (about 1 ms, 2 ms at 10,000 points). Otherwise
    ``core.separation``'s linear programs decide, as ``fit`` and ``summary()`` do; they are
    fast on separated points but cost up to 30 ms at 10,000 points that are not, so above
    :data:`SEPARATION_CHECK_MAX` points they are skipped (None: the views then rely on the
    current line, :func:`unbounded`, and "Fit exactly" runs the full check).
    """

    def make() -> Separation | None:
        obj = exp.objective()
        if obj.penalty.alpha != 0.0 or exp.points.n == 0 or one_class(exp):
            return None
        quick = solve(obj, None, tol=SOLVE_TOL, max_iter=CERTIFICATE_ITER)
        if quick.converged and not separates(exp, quick.coef):
            return None  # a finite minimizer: no separation
        if obj.n_samples > SEPARATION_CHECK_MAX:
            return None
        return detect_separation(obj)

    return _cached(exp, "separation", _model_key(exp), make)  # type: ignore[no-any-return]


def optimum(exp: Experiment, p: FloatArray | None = None) -> Optimum:
    """Whether the current weights are at the optimum of the current objective (see above).

    ``p``: p̂ at the current weights on the current points, when the caller has it
    (the frame does); it makes the common "far from it" answer cost one product.
    """

    def make() -> Optimum:
        obj = exp.objective()
        if exp.points.n == 0:
            return Optimum(gap=math.inf, at_optimum=False)
        coef = exp.coef
        if obj.penalty.l1 > 0.0:
            gap = float(obj.optimality(coef))
            return Optimum(gap=gap, at_optimum=bool(gap <= OPTIMUM_GAP))
        n = _weight_sum(obj)
        if p is not None and obj.sample_weight is None:
            # gᵀH⁻¹g ≥ ‖g‖² / trace(H), and trace(H) ≤ mean ‖x̃‖² / 4 + l2·(m − 1):
            # a gradient this large already rules the optimum out, without the Hessian.
            design = exp.design()
            r = p - exp.points.y
            g = np.append(r @ design, r.sum()) / n
            g[:-1] += obj.penalty.l2 * coef[:-1]
            bound = _trace_bound(exp)
            low = 0.5 * n * float(g @ g) / bound
            if low > OPTIMUM_GAP:
                return Optimum(gap=low, at_optimum=False)
        _, grad, hess = obj.smooth_value_gradient_hessian(coef)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return Optimum(gap=math.inf, at_optimum=False)
        gap = 0.5 * n * float(grad @ step)
        ok = math.isfinite(gap) and gap <= OPTIMUM_GAP
        return Optimum(gap=gap if math.isfinite(gap) else math.inf, at_optimum=ok)

    return _cached(exp, "optimum", _weights_key(exp), make)  # type: ignore[no-any-return]


def _trace_bound(exp: Experiment) -> float:
    """An upper bound on the trace of the mean objective's Hessian at any weights."""

    def make() -> float:
        design = exp.design()
        m = design.shape[1]
        rows = float(np.mean(np.einsum("ij,ij->i", design, design))) + 1.0
        return float(rows / 4.0 + exp.objective().penalty.l2 * m)

    return float(_cached(exp, "trace", _model_key(exp), make))


def exact_fit(exp: Experiment) -> ExactFit:
    """The optimum of the current objective, solved once per change of points or penalty."""

    def make() -> ExactFit:
        if exp.points.n == 0:
            return ExactFit(None, "there are no points", None)
        if one_class(exp):
            return ExactFit(None, "all the points are in one class", None)
        obj = exp.objective()
        unpenalized = obj.penalty.alpha == 0.0
        no_optimum = ExactFit(
            None,
            "a line separates the classes and there is no penalty, so the weights that "
            "fit best are infinite",
            "complete",
        )
        if unpenalized and separates(exp, exp.coef):
            return no_optimum
        start = exp.coef if optimum(exp).at_optimum else None
        result = solve(obj, start, tol=SOLVE_TOL)
        if unpenalized and separates(exp, result.coef):
            return no_optimum  # the solver stopped where the gradient underflows
        if not result.converged:
            return ExactFit(None, "the exact fit did not converge", None)
        return ExactFit(result.coef, "", None)

    return _cached(exp, "exact", _model_key(exp), make)  # type: ignore[no-any-return]


def fit_state(exp: Experiment) -> FitState:
    """The :class:`~logitlab.core.fitstate.FitState` of the exact fit (what ``fit`` keeps).

    Computed at :func:`exact_fit` (once per change of points or penalty), which the
    views use only while the current weights are at the optimum: there the two agree
    far below the digits shown (see :data:`OPTIMUM_GAP`), and a frame of training at
    the optimum does not redo the inference passes. Without a finite optimum it is
    the state at the current weights (its notes say why there are no numbers).
    """

    def make() -> FitState:
        fit = exact_fit(exp)
        coef = exp.coef if fit.coef is None else fit.coef
        return compute_fit_state(exp.objective(), coef, converged=fit.coef is not None, n_iter=0)

    return _cached(exp, "state", _model_key(exp), make)  # type: ignore[no-any-return]


def inference(exp: Experiment) -> Inference:
    """``core.inference`` at the exact fit: what ``summary()`` computes on these points."""

    def make() -> Inference:
        names = list(exp.coef_names()[:-1])
        return infer_state(fit_state(exp), feature_names=names)

    return _cached(exp, "inference", _model_key(exp), make)  # type: ignore[no-any-return]


def covariance(exp: Experiment) -> FloatArray | None:
    """The model-based covariance of :attr:`Experiment.coef` (weights, then intercept).

    None when it is not defined (singular information, an L1 part, no finite optimum).
    """
    state = fit_state(exp)
    if exact_fit(exp).coef is None:
        return None
    cov = state.covariance("nonrobust")
    if cov is None or state.has_l1:
        return None
    m = cov.shape[0]
    order = [*range(1, m), 0]  # the table's intercept-first order -> the Lab's
    out: FloatArray = cov[np.ix_(order, order)]
    return out


def _weight_sum(obj: Objective) -> float:
    sw = obj.sample_weight
    return float(obj.n_samples) if sw is None else float(np.sum(sw))
