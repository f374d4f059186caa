"""On a touch screen every help line speaks of taps: no hover, shift-click or keyboard advice."""

from __future__ import annotations

import re

import pytest
from lab_page import DESKTOP, PHONE
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.e2e

POINTER_ONLY = re.compile(r"hover|shift-click|right-click|ctrl\+z|keyboard|arrow keys|←|→", re.I)

VISIBLE_HELP = """
() => [...document.querySelectorAll(".help")]
  .filter((el) => el.getClientRects().length > 0)
  .map((el) => el.innerText.trim())
"""


@pytest.mark.parametrize("path", ["/", "/roc"])
def test_help_on_a_touch_screen_names_no_pointer_or_keyboard_gesture(
    browser: Browser, lab_url: str, path: str
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{lab_url}{path}")
        expect(page.locator(".help").first).to_be_visible()
        helps = page.evaluate(VISIBLE_HELP)
        assert helps, "no help text is shown"
        assert [h for h in helps if POINTER_ONLY.search(h)] == []
        assert any("tap" in h.lower() for h in helps)
        # The chart's read-out line, too, speaks of a finger rather than of hovering.
        expect(page.locator("#hover-readout")).to_contain_text("Drag a finger on the chart")
    finally:
        context.close()


def test_the_roc_curves_help_on_a_desktop_still_names_hover_and_arrow_keys(
    browser: Browser, lab_url: str
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{lab_url}/roc")
        expect(page.locator(".help").first).to_be_visible()
        helps = page.evaluate(VISIBLE_HELP)
        assert any("Hover a curve" in h and "← →" in h for h in helps)
    finally:
        context.close()


def test_a_tap_on_the_roc_curve_moves_tau_as_its_touch_help_says(
    browser: Browser, lab_url: str
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{lab_url}/roc")
        tau = page.get_by_label("threshold τ value")
        expect(tau).to_have_value("0.5")
        chart = page.get_by_label("ROC curve", exact=True)
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None
        # Near the top right of the unit square: a point with a low threshold.
        page.touchscreen.tap(box["x"] + box["width"] * 0.9, box["y"] + box["height"] * 0.1)
        expect(tau).not_to_have_value("0.5")
    finally:
        context.close()


def test_a_tap_on_the_loss_curve_reads_a_step_and_the_reading_stays(
    browser: Browser, lab_url: str
) -> None:
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        page = context.new_page()
        page.goto(f"{lab_url}/")
        readout = page.locator("#loss-readout")
        expect(readout).to_have_text("Tap the curve to read a step's loss.")
        page.get_by_role("button", name="Train 100 steps").tap()
        expect(page.locator('[data-stat="steps"]')).to_have_text("100")
        chart = page.get_by_label("Loss curve (arrow keys read the steps)")
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        assert box is not None
        page.touchscreen.tap(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        expect(readout).to_have_text(re.compile(r"^step \d+: loss "))
    finally:
        context.close()
