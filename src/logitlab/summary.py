"""The object ``summary()`` returns: the inference table as text, DataFrame, HTML and LaTeX.

:class:`Summary` is a :class:`~logitlab.core.inference.Inference` (every field
and ``to_dict()`` are there; ``str()`` is the text table) with the renderings
a notebook or a paper needs.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import TYPE_CHECKING

import numpy as np

from logitlab.core.inference import (
    Inference,
    coefficient_cells,
    coefficient_header,
    format_inference,
)

if TYPE_CHECKING:
    import pandas as pd  # type: ignore[import-untyped]

#: Columns of :meth:`Summary.to_frame`, in order.
COLUMNS = (
    "estimate",
    "std_error",
    "z",
    "p_value",
    "ci_low",
    "ci_high",
    "odds_ratio",
    "odds_ratio_ci_low",
    "odds_ratio_ci_high",
)


@dataclasses.dataclass(frozen=True)
class Summary(Inference):
    """The inference table of a fit, with text, DataFrame, HTML and LaTeX renderings."""

    @classmethod
    def of(cls, inference: Inference) -> Summary:
        """The same table as a :class:`Summary`."""
        return cls(**{f.name: getattr(inference, f.name) for f in dataclasses.fields(inference)})

    def as_text(self) -> str:
        """The statsmodels-style text table (the same as ``str(summary)``)."""
        return format_inference(self)

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient, the columns of :data:`COLUMNS`.

        The index is the term name for a binary model, and a (class, term)
        MultiIndex for a multinomial one.
        """
        import pandas as pd

        records = []
        index: list[object] = []
        for block in self.blocks:
            values = np.column_stack(
                [
                    block.estimate,
                    block.std_error,
                    block.z,
                    block.p_value,
                    block.ci_low,
                    block.ci_high,
                    block.odds_ratio,
                    block.odds_ratio_ci_low,
                    block.odds_ratio_ci_high,
                ]
            )
            records.append(values)
            index += [(block.label, n) if self.is_multinomial else n for n in block.names]
        data = np.vstack(records)
        idx = (
            pd.MultiIndex.from_tuples(index, names=["class", "term"])
            if self.is_multinomial
            else pd.Index(index, name="term")
        )
        return pd.DataFrame(data, index=idx, columns=list(COLUMNS))

    def _model_rows(self) -> list[tuple[str, str]]:
        conv = ("yes" if self.converged else "no") + f" ({self.n_iter} iterations)"
        return [
            ("Observations", f"{self.n_obs:.15g}"),
            ("Parameters", str(self.n_params)),
            ("Log-likelihood", f"{self.log_likelihood:.4f}"),
            ("Null log-likelihood", f"{self.null_log_likelihood:.4f}"),
            ("LLR p-value", f"{self.llr_pvalue:.4g}"),
            ("Pseudo R² (McFadden)", f"{self.pseudo_r2:.4f}"),
            ("AIC", f"{self.aic:.4f}"),
            ("BIC", f"{self.bic:.4f}"),
            ("Separation", self.separation or "none"),
            ("Converged", conv),
            ("Covariance", self.cov_type),
        ]

    def _repr_html_(self) -> str:
        """An HTML table for Jupyter: the model statistics, the coefficients, the notes.

        Cells are formatted as in the text table; numbers are right-aligned.
        """
        kind = "Multinomial" if self.is_multinomial else "Binary"
        left = 'style="text-align:left"'
        right = 'style="text-align:right; white-space:nowrap"'
        stats = "".join(
            f"<tr><th {left}>{html.escape(k)}</th><td {right}>{html.escape(v)}</td></tr>"
            for k, v in self._model_rows()
        )
        heads = coefficient_header(self.confidence)
        head = "".join(f"<th {right}>{html.escape(h)}</th>" for h in heads)
        body = []
        for block in self.blocks:
            if self.is_multinomial:
                title = f"log-odds of class {block.label} vs {self.reference}"
                body.append(f'<tr><th {left} colspan="8">{html.escape(title)}</th></tr>')
            for j, name in enumerate(block.names):
                cells = coefficient_cells(block, j)
                row = "".join(f"<td {right}>{html.escape(c)}</td>" for c in cells)
                body.append(f"<tr><th {left}>{html.escape(name)}</th>{row}</tr>")
        coef = (
            f"<table><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )
        notes = "".join(f"<p>Note: {html.escape(n)}</p>" for n in self.notes)
        return (
            f'<div class="logitlab-summary"><p><strong>{kind} logistic regression</strong>'
            f"</p><table>{stats}</table>{coef}{notes}</div>"
        )

    def to_latex(self) -> str:
        """A LaTeX ``tabular`` of the coefficients, preceded by the model statistics."""
        frame = self.to_frame()
        rows = "\n".join(f"{_tex(k)} & {_tex(v)} \\\\" for k, v in self._model_rows())
        stats = "\\begin{tabular}{lr}\n\\hline\n" + rows + "\n\\hline\n\\end{tabular}\n"
        cols = ["estimate", "std_error", "z", "p_value", "ci_low", "ci_high", "odds_ratio"]
        head = ["", "estimate", "std.\\ err.", "$z$", "$P>|z|$", "CI low", "CI high", "odds ratio"]
        lines = [
            "\\begin{tabular}{l" + "r" * len(cols) + "}",
            "\\hline",
            " & ".join(head) + " \\\\",
            "\\hline",
        ]
        for key, row in frame[cols].iterrows():
            name = " / ".join(str(k) for k in key) if isinstance(key, tuple) else str(key)
            cells = [_tex(name)] + [_tex_number(float(v)) for v in row]
            lines.append(" & ".join(cells) + " \\\\")
        lines += ["\\hline", "\\end{tabular}"]
        return stats + "\n".join(lines) + "\n"


_TEX = {
    "\\": "\\textbackslash{}",
    "&": "\\&",
    "%": "\\%",
    "_": "\\_",
    "#": "\\#",
    "$": "\\$",
    "{": "\\{",
    "}": "\\}",
    "~": "\\textasciitilde{}",
    "^": "\\textasciicircum{}",
    "²": "$^2$",
}


def _tex(text: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in text)


def _tex_number(value: float) -> str:
    if math.isnan(value):
        return "--"
    if math.isinf(value):
        return "$\\infty$" if value > 0 else "$-\\infty$"
    text = f"{value:.4g}"
    if "e" in text:  # 3.391e-21 -> $3.391\times 10^{-21}$
        mantissa, exponent = text.split("e")
        return f"${mantissa}\\times 10^{{{int(exponent)}}}$"
    return text
