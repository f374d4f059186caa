"""Optimizers that advance one step at a time.

Every optimizer has the same small interface (set up → step → convergence
check): ``step(objective, coef)`` returns a :class:`Step` holding the new
coefficients and the objective value at the coefficients the step started
from. The Lab calls ``step`` once per animation tick; the exact solver calls it
until the optimality measure falls below its tolerance.

L1 (and the L1 part of the elastic net) is handled by a proximal step after the
smooth update, so the weights can become exactly zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.linalg

from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray

OPTIMIZER_NAMES = ("gd", "momentum", "adam", "sgd", "newton")


@dataclass(frozen=True)
class Step:
    """Result of one optimizer step."""

    coef: FloatArray
    """Coefficients after the step."""
    value: float
    """Full objective value at the coefficients the step started from."""


class StepOptimizer(Protocol):
    """The interface shared by every optimizer."""

    name: str

    def reset(self) -> None:
        """Forget internal state (velocity, moments, batch order)."""

    def step(self, objective: Objective, coef: FloatArray) -> Step:
        """Advance one step from ``coef``."""
        ...


@dataclass
class GradientDescent:
    """Full-batch (proximal) gradient descent: c ← prox(c − η∇f(c))."""

    learning_rate: float = 0.1
    name: str = "gd"

    def reset(self) -> None:
        pass

    def step(self, objective: Objective, coef: FloatArray) -> Step:
        value, grad = objective.smooth_value_gradient(coef)
        value += objective.l1_value(coef)
        new = objective.prox(coef - self.learning_rate * grad, self.learning_rate)
        return Step(new, value)


@dataclass
class Momentum:
    """Heavy-ball momentum: c⁺ = prox(c + βv − η∇f(c)), then v ← c⁺ − c.

    Without L1 this is the classic v ← βv − η∇f(c); c ← c + v. It converges for
    η < 2(1 − β)/L, where L bounds the curvature of the smooth part.
    """

    learning_rate: float = 0.1
    beta: float = 0.9
    name: str = "momentum"
    _velocity: FloatArray | None = field(default=None, repr=False)

    def reset(self) -> None:
        self._velocity = None

    def step(self, objective: Objective, coef: FloatArray) -> Step:
        value, grad = objective.smooth_value_gradient(coef)
        value += objective.l1_value(coef)
        if self._velocity is None or self._velocity.shape != coef.shape:
            self._velocity = np.zeros_like(coef)
        new = objective.prox(
            coef + self.beta * self._velocity - self.learning_rate * grad, self.learning_rate
        )
        # The velocity is the step actually taken, after the proximal map, so that
        # momentum does not keep pushing weights the L1 term has set to zero.
        self._velocity = new - coef
        return Step(new, value)


@dataclass
class Adam:
    """Adam with bias correction; L1 through a proximal step in Adam's per-coordinate metric."""

    learning_rate: float = 0.1
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    name: str = "adam"
    _m: FloatArray | None = field(default=None, repr=False)
    _v: FloatArray | None = field(default=None, repr=False)
    _t: int = field(default=0, repr=False)

    def reset(self) -> None:
        self._m = self._v = None
        self._t = 0

    def step(self, objective: Objective, coef: FloatArray) -> Step:
        value, grad = objective.smooth_value_gradient(coef)
        value += objective.l1_value(coef)
        if self._m is None or self._v is None or self._m.shape != coef.shape:
            self._m = np.zeros_like(coef)
            self._v = np.zeros_like(coef)
            self._t = 0
        self._t += 1
        self._m = self.beta1 * self._m + (1 - self.beta1) * grad
        self._v = self.beta2 * self._v + (1 - self.beta2) * grad * grad
        m_hat = self._m / (1 - self.beta1**self._t)
        v_hat = self._v / (1 - self.beta2**self._t)
        rate = self.learning_rate / (np.sqrt(v_hat) + self.eps)  # per-coordinate step
        new = coef - rate * m_hat
        l1 = objective.penalty.l1
        if l1:
            # Soft thresholding with each coordinate's own step: the proximal map of
            # the L1 term in Adam's diagonal metric; intercepts are left alone.
            pen = objective.penalized
            new[pen] = np.sign(new[pen]) * np.maximum(np.abs(new[pen]) - rate[pen] * l1, 0.0)
        return Step(new, value)


@dataclass
class MiniBatchSGD:
    """Mini-batch stochastic gradient descent, seeded.

    Each epoch visits the rows in a new random order drawn from ``seed``; a
    step uses the next ``batch_size`` rows.
    """

    learning_rate: float = 0.1
    batch_size: int = 32
    seed: int = 0
    name: str = "sgd"
    _rng: np.random.Generator | None = field(default=None, repr=False)
    _order: np.ndarray | None = field(default=None, repr=False)
    _pos: int = field(default=0, repr=False)

    def reset(self) -> None:
        self._rng = None
        self._order = None
        self._pos = 0

    def _next_rows(self, n_samples: int) -> np.ndarray:
        if self._rng is None:
            self._rng = np.random.default_rng(self.seed)
        if self._order is None or self._order.size != n_samples or self._pos >= n_samples:
            self._order = self._rng.permutation(n_samples)
            self._pos = 0
        rows = self._order[self._pos : self._pos + self.batch_size]
        self._pos += self.batch_size
        return rows

    def step(self, objective: Objective, coef: FloatArray) -> Step:
        value = objective.value(coef)
        rows = self._next_rows(objective.n_samples)
        _, grad = objective.smooth_value_gradient(coef, rows=rows)
        new = objective.prox(coef - self.learning_rate * grad, self.learning_rate)
        return Step(new, value)


def _replicated_projection(objective: Objective) -> FloatArray | None:
    """Projection onto the directions along which the smooth objective is flat.

    Adding the same number to one coefficient of every class leaves softmax
    probabilities unchanged, so the multinomial cross-entropy Hessian is
    singular along those "replicated" directions. The intercepts are never
    penalized, so their direction is always flat; the weights' direction is
    flat only without any penalty (an L2 term curves it; an L1 term pins it,
    and curvature added there would slow proximal Newton to a linear rate).
    Returns None when nothing is flat.
    """
    model = objective.model
    if model.is_binary:
        return None
    K = model.n_classes
    m = objective.n_coef // K
    flat = np.zeros(m)
    if model.fit_intercept:
        flat[-1] = 1.0
    if objective.penalty.alpha == 0.0:
        flat[: objective.n_features] = 1.0
    if not flat.any():
        return None
    proj: FloatArray = np.kron(np.full((K, K), 1.0 / K), np.diag(flat))
    return proj


def center_replicated(objective: Objective, coef: FloatArray) -> FloatArray:
    """Shift multinomial coefficients to sum to zero over the classes where that is free.

    The intercepts are always centred (the objective does not change); the
    weights too unless there is an L1 term (without one, centring never
    increases the objective). Binary coefficients are returned unchanged.
    """
    model = objective.model
    if model.is_binary:
        return coef
    K = model.n_classes
    mat = coef.reshape(K, -1).copy()
    cols = slice(None) if objective.penalty.l1 == 0.0 else slice(objective.n_features, None)
    mat[:, cols] -= mat[:, cols].mean(axis=0)
    out: FloatArray = mat.ravel()
    return out


def newton_direction(
    objective: Objective, coef: FloatArray, grad: FloatArray, hess: FloatArray
) -> FloatArray:
    """The Newton direction; for an L1 term, the proximal-Newton direction.

    Solves min_d gᵀd + ½dᵀHd (+ l1·‖(c + d)_w‖₁). Along the flat softmax
    directions (see :func:`_replicated_projection`) a multiple of the projection
    is added to H: the gradient has no component there, so the direction keeps
    the coefficients' class sums fixed. Smooth case: Cholesky, with least
    squares as fallback when H is numerically singular. L1: coordinate descent
    on the quadratic model.
    """
    proj = _replicated_projection(objective)
    if proj is not None:
        scale = max(float(np.trace(hess)) / hess.shape[0], 1e-12)
        hess = hess + scale * proj
    if objective.penalty.is_smooth:
        try:
            c, low = scipy.linalg.cho_factor(hess, check_finite=False)
            d = scipy.linalg.cho_solve((c, low), -grad, check_finite=False)
            if np.all(np.isfinite(d)):
                return np.asarray(d, dtype=np.float64)
        except scipy.linalg.LinAlgError:
            pass
        d = scipy.linalg.lstsq(hess, -grad, check_finite=False)[0]
        return np.asarray(d, dtype=np.float64)
    return _l1_quadratic_cd(objective, coef, grad, hess) - coef


def _l1_quadratic_cd(
    objective: Objective,
    coef: FloatArray,
    grad: FloatArray,
    hess: FloatArray,
) -> FloatArray:
    """Minimize gᵀ(u − c) + ½(u − c)ᵀH(u − c) + l1·‖u_w‖₁ over u; returns u.

    The unpenalized coordinates (intercepts) are eliminated exactly first: for
    fixed weights the best intercepts solve a small linear system, which leaves
    a quadratic in the weights alone with the Schur complement as its matrix.
    That is the model in features centred in the Hessian's metric, so raw-scale
    features with large offsets do not slow coordinate descent down.
    """
    l1 = objective.penalty.l1
    pen = np.flatnonzero(objective.penalized)
    free = np.flatnonzero(~objective.penalized)
    if free.size == 0:
        return _lasso_cd(hess, grad, coef, l1)
    H_ff = hess[np.ix_(free, free)]
    H_fp = hess[np.ix_(free, pen)]
    try:
        factor = scipy.linalg.cho_factor(H_ff, check_finite=False)
        solved = scipy.linalg.cho_solve(factor, np.column_stack([H_fp, grad[free]]))
    except scipy.linalg.LinAlgError:
        solved = np.linalg.pinv(H_ff) @ np.column_stack([H_fp, grad[free]])
    M, g_free = solved[:, :-1], solved[:, -1]  # H_ff⁻¹H_fp and H_ff⁻¹g_f
    schur = hess[np.ix_(pen, pen)] - H_fp.T @ M
    reduced_grad = grad[pen] - H_fp.T @ g_free
    u = coef.copy()
    u[pen] = _lasso_cd(schur, reduced_grad, coef[pen], l1)
    d_pen = u[pen] - coef[pen]
    u[free] = coef[free] - g_free - M @ d_pen
    return u


def _lasso_cd(
    A: FloatArray,
    s0: FloatArray,
    c: FloatArray,
    l1: float,
    *,
    max_sweeps: int = 1000,
    tol: float = 1e-13,
) -> FloatArray:
    """Coordinate descent on s0ᵀ(u − c) + ½(u − c)ᵀA(u − c) + l1·‖u‖₁; returns u.

    Sweeps alternate between all coordinates and the non-zero ones until a
    sweep over all coordinates moves nothing more than ``tol`` relative to the
    largest coefficient.
    """
    u = c.copy()
    s = s0.copy()  # gradient of the quadratic part at u
    diag = np.maximum(np.diag(A), 1e-300)
    every = np.arange(u.size)
    sweep_all = True
    for _ in range(max_sweeps):
        coords = every if sweep_all else np.flatnonzero(u)
        largest = 0.0
        for j in coords:
            old = u[j]
            target = old - s[j] / diag[j]
            new = np.sign(target) * max(abs(target) - l1 / diag[j], 0.0)
            delta = new - old
            if delta != 0.0:
                u[j] = new
                s += A[:, j] * delta
                largest = max(largest, abs(delta))
        small = largest <= tol * max(1.0, float(np.max(np.abs(u), initial=0.0)))
        if small and sweep_all:
            break
        sweep_all = small
    return u


def rounding_level(value: float) -> float:
    """Changes of the objective below this size are floating-point noise."""
    return 64.0 * np.finfo(np.float64).eps * max(1.0, abs(value))


@dataclass
class Newton:
    """Damped Newton (IRLS) with a backtracking line search; proximal Newton under L1.

    A trial point is accepted when it satisfies the Armijo condition, or, once
    the objective no longer changes beyond rounding, when it lowers the
    optimality measure.

    At huge weights every sigmoid saturates: the Hessian vanishes to rounding
    and the Newton direction no longer points downhill, although the gradient
    is far from zero. When the line search finds no acceptable Newton point and
    the optimality measure is above :attr:`stuck_optimality`, the step is a
    (proximal) gradient step with backtracking instead, so the method keeps
    making progress until Newton's own steps work again.
    """

    name: str = "newton"
    armijo: float = 1e-4
    max_halvings: int = 40
    stuck_optimality: float = 1e-8
    """Below this optimality measure a failed Newton step means "converged", not "stuck"."""

    def reset(self) -> None:
        pass

    def step(self, objective: Objective, coef: FloatArray) -> Step:
        value, grad, hess = objective.smooth_value_gradient_hessian(coef)
        l1_now = objective.l1_value(coef)
        full = value + l1_now
        # A vanished Hessian (saturated sigmoids) may overflow the direction: then it is not
        # finite and the gradient step below takes over.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            d = newton_direction(objective, coef, grad, hess)
            decrease = float(grad @ d) + objective.l1_value(coef + d) - l1_now
        if not np.isfinite(decrease) or decrease > -rounding_level(full):
            # No downhill Newton direction (a vanished Hessian gives d = 0): converged,
            # or stuck far from the optimum; the gradient step tells the two apart.
            step = self._gradient_step(objective, coef, full, grad)
            if not np.array_equal(step.coef, coef):
                return step
            if not np.isfinite(decrease) or decrease > rounding_level(full):
                return step
        decrease = min(decrease, 0.0)  # a "gain" within rounding: judged by the gradient
        opt_now: float | None = None
        t = 1.0
        for _ in range(self.max_halvings):
            trial = coef + t * d
            trial_smooth, trial_grad = objective.smooth_value_gradient(trial)
            trial_value = trial_smooth + objective.l1_value(trial)
            if trial_value <= full + self.armijo * t * decrease:
                return Step(trial, full)
            if abs(trial_value - full) <= rounding_level(full):
                if opt_now is None:
                    opt_now = objective.optimality(coef, grad)
                if objective.optimality(trial, trial_grad) < opt_now:
                    return Step(trial, full)
            t *= 0.5
        return self._gradient_step(objective, coef, full, grad)

    def _gradient_step(
        self, objective: Objective, coef: FloatArray, full: float, grad: FloatArray
    ) -> Step:
        """A proximal gradient step with backtracking, unless ``coef`` is optimal already."""
        stay = Step(coef.copy(), full)
        g2 = float(grad @ grad)
        if not (np.isfinite(g2) and g2 > 0.0):
            return stay
        if objective.optimality(coef, grad) <= self.stuck_optimality * max(1.0, abs(full)):
            return stay
        # First try the step that would take the linear model of the loss down to zero.
        t = max(full, 1.0) / g2
        for _ in range(2 * self.max_halvings):
            trial = objective.prox(coef - t * grad, t)
            move = trial - coef
            trial_value, _ = objective.smooth_value_gradient(trial)
            trial_value += objective.l1_value(trial)
            if trial_value <= full - self.armijo / t * float(move @ move) and trial_value < full:
                return Step(trial, full)
            t *= 0.5
        return stay


def make_optimizer(
    name: str,
    *,
    learning_rate: float = 0.1,
    batch_size: int = 32,
    seed: int = 0,
) -> StepOptimizer:
    """Build an optimizer by name: one of ``OPTIMIZER_NAMES``.

    Parameters
    ----------
    name : {"gd", "momentum", "adam", "sgd", "newton"}
    learning_rate : float, default=0.1
        Step size η > 0 of the first-order methods (Newton ignores it).
    batch_size : int, default=32
        Rows per mini-batch step of "sgd" (at least 1).
    seed : int, default=0
        Seed of the row order of "sgd": the same seed gives the same path.
    """
    if not (np.isfinite(learning_rate) and learning_rate > 0.0):
        raise ValueError(f"learning_rate must be a finite number > 0, got {learning_rate!r}")
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, int | np.integer)
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if name == "gd":
        return GradientDescent(learning_rate=learning_rate)
    if name == "momentum":
        return Momentum(learning_rate=learning_rate)
    if name == "adam":
        return Adam(learning_rate=learning_rate)
    if name == "sgd":
        return MiniBatchSGD(learning_rate=learning_rate, batch_size=batch_size, seed=seed)
    if name == "newton":
        return Newton()
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}")
