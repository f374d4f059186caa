"""The words of the Lab page: the derivation, the "Try this" cards, the chips and the FAQ.

The text is Markdown with LaTeX in ``pages/text/lab/`` (see :mod:`logitlab.lab.prose`),
rendered once at import. Each slot of the page template (``<!-- slot:NAME -->``) is
filled from :data:`SLOTS`. Headings inside the slots start at ``<h3>`` (the template's
section headings are ``<h2>``).
"""

from __future__ import annotations

from html import escape

from logitlab.lab import prose
from logitlab.lab.prose import Card

__all__ = ["CARDS", "SLOTS", "Card"]


def derivation_html() -> str:
    """The four steps: model, loss, gradient, update."""
    steps = prose.sections(prose.load("lab", "derivation"))
    items = [
        f'<li class="derivation-step" id="derivation-{k}"><h3>{escape(s.title)}</h3>{s.html}</li>'
        for k, s in enumerate(steps, start=1)
    ]
    return f'<ol class="derivation">{"".join(items)}</ol>'


CARDS: tuple[Card, ...] = prose.cards(prose.load("lab", "try-this"))


def try_this_html(cards: tuple[Card, ...] = CARDS) -> str:
    """The cards, each with a button that sets its experiment up (id ``try-SCENARIO``)."""
    return prose.try_cards_html(cards, [f"try-{card.scenario}" for card in cards])


SLOTS: dict[str, str] = {
    "derivation": derivation_html(),
    "try-this": try_this_html(),
    "in-one-glance": prose.chips_html(prose.load("lab", "in-one-glance")),
    "faq": prose.faq_html(prose.load("lab", "faq")),
}
"""HTML for each ``<!-- slot:NAME -->`` of the Lab page template."""
