"""The Lab page's fixes of issue 12 (items 8, 10, 11), in real Chromium."""

from __future__ import annotations

import pytest
from lab_page import Lab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_card_stops_auto_train_and_sets_up_its_whole_scenario(lab: Lab) -> None:
    page = lab.page
    auto = page.get_by_role("button", name="Auto-train")
    page.locator('[data-scenario="xor-wall"]').click()
    expect(auto).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => window.logitlabPerf.steps > 20")
    page.locator('[data-scenario="hand-set"]').click()  # "Draw the line yourself": no training
    expect(auto).to_have_attribute("aria-pressed", "false")
    expect(lab.stat("preset")).to_have_text("Blobs")
    expect(lab.stat("steps")).to_have_text("0")
    # Answers come in order: once a later command is answered, no Auto-train batch can be.
    for expected in ("1", "2"):
        page.get_by_role("button", name="Train 1 step").click()
        expect(lab.stat("steps")).to_have_text(expected)


def test_an_emptied_number_box_restores_the_shown_value(lab: Lab) -> None:
    page = lab.page
    for label, shown in (("number of points value", "120"), ("w₀ value", "1")):
        box = page.get_by_label(label)
        expect(box).to_have_value(shown)
        box.click()
        box.press("Control+A")
        box.press("Backspace")
        box.press("Enter")
        expect(box).to_have_value(shown)
        box.press("Tab")
        expect(box).to_have_value(shown)
    page.get_by_label("optimizer").select_option("sgd")
    batch = page.get_by_label("batch size")
    expect(batch).to_have_value("16")
    batch.click()
    batch.press("Control+A")
    batch.press("Backspace")
    batch.press("Enter")
    expect(batch).to_have_value("16")
    page.get_by_role("button", name="Train 1 step").click()  # a round trip later ...
    expect(lab.stat("steps")).to_have_text("1")
    expect(lab.stat("n-points")).to_have_text("120")  # ... nothing else was applied
    expect(page.get_by_label("number of points value")).to_have_value("120")


def test_a_link_with_bad_fields_keeps_the_valid_ones_and_names_the_bad(lab: Lab) -> None:
    page = lab.page
    page.goto("about:blank")
    page.goto(f"{lab.url}/#preset=nope&n=60&w0=abc&w1=2.5&tau=7&opt=newton")
    lab.ready()
    notice = page.get_by_text("This link's lab state was not valid in part")
    expect(notice).to_be_visible()
    for field in ("data.preset", "model.w0", "view.tau"):
        expect(notice).to_contain_text(field)
    expect(lab.stat("n-points")).to_have_text("60")
    expect(page.get_by_label("w₁ value")).to_have_value("2.5")
    expect(page.get_by_label("optimizer")).to_have_value("newton")
    expect(page.get_by_label("w₀ value")).to_have_value("1")  # the default, in place of "abc"
