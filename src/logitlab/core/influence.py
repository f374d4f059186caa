"""Which points drive the fit: loss terms, gradient contributions, leave-one-out.

The objective is ``F(c) = Σⱼ sⱼℓⱼ(c) / S + P(c)`` with ``S = Σⱼ sⱼ``. A point's
*share of the loss* is ``sᵢℓᵢ / Σⱼ sⱼℓⱼ`` and its *gradient contribution* is
``sᵢ∇ℓᵢ / S``: the contributions sum to the gradient of the cross-entropy part,
and ``−sᵢ∇ℓᵢ / S`` is the way that point pulls the coefficients.

Leaving point ``i`` out gives ``F₋ᵢ(c) = Σ_{j≠i} sⱼℓⱼ / (S − sᵢ) + P(c)``: the
mean over the other points under the same penalty. :func:`leave_one_out` solves
it exactly, warm-started from the full fit. :func:`one_step_influence` takes,
for every point at once, the single Newton step on ``F₋ᵢ`` from the full fit
(binary model): ``Δᵢ = −H₋ᵢ⁻¹ ∇F₋ᵢ(ĉ)``. Its Hessian is the full one rescaled
minus a rank-one term, ``H₋ᵢ = aᵢH + D − cᵢwᵢx̃ᵢx̃ᵢᵀ`` with ``aᵢ = S/(S − sᵢ)``,
``cᵢ = sᵢ/(S − sᵢ)``, ``wᵢ = p̂ᵢ(1 − p̂ᵢ)``, ``H`` the cross-entropy Hessian and
``D`` the L2 curvature. One generalized eigendecomposition of ``(D, H)``
inverts ``aᵢH + D`` for every ``aᵢ``, and Sherman–Morrison removes the rank-one
term, so the cost is O(N·m²) for ``m`` coefficients. Without a penalty and with
unit weights this is the classical one-step deletion formula behind Cook's
distance, ``Δᵢᵀ(S·H)Δᵢ / m``, which :class:`Influence` also reports. Under L1 the
step keeps the weights that are exactly 0 at 0 (their active set is stable for
a small change of the data).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

from logitlab.core.link import log_softmax, softmax
from logitlab.core.objective import Objective
from logitlab.core.solvers import solve
from logitlab.core.types import BoolArray, FloatArray


@dataclass(frozen=True)
class PointReport:
    """What the point inspector shows about one point.

    Attributes
    ----------
    index : int
    probability : ndarray of shape (n_outputs,)
        Binary: p̂(class 1), shape (1,); multinomial: the class probabilities.
    loss : float
        Its loss term ℓᵢ = −log p̂(its class).
    share : float
        sᵢℓᵢ / Σⱼ sⱼℓⱼ, its share of the total loss (nan when the total is 0).
    gradient : ndarray of shape (n_coef,)
        Its contribution sᵢ∇ℓᵢ / S to the gradient of the cross-entropy.
    """

    index: int
    probability: FloatArray
    loss: float
    share: float
    gradient: FloatArray


@dataclass(frozen=True)
class LeaveOneOut:
    """The exact refit without one point.

    Attributes
    ----------
    index : int
    coef : ndarray of shape (n_coef,)
        Optimum of the objective without the point.
    delta : ndarray of shape (n_coef,)
        ``coef`` minus the full fit's coefficients.
    n_iter : int
        Newton iterations from the warm start.
    converged : bool
    """

    index: int
    coef: FloatArray
    delta: FloatArray
    n_iter: int
    converged: bool


@dataclass(frozen=True)
class Influence:
    """The one-step leave-one-out approximation for every point (binary model).

    Attributes
    ----------
    delta : ndarray of shape (n_samples, n_coef)
        Approximate coefficient change when each point is left out; nan where the
        Hessian without the point is singular.
    cook : ndarray of shape (n_samples,)
        ``Δᵢᵀ(S·H)Δᵢ / n_coef`` with H the Hessian of the smooth objective at the
        fit: Cook's distance without a penalty; a unit-free size for markers.
    """

    delta: FloatArray
    cook: FloatArray


# ----------------------------------------------------------------- per-point terms


def loss_terms(objective: Objective, coef: FloatArray) -> FloatArray:
    """Every point's cross-entropy term ℓᵢ = −log p̂(its class), unweighted.

    Returns
    -------
    ndarray of shape (n_samples,)
        ``Σ sᵢℓᵢ / Σ sᵢ`` is ``objective.cross_entropy(coef)``.
    """
    coef = _check_coef(objective, coef)
    z = objective.model.raw_prediction(coef, objective.X)
    if objective.model.is_binary:
        m = (1.0 - 2.0 * np.asarray(objective.y, dtype=np.float64)) * z  # ℓ = softplus(m)
        out: FloatArray = np.maximum(m, 0.0) + np.log1p(np.exp(-np.abs(m)))
        return out
    labels = np.asarray(objective.y).astype(np.intp)
    logp = log_softmax(z, axis=1)
    terms: FloatArray = -logp[np.arange(labels.size), labels]
    return terms


def residuals(objective: Objective, coef: FloatArray) -> FloatArray:
    """p̂ − y: shape (n_samples,) for binary, (n_samples, n_classes) with one-hot y else."""
    coef = _check_coef(objective, coef)
    model = objective.model
    z = model.raw_prediction(coef, objective.X)
    if model.is_binary:
        out: FloatArray = model.probabilities(coef, objective.X) - objective.y
        return out
    P = softmax(z, axis=1)
    P[np.arange(P.shape[0]), np.asarray(objective.y).astype(np.intp)] -= 1.0
    return P


def gradient_contributions(objective: Objective, coef: FloatArray) -> FloatArray:
    """Every point's contribution sᵢ∇ℓᵢ / S to the cross-entropy's gradient.

    Returns
    -------
    ndarray of shape (n_samples, n_coef)
        Rows sum to the gradient of ``objective.cross_entropy`` at ``coef``.
    """
    r = residuals(objective, coef)
    Xt = _design(objective)
    scale = _weights(objective) / _weight_sum(objective)
    if objective.model.is_binary:
        out: FloatArray = (r * scale)[:, None] * Xt
        return out
    n = r.shape[0]
    full: FloatArray = ((r * scale[:, None])[:, :, None] * Xt[:, None, :]).reshape(n, -1)
    return full


def inspect_point(objective: Objective, coef: FloatArray, index: int) -> PointReport:
    """Probability, loss term, share of the loss and gradient contribution of one point."""
    coef = _check_coef(objective, coef)
    i = _check_index(objective, index)
    terms = loss_terms(objective, coef)
    sw = _weights(objective)
    total = float(sw @ terms)
    row = slice(i, i + 1)
    model = objective.model
    prob = np.atleast_1d(model.probabilities(coef, objective.X[row])[0]).astype(np.float64)
    _, grad = model.loss_gradient(coef, objective.X[row], objective.y[row])
    return PointReport(
        index=i,
        probability=prob,
        loss=float(terms[i]),
        share=float(sw[i] * terms[i] / total) if total > 0.0 else float("nan"),
        gradient=grad * (sw[i] / _weight_sum(objective)),
    )


@dataclass(frozen=True)
class BoundaryPull:
    """How a change of the coefficients moves the boundary near one point.

    Attributes
    ----------
    foot : ndarray of shape (n_features,)
        The point of the boundary ``wᵀx + b = logit(τ)`` nearest the given point.
    velocity : ndarray of shape (n_features,)
        d(foot)/dt along the boundary's normal when the coefficients move as
        ``coef + t·direction``: the arrow to draw at ``foot`` (scaled as the
        view likes). Zero when the direction does not move the boundary there.
    """

    foot: FloatArray
    velocity: FloatArray


def boundary_pull(
    coef: FloatArray,
    direction: FloatArray,
    x: FloatArray,
    *,
    tau: float = 0.5,
    fit_intercept: bool = True,
) -> BoundaryPull:
    """The boundary's motion at the foot of ``x`` when ``coef`` moves along ``direction``.

    For a point's pull pass ``direction = −gradient`` (its gradient
    contribution, see :func:`inspect_point`): a gradient step on that point alone
    moves the boundary this way. With ``n = w/‖w‖`` the boundary moves along
    ``n`` at speed ``−(dwᵀx_f + db)/‖w‖``, ``x_f`` the foot.

    Parameters
    ----------
    coef, direction : ndarray of shape (n_features + fit_intercept,)
        Binary coefficients ``[w, b]`` and a change of them.
    x : ndarray of shape (n_features,)
    tau : float, default=0.5
        The boundary's threshold, in (0, 1).

    Raises
    ------
    ValueError
        For mismatched shapes, τ outside (0, 1), or all weights 0 (no boundary).
    """
    c = np.asarray(coef, dtype=np.float64)
    d = np.asarray(direction, dtype=np.float64)
    pt = np.asarray(x, dtype=np.float64)
    p = c.size - int(fit_intercept)
    if c.ndim != 1 or d.shape != c.shape or pt.shape != (p,):
        raise ValueError(
            f"coef and direction must have shape ({p + int(fit_intercept)},) and x ({p},); "
            f"got {c.shape}, {d.shape}, {pt.shape}"
        )
    if not (np.isfinite(tau) and 0.0 < tau < 1.0):
        raise ValueError(f"tau must be a threshold in (0, 1), got {tau!r}")
    w, dw = c[:p], d[:p]
    b = float(c[p]) if fit_intercept else 0.0
    db = float(d[p]) if fit_intercept else 0.0
    norm2 = float(w @ w)
    if not norm2 > 0.0:
        raise ValueError("all weights are 0: there is no boundary to move")
    level = float(np.log(tau) - np.log1p(-tau))
    foot = pt - (float(w @ pt) + b - level) / norm2 * w
    speed = -(float(dw @ foot) + db) / norm2  # along w (not unit): velocity = speed·w
    return BoundaryPull(foot=foot, velocity=speed * w)


# ----------------------------------------------------------------- leave one out


def without_point(objective: Objective, index: int) -> Objective:
    """The same objective with point ``index`` given weight 0 (no copy of X).

    Its value is the mean cross-entropy over the other points plus the same penalty.
    """
    i = _check_index(objective, index)
    sw = _weights(objective).copy()
    sw[i] = 0.0
    if not np.sum(sw) > 0.0:
        raise ValueError("leaving this point out leaves no weight to fit")
    return Objective(
        objective.X,
        objective.y,
        n_classes=objective.model.n_classes,
        fit_intercept=objective.model.fit_intercept,
        sample_weight=sw,
        penalty=objective.penalty,
    )


def leave_one_out(
    objective: Objective,
    coef: FloatArray,
    index: int,
    *,
    tol: float = 1e-10,
    max_iter: int = 50,
) -> LeaveOneOut:
    """Refit exactly without point ``index``, Newton warm-started from ``coef``.

    Parameters
    ----------
    objective : Objective
    coef : ndarray of shape (n_coef,)
        The full fit (the optimum of ``objective``); the start of the refit.
    index : int
        The point to leave out, 0 <= index < n_samples.
    tol, max_iter :
        Passed to :func:`~logitlab.core.solvers.solve`.

    Returns
    -------
    LeaveOneOut
    """
    coef = _check_coef(objective, coef)
    result = solve(without_point(objective, index), coef, tol=tol, max_iter=max_iter)
    return LeaveOneOut(
        index=int(index),
        coef=result.coef,
        delta=result.coef - coef,
        n_iter=result.n_iter,
        converged=result.converged,
    )


def one_step_influence(objective: Objective, coef: FloatArray) -> Influence:
    """One Newton step of every leave-one-out refit from the full fit, all points at once.

    Parameters
    ----------
    objective : Objective
        Binary model.
    coef : ndarray of shape (n_coef,)
        The full fit.

    Returns
    -------
    Influence

    Raises
    ------
    ValueError
        For a multinomial objective, or when the Hessian at ``coef`` is singular.
    """
    coef = _check_coef(objective, coef)
    if not objective.model.is_binary:
        raise ValueError("one_step_influence supports the binary model only")
    n, m = objective.n_samples, objective.n_coef
    sw = _weights(objective)
    S = _weight_sum(objective)
    if np.any(sw >= S):
        raise ValueError("a point holds all the weight: leaving it out leaves nothing to fit")
    free = _free_coordinates(objective, coef)
    Xt = _design(objective)[:, free]
    p = objective.model.probabilities(coef, objective.X)
    r = p - objective.y
    w = p * (1.0 - p)
    # Cross-entropy gradient and Hessian (means) and the penalty's, on the free coordinates.
    g_data = ((sw * r) @ Xt) / S
    H = (Xt.T * (sw * w)) @ Xt / S
    pen = objective.penalty
    penalized = objective.penalized[free]
    weights = coef[free]
    grad_pen = np.where(penalized, pen.l2 * weights + pen.l1 * np.sign(weights), 0.0)
    D = np.diag(np.where(penalized, pen.l2, 0.0))
    try:
        lam, V = scipy.linalg.eigh(D, H)  # D V = H V Λ, Vᵀ H V = I
    except (scipy.linalg.LinAlgError, ValueError) as err:
        raise ValueError(
            "the Hessian at coef is singular (separated or collinear data): "
            "the one-step influence is undefined"
        ) from err
    a = S / (S - sw)
    c = sw / (S - sw)
    XV = Xt @ V  # rows Vᵀx̃ᵢ
    denom = a[:, None] + lam[None, :]  # (aᵢI + Λ), diagonal, per point
    # ∇F₋ᵢ(ĉ) = aᵢ·g + ∇P − cᵢrᵢx̃ᵢ, in the eigenbasis (Vᵀ·)
    v_hat = a[:, None] * (V.T @ g_data)[None, :] + (V.T @ grad_pen)[None, :]
    v_hat -= (c * r)[:, None] * XV
    t_hat = v_hat / denom  # Vᵀ(aᵢH + D)⁻¹∇F₋ᵢ expressed as coefficients of V
    q_hat = XV / denom
    h = np.sum(XV * q_hat, axis=1)  # x̃ᵀ(aᵢH + D)⁻¹x̃
    xt_t = np.sum(XV * t_hat, axis=1)
    cw = c * w
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(1.0 - cw * h > 1e-12, cw * xt_t / (1.0 - cw * h), np.nan)
    step_hat = t_hat + factor[:, None] * q_hat  # (H₋ᵢ)⁻¹∇F₋ᵢ by Sherman–Morrison
    delta = np.zeros((n, m))
    delta[:, free] = -(step_hat @ V.T)
    Hd = H + D
    d_free = delta[:, free]
    cook = S * np.sum((d_free @ Hd) * d_free, axis=1) / m
    return Influence(delta=delta, cook=cook)


# ----------------------------------------------------------------- internals


def _check_coef(objective: Objective, coef: FloatArray) -> FloatArray:
    arr = np.asarray(coef, dtype=np.float64)
    if arr.shape != (objective.n_coef,):
        raise ValueError(f"coef must have shape ({objective.n_coef},), got {arr.shape}")
    return arr


def _check_index(objective: Objective, index: int) -> int:
    n = objective.n_samples
    if isinstance(index, bool) or not isinstance(index, int | np.integer) or not 0 <= index < n:
        raise ValueError(f"index must be a point index in 0 .. {n - 1}, got {index!r}")
    return int(index)


def _weights(objective: Objective) -> FloatArray:
    sw = objective.sample_weight
    return np.ones(objective.n_samples) if sw is None else np.asarray(sw, dtype=np.float64)


def _weight_sum(objective: Objective) -> float:
    total = float(np.sum(_weights(objective)))
    if not total > 0.0:
        raise ValueError("the sample weights must have a positive sum")
    return total


def _design(objective: Objective) -> FloatArray:
    """[X, 1] (or X without an intercept): the row each point's coefficients multiply."""
    X = np.asarray(objective.X, dtype=np.float64)
    if not objective.model.fit_intercept:
        return X
    out: FloatArray = np.column_stack([X, np.ones(X.shape[0])])
    return out


def _free_coordinates(objective: Objective, coef: FloatArray) -> BoolArray:
    """Coordinates the one-step refit may move: all but the L1-zeroed weights."""
    if objective.penalty.l1 == 0.0:
        return np.ones(objective.n_coef, dtype=bool)
    out: BoolArray = ~objective.penalized | (coef != 0.0)
    return out
