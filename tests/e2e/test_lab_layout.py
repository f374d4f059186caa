"""Accessible names, the ROC link, and the page at desktop and phone sizes."""

from __future__ import annotations

import re

import pytest
from lab_page import DESKTOP, PHONE, SCREENSHOTS, Lab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

BUTTONS = [
    "Train 1 step",
    "Train 100 steps",
    "Auto-train",
    "Reset weights",
    "Clear points",
    "New sample",
    "Download PNG",
]
SLIDERS = [
    "w₀",
    "w₁",
    "b · intercept",
    "learning rate η",
    "regularization strength λ",
    "threshold τ",
    "number of points",
]


def test_controls_have_their_names(lab: Lab) -> None:
    page = lab.page
    for name in BUTTONS:
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    for name in SLIDERS:
        expect(page.get_by_role("slider", name=name)).to_have_count(1)
    expect(page.get_by_label("Data chart")).to_have_count(1)
    link = page.get_by_role("link", name="ROC & AUC")
    expect(link).to_have_attribute("href", "/roc")
    for stat in [
        "log-loss",
        "delta-loss",
        "accuracy",
        "steps",
        "n-points",
        "preset",
        "weight-norm",
        "baseline",
    ]:
        expect(lab.stat(stat)).to_have_count(1)


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_page_fits_the_screen(lab: Lab, size: dict[str, int]) -> None:
    page = lab.page
    page.set_viewport_size(size)
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    tau = page.get_by_label("threshold τ value")
    tau.fill("0.7")
    tau.press("Enter")
    page.wait_for_function("() => window.logitlabPerf.halfLine !== null")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    chart = lab.chart.bounding_box()
    assert chart is not None
    assert chart["width"] >= min(300, size["width"] - 60)
    assert chart["x"] >= 0 and chart["x"] + chart["width"] <= size["width"]
    page.evaluate("() => window.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(exist_ok=True)
    name = f"lab-{size['width']}x{size['height']}"
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    page.screenshot(path=SCREENSHOTS / f"{name}-full.png", full_page=True)


PHONE_ORDER = [  # the panels top to bottom on a phone (lab.css: one order list)
    "Data, boundary and probability field",
    "Train",
    "Point inspector",
    "Hyperparameters",
    "Stats",
    "Parameters",
    "Data",
    "Features",
    "Evaluate",
    "Loss curve",
    "Replay",
    "Calibration",
    "Inference",
    "Regularization path",
    "Loss landscape",
    "Reproduce in Python",
    "Save and share",
]


@pytest.mark.parametrize("width", [390, 710], ids=["390", "710"])
def test_phone_panels_come_in_one_order(lab: Lab, width: int) -> None:
    """Every panel has its place (at 701-720 px Features once jumped above the chart)."""
    page = lab.page
    page.set_viewport_size({"width": width, "height": 844})
    page.wait_for_function("() => window.logitlabPerf.paints > 0")
    tops = []
    for name in PHONE_ORDER:
        region = page.get_by_role("region", name=re.compile(f"^{re.escape(name)}( |$)"))
        expect(region).to_have_count(1)
        box = region.bounding_box()
        assert box is not None, name
        tops.append((box["y"], name))
    assert [name for _, name in sorted(tops)] == PHONE_ORDER
