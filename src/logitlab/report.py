"""What ``logitlab fit`` prints: the fit report as text or as one JSON object.

The coefficient table and the likelihood-based statistics come from
:class:`logitlab.core.inference.Inference`; this module adds what the command
line knows besides (the file, the columns, the options) and the in-sample
accuracy and ROC AUC, and renders everything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from logitlab.core.inference import Inference

__all__ = ["FitReport", "render_json", "render_text"]


@dataclass(frozen=True)
class FitReport:
    """Everything ``logitlab fit`` reports about one fit.

    Attributes
    ----------
    source : str
        The data file.
    target : str
        The target column.
    features : tuple of str
        Feature columns, in model order.
    n_samples : int
        Rows used.
    classes : tuple of str
        Class labels, sorted as the model sorts them; the first is the reference.
    C : float
        Inverse penalty strength (``inf`` = no penalty).
    l1_ratio : float
        Elastic-net mixing of the penalty (0 = L2).
    standardized : bool
        Whether the features were scaled to mean 0 and standard deviation 1 first
        (the coefficients are then per standard deviation).
    class_weight : str or None
        ``"balanced"`` or None.
    inference : Inference
        Coefficient table, log-likelihood, pseudo-R², AIC, BIC, notes.
    accuracy : float
        Share of training rows whose most probable class is the true one.
    roc_auc : float
        In-sample area under the ROC curve (binary), or the unweighted mean of
        the one-vs-rest areas (multinomial).
    n_iter : int
        Solver iterations.
    converged : bool
        Whether the solver met its tolerance.
    """

    source: str
    target: str
    features: tuple[str, ...]
    n_samples: int
    classes: tuple[str, ...]
    C: float
    l1_ratio: float
    standardized: bool
    class_weight: str | None
    inference: Inference
    accuracy: float
    roc_auc: float
    n_iter: int
    converged: bool

    @property
    def penalty(self) -> str:
        """The penalty in words: "none", "L2, C=1", "elastic net (l1_ratio=0.5), C=1", ..."""
        if math.isinf(self.C):
            return "none"
        if self.l1_ratio == 0.0:
            kind = "L2"
        elif self.l1_ratio == 1.0:
            kind = "L1"
        else:
            kind = f"elastic net (l1_ratio={self.l1_ratio:g})"
        return f"{kind}, C={self.C:g}"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready dict: the inference's fields (``coefficients`` ...) plus the fit's context."""
        out: dict[str, object] = {
            "data": self.source,
            "target": self.target,
            "features": list(self.features),
            "n_samples": self.n_samples,
            "classes": list(self.classes),
            "penalty": self.penalty,
            "l1_ratio": self.l1_ratio,
            "standardized": self.standardized,
            "class_weight": self.class_weight,
            "n_iter": self.n_iter,
            "converged": self.converged,
            "accuracy": _finite_or_none(self.accuracy),
            "roc_auc": _finite_or_none(self.roc_auc),
        }
        out.update(self.inference.to_dict())
        return out


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def render_json(report: FitReport) -> str:
    """One JSON object (strict JSON: NaN and infinities become null)."""
    return json.dumps(report.to_dict(), indent=2, allow_nan=False)


def _with_penalty_label(table: str, report: FitReport) -> str:
    """Name an L1 / elastic-net penalty in the header, which the inference table calls "L2"."""
    if report.l1_ratio == 0.0 or math.isinf(report.C):
        return table
    lines = table.splitlines()
    old = f"L2, C={report.C:g}"
    for i, line in enumerate(lines):
        if line.startswith("Penalty:") and old in line:
            start = line.index(old)
            label = ("L1" if report.l1_ratio == 1.0 else "elastic net") + f", C={report.C:g}"
            head = line[:start].rstrip()
            pad = max(len(line[: start + len(old)]) - len(head) - len(label), 1)
            lines[i] = head + " " * pad + label + line[start + len(old) :]
    return "\n".join(lines)


def render_text(report: FitReport) -> str:
    """The statsmodels-style table followed by the data, options and in-sample metrics."""
    table = _with_penalty_label(str(report.inference), report)
    width = next((len(line) for line in table.splitlines() if line.startswith("=")), 80)
    auc_name = "ROC AUC:" if len(report.classes) == 2 else "ROC AUC (one-vs-rest mean):"
    rows = [
        ("Data:", report.source),
        ("Target:", f"{report.target} (classes {', '.join(report.classes)})"),
        ("Rows used:", f"{report.n_samples:,}"),
        ("Features:", ", ".join(report.features)),
        ("Scaling:", "standardized (per SD)" if report.standardized else "none"),
        ("Class weights:", report.class_weight or "none"),
        ("Penalty:", report.penalty),
        (
            "Solver:",
            f"{report.n_iter} iterations, "
            + ("converged" if report.converged else "NOT converged"),
        ),
        ("Accuracy (training):", f"{report.accuracy:.4f}"),
        (auc_name, f"{report.roc_auc:.4f}" if math.isfinite(report.roc_auc) else "—"),
    ]
    label_width = max(len(name) for name, _ in rows) + 1
    lines = [table, "In-sample fit".center(width), "-" * width]
    lines += [f"{name:<{label_width}}{value}" for name, value in rows]
    return "\n".join(lines)
