"""The live model formula at degree > 1 (issue 14): every term, in pieces that wrap.

MathML has no line breaking in browsers, so the formula is a row of small ``<math>``
elements (``z =``, one per term, ``p̂ = σ(z)``) inside one element whose accessible name
is the whole formula: a long polynomial wraps onto more lines instead of being cut.
Degree 1 keeps :func:`logitlab.lab.mathml.model_formula`.
"""

from __future__ import annotations

import math as _math
from html import escape

from logitlab.lab.mathml import (
    Node,
    element,
    fenced,
    fmt,
    hat,
    math,
    mi,
    mn,
    mo,
    mrow,
    msup,
    times,
)

_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")


def _monomial(name: str) -> list[Node]:
    """MathML of a column name such as ``x²·y`` (x with superscript 2, times y)."""
    out: list[Node] = []
    for part in name.split("·"):
        base, power = part[0], part[1:].translate(_DIGITS)
        if out:
            out.append(times())
        out.append(msup(mi(base), mn(power)) if power else mi(base))
    return out


_TEMPLATES: dict[tuple[bool, bool, bool, bool, str], str] = {}


def _template(first: bool, negative: bool, sci: bool, last: bool, name: str) -> str:
    """One term's ``<math>`` with \x00 for its digits (and \x01 for a power of ten)."""
    key = (first, negative, sci, last, name)
    out = _TEMPLATES.get(key)
    if out is None:
        row: list[Node] = []
        if not first:
            row.append(mo("−" if negative else "+", form="infix"))  # spaced like a binary "+"
        elif negative:
            row.append(mo("−"))
        row.append(mrow(mn("\x00"), mo("×"), msup(mn("10"), mn("\x01"))) if sci else mn("\x00"))
        if not last:
            row += [times(), *_monomial(name)]
        out = _TEMPLATES[key] = math(mrow(*row), display="inline")
    return out


def _piece(first: bool, last: bool, v: float, name: str) -> str:
    """The ``<math>`` of one term (as :func:`logitlab.lab.mathml.number` writes numbers)."""
    a = abs(v)
    sci = _math.isfinite(v) and a != 0 and (a >= 1e4 or a < 1e-3)
    t = _template(first, v < 0, sci, last, name)
    if not sci:
        return t.replace("\x00", fmt(a, 3))
    mant, exp = f"{a:.2e}".split("e")
    return t.replace("\x00", mant).replace("\x01", str(int(exp)).replace("-", "−"))


_Z = math(mrow(mi("z"), mo("=")), display="inline")
_P = math(mrow(hat("p"), mo("="), mi("σ"), fenced(mi("z"))), display="inline")


def polynomial_formula(names: tuple[str, ...], coef: list[float], standardized: bool) -> str:
    """z = Σ wⱼ·fⱼ + b and p̂ = σ(z) with the numbers filled in.

    Parameters
    ----------
    names : tuple of str
        The columns' names (x, y, x², …), then the intercept's.
    coef : list of float
        The weights in the same order, b last.
    standardized : bool
        The columns are standardized: the text alternative and a note say so.
    """
    last = len(names) - 1
    pieces: list[str] = [_Z]
    words = ["z ="]
    for k, (name, v) in enumerate(zip(names, coef, strict=True)):
        pieces.append(_piece(k == 0, k == last, v, name))
        sign = "−" if v < 0 else "+"
        term = fmt(abs(v)) if k == last else f"{fmt(abs(v))} {name}"
        words.append(f"{sign} {term}" if k or v < 0 else term)
    pieces.append(_P)
    label = " ".join(words) + ", p-hat = sigma of z"
    if standardized:
        label += " (x, y and their powers standardized)"
    note = '<span class="formula-note">standardized columns</span>' if standardized else ""
    return (
        f'<span class="formula-terms" role="img" aria-label="{escape(label)}">'
        f"{''.join(pieces)}{note}</span>"
    )


# More than two classes (issue 14, part 3): one score per class, then the softmax.
def _sub(letter: str, k: str) -> Node:
    return element("msub", mi(letter), mi(k) if k.isalpha() else mn(k))


def _softmax_piece() -> str:
    num = element("msup", mi("e"), _sub("z", "k"))
    den = mrow(
        element("munder", mo("∑"), mi("j")),
        element("msup", mi("e"), _sub("z", "j")),
    )
    row = mrow(element("msub", hat("p"), mi("k")), mo("="), element("mfrac", num, den))
    return math(row, display="inline")


def softmax_formula(
    names: tuple[str, ...], coef: list[float], n_classes: int, standardized: bool
) -> str:
    """z_k = Σ w_kj·f_j + b_k for every class k, then p̂_k = e^{z_k} / Σ_j e^{z_j}.

    Parameters
    ----------
    names : tuple of str
        One class's coefficient names (the columns', then the intercept's).
    coef : list of float
        Every class's coefficients, class 0 first (K rows of len(names)).
    """
    m = len(names)
    last = m - 1
    rows, words = [], []
    for k in range(n_classes):
        pieces: list[str] = [math(mrow(_sub("z", str(k)), mo("=")), display="inline")]
        said = [f"z{k} ="]
        for j, v in enumerate(coef[k * m : (k + 1) * m]):
            pieces.append(_piece(j == 0, j == last, v, names[j]))
            sign = "−" if v < 0 else "+"
            term = fmt(abs(v)) if j == last else f"{fmt(abs(v))} {names[j]}"
            said.append(f"{sign} {term}" if j or v < 0 else term)
        rows.append(f'<span class="formula-class">{"".join(pieces)}</span>')
        words.append(" ".join(said))
    label = "; ".join(words) + "; p-hat of class k = exp(z k) over the sum of exp(z j)"
    if standardized:
        label += " (x, y and their powers standardized)"
    note = '<span class="formula-note">standardized columns</span>' if standardized else ""
    return (
        f'<span class="formula-terms formula-softmax" role="img" aria-label="{escape(label)}">'
        f"{''.join(rows)}<span class=\"formula-class\">{_softmax_piece()}</span>{note}</span>"
    )
