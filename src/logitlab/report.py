"""What ``logitlab fit`` prints: the fit report as text or as one JSON object.

The coefficient table and the likelihood-based statistics come from
:class:`logitlab.core.inference.Inference`; this module adds what the command
line knows besides (the file, the columns, the options) and the in-sample
accuracy and ROC AUC, and renders everything.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

from logitlab.core.inference import Inference

__all__ = ["SCHEMA_VERSION", "FitReport", "render_json", "render_json_error", "render_text"]

SCHEMA_VERSION = 1
"""Version of the ``--json`` output. It goes up when a field is renamed or removed or
changes meaning; new fields may appear without it.

Version 1: every object has ``schema_version``; a failure is
``{"schema_version": 1, "error": {"kind": "data" | "usage" | "internal", "message": str}}``
(on standard output; exit status 1 for data, 2 for usage, 1 for an internal
error, which is a bug of logitlab's); a fit holds the
fields of :meth:`FitReport.to_dict`, where ``"C"`` is a number or the string
``"inf"`` (no penalty) and counts (``n_samples``, ``n_obs``, ``n_params``,
``n_iter``, ``n_dropped``) are integers. Other numbers that are not finite
are null."""


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
    formula : str or None
        The model formula (``--formula``), if the model was given as one.
    columns : tuple of str
        The file's columns the features were made of.
    levels : dict of str to tuple of str
        Levels of each text column coded as dummies; the first is the reference.
    n_dropped : int
        Rows left out for a missing value (``--dropna``).
    sep : str
        The separator the file was read with.
    encoding : str
        The text encoding the file was read with.
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
    formula: str | None = None
    columns: tuple[str, ...] = ()
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    n_dropped: int = 0
    sep: str = ","
    encoding: str = "utf-8"

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
        """JSON-ready dict: the inference's fields (``coefficients`` ...) plus the fit's context.

        See :data:`SCHEMA_VERSION` for the rules the values follow.
        """
        out: dict[str, object] = {
            "schema_version": SCHEMA_VERSION,
            "data": self.source,
            "separator": self.sep,
            "encoding": self.encoding,
            "target": self.target,
            "formula": self.formula,
            "features": list(self.features),
            "categorical": {
                name: {"reference": levels[0], "levels": list(levels)}
                for name, levels in self.levels.items()
            },
            "n_samples": self.n_samples,
            "n_dropped": self.n_dropped,
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
        for key, value in self.inference.to_dict().items():
            out.setdefault(key, value)
        out["C"] = "inf" if math.isinf(self.C) else float(self.C)
        for key in ("n_samples", "n_obs", "n_params", "n_iter", "n_dropped"):
            out[key] = _count(out.get(key))
        return out


def _count(value: object) -> object:
    """A whole number as an int (a weighted count that is not whole stays a float)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _finite_or_none(value: float) -> float | None:
    return value if math.isfinite(value) else None


def render_json(report: FitReport) -> str:
    """One JSON object (strict JSON: NaN and infinities become null)."""
    return json.dumps(report.to_dict(), indent=2, allow_nan=False)


def render_json_error(message: str, *, kind: str = "data") -> str:
    """The ``--json`` form of a failure: ``{"schema_version", "error": {"kind", "message"}}``.

    Parameters
    ----------
    message : str
        What was wrong and what is allowed (the text the plain CLI prints).
    kind : {"data", "usage", "internal"}, default="data"
        "data": the file or the options do not fit the data (exit status 1);
        "usage": the command line itself is wrong (exit status 2);
        "internal": an unexpected exception, a bug to report (exit status 1).
    """
    payload = {"schema_version": SCHEMA_VERSION, "error": {"kind": kind, "message": message}}
    return json.dumps(payload, indent=2, ensure_ascii=False)


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
    separator = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "bar"}.get(
        report.sep, repr(report.sep)
    )
    rows = [
        ("Data:", f"{report.source} ({separator}-separated, {report.encoding})"),
        ("Target:", f"{report.target} (classes {', '.join(report.classes)})"),
        ("Rows used:", f"{report.n_samples:,}"),
    ]
    if report.n_dropped:
        rows.append(("Rows dropped:", f"{report.n_dropped:,} with missing values (--dropna)"))
    if report.formula is not None:
        rows.append(("Formula:", report.formula))
    rows += [
        ("Features:", ", ".join(report.features)),
        *(
            (f"Categorical {name}:", f"reference level {levels[0]!r} of {len(levels)}")
            for name, levels in report.levels.items()
        ),
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
