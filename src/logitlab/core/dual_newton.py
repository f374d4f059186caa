"""Exact Newton in the rows' space: binary L2 fits with fewer rows than features.

With X̃ the (centred) columns, the weights' Hessian is A = X̃ᵀHX̃ + αI
(H = diag(h), h the rows' curvatures divided by Σs) and the gradient
X̃ᵀr + αw. From w = β·w₀ + X̃ᵀa (w₀ the starting weights) every Newton step
keeps that form: by the push-through identity

    A⁻¹X̃ᵀv = X̃ᵀS(v),   S(v) = (HG + αI)⁻¹v = (v − D M⁻¹ D G v) / α,

with G = X̃X̃ᵀ (n × n), D = diag(√h) and M = αI + DGD, and
A⁻¹w₀ = (w₀ − X̃ᵀS(Hu₀)) / α with u₀ = X̃w₀. So the whole solve runs on n-vectors:
the linear predictor is z = β·u₀ + Ga + b and ‖w‖² = β²‖w₀‖² + 2β·u₀ᵀa + aᵀGa.
G is formed once (a symmetric rank-k update over column strips of X̃, at
matrix-product speed); each Newton step costs an n × n Cholesky factor and
n × n products, plus one pass X̃ᵀq for the gradient at the accepted point
(the stopping rule needs its largest entry), and while β ≠ 0 one more for gᵀd
(its n-space terms cancel below their rounding near the optimum). The unpenalized intercept is
eliminated by its Schur complement c − uᵀA⁻¹u (u = X̃ᵀh, c = Σh).

The stopping rule is the solver's (:mod:`logitlab.core.solvers`): the largest
gradient entry and the Newton decrement √(gᵀH⁻¹g) both at most ``tol``; the
gradient is X̃ᵀ(r + αa) + αβw₀, computed from X at every accepted point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from scipy.linalg.blas import dgemv, dsymv, dsyrk

from logitlab.core.loss import _binary_terms_into, _BinaryWork, symmetrize_upper
from logitlab.core.objective import Objective
from logitlab.core.optimizers import rounding_level
from logitlab.core.types import FloatArray

#: The line search's sufficient decrease and halvings, as in the solver's other methods.
_ARMIJO = 1e-4
_MAX_HALVINGS = 40
#: Matrix entries of one column strip of X̃ copied to float64 for the Gram matrix.
_STRIP_ENTRIES = 1 << 18


@dataclass(frozen=True)
class DualOutcome:
    """Outcome of :func:`newton_dual` (the solver wraps it)."""

    coef: FloatArray
    value: float
    grad: FloatArray
    n_iter: int
    converged: bool


def row_gram(X: FloatArray, offset: FloatArray | None) -> FloatArray:
    """G = X̃X̃ᵀ (n × n, both triangles) for dense X, X̃ = X − offset."""
    n, p = X.shape
    if X.dtype == np.float64 and offset is None and (X.flags.c_contiguous or X.flags.f_contiguous):
        # dsyrk reads a Fortran array: X.T of a C-ordered X is one (no copy).
        G = dsyrk(1.0, X.T, trans=1) if X.flags.c_contiguous else dsyrk(1.0, X, trans=0)
    else:
        G = np.zeros((n, n), order="F")
        strip = max(1, _STRIP_ENTRIES // max(n, 1))
        for j0 in range(0, p, strip):
            cols = slice(j0, min(p, j0 + strip))
            Bc = np.array(X[:, cols], dtype=np.float64, order="F")
            if offset is not None:
                Bc -= offset[cols]
            G = dsyrk(1.0, Bc, beta=1.0, c=G, overwrite_c=1)
    G = np.asarray(G)
    symmetrize_upper(G)
    return G


def sym_times(G: FloatArray, v: FloatArray) -> FloatArray:
    """G v for the symmetric n × n Gram matrix, through scipy's BLAS (dsymv on Gᵀ, a Fortran
    view of the C-ordered G: no copy).

    Every product of a Newton step goes through scipy's BLAS, as its Cholesky factor does:
    numpy and scipy wheels each bundle an OpenBLAS with its own thread pool, and at 2 threads
    alternating the two made each step about 3x slower (the idle pool's threads spin)."""
    out: FloatArray = dsymv(1.0, G.T, v) if G.flags.c_contiguous else G @ v
    return out


class _Rows:
    """Products with X̃ = X − offset (float32 X read in float64 row blocks)."""

    def __init__(self, objective: Objective) -> None:
        self.X = objective.X
        self.offset = objective.offset
        self.step = max(1, _STRIP_ENTRIES // max(self.X.shape[1], 1))

    def times(self, v: FloatArray) -> FloatArray:
        """X̃v (n,)."""
        X = self.X
        if X.dtype == np.float64 and X.flags.c_contiguous:
            out = np.asarray(dgemv(1.0, X.T, v, trans=1))  # scipy's BLAS, see sym_times
        elif X.dtype == np.float64:
            out = np.asarray(X @ v, dtype=np.float64)
        else:
            out = np.empty(X.shape[0])
            for i in range(0, X.shape[0], self.step):
                sl = slice(i, min(X.shape[0], i + self.step))
                out[sl] = np.asarray(X[sl], dtype=np.float64) @ v
        if self.offset is not None:
            out -= float(self.offset @ v)
        return out

    def transposed_times(self, r: FloatArray) -> FloatArray:
        """X̃ᵀr (p,)."""
        X = self.X
        if X.dtype == np.float64 and X.flags.c_contiguous:
            out = np.asarray(dgemv(1.0, X.T, r))  # scipy's BLAS, see sym_times
        elif X.dtype == np.float64 and X.flags.f_contiguous:
            out = np.asarray(dgemv(1.0, X, r, trans=1))
        elif X.dtype == np.float64:
            out = np.asarray(X.T @ r, dtype=np.float64)
        else:
            out = np.zeros(X.shape[1])
            for i in range(0, X.shape[0], self.step):
                sl = slice(i, min(X.shape[0], i + self.step))
                out += r[sl] @ np.asarray(X[sl], dtype=np.float64)
        if self.offset is not None:
            out -= self.offset * float(np.sum(r))
        return out


@dataclass
class _Point:
    """w = beta·w₀ + X̃ᵀa, intercept b; Ga = G @ a."""

    beta: float
    a: FloatArray
    Ga: FloatArray
    b: float


class _Problem:
    def __init__(self, objective: Objective, coef: FloatArray) -> None:
        self.objective = objective
        n, p = objective.X.shape
        self.n, self.p = n, p
        self.fit_intercept = objective.model.fit_intercept
        self.alpha = objective.penalty.l2
        self.y = np.asarray(objective.y, dtype=np.float64)
        sw = objective.sample_weight
        self.sw = None if sw is None else np.asarray(sw, dtype=np.float64)
        sw_sum = float(n) if self.sw is None else float(np.sum(self.sw))
        if not sw_sum > 0.0:
            raise ValueError("the sample weights must have a positive sum")
        self.scale = 1.0 / sw_sum
        self.rows = _Rows(objective)
        self.G = row_gram(objective.X, objective.offset)
        self.w0 = np.array(coef[:p], dtype=np.float64)
        self.has_w0 = bool(np.any(self.w0))
        self.u0 = self.rows.times(self.w0) if self.has_w0 else np.zeros(n)
        self.s0 = float(self.w0 @ self.w0)
        self.work = _BinaryWork(n)

    def start(self, coef: FloatArray) -> _Point:
        b = float(coef[self.p]) if self.fit_intercept else 0.0
        return _Point(1.0 if self.has_w0 else 0.0, np.zeros(self.n), np.zeros(self.n), b)

    def evaluate(self, pt: _Point) -> tuple[float, FloatArray, FloatArray]:
        """Smooth value, residuals r = s(σ(z) − y)/Σs and curvatures h = sσ'(z)/Σs."""
        z = pt.Ga + pt.b
        if pt.beta:
            z += pt.beta * self.u0
        total, r, h = _binary_terms_into(z, self.y, self.sw, self.work, True, True)
        assert r is not None and h is not None
        r = r * self.scale
        h = h * self.scale
        sq = pt.beta * pt.beta * self.s0 + 2.0 * pt.beta * float(self.u0 @ pt.a)
        sq += float(pt.a @ pt.Ga)
        value = total * self.scale + 0.5 * self.alpha * max(sq, 0.0)
        return value, r, h

    def gradient(self, pt: _Point, r: FloatArray) -> FloatArray:
        """The full gradient (weights, then intercept), from one pass X̃ᵀ(r + αa)."""
        gw = self.rows.transposed_times(r + self.alpha * pt.a)
        if pt.beta:
            gw += (self.alpha * pt.beta) * self.w0
        if not self.fit_intercept:
            return gw
        return np.append(gw, float(np.sum(r)))

    def coef(self, pt: _Point) -> FloatArray:
        w = self.rows.transposed_times(pt.a)
        if pt.beta:
            w += pt.beta * self.w0
        return np.append(w, pt.b) if self.fit_intercept else w


@dataclass
class _Step:
    """The Newton direction (in the point's terms) and the decrement it implies."""

    d_beta: float
    d_a: FloatArray
    G_da: FloatArray
    d_b: float
    decrease: float  # gᵀd = −λ²

    @property
    def decrement(self) -> float:
        return float(np.sqrt(max(-self.decrease, 0.0)))


def _newton_step(
    prob: _Problem, pt: _Point, r: FloatArray, h: FloatArray, grad: FloatArray
) -> _Step:
    """The Newton direction at ``pt`` (``r``, ``h``: its rows' terms; ``grad``: its gradient)."""
    G, alpha = prob.G, prob.alpha
    g_b = float(grad[-1]) if prob.fit_intercept else 0.0
    root = np.sqrt(h)
    M = G * root[:, None]
    M *= root[None, :]
    M[np.diag_indices_from(M)] += alpha
    factor = scipy.linalg.cho_factor(M, lower=False, overwrite_a=True, check_finite=False)

    def S(v: FloatArray) -> FloatArray:
        """(HG + αI)⁻¹v."""
        t = scipy.linalg.cho_solve(factor, root * sym_times(G, v), check_finite=False)
        out: FloatArray = (v - root * t) / alpha
        return out

    q = r + alpha * pt.a
    beta = pt.beta
    e = S(q)
    if beta:
        e -= beta * S(h * prob.u0)
    d_b = 0.0
    if prob.fit_intercept:
        Sh = S(h)
        GSh = sym_times(G, Sh)
        schur = float(np.sum(h)) - float(h @ GSh)
        uAg = beta * float(h @ prob.u0) + float(h @ sym_times(G, e))
        d_b = (uAg - g_b) / max(schur, 1e-300)
        e += d_b * Sh
    Ge = sym_times(G, e)
    if beta:
        # gᵀd from the vectors: the n-space terms (β·qᵀu₀, α·β²‖w₀‖², ...) are each about
        # α‖w‖² and cancel to λ² near the optimum, far below their rounding.
        d_w = -beta * prob.w0 - prob.rows.transposed_times(e)
        gw_dw = float(grad[: prob.p] @ d_w)
    else:
        gw_dw = -float(q @ Ge)  # g_w = X̃ᵀq, d_w = −X̃ᵀe
    return _Step(-beta, -e, -Ge, d_b, gw_dw + g_b * d_b)


def _trial(pt: _Point, step: _Step, t: float) -> _Point:
    return _Point(
        pt.beta + t * step.d_beta,
        pt.a + t * step.d_a,
        pt.Ga + t * step.G_da,
        pt.b + t * step.d_b,
    )


def newton_dual(objective: Objective, coef: FloatArray, tol: float, max_iter: int) -> DualOutcome:
    """Damped exact Newton from ``coef`` on the n × n system (see the module docstring).

    ``objective``: binary, L2 (α > 0) only, dense X; fewer rows than features
    is where it pays. Returns the coefficients, the full objective and gradient
    at them (one direct pass over X), the iterations and the stopping rule's verdict.
    """
    prob = _Problem(objective, coef)
    pt = prob.start(coef)
    value, r, h = prob.evaluate(pt)
    grad = prob.gradient(pt, r)
    opt = float(np.max(np.abs(grad), initial=0.0))  # no L1 term: the gradient itself
    step = _newton_step(prob, pt, r, h, grad)
    n_iter = 0
    converged = False
    while True:
        if opt <= tol and step.decrement <= tol:
            converged = True
            break
        if n_iter >= max_iter:
            break
        n_iter += 1
        decrease = step.decrease
        if not np.isfinite(decrease) or decrease > rounding_level(value):
            break
        decrease = min(decrease, 0.0)
        t = 1.0
        accepted: _Point | None = None
        for _ in range(_MAX_HALVINGS):
            trial = _trial(pt, step, t)
            t_value, t_r, _ = prob.evaluate(trial)
            if t_value <= value + _ARMIJO * t * decrease or (
                abs(t_value - value) <= rounding_level(value)
                and float(np.max(np.abs(prob.gradient(trial, t_r)), initial=0.0)) < opt
            ):
                accepted = trial
                break
            t *= 0.5
        if accepted is None:
            break
        pt = accepted
        pt.Ga = sym_times(prob.G, pt.a)  # no drift from the incremental updates
        value, r, h = prob.evaluate(pt)
        grad = prob.gradient(pt, r)
        opt = float(np.max(np.abs(grad), initial=0.0))
        step = _newton_step(prob, pt, r, h, grad)
    coef = prob.coef(pt)
    value, grad = objective.smooth_value_gradient(coef)
    return DualOutcome(coef, value, grad, n_iter, converged)
