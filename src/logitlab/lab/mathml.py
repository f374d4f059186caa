"""The live model formula, built as MathML by hand (everything else: :mod:`~logitlab.lab.prose`).

Why by hand: the formula changes every training frame, and the page rewrites only
its numbers in place (``static/params.js`` splits the markup with a regex when its
tags are unchanged). That needs markup whose shape depends only on the signs and
exponents, cached by the digits shown (:func:`model_formula`), at a fraction of a
millisecond a frame. A LaTeX round trip (latex2mathml) would cost more per frame
and gives no such guarantee about the markup's shape.

Every helper returns a :class:`Node` (a ``str`` holding well-formed MathML).
Children must be nodes; plain text given to the token helpers (``mi``, ``mn``,
``mo``) is escaped, so no caller can inject markup by accident::

    math(mrow(mi("z"), mo("="), mfrac(mn("1"), mi("N"))))
"""

from __future__ import annotations

import math as _math
from html import escape

MATHML_NS = "http://www.w3.org/1998/Math/MathML"


class Node(str):
    """A piece of well-formed MathML markup."""

    __slots__ = ()


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())


def element(tag: str, *children: Node, **attrs: str) -> Node:
    """``<tag attrs>children</tag>``; ``class_`` and ``data_x`` become ``class`` and ``data-x``."""
    for child in children:
        if not isinstance(child, Node):
            raise TypeError(f"children of <{tag}> must be mathml.Node, got {type(child).__name__}")
    return Node(f"<{tag}{_attrs(attrs)}>{''.join(children)}</{tag}>")


def _token(tag: str, text: str, attrs: dict[str, str]) -> Node:
    return Node(f"<{tag}{_attrs(attrs)}>{escape(text, quote=False)}</{tag}>")


def mi(text: str, **attrs: str) -> Node:
    """An identifier; single letters are italic by default, as in print."""
    return _token("mi", text, attrs)


def mn(text: str | float, **attrs: str) -> Node:
    """A number (text as given, or a float formatted with :func:`fmt`)."""
    return _token("mn", text if isinstance(text, str) else fmt(text), attrs)


def mo(text: str, **attrs: str) -> Node:
    """An operator or fence."""
    return _token("mo", text, attrs)


def mspace(width: str = "1em") -> Node:
    return Node(f'<mspace width="{escape(width)}"/>')


def mrow(*children: Node) -> Node:
    return element("mrow", *children)


def mfrac(numerator: Node, denominator: Node) -> Node:
    return element("mfrac", numerator, denominator)


def msup(base: Node, sup: Node) -> Node:
    return element("msup", base, sup)


def munderover(base: Node, under: Node, over: Node) -> Node:
    return element("munderover", base, under, over)


def mover(base: Node, over: Node, *, accent: bool = True) -> Node:
    return element("mover", base, over, accent="true" if accent else "false")


def fenced(*children: Node, open_: str = "(", close: str = ")") -> Node:
    """Children between stretchy fences."""
    return mrow(mo(open_), *children, mo(close))


def math(*children: Node, display: str = "block", label: str | None = None) -> Node:
    """The ``<math>`` root; ``label`` becomes its ``aria-label``."""
    attrs = {"display": display, "xmlns": MATHML_NS}
    if label:
        attrs["aria-label"] = label
    return Node(f"<math{_attrs(attrs)}>{''.join(_check(children))}</math>")


def _check(children: tuple[Node, ...]) -> tuple[Node, ...]:
    for child in children:
        if not isinstance(child, Node):
            raise TypeError(f"children of <math> must be mathml.Node, got {type(child).__name__}")
    return children


# ----------------------------------------------------------------- shorthands


def hat(letter: str) -> Node:
    """A letter with a hat accent: p̂."""
    return mover(mi(letter), mo("^"))


def times() -> Node:
    """Invisible multiplication (reads as juxtaposition)."""
    return mo("\u2062")


def fmt(v: float, digits: int = 3) -> str:
    """A float for display: ``digits`` significant digits (all digits of integers below 10⁴),
    a power of ten outside [10⁻³, 10⁴), and a true minus sign."""
    if not _math.isfinite(v):
        return "∞" if v > 0 else ("−∞" if v < 0 else "?")
    if v == 0:
        return "0"
    a = abs(v)
    if a >= 1e4 or a < 1e-3:
        mant, exp = f"{a:.{digits - 1}e}".split("e")
        text = f"{mant}·10^{_signed(int(exp))}"
    else:
        text = f"{a:.{digits}g}"
        if "e" in text:  # 999.7 rounds to 1e+03 in "g" format
            text = f"{a:.0f}"
    return ("−" if v < 0 else "") + text


def _signed(k: int) -> str:
    return f"−{-k}" if k < 0 else str(k)


def number(v: float, digits: int = 3) -> Node:
    """A magnitude as MathML, with a power of ten as a superscript when needed."""
    a = abs(v)
    if _math.isfinite(v) and a != 0 and (a >= 1e4 or a < 1e-3):
        mant, exp = f"{a:.{digits - 1}e}".split("e")
        return mrow(mn(mant), mo("×"), msup(mn("10"), mn(_signed(int(exp)))))
    return mn(fmt(a, digits))


_FORMULA_CACHE: dict[tuple[tuple[bool, str, str], ...], Node] = {}
_FORMULA_CACHE_SIZE = 1024


def model_formula(w0: float, w1: float, b: float) -> Node:
    """The current model with its numbers: z = w₀x + w₁y + b, p̂ = σ(z).

    The markup depends only on each weight's sign and its rounded digits, so
    it is cached by those: during training most frames reuse it.
    """
    key = tuple((v < 0, fmt(abs(v)), f"{abs(v):.2e}") for v in (w0, w1, b))
    node = _FORMULA_CACHE.get(key)
    if node is None:
        if len(_FORMULA_CACHE) >= _FORMULA_CACHE_SIZE:
            _FORMULA_CACHE.clear()
        node = _FORMULA_CACHE[key] = _build_model_formula(w0, w1, b)
    return node


def _build_model_formula(w0: float, w1: float, b: float) -> Node:
    terms: list[Node] = [mi("z"), mo("=")]
    first = True
    for coef, var in ((w0, "x"), (w1, "y"), (b, None)):
        if first:
            if coef < 0:
                terms.append(mo("−"))
        else:
            terms.append(mo("−" if coef < 0 else "+"))
        first = False
        if var is None:
            terms.append(number(coef))
        else:
            terms.append(mrow(number(coef), times(), mi(var)))

    def signed(v: float) -> str:
        return f"− {fmt(-v)}" if v < 0 else f"+ {fmt(v)}"

    label = f"z = {fmt(w0)} x {signed(w1)} y {signed(b)}, p-hat = sigma of z"
    return math(
        mrow(*terms),
        mspace("1.5em"),
        mrow(hat("p"), mo("="), mi("σ"), fenced(mi("z"))),
        display="block",
        label=label,
    )
