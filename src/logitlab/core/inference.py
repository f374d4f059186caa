"""Statistical inference for fitted logistic models: the table under ``summary()``.

For an unpenalized or L2-penalized fit this module computes, per coefficient,
the estimate, its standard error, the Wald z statistic, the two-sided p-value,
a confidence interval and the odds ratio, and for the model the
log-likelihood, the intercept-only (null) log-likelihood, McFadden's pseudo-R²,
AIC and BIC. It also checks whether the classes are (quasi-)completely
separated, in which case the maximum-likelihood estimate does not exist and the
usual standard errors mean nothing; the result then says so instead of
printing absurd numbers. Fits with an L1 part (lasso, elastic net) get the
estimates, odds ratios and likelihood statistics only: no standard errors are
defined at the kink of the L1 penalty.

Conventions
-----------
* Sample weights are read as *frequency* weights: a weight of 2 counts like
  the row appearing twice. ``n_obs`` is the sum of the weights.
* Standard errors come from the inverse observed information
  ``(Σ sᵢ ∇²ℓᵢ + (1/C)·D)⁻¹`` where ``D`` is 1 on the weights and 0 on the
  intercepts. With a finite ``C`` (``penalized=True``) this is the Laplace
  (Gaussian-prior posterior) approximation around the *penalized* estimate:
  the standard errors describe the shrunk fit, not the sampling spread of the
  maximum-likelihood estimate.
* Binary model: one block, the log-odds of ``classes[1]`` against
  ``classes[0]``.
* Multinomial model: the fit uses the symmetric parametrization (one
  coefficient row ``B_k`` per class). The table reports the reference-class
  parametrization of statsmodels' ``MNLogit``: with the first class as the
  reference, block ``k`` (k = 1 .. K-1) holds ``β_k = B_k − B_0``, the log-odds
  of class ``k`` against class 0. The probabilities are unchanged by this map.
  Its covariance is ``A·H⁺·Aᵀ`` where ``A`` takes the differences and ``H⁺`` is
  a generalized inverse of the (singular) symmetric information matrix; the
  result does not depend on which generalized inverse is used because ``A``
  annihilates the directions the softmax cannot see.
* The null model always has an intercept (as in statsmodels), with or
  without ``fit_intercept``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import scipy.optimize
import scipy.special

from logitlab.core.objective import Objective
from logitlab.core.types import FloatArray

Separation = Literal["complete", "quasi-complete"]

#: The name of the intercept row in every table.
INTERCEPT_NAME = "intercept"

#: Above this many LP matrix entries the separation check runs only when the fit suggests it.
_SEPARATION_ALWAYS_BELOW = 200_000
#: A fitted probability of the observed class above this suggests (quasi-)separation ...
_EXTREME_PROBABILITY = 1.0 - 1e-6
#: ... when more than this fraction of the rows has one (large problems only).
_EXTREME_FRACTION = 0.01


@dataclass(frozen=True)
class CoefficientBlock:
    """The coefficient table of one linear predictor (one class against the reference).

    Every array has shape (n_terms,), in the order of ``names``: the intercept
    first (when fitted), then the features.
    """

    label: str
    """The class whose log-odds against the reference class this block models."""
    names: tuple[str, ...]
    estimate: FloatArray
    std_error: FloatArray
    z: FloatArray
    p_value: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    odds_ratio: FloatArray


@dataclass(frozen=True)
class Inference:
    """Inference for a fitted logistic model; see the module docstring for conventions.

    Attributes
    ----------
    blocks : tuple of CoefficientBlock
        One block for a binary model; K-1 blocks (one per non-reference class)
        for a K-class model.
    reference : str
        The reference class (``classes[0]``).
    n_obs : float
        Number of observations (sum of the sample weights).
    n_params : int
        Number of estimated parameters (as counted for AIC/BIC).
    log_likelihood, null_log_likelihood : float
        Log-likelihood at the estimate and of the intercept-only model.
    pseudo_r2 : float
        McFadden's 1 − log_likelihood / null_log_likelihood.
    aic, bic : float
        −2·log_likelihood + 2·n_params and −2·log_likelihood + log(n_obs)·n_params.
    penalized : bool
        True for a finite C: the standard errors describe the penalized fit.
    C : float
        Inverse penalty strength of the fit (``inf`` when unpenalized).
    separation : {"complete", "quasi-complete"} or None
        Separation of the classes found by the linear-programming check;
        None when there is none (or the check was not run, see ``separation_checked``).
    separation_checked : bool
        Whether the linear-programming check ran.
    confidence : float
        Level of the confidence intervals (0.95 gives 95 % intervals).
    notes : tuple of str
        Plain-language warnings about the table (separation, penalty, singular information).
    l1_ratio : float
        Elastic-net mixing of the penalty (0 for L2 or no penalty). With an L1
        part no standard errors are reported (all NaN) and ``n_params`` counts
        the nonzero estimates.
    """

    blocks: tuple[CoefficientBlock, ...]
    reference: str
    n_obs: float
    n_params: int
    log_likelihood: float
    null_log_likelihood: float
    pseudo_r2: float
    aic: float
    bic: float
    penalized: bool
    C: float
    separation: Separation | None
    separation_checked: bool
    confidence: float = 0.95
    notes: tuple[str, ...] = field(default=())
    l1_ratio: float = 0.0

    @property
    def is_multinomial(self) -> bool:
        return len(self.blocks) > 1

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (NaN and ±inf become None).

        ``coefficients`` is a list with one entry per (class, term) in table
        order, each ``{"class", "name", "estimate", "std_error", "z",
        "p_value", "ci_low", "ci_high", "odds_ratio"}``; ``"class"`` is the
        block's label (for a binary model, the positive class).
        """
        rows: list[dict[str, object]] = []
        for block in self.blocks:
            for j, name in enumerate(block.names):
                rows.append(
                    {
                        "class": block.label,
                        "name": name,
                        "estimate": _json_float(block.estimate[j]),
                        "std_error": _json_float(block.std_error[j]),
                        "z": _json_float(block.z[j]),
                        "p_value": _json_float(block.p_value[j]),
                        "ci_low": _json_float(block.ci_low[j]),
                        "ci_high": _json_float(block.ci_high[j]),
                        "odds_ratio": _json_float(block.odds_ratio[j]),
                    }
                )
        return {
            "model": "multinomial" if self.is_multinomial else "binary",
            "reference": self.reference,
            "n_obs": _json_float(self.n_obs),
            "n_params": self.n_params,
            "log_likelihood": _json_float(self.log_likelihood),
            "null_log_likelihood": _json_float(self.null_log_likelihood),
            "pseudo_r2": _json_float(self.pseudo_r2),
            "aic": _json_float(self.aic),
            "bic": _json_float(self.bic),
            "penalized": self.penalized,
            "C": _json_float(self.C),
            "l1_ratio": self.l1_ratio,
            "separation": self.separation,
            "separation_checked": self.separation_checked,
            "confidence": self.confidence,
            "notes": list(self.notes),
            "coefficients": rows,
        }

    def __str__(self) -> str:
        return format_inference(self)


def _json_float(value: float | np.floating) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


# ----------------------------------------------------------------------------- computing


def infer(
    objective: Objective,
    coef: FloatArray,
    *,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
    confidence: float = 0.95,
    converged: bool = True,
    check_separation: bool | None = None,
) -> Inference:
    """Inference for the fit ``coef`` of ``objective``.

    Parameters
    ----------
    objective : Objective
        The objective that was minimized (data, model, sample weights, penalty).
        With an L1 part only the estimates, odds ratios and likelihood
        statistics are reported (standard errors and what derives from them are NaN).
    coef : ndarray of shape (objective.n_coef,)
        The fitted flat coefficients (symmetric parametrization for K ≥ 3).
    feature_names : sequence of str of length n_features, default x1 .. xp
    class_names : sequence of str of length n_classes, default "0" .. "K-1"
    confidence : float in (0, 1), default=0.95
    converged : bool, default=True
        Whether the solver converged; False triggers the separation check.
    check_separation : bool or None, default=None
        True always runs the linear-programming separation check, False never;
        None runs it on small problems (up to about 200,000 entries in the
        linear program) and, on larger ones, when the fit suggests separation:
        no convergence, or more than 1 % of the rows fitted with a probability
        within 1e-6 of 0 or 1. (The check takes about 1 s per 100,000 rows.)

    Returns
    -------
    Inference

    Raises
    ------
    ValueError
        If the names have the wrong length or ``confidence`` is outside (0, 1).
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    penalty = objective.penalty
    model = objective.model
    K = model.n_classes
    p = objective.n_features
    fi = model.fit_intercept
    if feature_names is None:
        feature_names = [f"x{j + 1}" for j in range(p)]
    if len(feature_names) != p:
        raise ValueError(f"feature_names has {len(feature_names)} names for {p} features")
    if class_names is None:
        class_names = [str(k) for k in range(K)]
    if len(class_names) != K:
        raise ValueError(f"class_names has {len(class_names)} names for {K} classes")
    coef = np.asarray(coef, dtype=np.float64)
    m = p + int(fi)

    sw = objective.sample_weight
    sw_sum = float(objective.n_samples) if sw is None else float(np.sum(sw))
    log_lik = -objective.cross_entropy(coef) * sw_sum
    null_log_lik = _null_log_likelihood(objective)
    penalized = penalty.alpha > 0.0
    C = 1.0 / (penalty.alpha * sw_sum) if penalized else math.inf
    has_l1 = penalty.l1 > 0.0

    if model.is_binary:
        estimate_rows = coef.reshape(1, m)
    else:
        B = coef.reshape(K, m)
        estimate_rows = B[1:] - B[0]
    covs: list[FloatArray | None] = [None] * len(estimate_rows)
    if not has_l1:
        _, _, hess = objective.smooth_value_gradient_hessian(coef)
        info = hess * sw_sum  # observed information (+ 1/C on the weights)
        if model.is_binary:
            covs = [_safe_inverse(info)]
        else:
            covs = _reference_covariances(info, K, m, penalized=penalized, fit_intercept=fi)
    # With an L1 part the degrees of freedom are the nonzero coefficients (Zou et al., 2007).
    n_params = int(np.count_nonzero(estimate_rows)) if has_l1 else estimate_rows.size

    run_check = check_separation
    if run_check is None:
        run_check = (
            not converged
            or objective.n_samples * (K - 1) * (m + 1) <= _SEPARATION_ALWAYS_BELOW
            or _probabilities_extreme(objective, coef)
        )
    separation = detect_separation(objective) if run_check else None
    hide = has_l1 or (separation is not None and not penalized)
    notes = _notes(
        separation,
        penalized=penalized,
        C=C,
        l1_ratio=penalty.l1_ratio,
        singular=not hide and any(c is None for c in covs),
    )

    zq = float(scipy.special.ndtri(0.5 + confidence / 2.0))
    names = ((INTERCEPT_NAME,) if fi else ()) + tuple(str(n) for n in feature_names)
    order = np.r_[m - 1, 0 : m - 1] if fi else np.arange(m)
    blocks = []
    for k, (row, cov) in enumerate(zip(estimate_rows, covs, strict=True)):
        est = np.asarray(row[order], dtype=np.float64)
        if cov is None or hide:
            se = np.full(m, np.nan)
        else:
            se = np.sqrt(np.maximum(np.diag(cov), 0.0))[order]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / se
        pval = 2.0 * scipy.special.ndtr(-np.abs(z))
        label = str(class_names[1] if model.is_binary else class_names[k + 1])
        blocks.append(
            CoefficientBlock(
                label=label,
                names=names,
                estimate=est,
                std_error=se,
                z=z,
                p_value=np.asarray(pval, dtype=np.float64),
                ci_low=est - zq * se,
                ci_high=est + zq * se,
                odds_ratio=_exp(est),
            )
        )

    pseudo_r2 = 1.0 - log_lik / null_log_lik if null_log_lik < 0.0 else math.nan
    return Inference(
        blocks=tuple(blocks),
        reference=str(class_names[0]),
        n_obs=sw_sum,
        n_params=n_params,
        log_likelihood=log_lik,
        null_log_likelihood=null_log_lik,
        pseudo_r2=pseudo_r2,
        aic=-2.0 * log_lik + 2.0 * n_params,
        bic=-2.0 * log_lik + math.log(sw_sum) * n_params if sw_sum > 0 else math.nan,
        penalized=penalized,
        C=C,
        separation=separation,
        separation_checked=run_check,
        confidence=confidence,
        notes=notes,
        l1_ratio=penalty.l1_ratio if penalized else 0.0,
    )


def _notes(
    separation: Separation | None,
    *,
    penalized: bool,
    C: float,
    l1_ratio: float,
    singular: bool,
) -> tuple[str, ...]:
    """The plain-language warnings printed under the table."""
    notes = []
    if separation is not None and penalized:
        notes.append(
            f"The classes are {separation}ly separated: the maximum-likelihood estimate does "
            "not exist, and these penalized estimates (and their standard errors) depend "
            "strongly on C."
        )
    elif separation is not None:
        notes.append(
            f"The classes are {separation}ly separated: the maximum-likelihood estimate does "
            "not exist (some coefficients grow without bound), so no standard errors, "
            "z, p-values or intervals are reported. Add a penalty (a finite C), drop or "
            "merge the separating features, or use exact/Firth logistic regression."
        )
    if penalized and l1_ratio > 0.0:
        notes.append(
            f"Penalized fit with an L1 part ({_penalty_text(C, l1_ratio)}): standard errors, "
            "z, p-values and intervals are not defined at the kink of the L1 penalty and are "
            "not reported; AIC and BIC count the nonzero coefficients. Refit with l1_ratio=0 "
            "for standard errors."
        )
    elif penalized:
        notes.append(
            f"Penalized fit (L2, C={C:g}): estimates are shrunk toward 0 and the standard errors "
            "describe the penalized fit (inverse penalized information), not the sampling "
            "spread of the maximum-likelihood estimate."
        )
    if singular:
        notes.append(
            "The information matrix is singular (collinear features or a constant feature "
            "alongside the intercept): standard errors are not identified."
        )
    return tuple(notes)


def _penalty_text(C: float, l1_ratio: float) -> str:
    if math.isinf(C):
        return "none"
    if l1_ratio == 0.0:
        return f"L2, C={C:g}"
    if l1_ratio == 1.0:
        return f"L1, C={C:g}"
    return f"elastic net, l1_ratio={l1_ratio:g}, C={C:g}"


def _exp(x: FloatArray) -> FloatArray:
    with np.errstate(over="ignore"):
        return np.asarray(np.exp(x), dtype=np.float64)


def _safe_inverse(info: FloatArray) -> FloatArray | None:
    """Inverse of a symmetric positive-definite matrix, or None when it is (near) singular."""
    eig = np.linalg.eigvalsh(info)
    if not np.all(np.isfinite(eig)) or eig[0] <= 1e-10 * max(eig[-1], 1e-300):
        return None
    return np.asarray(np.linalg.inv(info), dtype=np.float64)


def _reference_covariances(
    info: FloatArray, K: int, m: int, *, penalized: bool, fit_intercept: bool
) -> list[FloatArray | None]:
    """Covariance of each β_k = B_k − B_0 (k = 1..K-1) from the symmetric information matrix.

    The symmetric information is singular along the shifts that add one vector
    to every class row (all columns when unpenalized, only the intercept column
    under an L2 penalty). Adding the projector onto those shifts gives
    ``H⁺ + P`` whose ``P`` part vanishes under the difference map.
    """
    mask = np.ones(m) if not penalized else np.zeros(m)
    if penalized and fit_intercept:
        mask[-1] = 1.0
    proj = np.kron(np.ones((K, K)) / K, np.diag(mask))
    scale = max(float(np.trace(info)) / info.shape[0], 1e-300)
    full = _safe_inverse(info + scale * proj)
    if full is None:
        return [None] * (K - 1)
    A = np.kron(np.hstack([-np.ones((K - 1, 1)), np.eye(K - 1)]), np.eye(m))
    cov = A @ full @ A.T
    return [cov[k * m : (k + 1) * m, k * m : (k + 1) * m] for k in range(K - 1)]


def _null_log_likelihood(objective: Objective) -> float:
    """Weighted log-likelihood of the intercept-only model (class frequencies)."""
    K = objective.model.n_classes
    labels = objective.y.astype(np.intp)
    sw = objective.sample_weight
    weights = np.ones(objective.n_samples) if sw is None else sw
    counts = np.bincount(labels, weights=weights, minlength=K)
    total = float(np.sum(counts))
    present = counts > 0
    return float(np.sum(counts[present] * np.log(counts[present] / total)))


def _probabilities_extreme(objective: Objective, coef: FloatArray) -> bool:
    model = objective.model
    prob = model.probabilities(coef, objective.X)
    labels = objective.y.astype(np.intp)
    if model.is_binary:
        p_obs = np.where(labels == 1, prob, 1.0 - prob)
    else:
        p_obs = prob[np.arange(objective.n_samples), labels]
    return bool(np.mean(p_obs > _EXTREME_PROBABILITY) > _EXTREME_FRACTION)


# ----------------------------------------------------------------------------- separation


def detect_separation(objective: Objective) -> Separation | None:
    """Whether the classes of ``objective`` are (quasi-)completely separated.

    With β_0 = 0 and the intercept column appended when fitted, the data are
    *quasi-completely separated* when some β ≠ 0 gives every row a margin
    ``xᵢ·(β_{yᵢ} − β_k) ≥ 0`` for all k ≠ yᵢ with at least one strict
    inequality, and *completely separated* when every margin can be made
    strictly positive (Albert & Anderson, 1984). Both are linear programs over
    the box |β| ≤ 1 (solved with HiGHS through ``scipy.optimize.linprog``):
    maximize the summed margins (quasi) and the smallest margin (complete).
    Rows with zero weight are ignored; columns are scaled to max |x| = 1.

    Returns
    -------
    "complete", "quasi-complete" or None
    """
    model = objective.model
    K = model.n_classes
    X = objective.X
    labels = objective.y.astype(np.intp)
    if objective.sample_weight is not None:
        keep = objective.sample_weight > 0
        X, labels = X[keep], labels[keep]
    n = X.shape[0]
    if n == 0:
        return None
    if model.fit_intercept:
        X = np.hstack([X, np.ones((n, 1))])
    scale = np.max(np.abs(X), axis=0)
    scale[scale == 0.0] = 1.0
    X = X / scale
    m = X.shape[1]
    n_free = (K - 1) * m  # β_1 .. β_{K-1}; β_0 = 0
    rows = []
    for k in range(K):
        # Margin of each row i with yᵢ ≠ k against class k: xᵢ·(β_{yᵢ} − β_k).
        others = labels != k
        Xi = X[others]
        yi = labels[others]
        M = np.zeros((Xi.shape[0], K, m))
        M[np.arange(Xi.shape[0]), yi] += Xi
        M[:, k] -= Xi
        rows.append(M[:, 1:, :].reshape(Xi.shape[0], n_free))
    margins = np.vstack(rows)  # (n·(K-1), n_free)
    n_con = margins.shape[0]
    bounds = [(-1.0, 1.0)] * n_free

    # Quasi-complete: max Σ margins s.t. margins ≥ 0.
    quasi = scipy.optimize.linprog(
        -np.sum(margins, axis=0),
        A_ub=-margins,
        b_ub=np.zeros(n_con),
        bounds=bounds,
        method="highs",
    )
    if quasi.status != 0 or -quasi.fun <= 1e-6:
        return None
    # Complete: max t s.t. margins ≥ t, t ≤ 1.
    c = np.zeros(n_free + 1)
    c[-1] = -1.0
    complete = scipy.optimize.linprog(
        c,
        A_ub=np.hstack([-margins, np.ones((n_con, 1))]),
        b_ub=np.zeros(n_con),
        bounds=[*bounds, (None, 1.0)],
        method="highs",
    )
    if complete.status == 0 and -complete.fun > 1e-9:
        return "complete"
    return "quasi-complete"


# ----------------------------------------------------------------------------- text


def _fmt(value: float, width: int = 10) -> str:
    if not math.isfinite(value):
        return f"{'—' if math.isnan(value) else ('inf' if value > 0 else '-inf'):>{width}}"
    if value != 0.0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:>{width}.3e}"
    return f"{value:>{width}.4f}"


def _fmt_p(value: float) -> str:
    if math.isnan(value):
        return f"{'—':>8}"
    return f"{'<0.001':>8}" if value < 0.001 else f"{value:>8.3f}"


def format_inference(result: Inference) -> str:
    """A statsmodels-style text table of ``result``."""
    name_width = max(12, *(len(n) for b in result.blocks for n in b.names)) + 1
    lo = (1.0 - result.confidence) / 2.0
    head = (
        f"{'':<{name_width}}{'estimate':>10}{'std err':>10}{'z':>9}{'P>|z|':>8}"
        f"{f'[{lo:.3g}':>10}{f'{1 - lo:.3g}]':>10}{'odds ratio':>12}"
    )
    width = len(head)
    kind = "Multinomial" if result.is_multinomial else "Binary"
    penalty = _penalty_text(result.C, result.l1_ratio)
    sep = result.separation or ("none" if result.separation_checked else "not checked")
    pairs = [
        ("Observations:", f"{result.n_obs:g}", "Log-likelihood:", _fmt(result.log_likelihood)),
        (
            "Parameters:",
            str(result.n_params),
            "Null log-likelihood:",
            _fmt(result.null_log_likelihood),
        ),
        ("Penalty:", penalty, "Pseudo R² (McFadden):", _fmt(result.pseudo_r2)),
        ("Separation:", sep, "AIC:", _fmt(result.aic)),
        ("Reference class:", result.reference, "BIC:", _fmt(result.bic)),
    ]
    lines = [f"{kind} logistic regression".center(width), "=" * width]
    half = width // 2
    for a, b, c, d in pairs:
        left = f"{a:<18}{b:>{half - 20}}  "
        lines.append(f"{left}{c:<22}{d.strip():>{width - len(left) - 22}}")
    for block in result.blocks:
        lines.append("=" * width)
        lines.append(f"log-odds of class {block.label} vs {result.reference}")
        lines.append(head)
        lines.append("-" * width)
        for j, name in enumerate(block.names):
            lines.append(
                f"{name:<{name_width}}{_fmt(float(block.estimate[j]))}"
                f"{_fmt(float(block.std_error[j]))}{_fmt(float(block.z[j]), 9)}"
                f"{_fmt_p(float(block.p_value[j]))}{_fmt(float(block.ci_low[j]))}"
                f"{_fmt(float(block.ci_high[j]))}{_fmt(float(block.odds_ratio[j]), 12)}"
            )
    lines.append("=" * width)
    lines.extend(
        textwrap.fill(note, width, initial_indent="Note: ", subsequent_indent="      ")
        for note in result.notes
    )
    return "\n".join(lines)
