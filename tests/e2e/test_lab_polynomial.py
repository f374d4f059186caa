"""Feature maps and the train/test split in real Chromium (issue 14, parts 1 and 2).

Driven by role and accessible name. ``LOGITLAB_SHOTS=DIR`` also saves screenshots at
1280 × 800 and 390 × 844 (degree 6, test share 0.5) for a person to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from lab_page import PHONE, Lab
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.e2e

SHOTS = os.environ.get("LOGITLAB_SHOTS")


def percent(lab: Lab, name: str) -> float:
    text = lab.stat(name).inner_text()
    match = re.fullmatch(r"([\d.]+) %", text)
    assert match is not None, f"{name} shows {text!r}"
    return float(match.group(1))


def set_degree(page: Page, degree: int, *, standardize: bool = True) -> None:
    box = page.get_by_role("spinbutton", name="polynomial degree value")
    box.fill(str(degree))
    box.press("Enter")
    page.get_by_role("checkbox", name="standardize features").set_checked(standardize)
    page.wait_for_function(
        "([d, s]) => window.logitlabPerf.model.degree === d"
        " && window.logitlabPerf.model.standardize === s",
        arg=[degree, standardize],
    )


def shoot(lab: Lab, name: str) -> None:
    if not SHOTS:
        return
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    page = lab.page
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(out / f"{name}-1280.png"))
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => window.logitlabPerf.paints > 0")
    page.screenshot(path=str(out / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.parametrize("preset", ["XOR", "Circles"])
def test_degree_2_solves_xor_and_circles(lab: Lab, preset: str) -> None:
    page = lab.page
    page.get_by_role("button", name=preset, exact=True).click()
    expect(lab.stat("preset")).to_have_text(preset)
    assert percent(lab, "accuracy") < 80
    set_degree(page, 2)
    page.get_by_role("combobox", name="optimizer").select_option("newton")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    assert percent(lab, "accuracy") >= 95
    # Every coefficient by name; the boundary is a curve (contours), not a line.
    for name in ("weight of x", "weight of y", "weight of x²", "weight of x·y", "weight of y²"):
        expect(page.get_by_role("spinbutton", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("spinbutton", name="intercept b")).to_be_visible()
    expect(page.get_by_role("slider", name="w₀")).to_be_hidden()
    assert lab.painted("boundary") is None
    assert lab.painted("contours") is not None
    lab.wait_hash("deg=2")
    lab.wait_hash("coef=")


def test_coefficients_are_editable_and_kept_in_the_link(lab: Lab) -> None:
    page = lab.page
    set_degree(page, 3)
    box = page.get_by_role("spinbutton", name="weight of x·y", exact=True)
    box.fill("-123.5")
    box.press("Enter")
    page.wait_for_function("() => window.logitlabPerf.model.coef[3] === -123.5")
    lab.wait_hash("_-123.5_")  # the link holds the typed value before the reload
    # A reload (the link) brings back the degree, standardization and every coefficient.
    page.reload()
    lab.ready()
    page.wait_for_function("() => window.logitlabPerf.model?.degree === 3")
    expect(page.get_by_role("spinbutton", name="weight of x·y", exact=True)).to_have_value("-123.5")
    expect(page.get_by_role("checkbox", name="standardize features")).to_be_checked()
    expect(page.get_by_role("spinbutton", name="polynomial degree value")).to_have_value("3")
    # The formula lists every term, wrapping inside the chart panel.
    formula = page.get_by_role("img", name=re.compile(r"^z = .*x·y"))
    expect(formula).to_contain_text("124")  # −123.5 to 3 digits
    panel = page.locator(".chart-panel").bounding_box()
    shown = formula.bounding_box()
    assert panel is not None and shown is not None
    assert shown["x"] >= panel["x"] and shown["x"] + shown["width"] <= panel["x"] + panel["width"]
    # Back to degree 1: today's sliders.
    set_degree(page, 1, standardize=False)
    expect(page.get_by_role("slider", name="w₀")).to_be_visible()


def test_test_share_splits_and_the_stats_follow(lab: Lab) -> None:
    page = lab.page
    expect(lab.stat("test-accuracy")).to_have_text("—")
    expect(lab.stat("test-log-loss")).to_have_text("—")
    expect(page.get_by_role("radiogroup", name="confusion matrix of")).to_be_hidden()
    share = page.get_by_role("spinbutton", name="test share value")
    share.fill("0.5")
    share.press("Enter")
    expect(page.locator("#split-note")).to_contain_text("60 training points, 60 test points")
    expect(lab.stat("test-accuracy")).to_have_text(re.compile(r"%$"))
    assert float(lab.stat("test-log-loss").inner_text()) > 0
    group = page.get_by_role("radiogroup", name="confusion matrix of")
    expect(group).to_be_visible()
    assert sum(lab.cells().values()) == 60
    # A new point is a training point: the training side grows.
    lab.chart.click(position=lab.to_pixel(4.5, 4.5))
    expect(page.locator("#split-note")).to_contain_text("61 training points, 60 test points")
    group.get_by_role("radio", name="test points").check()
    expect(page.get_by_role("table", name=re.compile("test points"))).to_be_visible()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-cell]')]"
        ".reduce((s, el) => s + Number(el.textContent), 0) === 60"
    )
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    expect(page.locator("#loss-legend")).to_be_visible()
    expect(page.locator("#loss-legend")).to_contain_text("test log loss")
    lab.wait_hash("test=0.5")
    lab.wait_hash("cm=test")
    shoot(lab, "test-share-0.5")


def test_overfit_card_trains_past_the_test_accuracy(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Set up: Overfit on purpose").click()
    expect(lab.stat("n-points")).to_have_text("40")
    auto = page.get_by_role("button", name="Auto-train")
    expect(auto).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(
        """() => {
          const read = (n) => parseFloat(document.querySelector(`[data-stat="${n}"]`).textContent);
          return read("accuracy") > read("test-accuracy") + 10;
        }""",
        timeout=60_000,
    )
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "false")
    assert percent(lab, "accuracy") > percent(lab, "test-accuracy")
    shoot(lab, "overfit-degree-6")


def test_degree_6_draws_every_piece(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Set up: Too many wiggles").click()
    expect(lab.stat("n-points")).to_have_text("20")
    page.wait_for_function("() => window.logitlabPerf.steps >= 20")
    page.get_by_role("button", name="Auto-train").click()
    expect(page.locator("#coef-list input")).to_have_count(28)
    assert percent(lab, "accuracy") == 100
    assert lab.painted("contours") is not None
    shoot(lab, "degree-6")
