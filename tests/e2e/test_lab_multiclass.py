"""More than two classes in real Chromium (issue 14, part 3), by role and accessible name.

``LOGITLAB_SHOTS=DIR`` also saves screenshots of the Lab and the ROC page with 3 and 5
classes at 1280 × 800 and 390 × 844 for a person to look at.
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


def shoot(page: Page, name: str) -> None:
    if not SHOTS:
        return
    out = Path(SHOTS)
    out.mkdir(parents=True, exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(out / f"{name}-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => window.logitlabPerf.paints > 0")
    page.screenshot(path=str(out / f"{name}-390.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def classes(page: Page, k: int) -> None:
    page.get_by_role("combobox", name="number of classes").select_option(str(k))
    page.wait_for_function("k => decodeURIComponent(location.hash).includes(`k=${k}`)", arg=k)


def test_three_class_blobs(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Blobs", exact=True).click()
    expect(lab.stat("preset")).to_have_text("Blobs")
    classes(page, 3)
    # All weights 0: every class has p̂ = 1/3, the argmax is class 0 everywhere.
    expect(lab.stat("accuracy")).to_have_text("33.3 %")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    assert percent(lab, "accuracy") >= 90
    cells = [[lab.cell(f"a{i}-p{j}") for j in range(3)] for i in range(3)]
    total = sum(int(c.inner_text()) for row in cells for c in row)
    assert total == 120
    expect(lab.cell("a3-p0")).to_have_count(0)
    expect(lab.cell("tn")).to_be_hidden()
    assert int(cells[0][0].inner_text()) >= 36
    # τ is off: the prediction is the argmax.
    expect(page.get_by_role("slider", name=re.compile("threshold τ"))).to_be_disabled()
    evaluate = page.get_by_role("region", name="Evaluate")
    expect(evaluate.get_by_text("there is no threshold τ")).to_be_visible()
    expect(page.locator('[data-stat="macro-f1"]')).not_to_have_text("—")
    # The softmax formula, every coefficient by class, the boundaries between classes.
    expect(page.get_by_role("img", name=re.compile(r"p-hat of class k = exp"))).to_be_visible()
    expect(page.get_by_role("spinbutton", name="weight of w₀ (class 2)")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="intercept b (class 1)")).to_be_visible()
    assert lab.painted("contours") is not None
    # Two-class views say so instead of showing stale numbers.
    calib = page.get_by_role("region", name="Calibration")
    expect(
        calib.get_by_text("This view is for two classes; this experiment has 3.")
    ).to_be_visible()
    expect(page.get_by_role("checkbox", name="Show 95% confidence band")).to_be_hidden()
    # Adding points cycles through the classes, with the button and with C.
    button = page.get_by_role("button", name=re.compile("^Adding class"))
    expect(button).to_have_text("Adding class 1")
    button.click()
    expect(button).to_have_text("Adding class 2")
    lab.chart.focus()
    page.keyboard.press("c")
    expect(button).to_have_text("Adding class 0")
    lab.chart.click(position=lab.to_pixel(0.0, 4.0))
    expect(lab.stat("n-points")).to_have_text("121")
    # The PNG's caption names the softmax model.
    with page.expect_download():
        page.get_by_role("button", name="Download PNG").click()
    caption = lab.painted("pngCaption")
    assert "softmax over 3 classes, each z_k linear in x, y (9 coefficients)" in caption
    assert "σ(z)" not in caption
    # Hover: every class's probability.
    lab.chart.hover(position=lab.to_pixel(0.0, 2.0))
    expect(page.locator("#hover-readout")).to_contain_text("p̂2 =")
    shoot(page, "multiclass-3")


def test_two_class_presets_say_so_and_links_keep_k(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Spiral", exact=True).click()
    expect(lab.stat("preset")).to_have_text("Spiral")
    classes(page, 5)
    expect(page.locator(".key-4")).to_be_visible()
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    expect(lab.cell("a4-p4")).to_be_visible()
    box = page.get_by_role("spinbutton", name="polynomial degree value")
    box.fill("2")
    box.press("Enter")
    expect(page.get_by_text("columns: x, y, x², x·y, y²", exact=False)).to_be_visible()
    shoot(page, "multiclass-5")
    # A reload of the link gives the same five classes back.
    page.reload()
    lab.ready()
    expect(page.get_by_role("combobox", name="number of classes")).to_have_value("5")
    expect(lab.cell("a4-p4")).to_be_visible()
    page.get_by_role("button", name="XOR", exact=True).click()
    box = page.get_by_role("combobox", name="number of classes")
    expect(box).to_be_disabled()
    expect(box).to_have_value("2")
    expect(
        page.get_by_text("XOR has two classes; Blobs, Overlap and Spiral take 2–5.")
    ).to_be_visible()
    expect(lab.cell("tn")).to_be_visible()
    expect(page.get_by_role("slider", name=re.compile("threshold τ"))).to_be_enabled()


def test_three_classes_card(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Set up: Three classes").click()
    auto = page.get_by_role("button", name="Auto-train")
    expect(auto).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("combobox", name="number of classes")).to_have_value("3")
    page.wait_for_function("() => window.logitlabPerf.steps >= 10", timeout=60_000)
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "false")
    assert percent(lab, "accuracy") >= 90


def test_roc_page_one_vs_rest(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Overlap", exact=True).click()
    classes(page, 3)  # at once: K goes with the preset just clicked
    expect(lab.stat("preset")).to_have_text("Overlap")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    page.get_by_role("link", name=re.compile("ROC")).first.click()
    page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
    expect(page.get_by_role("heading", name="One-vs-rest ROC curves")).to_be_visible()
    macro = page.locator('[data-stat="macro-auc"]')
    expect(macro).not_to_have_text("—")
    assert 0.5 < float(macro.inner_text()) <= 1.0
    for c in range(3):
        expect(page.locator(f'[data-stat="auc-{c}"]')).to_contain_text("AUC")
    expect(page.get_by_role("heading", name="Scores and best thresholds")).to_be_hidden()
    expect(page.locator('[data-stat="preset"]')).to_have_text("Overlap")
    expect(
        page.get_by_text(re.compile(r"This model has 9 coefficients \(3 classes\)"))
    ).to_be_visible()
    expect(page.get_by_role("slider", name="w₀")).to_be_hidden()
    shoot(page, "roc-multiclass-3")


def test_roc_page_says_when_sliders_cannot_show_every_coefficient(lab: Lab) -> None:
    page = lab.page
    page.goto(f"{lab.url}/roc#preset=circles&deg=3&std=1")
    page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
    note = page.get_by_text("This model has 10 coefficients (degree 3)")
    expect(note).to_be_visible()
    expect(page.get_by_role("slider", name="w₀")).to_be_hidden()
    expect(page.get_by_role("heading", name="Scores and best thresholds")).to_be_visible()


def test_undo_takes_back_a_degree_change(lab: Lab) -> None:
    page = lab.page
    undo = page.get_by_role("button", name="Undo", exact=True)
    expect(undo).to_be_disabled()
    box = page.get_by_role("spinbutton", name="polynomial degree value")
    box.fill("3")
    box.press("Enter")
    page.wait_for_function("() => window.logitlabPerf.model.degree === 3")
    expect(undo).to_be_enabled()
    undo.click()
    page.wait_for_function("() => window.logitlabPerf.model.degree === 1")
    expect(box).to_have_value("1")
    expect(undo).to_be_disabled()
