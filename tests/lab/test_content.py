from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import get_args

import pytest

from logitlab.lab import content
from logitlab.lab.mathml import MATHML_NS
from logitlab.lab.protocol import ScenarioName
from logitlab.lab.scenarios import SCENARIOS

M = f"{{{MATHML_NS}}}"


def parse(html: str) -> ET.Element:
    """The slot HTML is also well-formed XML; parsing it checks every tag is closed."""
    return ET.fromstring(f"<root>{html}</root>")


@pytest.mark.parametrize("name", ["derivation", "try-this", "in-one-glance", "faq"])
def test_every_slot_is_well_formed(name: str) -> None:
    root = parse(content.SLOTS[name])
    assert len(root) >= 1


def test_every_formula_is_mathml_with_an_accessible_label() -> None:
    for html in content.SLOTS.values():
        for m in parse(html).iter(f"{M}math"):
            assert m.get("aria-label"), ET.tostring(m)[:80]


def test_derivation_has_four_steps_with_model_loss_gradient_update() -> None:
    root = parse(content.SLOTS["derivation"])
    steps = root.findall(".//li")
    assert [s.findtext("h3") for s in steps] == [
        "The model",
        "The loss",
        "The gradient",
        "The update",
        "More than two classes",  # issue 14, part 3: the softmax form
    ]
    text = ET.tostring(root, encoding="unicode")
    assert "≥" in text and "p̂ > τ" not in text  # the rule is p̂ ≥ τ
    assert "L1" in text and "L2" in text
    assert len(list(root.iter(f"{M}math"))) >= 8
    assert root.find(f".//{M}munderover") is not None


def test_try_this_cards_each_set_up_a_known_scenario() -> None:
    root = parse(content.SLOTS["try-this"])
    cards = root.findall(".//article")
    names = []
    for card in cards:
        button = card.find("button")
        assert button is not None and button.get("type") == "button"
        name = button.get("data-scenario")
        assert name in get_args(ScenarioName) and name in SCENARIOS
        assert button.get("aria-label") == f"Set up: {card.findtext('h3')}"
        assert button.text == "Set it up"
        names.append(name)
    seed_ideas = {"xor-wall", "lr-explosion", "regularization", "threshold-tradeoff"}
    issue_14 = {"bend-the-line", "circles-circle", "too-many-wiggles", "overfit-on-purpose"}
    issue_14 |= {"three-classes"}  # part 3
    issue_16 = {"confident-wrong"}
    others = {"imbalanced", "hand-set", "separable-growth", "newton-vs-gd"}
    assert seed_ideas | others | issue_14 | issue_16 == set(names)


def test_imbalanced_card_states_the_true_baseline() -> None:
    card = next(c for c in content.CARDS if c.scenario == "imbalanced")
    assert "100/120 ≈ 83 %" in card.text
    assert "95" not in card.text


def test_card_text_matches_its_scenario() -> None:
    for card in content.CARDS:
        recipe = SCENARIOS[card.scenario]
        if recipe.training.lam:
            assert f"{recipe.training.lam:g}" in card.text
        if recipe.training.learning_rate != 0.1:
            assert f"η = {recipe.training.learning_rate:g}" in card.text
        if recipe.tau != 0.5:
            assert f"{recipe.tau:g}" in card.text


def test_chips_and_faq() -> None:
    glance = parse(content.SLOTS["in-one-glance"])
    assert [h.findtext("span") is not None for h in glance.iter("h3")] == [True, True]
    assert len(glance.findall(".//li")) >= 10
    faq = parse(content.SLOTS["faq"])
    questions = [d.findtext("summary") for d in faq.iter("details")]
    assert len(questions) >= 4
    assert any("XOR" in (q or "") for q in questions)
    assert any("cross-entropy" in (q or "") for q in questions)


def test_no_seed_sentences() -> None:
    """A few distinctive phrases of the seed page must not appear in ours."""
    text = re.sub(r"<[^>]+>", " ", "".join(content.SLOTS.values()))
    for phrase in (
        "surprisingly clean",
        "the model is humbler",
        "Accuracy lies on imbalanced data",
        "canonical motivation",
        "squashes the signed distance",
    ):
        assert phrase not in text


def test_prose_renders_markdown_and_latex_to_html_and_mathml() -> None:
    from logitlab.lab import prose

    html = prose.render(
        "A *b* $\\hat{p} \\geq \\tau$.\n\n```math the label\n\\frac{1}{N}\n```\n\n"
        "```math\nx^2\n```\n"
    )
    root = parse(html)
    assert root.find("p/em") is not None
    maths = list(root.iter(f"{M}math"))
    assert [m.get("display") for m in maths] == ["inline", "block", "block"]
    assert maths[0].get("aria-label") == "p-hat at least tau"
    assert maths[1].get("aria-label") == "the label"
    row = root.find("div[@class='formulas']")
    assert row is not None and len(row.findall("div[@class='formula']")) == 2
    assert maths[1].find(f"{M}mrow/{M}mfrac") is not None
    assert "$" not in html and "\\frac" not in html


def test_a_card_must_name_a_known_scenario() -> None:
    from logitlab.lab import prose

    with pytest.raises(ValueError, match="names the scenario 'nope'"):
        prose.cards("## A card {nope}\n\ntext\n")


def test_a_formula_without_a_label_gets_a_reading_of_its_source() -> None:
    from logitlab.lab import prose

    assert prose.spoken(r"\hat{p} = \frac{1}{1 + e^{-z}}") == "p-hat = (1) / (1 + e^-z)"
    assert prose.spoken(r"C = \frac{1}{2 \lambda N}") == "C = (1) / (2 lambda N)"
    assert prose.spoken(r"\text{cost}(\tau) \leq c_{\text{FP}}") == "cost(tau) at most cFP"


def test_the_text_files_ship_with_the_package() -> None:
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = data["package-data"]["logitlab"]
    texts = sorted((root / "src/logitlab").glob("lab/pages/text/*/*.md"))
    assert len(texts) == 8
    assert any(all(t.relative_to(root / "src/logitlab").match(p) for t in texts) for p in patterns)
