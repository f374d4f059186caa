"""Statistical inference for fitted logistic models: the table under ``summary()``.

For an unpenalized or L2-penalized fit this module computes, per coefficient,
the estimate, its standard error, the Wald z statistic, the two-sided p-value,
a confidence interval and the odds ratio (with its interval), and for the
model the log-likelihood, the intercept-only (null) log-likelihood, the
likelihood-ratio test against it, McFadden's pseudo-R², AIC and BIC. It says
whether the classes are (quasi-)completely separated, in which case the
maximum-likelihood estimate does not exist and the usual standard errors mean
nothing; the result then says so instead of printing absurd numbers. Fits
with an L1 part (lasso, elastic net) get the estimates, odds ratios and
likelihood statistics only: no standard errors are defined at the kink of the
L1 penalty.

Everything is computed from a :class:`~logitlab.core.fitstate.FitState`, the
few matrices a fit keeps instead of its data.

Conventions
-----------
* Sample weights are read as *frequency* weights: a weight of 2 counts like
  the row appearing twice. ``n_obs`` is the sum of the weights.
* Standard errors come from the inverse observed information
  ``(Σ sᵢ ∇²ℓᵢ + (1/C)·D)⁻¹`` where ``D`` is 1 on the weights and 0 on the
  intercepts, computed scale-invariantly (centered and equilibrated, see
  :mod:`logitlab.core.covariance`). With a finite ``C`` (``penalized=True``)
  this is the Laplace (Gaussian-prior posterior) approximation around the
  *penalized* estimate: the standard errors describe the shrunk fit, not the
  sampling spread of the maximum-likelihood estimate.
* ``cov_type`` "HC0" – "HC3" and "cluster" give sandwich covariances (see
  :mod:`logitlab.core.fitstate`).
* Binary model: one block, the log-odds of ``classes[1]`` against
  ``classes[0]``.
* Multinomial model: the fit uses the symmetric parametrization (one
  coefficient row ``B_k`` per class). The table reports the reference-class
  parametrization of statsmodels' ``MNLogit``: with the first class as the
  reference, block ``k`` (k = 1 .. K-1) holds ``β_k = B_k − B_0``, the log-odds
  of class ``k`` against class 0. The probabilities are unchanged by this map.
* The null model always has an intercept (as in statsmodels), with or
  without ``fit_intercept``; the likelihood-ratio test has
  ``n_params − n_blocks`` degrees of freedom, as statsmodels' ``df_model``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.special
import scipy.stats

from logitlab.core.fitstate import FitState, compute_fit_state
from logitlab.core.objective import Objective
from logitlab.core.separation import Separation, detect_separation
from logitlab.core.types import FloatArray

__all__ = [
    "INTERCEPT_NAME",
    "CoefficientBlock",
    "Inference",
    "Separation",
    "detect_separation",
    "format_inference",
    "infer",
    "infer_state",
]

#: The name of the intercept row in every table.
INTERCEPT_NAME = "intercept"


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

    @property
    def odds_ratio_ci_low(self) -> FloatArray:
        """Lower end of the odds ratio's interval, ``exp(ci_low)``."""
        return _exp(self.ci_low)

    @property
    def odds_ratio_ci_high(self) -> FloatArray:
        """Upper end of the odds ratio's interval, ``exp(ci_high)``."""
        return _exp(self.ci_high)


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
        Separation of the classes; None when there is none.
    separation_checked : bool
        Whether the separation check ran (it always does now).
    confidence : float
        Level of the confidence intervals (0.95 gives 95 % intervals).
    notes : tuple of str
        Plain-language warnings about the table (separation, penalty, singular information).
    l1_ratio : float
        Elastic-net mixing of the penalty (0 for L2 or no penalty). With an L1
        part no standard errors are reported (all NaN) and ``n_params`` counts
        the nonzero estimates.
    converged : bool
        False when the solver stopped before its convergence test held, or an
        unpenalized fit is separated (its estimates diverge).
    n_iter : int
        Solver iterations.
    cov_type : str
        Covariance behind the standard errors ("nonrobust", "HC0" .. "HC3", "cluster").
    llr, llr_pvalue : float
        Likelihood-ratio statistic against the null model, 2·(ℓ − ℓ₀), and its
        chi-squared p-value on ``llr_df`` degrees of freedom.
    llr_df : int
    separation_method : str
        How the separation verdict was reached.
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
    converged: bool = True
    n_iter: int = 0
    cov_type: str = "nonrobust"
    llr: float = math.nan
    llr_pvalue: float = math.nan
    llr_df: int = 0
    separation_method: str = ""

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
            "llr": _json_float(self.llr),
            "llr_pvalue": _json_float(self.llr_pvalue),
            "llr_df": self.llr_df,
            "penalized": self.penalized,
            "C": _json_float(self.C),
            "l1_ratio": self.l1_ratio,
            "separation": self.separation,
            "separation_checked": self.separation_checked,
            "converged": self.converged,
            "n_iter": self.n_iter,
            "cov_type": self.cov_type,
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
    n_iter: int = 0,
    check_separation: bool | None = None,
) -> Inference:
    """Inference for the fit ``coef`` of ``objective`` (nonrobust covariance).

    A shortcut for ``infer_state(compute_fit_state(objective, coef, ...), ...)``.

    Parameters
    ----------
    objective : Objective
        The objective that was minimized (data, model, sample weights, penalty).
    coef : ndarray of shape (objective.n_coef,)
        The fitted flat coefficients (symmetric parametrization for K ≥ 3).
    feature_names : sequence of str of length n_features, default x1 .. xp
    class_names : sequence of str of length n_classes, default "0" .. "K-1"
    confidence : float in (0, 1), default=0.95
    converged : bool, default=True
        Whether the solver converged.
    n_iter : int, default=0
    check_separation : bool or None, default=None
        Accepted for compatibility; the separation check now always runs (its
        cost is comparable to one pass over the data, see
        :mod:`logitlab.core.separation`).

    Returns
    -------
    Inference
    """
    state = compute_fit_state(objective, coef, converged=converged, n_iter=n_iter)
    return infer_state(
        state, feature_names=feature_names, class_names=class_names, confidence=confidence
    )


def infer_state(
    state: FitState,
    *,
    feature_names: Sequence[str] | None = None,
    class_names: Sequence[str] | None = None,
    confidence: float = 0.95,
    cov_type: str = "nonrobust",
    cov: FloatArray | None = None,
) -> Inference:
    """Inference from a fit's :class:`FitState`.

    Parameters
    ----------
    state : FitState
    feature_names, class_names, confidence
        As in :func:`infer`.
    cov_type : str, default="nonrobust"
        The covariance behind the standard errors (see ``FitState.covariance``).
    cov : ndarray or None
        An already computed covariance of ``state.theta`` (the cluster
        covariance); it overrides ``cov_type``'s lookup and ``cov_type`` only names it.

    Raises
    ------
    ValueError
        If the names have the wrong length, ``confidence`` is outside (0, 1) or
        ``cov_type`` is unknown or unavailable.
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    design = state.design
    K = design.n_classes
    p = design.center.shape[0]
    fi = design.fit_intercept
    if feature_names is None:
        feature_names = [f"x{j + 1}" for j in range(p)]
    if len(feature_names) != p:
        raise ValueError(f"feature_names has {len(feature_names)} names for {p} features")
    if class_names is None:
        class_names = [str(k) for k in range(K)]
    if len(class_names) != K:
        raise ValueError(f"class_names has {len(class_names)} names for {K} classes")
    if cov is None:
        cov = state.covariance(cov_type)
    q, m = design.n_blocks, design.n_terms
    hide = state.has_l1 or (state.separation is not None and not state.penalized)
    notes = _notes(
        state.separation,
        penalized=state.penalized,
        C=state.C,
        l1_ratio=state.l1_ratio,
        singular=not hide and cov is None and state.singular,
        converged=state.solver_converged,
        n_iter=state.n_iter,
    )
    if not state.separation_checked:
        tail = (
            "standard errors are not reported"
            if cov is None
            else "the standard errors assume the classes are not separated"
        )
        notes = (*notes, f"Separation was {state.separation_method}; {tail}.")
    if cov_type != "nonrobust" and not hide:
        notes = (*notes, _robust_note(cov_type))

    zq = float(scipy.special.ndtri(0.5 + confidence / 2.0))
    names = ((INTERCEPT_NAME,) if fi else ()) + tuple(str(n) for n in feature_names)
    se_all = (
        np.full(q * m, np.nan) if cov is None or hide else np.sqrt(np.maximum(np.diag(cov), 0.0))
    )
    blocks = []
    for k in range(q):
        est = np.asarray(state.theta[k * m : (k + 1) * m], dtype=np.float64)
        se = se_all[k * m : (k + 1) * m]
        with np.errstate(divide="ignore", invalid="ignore"):
            z = est / se
        pval = 2.0 * scipy.special.ndtr(-np.abs(z))
        label = str(class_names[1] if K == 2 else class_names[k + 1])
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

    ll, ll0, n_obs, k_params = (
        state.log_likelihood,
        state.null_log_likelihood,
        state.n_obs,
        state.n_params,
    )
    pseudo_r2 = 1.0 - ll / ll0 if ll0 < 0.0 else math.nan
    llr = 2.0 * (ll - ll0)
    llr_df = k_params - q
    llr_p = float(scipy.stats.chi2.sf(llr, llr_df)) if llr_df > 0 else math.nan
    return Inference(
        blocks=tuple(blocks),
        reference=str(class_names[0]),
        n_obs=n_obs,
        n_params=k_params,
        log_likelihood=ll,
        null_log_likelihood=ll0,
        pseudo_r2=pseudo_r2,
        aic=-2.0 * ll + 2.0 * k_params,
        bic=-2.0 * ll + math.log(n_obs) * k_params if n_obs > 0 else math.nan,
        penalized=state.penalized,
        C=state.C,
        separation=state.separation,
        separation_checked=state.separation_checked,
        confidence=confidence,
        notes=notes,
        l1_ratio=state.l1_ratio,
        converged=state.converged,
        n_iter=state.n_iter,
        cov_type=cov_type,
        llr=llr,
        llr_pvalue=llr_p,
        llr_df=llr_df,
        separation_method=state.separation_method,
    )


def _robust_note(cov_type: str) -> str:
    if cov_type == "cluster":
        return "Standard errors are cluster-robust (correction G/(G−1)·(n−1)/(n−k))."
    return f"Standard errors are heteroscedasticity-robust ({cov_type})."


def _notes(
    separation: Separation | None,
    *,
    penalized: bool,
    C: float,
    l1_ratio: float,
    singular: bool,
    converged: bool = True,
    n_iter: int = 0,
) -> tuple[str, ...]:
    """The plain-language warnings printed under the table."""
    notes = []
    if not converged:
        notes.append(
            f"The solver did not converge (stopped after {n_iter} iterations): the "
            "estimates may be off. Raise max_iter, standardize the features or add a penalty."
        )
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


# ----------------------------------------------------------------------------- text


def _fmt(value: float) -> str:
    """A table cell: 4 decimals, or 4 significant digits in e-notation when very large/small."""
    if not math.isfinite(value):
        return "—" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value != 0.0 and (abs(value) >= 1e5 or abs(value) < 1e-3):
        return f"{value:.3e}"
    return f"{value:.4f}"


def _fmt_p(value: float) -> str:
    if math.isnan(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def _fmt_g(value: float) -> str:
    """4 significant digits (p-values of the likelihood-ratio test: 8.588e-08, 0)."""
    return "—" if math.isnan(value) else f"{value:.4g}"


def _fmt_full(value: float) -> str:
    """Every digit of the integer part (AIC, BIC, log-likelihoods), 4 decimals."""
    if not math.isfinite(value):
        return "—" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return f"{value:.4f}"


def _fmt_count(value: float) -> str:
    """An observation count: an integer when it is one, else its shortest exact form."""
    if math.isfinite(value) and value == round(value):
        return str(round(value))
    return repr(float(value))


#: Least gap between two table columns, in spaces.
_GAP = 2
#: The usual width of each column (values of ordinary size print in these,
#: so ordinary tables keep their layout); a wider cell widens its column.
_MIN_WIDTHS = (13, 10, 10, 9, 8, 10, 10, 12)


def _column_widths(rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width: its usual width, or its widest cell plus the gap.

    The first (name) column is left-aligned and gets one space after the
    longest name; the others are right-aligned and always keep ``_GAP``
    spaces before their widest cell, so no two columns can run together.
    """
    widths = []
    for j, least in enumerate(_MIN_WIDTHS):
        widest = max(len(r[j]) for r in rows)
        widths.append(max(least, widest + (1 if j == 0 else _GAP)))
    return widths


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    first = f"{cells[0]:<{widths[0]}}"
    return first + "".join(f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))


def coefficient_header(confidence: float) -> list[str]:
    """Column titles of the coefficient table (the interval's bounds at ``confidence``)."""
    lo = (1.0 - confidence) / 2.0
    return ["estimate", "std err", "z", "P>|z|", f"[{lo:.3g}", f"{1 - lo:.3g}]", "odds ratio"]


def coefficient_cells(block: CoefficientBlock, j: int) -> list[str]:
    """The formatted cells of coefficient ``j`` of ``block``, in the header's order."""
    return [
        _fmt(float(block.estimate[j])),
        _fmt(float(block.std_error[j])),
        _fmt(float(block.z[j])),
        _fmt_p(float(block.p_value[j])),
        _fmt(float(block.ci_low[j])),
        _fmt(float(block.ci_high[j])),
        _fmt(float(block.odds_ratio[j])),
    ]


def format_inference(result: Inference) -> str:
    """A statsmodels-style text table of ``result``.

    Every column keeps at least two spaces before its widest cell, so no two
    columns run together whatever the values; AIC, BIC, the log-likelihoods
    and the number of observations print with all the digits of their integer part.
    """
    header = ["", *coefficient_header(result.confidence)]
    tables = [
        [[name, *coefficient_cells(block, j)] for j, name in enumerate(block.names)]
        for block in result.blocks
    ]
    # One set of widths for every block, so the blocks line up.
    widths = _column_widths([header] + [r for rows in tables for r in rows])

    kind = "Multinomial" if result.is_multinomial else "Binary"
    penalty = _penalty_text(result.C, result.l1_ratio)
    sep = result.separation or ("none" if result.separation_checked else "not checked")
    converged = ("yes" if result.converged else "no") + f" ({result.n_iter} iterations)"
    if result.separation is not None and not result.penalized:
        converged = f"no (separated; {result.n_iter} iterations)"
    pairs = [
        (
            "Observations:",
            _fmt_count(result.n_obs),
            "Log-likelihood:",
            _fmt_full(result.log_likelihood),
        ),
        (
            "Parameters:",
            str(result.n_params),
            "Null log-likelihood:",
            _fmt_full(result.null_log_likelihood),
        ),
        ("Penalty:", penalty, "Pseudo R² (McFadden):", _fmt(result.pseudo_r2)),
        ("Separation:", sep, "LLR p-value:", _fmt_g(result.llr_pvalue)),
        ("Converged:", converged, "AIC:", _fmt_full(result.aic)),
        ("Covariance:", result.cov_type, "BIC:", _fmt_full(result.bic)),
        ("Reference class:", result.reference, "", ""),
    ]
    width = sum(widths)
    half = width // 2
    body = []
    value_width = max(half - 20, *(len(b) for _, b, _, _ in pairs))
    for a, b, c, d in pairs:
        left = f"{a:<18}{b:>{value_width}}  "
        right = f"{c:<22}{d:>{max(width - len(left) - 22, len(d) + 1)}}" if c else ""
        body.append((left + right).rstrip())
    width = max(width, *(len(line) for line in body))
    lines = [f"{kind} logistic regression".center(width), "=" * width, *body]
    for block, rows in zip(result.blocks, tables, strict=True):
        lines.append("=" * width)
        lines.append(f"log-odds of class {block.label} vs {result.reference}")
        lines.append(_row(header, widths))
        lines.append("-" * width)
        lines.extend(_row(r, widths) for r in rows)
    lines.append("=" * width)
    lines.extend(
        textwrap.fill(note, width, initial_indent="Note: ", subsequent_indent="      ")
        for note in result.notes
    )
    return "\n".join(lines)
