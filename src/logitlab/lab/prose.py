"""The pages' words: Markdown with LaTeX math, rendered once to HTML and MathML.

The text lives in ``pages/text/<page>/<slot>.md``. markdown-it-py renders the
Markdown (CommonMark, XHTML-style void tags, so every slot is also well-formed
XML) and latex2mathml the math. Two additions to CommonMark:

- ``$…$`` is inline math; a fenced block whose info string starts with ``math``
  is a display formula, and the rest of the info string is its spoken label
  (``aria-label``). Consecutive display formulas share one ``.formulas`` row, so
  they sit side by side where they fit and wrap where they do not.
- A ``## Heading {name}`` starts a *section*; the page builders below turn
  sections into derivation steps, "Try this" cards, FAQ entries or chip lists.

Only the live model formula (its numbers rewritten in place every frame) is
built by hand, in :mod:`logitlab.lab.mathml`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from importlib.resources import files
from typing import cast, get_args

from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from logitlab.lab.protocol import ScenarioName

_SCENARIOS: tuple[str, ...] = get_args(ScenarioName)

__all__ = ["Card", "Section", "load", "math_html", "render", "sections"]

_SPOKEN = {
    "ge": "at least",
    "geq": "at least",
    "le": "at most",
    "leq": "at most",
    "neq": "not equal to",
    "cdot": "times",
    "times": "times",
    "leftarrow": "becomes",
    "partial": "d",
    "sum": "sum",
}


def spoken(latex: str) -> str:
    """A rough reading of a formula for its ``aria-label`` when the text gives none."""
    rules = (
        (r"\\hat\{(\w)\}|\\hat (\w)", lambda m: f"{m.group(1) or m.group(2)}-hat"),
        (r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"({m.group(1)}) / ({m.group(2)})"),
        (r"\\(?:text|mathrm|operatorname)\{([^{}]*)\}", lambda m: m.group(1)),
        (r"\^\{([^{}]*)\}", lambda m: f"^{m.group(1)}"),
        (r"_\{([^{}]*)\}", lambda m: m.group(1)),
    )
    text, before = latex, None
    while text != before:  # innermost braces first, until nothing changes
        before = text
        for pattern, repl in rules:
            text = re.sub(pattern, repl, text)
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _SPOKEN.get(m.group(1), m.group(1)), text)
    text = text.replace("{", "").replace("}", "").replace("_", "").replace("\\", "")
    return " ".join(text.split())


def math_html(latex: str, *, display: bool, label: str = "") -> str:
    """MathML for ``latex`` with an ``aria-label`` (``label``, or a reading of the source)."""
    node = convert(latex.strip(), display="block" if display else "inline")
    aria = escape(label.strip() or spoken(latex))
    return node.replace("<math ", f'<math aria-label="{aria}" ', 1)


def _inline_math(state: StateInline, silent: bool) -> bool:
    """``$…$`` (no space after the opening or before the closing dollar)."""
    src, start = state.src, state.pos
    if src[start] != "$" or start + 1 >= state.posMax or src[start + 1] in " $":
        return False
    end = src.find("$", start + 1)
    while end != -1 and src[end - 1] == "\\":
        end = src.find("$", end + 1)
    if end == -1 or end > state.posMax or src[end - 1] == " ":
        return False
    if not silent:
        token = state.push("math_inline", "math", 0)
        token.content = src[start + 1 : end]
    state.pos = end + 1
    return True


def _render_inline_math(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return math_html(tokens[idx].content, display=False)


def _render_fence(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    kind, _, label = token.info.strip().partition(" ")
    if kind != "math":
        return renderer.fence(tokens, idx, options, env)
    return f'<div class="formula">{math_html(token.content, display=True, label=label)}</div>\n'


@functools.cache
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"xhtmlOut": True})
    md.inline.ruler.before("escape", "math_inline", _inline_math)
    md.add_render_rule("math_inline", _render_inline_math)
    md.add_render_rule("fence", _render_fence)
    return md


_FORMULA_RUN = re.compile(r'(?:<div class="formula">.*?</div>\n)+', re.S)


def render(text: str) -> str:
    """HTML (with MathML) for one piece of Markdown; adjacent formulas grouped in a row."""
    html = _markdown().render(text)
    return _FORMULA_RUN.sub(lambda m: f'<div class="formulas">{m.group(0)}</div>\n', html)


@dataclass(frozen=True)
class Section:
    """A ``## title {name}`` heading and the Markdown below it (up to the next heading)."""

    title: str
    name: str
    body: str

    @property
    def html(self) -> str:
        return render(self.body)


_HEADING = re.compile(r"^## +(.*?)(?: +\{([a-z0-9-]+)\})? *$", re.M)


def sections(text: str) -> list[Section]:
    """The ``##`` sections of ``text`` (what comes before the first heading is dropped)."""
    heads = list(_HEADING.finditer(text))
    out = []
    for k, head in enumerate(heads):
        end = heads[k + 1].start() if k + 1 < len(heads) else len(text)
        body = text[head.end() : end].strip("\n")
        out.append(Section(title=head.group(1), name=head.group(2) or "", body=body))
    return out


def load(page: str, slot: str) -> str:
    """The Markdown of one slot: ``pages/text/<page>/<slot>.md`` in the package."""
    resource = files("logitlab.lab").joinpath("pages", "text", page, f"{slot}.md")
    return resource.read_text(encoding="utf-8")


# ----------------------------------------------------------------- page blocks


@dataclass(frozen=True)
class Card:
    """One "Try this" card: the scenario its button sets up, its title and its Markdown."""

    scenario: ScenarioName
    title: str
    text: str


def cards(text: str) -> tuple[Card, ...]:
    """Cards from sections named by their scenario (``## Title {scenario}``).

    Raises
    ------
    ValueError
        If a section names no scenario or one the Lab does not have.
    """
    out = []
    for s in sections(text):
        if s.name not in _SCENARIOS:
            raise ValueError(
                f"card {s.title!r} names the scenario {s.name!r}; write '## Title {{name}}' "
                f"with one of {', '.join(_SCENARIOS)}"
            )
        out.append(Card(cast(ScenarioName, s.name), s.title, " ".join(s.body.split())))
    return tuple(out)


def try_cards_html(items: Sequence[Card], ids: Sequence[str]) -> str:
    """The cards, each an ``<article>`` with the given id and a button that sets it up."""
    out = []
    for card, card_id in zip(items, ids, strict=True):
        title = escape(card.title)
        out.append(
            f'<article class="try-card" id="{card_id}"><h3>{title}</h3>{render(card.text)}'
            f'<button type="button" data-scenario="{card.scenario}" '
            f'aria-label="Set up: {title}">Set it up</button></article>'
        )
    return f'<div class="try-cards">{"".join(out)}</div>'


def faq_html(text: str) -> str:
    """Each ``## question`` a ``<details>`` whose summary is the question."""
    parts = [
        f'<details class="faq-item"><summary>{escape(s.title)}</summary>{s.html}</details>'
        for s in sections(text)
    ]
    return f'<div class="faq">{"".join(parts)}</div>'


def chips_html(text: str) -> str:
    """Lists of short reminders: ``## ICON Title {kind}`` then a Markdown list."""
    out = []
    for s in sections(text):
        icon, _, title = s.title.partition(" ")
        body = s.html.replace("<ul>", '<ul class="chip-list">', 1)
        out.append(
            f'<div class="chips chips-{s.name}"><h3><span aria-hidden="true">{escape(icon)}'
            f"</span> {escape(title)}</h3>{body}</div>"
        )
    return "".join(out)
