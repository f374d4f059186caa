"""Everything inference needs from the training data, computed once at the end of a fit.

A fitted model keeps a :class:`FitState` instead of its training data: a few
matrices of shape (n_params, n_params) and some numbers, so a pickled model is
a few kB whatever the number of rows. :func:`compute_fit_state` makes two
passes over the data (in row blocks):

1. the information matrix, the heteroscedasticity-robust "meat" ``Σ sᵢ uᵢuᵢᵀ``
   of the scores ``uᵢ`` (HC0, HC1), and the certificate matrix of the
   separation check;
2. the separation certificate itself.

HC2, HC3 (per-row leverages) and the cluster-robust covariance (the groups)
need the training data again; the state's ``moments`` recognize it.

Matrices are stored in centered coordinates (see :mod:`logitlab.core.covariance`)
and mapped to the reported parameters on demand.

Robust covariances
------------------
``HC0`` is ``V·(Σ sᵢ uᵢuᵢᵀ)·V`` with ``V`` the inverse information, as
statsmodels' ``Logit.fit(cov_type="HC0")``. ``HC1`` multiplies it by
``n/(n − k)``; ``HC2`` and ``HC3`` divide each row's outer product by
``1 − hᵢ`` and ``(1 − hᵢ)²``, with ``hᵢ = sᵢ p̂ᵢ(1 − p̂ᵢ)·zᵢᵀVzᵢ`` the GLM leverage
(statsmodels' ``GLMResults.get_influence().hat_matrix_diag``). statsmodels'
discrete models return the HC0 matrix for all four names; logitlab computes
the small-sample corrections their names promise. Sample weights count as
frequency weights (a row of weight s stands for s identical rows).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np
import scipy.sparse

from logitlab.core.covariance import (
    Design,
    add_parts,
    block_grams,
    blocks,
    centered_theta,
    equilibrated_inverse,
    log_likelihood,
    make_design,
    probabilities,
    reduce_rows,
    residuals,
    table_coef,
)
from logitlab.core.fitstate_passes import (
    binary_first_pass,
    binary_sums_from_solver,
    certified_by_reach,
    column_sums,
    information_from_hessian,
    multinomial_first_pass,
    weight_totals,
)
from logitlab.core.loss import ScoreSums
from logitlab.core.objective import Objective
from logitlab.core.separation import (
    Separation,
    certificate_weights,
    certify_no_separation,
    class_extremes,
    detect_separation,
    separation_from_extremes,
)
from logitlab.core.types import FloatArray, IntArray

#: Unpenalized Newton steps from a penalized fit before its separation certificate.
_CERTIFY_NEWTON_STEPS = 15
#: Their gradient tolerances, loose first: the certificate is tried at each.
_CERTIFY_TOLS = (1e-2, 1e-6)
#: Those steps are first taken on a subset of the rows: per class about this many rows
#: per coefficient (a rare class keeps all its rows) ...
_SUBSET_ROWS_PER_COEF = 8
#: ... and at least this many ...
_SUBSET_MIN_ROWS = 2_000
#: ... when the subset holds at most 1/_SUBSET_SHARE of the rows.
_SUBSET_SHARE = 4
#: Above this many coefficients no covariance or separation check is computed:
#: their passes cost n·k² and k² memory, far more than a Hessian-free fit of
#: wide (sparse) data; the summary says so.
MAX_DENSE_PARAMS = 2_000
#: Data with more entries than this (a quarter of it when sparse) are not copied
#: densely for the separation LPs when the fit's certificate did not settle it.
MAX_LP_ENTRIES = 50_000_000
#: Covariance types.
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "cluster")
#: The types that need the training data again (per-row leverages, or the groups).
DATA_COV_TYPES = ("HC2", "HC3", "cluster")


@dataclass(frozen=True)
class FitState:
    """The fitted model's summary of its training data (no per-row arrays).

    Attributes
    ----------
    design : Design
        Centering of the features and the parametrization.
    theta : ndarray of shape (n_blocks · n_terms,)
        Reported coefficients: per block the intercept first, then the features.
    cov_centered : ndarray or None
        Inverse (penalized) information in centered coordinates; None when the
        information is singular or there is an L1 part.
    meats : dict of str to ndarray
        ``"HC0"``: the score outer products in centered coordinates (absent
        when robust covariances are not available for this model).
    robust_note : str
        Why robust covariances are unavailable ('' when they are).
    n_obs : float
        Sum of the sample weights.
    n_rows : int
        Rows with a positive weight.
    log_likelihood, null_log_likelihood : float
    n_params : int
    penalized : bool
    C : float
    l1_ratio : float
    solver_converged : bool
        The solver's own verdict (its gradient test).
    n_iter : int
    separation : {"complete", "quasi-complete"} or None
    separation_checked : bool
    separation_method : str
        How the verdict was reached (certificate, single column, linear program).
    feature_sd : ndarray of shape (n_features,)
        Weighted sample standard deviation (n_obs − 1 divisor) of each feature.
    moments : ndarray of shape (n_classes + 1, n_terms)
        ``Σ sᵢ zᵢ²`` and, per class, ``Σ sᵢ [yᵢ = k] zᵢ`` of the centered design:
        a fingerprint of the training data (see :func:`data_moments`).
    """

    design: Design
    theta: FloatArray
    cov_centered: FloatArray | None
    meats: dict[str, FloatArray]
    robust_note: str
    n_obs: float
    n_rows: int
    log_likelihood: float
    null_log_likelihood: float
    n_params: int
    penalized: bool
    C: float
    l1_ratio: float
    solver_converged: bool
    n_iter: int
    separation: Separation | None
    separation_checked: bool
    separation_method: str
    feature_sd: FloatArray
    moments: FloatArray
    singular: bool = field(default=False)

    @property
    def n_classes(self) -> int:
        return self.design.n_classes

    @property
    def has_l1(self) -> bool:
        return self.penalized and self.l1_ratio > 0.0

    @property
    def converged(self) -> bool:
        """False when the solver did not converge or an unpenalized fit is separated."""
        return self.solver_converged and not (self.separation is not None and not self.penalized)

    def covariance(self, cov_type: str = "nonrobust") -> FloatArray | None:
        """Covariance of ``theta`` (reported coordinates), or None when it is not defined.

        Raises
        ------
        ValueError
            For an unknown ``cov_type``, "cluster" (use :func:`cluster_covariance`)
            or a robust type this model does not support (the message says why).
        """
        if cov_type not in COV_TYPES:
            raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
        if self.cov_centered is None:
            return None
        T = self.design.uncenter()
        if cov_type == "nonrobust":
            return np.asarray(T @ self.cov_centered @ T.T, dtype=np.float64)
        if cov_type in DATA_COV_TYPES:
            raise ValueError(
                f"cov_type={cov_type!r} needs the training data again (X=, y=): it uses "
                "per-row leverages, which the fitted model does not keep"
            )
        if "HC0 sandwich" in self.meats:  # penalized multinomial: built at fit
            sandwich = self.meats["HC0 sandwich"]
        elif "HC0" in self.meats:
            V = self.cov_centered
            sandwich = V @ self.meats["HC0"] @ V
        else:
            raise ValueError(f"cov_type={cov_type!r} is not available: {self.robust_note}")
        if cov_type == "HC1":
            dof = self.n_obs - self.theta.size
            if dof <= 0:
                raise ValueError(
                    f"cov_type='HC1' needs more observations ({self.n_obs:g}) than "
                    f"parameters ({self.theta.size})"
                )
            sandwich = sandwich * (self.n_obs / dof)
        return np.asarray(T @ sandwich @ T.T, dtype=np.float64)


def data_moments(
    design: Design, X: FloatArray, labels: IntArray, sample_weight: FloatArray | None
) -> FloatArray:
    """The fingerprint ``FitState.moments`` of some data, to compare with the fit's."""
    K, m = design.n_classes, design.n_terms
    out = np.zeros((K + 1, m))
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        s = np.ones(Z.shape[0]) if sample_weight is None else sample_weight[sl]
        onehot = np.zeros((Z.shape[0], K))
        onehot[np.arange(Z.shape[0]), labels[sl]] = 1.0
        out[0] += s @ (Z * Z)
        out[1:] += (onehot * s[:, None]).T @ Z
    return out


def compute_fit_state(
    objective: Objective,
    coef: FloatArray,
    *,
    converged: bool,
    n_iter: int,
    hessian: FloatArray | None = None,
    hessian_offset: FloatArray | None = None,
    sums: ScoreSums | None = None,
) -> FitState:
    """The :class:`FitState` of the fit ``coef`` of ``objective`` (see the module docstring).

    Parameters
    ----------
    objective : Objective
        The objective that was minimized.
    coef : ndarray of shape (objective.n_coef,)
        The fitted flat coefficients (symmetric parametrization for K ≥ 3).
    converged : bool
        The solver's verdict.
    n_iter : int
        Iterations the solver used.
    hessian, hessian_offset : ndarray or None
        The solver's Hessian at ``coef`` and its column offsets
        (:class:`~logitlab.core.solvers.SolveResult`): when given, the
        information is mapped from it instead of summed again (issue 13).
    sums : ScoreSums or None
        The score sums the solver's last pass made with ``hessian`` (binary):
        with the column sums of the centring they give every sum of the first
        pass, which is then not made (issue 13).
    """
    penalty = objective.penalty
    K = objective.model.n_classes
    p = objective.n_features
    fi = objective.model.fit_intercept
    if max(K - 1, 1) * (p + int(fi)) > MAX_DENSE_PARAMS:
        return _wide_fit_state(objective, coef, converged=converged, n_iter=n_iter)
    coef = np.asarray(coef, dtype=np.float64)
    theta = table_coef(coef, K, p, fi)
    penalized = penalty.alpha > 0.0
    has_l1 = penalty.l1 > 0.0
    symmetric = penalized and K > 2  # the penalty lives on the symmetric rows
    n_h = K if symmetric else q_of(K)

    # issue 13: in memory, the solver's column means centre the design and the first
    # pass also finds each term's reach, so no separate pass of design sums is made.
    means = getattr(objective, "column_means", None)
    fused = means is not None and fi and not hasattr(objective, "reduce_rows")
    reuse = fused and hessian is not None and not has_l1
    from_solver = None
    if reuse and sums is not None and K == 2:
        from_solver = binary_sums_from_solver(objective, hessian, hessian_offset, sums)
    if from_solver is not None:
        design, sums_tuple = from_solver
        theta_c = centered_theta(design, theta)
        sums_list = list(sums_tuple)
    elif fused:
        design = Design(n_classes=K, fit_intercept=True, center=np.asarray(means))
        theta_c = centered_theta(design, theta)
        # Under L1 there is no covariance, and the penalized fit's certificate (the
        # information plus meat) would not settle separation: the certificate is
        # tried at the unpenalized fit instead (below), so neither is summed here.
        first = partial(
            binary_first_pass if K == 2 else partial(multinomial_first_pass, symmetric=symmetric),
            with_info=not reuse and not has_l1,
            with_meat=not has_l1,
        )
        *sums_list, reach = first(
            design, theta_c, objective.X, objective.y, objective.sample_weight
        )
        design = replace(design, reach=reach)
    else:
        design = make_design(objective)
        theta_c = centered_theta(design, theta)
        sums_list = list(
            reduce_rows(objective, partial(_first_pass_sums, design, theta_c, symmetric), add_parts)
        )
    q, m = design.n_blocks, design.n_terms
    (info, meat0, cert, meat_sym, g, r_abs, ss, log_lik, moments, sw_sum, n_rows, counts) = (
        sums_list
    )
    if reuse and from_solver is None:
        assert hessian is not None
        info = information_from_hessian(
            objective, design, hessian, hessian_offset, sw_sum, symmetric
        )
        if symmetric:
            cert = info[m:, m:] + meat0

    if not symmetric:
        # Per row, Σ_{k≠y} p̂_k (e_y − e_k)(e_y − e_k)ᵀ = (diag p̂ − p̂p̂ᵀ) + (e_y − p̂)(e_y − p̂)ᵀ
        # on the non-reference classes: the certificate matrix is info + meat0.
        cert = info + meat0

    # ---- the covariance (scale-invariant inverse of the information)
    cov_c: FloatArray | None = None
    sandwich_c: FloatArray | None = None
    singular = False
    if not has_l1:
        if penalty.l2:
            mask = np.ones(m)
            if fi:
                mask[0] = 0.0
            info = info + np.diag(np.tile(mask, n_h) * penalty.l2 * sw_sum)
        if symmetric:
            cov_c, sandwich_c = _reference_from_symmetric(info, K, m, fi, meat_sym)
        else:
            cov_c = equilibrated_inverse(info)
        singular = cov_c is None

    # ---- pass 2: leverages (binary) and the separation certificate
    meats: dict[str, FloatArray] = {}
    robust_note = ""
    cert_inv = equilibrated_inverse(cert)
    v = np.zeros(q * m) if cert_inv is None else cert_inv @ g.ravel()
    v_err = np.zeros(q) if cert_inv is None else _solve_error(cert_inv, r_abs, design)
    certified = cert_inv is not None and bool(np.all(np.isfinite(v)))
    if certified:
        certified = certified_by_reach(design, theta_c, v.reshape(q, m), v_err) or reduce_rows(
            objective, partial(_certify_rows, design, theta_c, v.reshape(q, m), v_err), _both
        )
    if cov_c is None:
        robust_note = (
            "the L1 part of the penalty leaves no covariance"
            if has_l1
            else "the information matrix is singular"
        )
    elif symmetric:
        assert sandwich_c is not None
        meats["HC0 sandwich"] = sandwich_c
        robust_note = (
            "HC2, HC3 and cluster covariances of penalized multinomial fits are not implemented"
        )
    else:
        meats["HC0"] = meat0

    # ---- separation: certificate, single column, linear programs
    separation: Separation | None
    if not certified and (penalized or not converged):
        # The penalized (or unfinished) fit's residual is too large for the
        # correction; a few unpenalized Newton steps from it reach the MLE when
        # one exists, and the certificate is tried there.
        certified = _certified_after_newton(objective, coef, design)
    checked = True
    entries = objective.n_samples * m
    single: Separation | None = None
    if not certified:  # one pass of per-class extremes, at any size
        mins, maxs = reduce_rows(objective, partial(_class_extremes, K), _combine_extremes)
        single = separation_from_extremes(mins, maxs, fi)
    X = objective.X
    if certified:
        separation, method = None, "certificate from the fit"
    elif single == "complete":
        separation, method = "complete", "one feature separates the classes"
    elif hasattr(objective, "reduce_rows"):  # rows elsewhere (a cluster): no LP on them
        separation, checked = single, single is not None
        method = (
            "one feature separates the classes (complete separation by several features "
            "not checked)"
            if single is not None
            else "not checked: the fit's certificate did not settle it, and the linear "
            "program needs the rows in memory (they are on a cluster)"
        )
    elif entries > MAX_LP_ENTRIES or (scipy.sparse.issparse(X) and entries > MAX_LP_ENTRIES // 4):
        # Too large to copy densely for the linear programs.
        separation, checked = single, single is not None
        method = (
            "one feature separates the classes"
            if single is not None
            else "not checked: the fit's certificate did not settle it, and the linear "
            f"program would need {entries:,} dense entries (more than {MAX_LP_ENTRIES:,})"
        )
        if single is not None:
            method += " (complete separation by several features not checked)"
    else:
        separation = detect_separation(objective)
        method = "one feature separates the classes" if single is not None else "linear program"

    n_params = int(np.count_nonzero(theta)) if has_l1 else theta.size
    var = np.maximum(ss[1:] if fi else ss - np.sum(moments, axis=0) ** 2 / max(sw_sum, 1e-300), 0.0)
    denom = max(sw_sum - 1.0, 1e-300)
    return FitState(
        design=design,
        theta=theta,
        cov_centered=cov_c,
        meats=meats,
        robust_note=robust_note,
        n_obs=sw_sum,
        n_rows=int(n_rows),
        log_likelihood=float(log_lik),
        null_log_likelihood=_null_from_counts(counts),
        n_params=n_params,
        penalized=penalized,
        C=1.0 / (penalty.alpha * sw_sum) if penalized else math.inf,
        l1_ratio=penalty.l1_ratio if penalized else 0.0,
        solver_converged=bool(converged),
        n_iter=int(n_iter),
        separation=separation,
        separation_checked=checked,
        separation_method=method,
        feature_sd=np.sqrt(var / denom),
        moments=np.vstack([ss, moments]),
        singular=singular,
    )


def q_of(K: int) -> int:
    """Linear predictors reported for K classes (1 for binary, K−1 otherwise)."""
    return max(K - 1, 1)


def _first_pass_sums(
    design: Design, theta_c: FloatArray, symmetric: bool, X: Any, y: Any, sw: FloatArray | None
) -> tuple[Any, ...]:
    """:func:`_first_pass` without the reach (its sums only: they add over row chunks)."""
    return _first_pass(design, theta_c, X, y, sw, symmetric=symmetric)[:-1]


def _first_pass(
    design: Design,
    theta_c: FloatArray,
    X: Any,
    y: Any,
    sw: FloatArray | None,
    *,
    symmetric: bool,
) -> tuple[Any, ...]:
    """The sums of :func:`compute_fit_state`'s first pass over some rows (in blocks).

    (information, HC0 meat, certificate matrix, symmetric meat, score sum g,
    Σ|sᵢrᵢₖ|, Σsᵢzᵢ², log-likelihood, Σsᵢ[yᵢ = k]zᵢ, Σsᵢ, rows of positive
    weight, per-class Σsᵢ), and last the reach ``max |zᵢ|`` of each term.
    """
    K = design.n_classes
    q, m = design.n_blocks, design.n_terms
    n_h = K if symmetric else q
    info = np.zeros((n_h * m, n_h * m))
    meat0 = np.zeros((q * m, q * m))
    cert = np.zeros((q * m, q * m))
    meat_sym = np.zeros((n_h * m, n_h * m)) if symmetric else np.zeros((0, 0))
    g = np.zeros((q, m))
    r_abs = np.zeros(q)  # Σ |sᵢ rᵢₖ|: with the design's reach, bounds g's rounding
    ss = np.zeros(m)
    log_lik = 0.0
    moments = np.zeros((K, m))  # Σ sᵢ·[yᵢ = k]·zᵢ: with ss, a fingerprint of the data
    reach = np.zeros(m)
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        if Z.shape[0]:
            reach = np.maximum(reach, np.max(np.abs(Z), axis=0))
        labels = np.asarray(y[sl]).astype(np.intp)
        s = np.ones(Z.shape[0]) if sw is None else np.asarray(sw[sl], dtype=np.float64)
        P = probabilities(design, theta_c, Z)
        log_lik += log_likelihood(design, theta_c, Z, labels, s)
        onehot = np.zeros_like(P)
        onehot[np.arange(P.shape[0]), labels] = 1.0
        R = residuals(P, labels)
        Ph = P if symmetric else P[:, 1:]
        W = -Ph[:, :, None] * Ph[:, None, :]
        idx = np.arange(n_h)
        W[:, idx, idx] += Ph
        weights = [W * s[:, None, None], (R[:, :, None] * R[:, None, :]) * s[:, None, None]]
        if symmetric:  # else the certificate matrix is info + meat0 (see below)
            weights.append(certificate_weights(labels, s, P))
            R_all = np.empty_like(P)  # e_y − p̂ on every class (they sum to 0)
            R_all[:, 1:] = R
            R_all[:, 0] = -R.sum(axis=1)
            weights.append((R_all[:, :, None] * R_all[:, None, :]) * s[:, None, None])
        grams = block_grams(Z, weights)
        info += grams[0]
        meat0 += grams[1]
        if symmetric:
            cert += grams[2]
            meat_sym += grams[3]
        g += (R * s[:, None]).T @ Z
        r_abs += np.abs(R * s[:, None]).sum(axis=0)
        ss += s @ (Z * Z)
        moments += (onehot * s[:, None]).T @ Z
    mass, n_rows, counts = weight_totals(y, sw, K)
    return info, meat0, cert, meat_sym, g, r_abs, ss, log_lik, moments, mass, n_rows, counts, reach


def _certify_rows(
    design: Design,
    theta_c: FloatArray,
    v: FloatArray,
    v_err: FloatArray,
    X: Any,
    y: Any,
    sw: FloatArray | None,
) -> bool:
    """Whether every block of these rows passes the separation certificate ``v``."""
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        labels = np.asarray(y[sl]).astype(np.intp)
        s = np.ones(Z.shape[0]) if sw is None else np.asarray(sw[sl], dtype=np.float64)
        P = probabilities(design, theta_c, Z)
        if not certify_no_separation(Z, labels, s, P, v, v_err):
            return False
    return True


def _both(a: bool, b: bool) -> bool:
    return a and b


def _class_extremes(K: int, X: Any, y: Any, sw: FloatArray | None) -> tuple[FloatArray, FloatArray]:
    return class_extremes(X, np.asarray(y).astype(np.intp), sw, K)


def _combine_extremes(
    a: tuple[FloatArray, FloatArray], b: tuple[FloatArray, FloatArray]
) -> tuple[FloatArray, FloatArray]:
    return np.minimum(a[0], b[0]), np.maximum(a[1], b[1])


def _certificate_sums(
    design: Design, theta_c: FloatArray, X: Any, y: Any, sw: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(certificate matrix, score sum g, Σ|sᵢrᵢₖ|) of some rows at ``theta_c``."""
    q, m = design.n_blocks, design.n_terms
    cert = np.zeros((q * m, q * m))
    g = np.zeros((q, m))
    r_abs = np.zeros(q)
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        labels = np.asarray(y[sl]).astype(np.intp)
        s = np.ones(Z.shape[0]) if sw is None else np.asarray(sw[sl], dtype=np.float64)
        P = probabilities(design, theta_c, Z)
        (gram,) = block_grams(Z, [certificate_weights(labels, s, P)])
        cert += gram
        R = residuals(P, labels) * s[:, None]
        g += R.T @ Z
        r_abs += np.abs(R).sum(axis=0)
    return cert, g, r_abs


def _wide_fit_state(
    objective: Objective, coef: FloatArray, *, converged: bool, n_iter: int
) -> FitState:
    """The state of a fit with more than MAX_DENSE_PARAMS coefficients: estimates and
    likelihoods only (no covariance, separation not checked, and why)."""
    penalty = objective.penalty
    K = objective.model.n_classes
    p = objective.n_features
    fi = objective.model.fit_intercept
    theta = table_coef(np.asarray(coef, dtype=np.float64), K, p, fi)
    sw_sum, n_rows, counts, first, second = reduce_rows(
        objective, partial(_wide_sums, K), add_parts
    )
    penalized = penalty.alpha > 0.0
    has_l1 = penalty.l1 > 0.0
    why = (
        f"{theta.size:,} coefficients are more than the {MAX_DENSE_PARAMS:,} for which "
        "the covariance and the separation check (dense k x k passes) are computed"
    )
    return FitState(
        design=Design(n_classes=K, fit_intercept=fi, center=np.zeros(p)),
        theta=theta,
        cov_centered=None,
        meats={},
        robust_note=why,
        n_obs=sw_sum,
        n_rows=int(n_rows),
        log_likelihood=-objective.cross_entropy(coef) * sw_sum,
        null_log_likelihood=_null_from_counts(counts),
        n_params=int(np.count_nonzero(theta)) if has_l1 else theta.size,
        penalized=penalized,
        C=1.0 / (penalty.alpha * sw_sum) if penalized else math.inf,
        l1_ratio=penalty.l1_ratio if penalized else 0.0,
        solver_converged=bool(converged),
        n_iter=int(n_iter),
        separation=None,
        separation_checked=False,
        separation_method=f"not checked: {why}",
        feature_sd=_sd_from_sums(first, second, sw_sum),
        moments=np.zeros((K + 1, p + int(fi))),
        singular=False,
    )


def _wide_sums(
    K: int, X: Any, y: Any, sw: FloatArray | None
) -> tuple[float, int, FloatArray, FloatArray, FloatArray]:
    """(Σs, rows of positive weight, per-class Σs, Σs·x, Σs·x²) of some rows."""
    first, second = column_sums(X, sw)
    return (*weight_totals(y, sw, K), first, second)


def _sd_from_sums(first: FloatArray, second: FloatArray, sw_sum: float) -> FloatArray:
    mean = first / max(sw_sum, 1e-300)
    var = np.maximum(second - sw_sum * mean**2, 0.0) / max(sw_sum - 1.0, 1e-300)
    return np.asarray(np.sqrt(var), dtype=np.float64)


def _feature_sd(X: FloatArray, sw: FloatArray | None, sw_sum: float) -> FloatArray:
    """Weighted sample standard deviation of each column (X dense or SciPy sparse)."""
    return _sd_from_sums(*column_sums(X, sw), sw_sum)


def _solve_error(inverse: FloatArray, r_abs: FloatArray, design: Design) -> FloatArray:
    """Per class, a bound on ``|zᵢ·e_k|`` with ``e`` the rounding error of ``M⁻¹ g``.

    ``g`` sums many terms that cancel: its error is at most ``δg = 64·eps·Σ|terms|``
    ≤ ``64·eps·Σᵢ|sᵢ rᵢₖ|·reach_j``, and ``|M⁻¹ δg|`` ≤ ``|M⁻¹|·δg``; a row's
    ``|zᵢ·e_k|`` is at most ``reach·|e_k|``.
    """
    eps = float(np.finfo(np.float64).eps)
    q, m = design.n_blocks, design.n_terms
    reach = design.reach if design.reach is not None else np.ones(m)
    dg = 64.0 * eps * np.outer(r_abs, reach).ravel()
    e = (np.abs(inverse) @ dg).reshape(q, m)
    return np.asarray(e @ reach, dtype=np.float64)


def _certified_after_newton(objective: Objective, coef: FloatArray, design: Design) -> bool:
    """The separation certificate at the unpenalized fit reached from ``coef``.

    The certificate proves no separation from any point whose score residual
    is small enough, so Newton first stops at a loose gradient (often one
    step from a penalized fit) and goes on to 1e-6 only when the certificate
    fails there (issue 13: a full unpenalized fit was most of an L1 fit's
    inference cost). At most ``_CERTIFY_NEWTON_STEPS`` steps in all.

    On many rows this is tried first on a subset of them (:func:`_row_subset`):
    strictly positive weights that cancel on rows spanning the coefficient space
    prove that no direction separates those rows, and the other rows only add
    constraints, so a certificate on the subset is one for all the data (issue 13:
    the unpenalized Hessian and certificate Grams over every row were 0.6 s of a
    1.1 s L1 fit at 50,000 x 500). When the subset is not certified, all rows are.
    """
    subset = _row_subset(objective)
    if subset is not None and _certified_by_newton(subset, coef, design):
        return True
    return _certified_by_newton(objective, coef, design)


def _certified_by_newton(objective: Objective, coef: FloatArray, design: Design) -> bool:
    """:func:`_certified_after_newton` on the rows of ``objective``."""
    from logitlab.core.penalty import Penalty
    from logitlab.core.solvers import solve

    unpenalized = objective.with_penalty(Penalty())
    steps = _CERTIFY_NEWTON_STEPS
    for tol in _CERTIFY_TOLS:
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                out = solve(unpenalized, coef, tol=tol, max_iter=steps)
        except NotImplementedError:  # rows on a cluster run only Newton with its full Hessian
            return False
        coef, steps = out.coef, steps - out.n_iter
        if not np.all(np.isfinite(coef)):
            return False
        if _certified_at(objective, coef, design):
            return True
        if steps <= 0:
            return False
    return False


def _row_subset(objective: Objective) -> Objective | None:
    """The same problem on a subset of the rows for :func:`_certified_after_newton`, or None.

    Per class, ``_SUBSET_ROWS_PER_COEF`` rows of positive weight per coefficient (at
    least ``_SUBSET_MIN_ROWS``), evenly spaced, or all its rows when it has fewer (a
    rare class keeps all of them); None when that is not well below all of them, or
    when the rows are not in memory. The rows are copied (a fraction of X).
    """
    if hasattr(objective, "reduce_rows"):
        return None
    n = objective.n_samples
    target = max(_SUBSET_ROWS_PER_COEF * objective.n_coef, _SUBSET_MIN_ROWS)
    if n < _SUBSET_SHARE * target:
        return None
    labels = objective.y.astype(np.intp)
    sw = objective.sample_weight
    live = np.ones(n, dtype=bool) if sw is None else sw > 0
    picks = []
    for k in range(objective.model.n_classes):
        rows = np.flatnonzero(live & (labels == k))
        if rows.shape[0] > target:  # evenly spaced, so any order of the rows is sampled
            rows = rows[np.linspace(0, rows.shape[0] - 1, target).astype(np.intp)]
        picks.append(rows)
    keep = np.sort(np.concatenate(picks))
    if keep.shape[0] * _SUBSET_SHARE > n:
        return None
    X: Any = objective.X
    return Objective(
        X[keep] if scipy.sparse.issparse(X) else np.take(X, keep, axis=0),
        objective.y[keep],
        n_classes=objective.model.n_classes,
        fit_intercept=objective.model.fit_intercept,
        sample_weight=None if sw is None else sw[keep],
        penalty=objective.penalty,
        offset=objective.offset,
    )


def _certified_at(objective: Objective, mle: FloatArray, design: Design) -> bool:
    """Whether the separation certificate holds at the (nearly) unpenalized fit ``mle``."""
    K = objective.model.n_classes
    theta_c = centered_theta(design, table_coef(mle, K, objective.n_features, design.fit_intercept))
    cert, g, r_abs = reduce_rows(objective, partial(_certificate_sums, design, theta_c), add_parts)
    cert_inv = equilibrated_inverse(cert)
    if cert_inv is None:
        return False
    v = (cert_inv @ g.ravel()).reshape(design.n_blocks, design.n_terms)
    v_err = _solve_error(cert_inv, r_abs, design)
    if not np.all(np.isfinite(v)):
        return False
    if certified_by_reach(design, theta_c, v, v_err):
        return True
    return bool(reduce_rows(objective, partial(_certify_rows, design, theta_c, v, v_err), _both))


def _reference_from_symmetric(
    info: FloatArray, K: int, m: int, fi: bool, meat: FloatArray
) -> tuple[FloatArray | None, FloatArray | None]:
    """Covariance of β_k = B_k − B_0 (k = 1..K−1) from a penalized symmetric information,
    and the HC0 sandwich built on the same inverse from the symmetric score ``meat``.

    Under an L2 penalty the symmetric information is singular only along the
    shifts of the intercepts (adding one number to every class's intercept).
    Adding a multiple of the projector onto those shifts gives ``H⁺ + c·P``;
    the difference map ``A`` annihilates the ``P`` part (and the scores, which
    sum to zero over the classes, have no part along it).
    """
    mask = np.zeros(m)
    if fi:
        mask[0] = 1.0
    proj = np.kron(np.ones((K, K)) / K, np.diag(mask))
    scale = max(float(np.trace(info)) / info.shape[0], 1e-300)
    full = equilibrated_inverse(info + scale * proj)
    if full is None:
        return None, None
    A = np.kron(np.hstack([-np.ones((K - 1, 1)), np.eye(K - 1)]), np.eye(m))
    cov = np.asarray(A @ full @ A.T, dtype=np.float64)
    sandwich = np.asarray(A @ full @ meat @ full @ A.T, dtype=np.float64)
    return cov, sandwich


def null_log_likelihood(labels: IntArray, sample_weight: FloatArray | None, K: int) -> float:
    """Weighted log-likelihood of the intercept-only model (class frequencies)."""
    return _null_from_counts(
        np.bincount(labels, weights=sample_weight, minlength=K).astype(np.float64)
    )


def _null_from_counts(counts: FloatArray) -> float:
    """The intercept-only log-likelihood from the (weighted) class counts."""
    total = float(np.sum(counts))
    present = counts > 0
    return float(np.sum(counts[present] * np.log(counts[present] / total)))


def leverage_covariance(
    state: FitState,
    X: FloatArray,
    labels: IntArray,
    sample_weight: FloatArray | None,
    cov_type: str,
) -> FloatArray:
    """HC2 or HC3 of a binary model from its training data (one pass).

    Each row's score outer product is divided by ``1 − hᵢ`` (HC2) or
    ``(1 − hᵢ)²`` (HC3), ``hᵢ = sᵢ p̂ᵢ(1 − p̂ᵢ)·zᵢᵀVzᵢ`` the GLM leverage.

    Raises
    ------
    ValueError
        When the covariance is not defined for this fit, or the model is not binary.
    """
    if cov_type not in ("HC2", "HC3"):
        raise ValueError(f"cov_type must be 'HC2' or 'HC3' here, got {cov_type!r}")
    V = state.cov_centered
    if V is None or "HC0" not in state.meats:
        raise ValueError(f"cov_type={cov_type!r} is not available: {state.robust_note}")
    if state.n_classes != 2:
        raise ValueError(
            f"cov_type={cov_type!r} needs per-row leverages, implemented for binary models only"
        )
    design = state.design
    theta_c = centered_theta(design, state.theta)
    power = 1.0 if cov_type == "HC2" else 2.0
    m = design.n_terms
    meat = np.zeros((m, m))
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        s = np.ones(Z.shape[0]) if sample_weight is None else sample_weight[sl]
        P = probabilities(design, theta_c, Z)
        h = np.minimum(s * P[:, 0] * P[:, 1] * np.sum((Z @ V) * Z, axis=1), 1.0 - 1e-12)
        r2 = residuals(P, labels[sl])[:, 0] ** 2 * s
        (gram,) = block_grams(Z, [(r2 / (1.0 - h) ** power)[:, None, None]])
        meat += gram
    T = design.uncenter()
    return np.asarray(T @ (V @ meat @ V) @ T.T, dtype=np.float64)


def cluster_covariance(
    state: FitState,
    X: FloatArray,
    labels: IntArray,
    sample_weight: FloatArray | None,
    groups: np.ndarray,
) -> FloatArray:
    """Cluster-robust covariance (statsmodels' ``cov_type="cluster"``, with its correction).

    ``V·(Σ_g u_g u_gᵀ)·V · G/(G − 1) · (n − 1)/(n − k)`` with ``u_g`` the summed
    scores of group g, G groups, n observations and k parameters.

    Raises
    ------
    ValueError
        When the covariance is not defined for this fit, or there are fewer than 2 groups.
    """
    design = state.design
    if state.cov_centered is None:
        raise ValueError(f"cov_type='cluster' is not available: {state.robust_note}")
    if "HC0" not in state.meats:
        raise ValueError(f"cov_type='cluster' is not available: {state.robust_note}")
    _, codes = np.unique(groups, return_inverse=True)
    codes = codes.reshape(-1)
    G = int(codes.max()) + 1 if codes.size else 0
    if G < 2:
        raise ValueError(f"cov_type='cluster' needs at least 2 groups, got {G}")
    q, m = design.n_blocks, design.n_terms
    theta_c = centered_theta(design, state.theta)
    sums = np.zeros((G, q * m))
    for sl in blocks(X.shape[0], X.shape[1]):
        Z = design.rows(X, sl)
        P = probabilities(design, theta_c, Z)
        R = residuals(P, labels[sl])
        if sample_weight is not None:
            R = R * sample_weight[sl, None]
        U = (R[:, :, None] * Z[:, None, :]).reshape(Z.shape[0], q * m)
        np.add.at(sums, codes[sl], U)
    V = state.cov_centered
    n, k = state.n_obs, state.theta.size
    if n <= k:
        raise ValueError(
            f"cov_type='cluster' needs more observations ({n:g}) than parameters ({k})"
        )
    sandwich = V @ (sums.T @ sums) @ V * (G / (G - 1.0)) * ((n - 1.0) / (n - k))
    T = design.uncenter()
    return np.asarray(T @ sandwich @ T.T, dtype=np.float64)
