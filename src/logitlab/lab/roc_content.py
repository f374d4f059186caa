"""The words of the ROC & AUC page: the math, the grading scheme, "Try this" cards, the FAQ.

The text is Markdown with LaTeX in ``pages/text/roc/`` (see :mod:`logitlab.lab.prose`),
rendered once at import. Each ``<!-- slot:NAME -->`` of ``pages/roc.html`` is filled
from :data:`SLOTS`. The grades table is built from :data:`logitlab.lab.roc.GRADES`, so
it always says what the grading code does. Headings inside the slots start at ``<h3>``.
"""

from __future__ import annotations

from html import escape

from logitlab.lab import prose
from logitlab.lab.mathml import fmt
from logitlab.lab.prose import Card
from logitlab.lab.roc import GRADES

__all__ = ["CARDS", "SLOTS"]


def math_html() -> str:
    """The math of the page: counts, rates, AUC, AP, F1, MCC, costs."""
    steps = prose.sections(prose.load("roc", "roc-math"))
    return "".join(
        f'<section class="step"><h3><span class="step-n">{k}</span> {escape(s.title)}</h3>'
        f"{s.html}</section>"
        for k, s in enumerate(steps, start=1)
    )


def grades_html() -> str:
    """How the page grades ROC AUC and AP: one scale of skill above chance."""
    rows = []
    for low, name in GRADES:
        signed = f"+ {low:g}" if low >= 0 else f"− {-low:g}"
        rows.append(
            f'<tr><th scope="row">{escape(name)}</th><td>≥ {fmt(low, 2)}</td>'
            f"<td>≥ {0.5 + low / 2:g}</td><td>≥ π {signed}·(1 − π)</td></tr>"
        )
    rows.append(
        '<tr><th scope="row">reversed</th><td>&lt; −0.1</td><td>&lt; 0.45</td>'
        "<td>&lt; π − 0.1·(1 − π)</td></tr>"
    )
    return (
        prose.render(prose.load("roc", "roc-grades"))
        + '<table class="grades"><caption>Grades</caption><thead><tr><th scope="col">grade'
        '</th><th scope="col">skill</th><th scope="col">ROC AUC</th><th scope="col">AP'
        "</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
    )


CARDS: tuple[Card, ...] = prose.cards(prose.load("roc", "roc-try-this"))


def try_this_html(cards: tuple[Card, ...] = CARDS) -> str:
    """The cards, each with a button that sets its experiment up (ids ``roc-try-1`` ...)."""
    return prose.try_cards_html(cards, [f"roc-try-{k}" for k in range(1, len(cards) + 1)])


SLOTS: dict[str, str] = {
    "roc-math": math_html(),
    "roc-grades": grades_html(),
    "roc-try-this": try_this_html(),
    "roc-faq": prose.faq_html(prose.load("roc", "roc-faq")),
}
"""HTML for each ``<!-- slot:NAME -->`` of the ROC page template."""
