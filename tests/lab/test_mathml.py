from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from logitlab.lab import mathml
from logitlab.lab.mathml import (
    MATHML_NS,
    Node,
    fmt,
    math,
    mfrac,
    mi,
    mn,
    mo,
    model_formula,
    mrow,
    msup,
    munderover,
)

NS = {"m": MATHML_NS}


def parse(node: str) -> ET.Element:
    return ET.fromstring(node)


def test_helpers_build_well_formed_nested_mathml() -> None:
    node = math(
        mrow(mi("L"), mo("="), mfrac(mn("1"), mi("N")), munderover(mo("∑"), mi("i"), mi("N")))
    )
    root = parse(node)
    assert root.tag == f"{{{MATHML_NS}}}math"
    frac = root.find(".//m:mfrac", NS)
    assert frac is not None and [c.tag.split("}")[1] for c in frac] == ["mn", "mi"]
    assert len(root.find(".//m:munderover", NS) or []) == 3


def test_text_is_escaped_so_markup_cannot_be_injected() -> None:
    node = math(mrow(mi("<script>"), mo("&"), mn("1<2")), label='say "hi" & <b>')
    root = parse(node)
    texts = [e.text for e in root.iter() if e.text]
    assert texts == ["<script>", "&", "1<2"]
    assert root.get("aria-label") == 'say "hi" & <b>'
    assert "<script>" not in node


def test_children_must_be_nodes() -> None:
    with pytest.raises(TypeError, match=r"mathml\.Node"):
        mrow("<mi>x</mi>")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        math("raw")  # type: ignore[arg-type]
    assert isinstance(msup(mi("e"), mi("z")), Node)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0.0, "0"),
        (1.23456, "1.23"),
        (-0.0521, "−0.0521"),
        (1234.4, "1234"),
        (999.7, "1000"),
        (0.061301, "0.0613"),
        (123.4, "123"),
        (-2.5e6, "−2.50·10^6"),
        (4e-4, "4.00·10^−4"),
    ],
)
def test_fmt_is_short_and_uses_a_true_minus(value: float, text: str) -> None:
    assert fmt(value) == text


def test_fmt_never_prints_nan_or_inf_as_numbers() -> None:
    assert fmt(float("nan")) == "?"
    assert fmt(float("inf")) == "∞"


def test_model_formula_shows_the_numbers_with_signs() -> None:
    node = model_formula(1.5, -0.25, 3e-5)
    root = parse(node)
    numbers = [e.text for e in root.iter(f"{{{MATHML_NS}}}mn")]
    assert numbers[:2] == ["1.5", "0.25"] and numbers[-1] == "−5"
    ops = [e.text for e in root.iter(f"{{{MATHML_NS}}}mo")]
    assert "−" in ops and "+" in ops and "×" in ops  # 3·10⁻⁵ uses a power of ten
    assert root.get("aria-label", "").startswith("z = 1.5 x − 0.25 y + 3.00·10^−5")
    big = parse(model_formula(-2.0e6, 0.0, -1.0))
    assert big.find(".//m:msup", NS) is not None


def test_number_keeps_small_values_plain() -> None:
    assert mathml.number(0.5) == "<mn>0.5</mn>"


def test_model_formula_cache_returns_what_a_fresh_build_gives() -> None:
    from logitlab.lab.mathml import _build_model_formula

    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.normal(size=300), rng.normal(size=100) * 1e5, rng.normal(size=100) * 1e-4, [0.0, -0.0]]
    )
    for _ in range(3):  # a second and third round hit the cache
        for w0, w1, b in zip(values, np.roll(values, 1), np.roll(values, 7), strict=True):
            assert model_formula(w0, w1, b) == _build_model_formula(w0, w1, b)
