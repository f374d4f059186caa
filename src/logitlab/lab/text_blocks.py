"""HTML blocks that the Lab page and the ROC page share: "Try this" cards, the FAQ, paragraphs.

The words themselves live in :mod:`logitlab.lab.content` and
:mod:`logitlab.lab.roc_content`; this module only lays them out. Text is
escaped here; MathML nodes (:class:`logitlab.lab.mathml.Node`) are kept as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from logitlab.lab.mathml import Node
from logitlab.lab.protocol import ScenarioName

__all__ = ["Card", "FaqItem", "faq_html", "inline_html", "paragraph", "try_cards_html"]


@dataclass(frozen=True)
class Card:
    """One "Try this" card: the scenario its button sets up, its title and text."""

    scenario: ScenarioName
    title: str
    text: str


FaqItem = tuple[str, Sequence[str | Node]]
"""A question and its answer: text (escaped) and MathML nodes, in reading order."""


def inline_html(*parts: str | Node) -> str:
    """Text (escaped) and MathML nodes (kept) joined."""
    return "".join(p if isinstance(p, Node) else escape(p, quote=False) for p in parts)


def paragraph(text: str) -> str:
    """``<p>text</p>`` with the text escaped."""
    return f"<p>{escape(text, quote=False)}</p>"


def try_cards_html(cards: Sequence[Card], ids: Sequence[str]) -> str:
    """The cards, each an ``<article>`` with the given id and a button that sets it up."""
    out = []
    for card, card_id in zip(cards, ids, strict=True):
        title = escape(card.title)
        out.append(
            f'<article class="try-card" id="{card_id}">'
            f"<h3>{title}</h3>"
            f"{paragraph(card.text)}"
            f'<button type="button" data-scenario="{card.scenario}" '
            f'aria-label="Set up: {title}">Set it up</button>'
            "</article>"
        )
    return f'<div class="try-cards">{"".join(out)}</div>'


def faq_html(items: Iterable[FaqItem]) -> str:
    """Each question a ``<details>`` whose summary is the question and whose body the answer."""
    parts = [
        f'<details class="faq-item"><summary>{escape(question)}</summary>'
        f"<p>{inline_html(*answer)}</p></details>"
        for question, answer in items
    ]
    return f'<div class="faq">{"".join(parts)}</div>'
