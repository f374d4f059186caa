"""The data chart, driven with the mouse and the keyboard like a user."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest
from lab_page import Lab
from PIL import Image
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def last_edit(lab: Lab) -> str:
    fragment = unquote(lab.page.evaluate("() => location.hash"))
    match = re.search(r"edits=([^&]*)", fragment)
    assert match is not None, fragment
    return match.group(1).split("~")[-1]


def test_click_adds_a_point_of_the_active_class(lab: Lab) -> None:
    toggle = lab.page.get_by_role("button", name=re.compile("^Adding class"))
    expect(toggle).to_have_text("Adding class 1")
    lab.chart.click(position=lab.to_pixel(4, -4))
    expect(lab.stat("n-points")).to_have_text("121")
    lab.wait_hash("edits=a")
    assert last_edit(lab).endswith("_1")
    x, y, _ = (float(v) for v in last_edit(lab)[1:].split("_"))
    assert x == pytest.approx(4, abs=0.05) and y == pytest.approx(-4, abs=0.05)

    lab.page.keyboard.press("c")
    expect(toggle).to_have_text("Adding class 0")
    lab.chart.click(position=lab.to_pixel(4, 4))
    expect(lab.stat("n-points")).to_have_text("122")
    lab.wait_hash("_0")
    edit = last_edit(lab)
    assert edit.startswith("a") and edit.endswith("_0")
    x, y, _ = (float(v) for v in edit[1:].split("_"))
    assert x == pytest.approx(4, abs=0.05) and y == pytest.approx(4, abs=0.05)
    toggle.click()
    expect(toggle).to_have_text("Adding class 1")


def test_drag_moves_a_point_and_shift_click_deletes_it(lab: Lab) -> None:
    lab.chart.click(position=lab.to_pixel(4, -4))
    expect(lab.stat("n-points")).to_have_text("121")
    box = lab.chart.bounding_box()
    assert box is not None
    start, end = lab.to_pixel(4, -4), lab.to_pixel(3, -2)
    mouse = lab.page.mouse
    mouse.move(box["x"] + start["x"], box["y"] + start["y"])
    mouse.down()
    mouse.move(box["x"] + end["x"], box["y"] + end["y"], steps=8)
    mouse.up()
    lab.wait_hash("~m120_")
    index, x, y = (float(v) for v in last_edit(lab)[1:].split("_"))
    assert index == 120
    assert x == pytest.approx(3, abs=0.05) and y == pytest.approx(-2, abs=0.05)
    expect(lab.stat("n-points")).to_have_text("121")

    lab.chart.click(position=end, modifiers=["Shift"])
    expect(lab.stat("n-points")).to_have_text("120")
    lab.wait_hash("~d120")


def test_right_click_deletes_and_ctrl_z_undoes(lab: Lab) -> None:
    spot = lab.to_pixel(4, 4)
    lab.chart.click(position=spot)
    expect(lab.stat("n-points")).to_have_text("121")
    lab.chart.click(position=spot, button="right")
    expect(lab.stat("n-points")).to_have_text("120")
    lab.page.keyboard.press("Control+z")
    expect(lab.stat("n-points")).to_have_text("121")
    lab.page.keyboard.press("Control+z")
    expect(lab.stat("n-points")).to_have_text("120")
    expect(lab.stat("preset")).to_have_text("Blobs")


def test_keyboard_adds_and_deletes_points_and_hover_reads_the_model(lab: Lab) -> None:
    lab.chart.focus()
    lab.page.keyboard.press("Shift+ArrowRight")
    lab.page.keyboard.press("Enter")
    expect(lab.stat("n-points")).to_have_text("121")
    lab.page.keyboard.press("Delete")
    expect(lab.stat("n-points")).to_have_text("120")

    box = lab.chart.bounding_box()
    assert box is not None
    at = lab.to_pixel(2, 1)
    lab.page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    # z = w0·x + w1·y + b = 1·2 − 1·1 + 0 = 1 with the starting weights.
    readout = lab.page.locator("#hover-readout")
    expect(readout).to_contain_text("z = ")
    z = float(re.search(r"z = (-?[\d.]+)", readout.inner_text()).group(1))  # type: ignore[union-attr]
    assert z == pytest.approx(1.0, abs=0.05)
    expect(readout).to_contain_text("p̂ = 0.7")


def test_clear_points_and_the_field_toggle(lab: Lab) -> None:
    lab.page.get_by_role("button", name="Clear points").click()
    expect(lab.stat("n-points")).to_have_text("0")
    expect(lab.stat("log-loss")).to_have_text("—")
    # Auto-train with nothing to train on says why and stops instead of retrying.
    auto = lab.page.get_by_role("button", name="Auto-train")
    auto.click()
    expect(lab.page.get_by_text("no points to train on")).to_be_visible()
    expect(auto).to_have_attribute("aria-pressed", "false")
    # What the user sees (a screenshot): with z = x − y, orange where p̂ > 0.5, blue where
    # p̂ < 0.5, and the chart's plain white once the field is switched off.
    orange, blue = seen_colors(lab)
    assert orange[0] > orange[2] + 60 and blue[2] > blue[0] + 60, (orange, blue)
    lab.page.get_by_role("checkbox", name="probability field").uncheck()
    lab.wait_hash("field=0")
    lab.page.wait_for_function("() => document.querySelector('[data-layer=field]').hidden")
    assert all(min(rgb) >= 245 for rgb in seen_colors(lab)), seen_colors(lab)
    lab.page.get_by_role("checkbox", name="probability field").check()
    lab.wait_hash("field=1")
    lab.page.wait_for_function("() => !document.querySelector('[data-layer=field]').hidden")
    assert seen_colors(lab) == (orange, blue)


def seen_colors(lab: Lab) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The chart's colours at (3.5, −3.5) and (−3.5, 3.5), read from a screenshot."""
    image = Image.open(io.BytesIO(lab.chart.screenshot())).convert("RGB")
    out = []
    for x, y in ((3.5, -3.5), (-3.5, 3.5)):
        p = lab.to_pixel(x, y)
        out.append(tuple(image.getpixel((round(p["x"]), round(p["y"])))))
    return out[0], out[1]


def test_add_then_drag_at_the_same_spot_moves_that_point(lab: Lab) -> None:
    # A user clicks, then drags from where the pointer already is: nothing on the page
    # may move between the two, so the pixel position is measured once, before the click.
    box = lab.chart.bounding_box()
    assert box is not None
    start, end = lab.to_pixel(4, -4), lab.to_pixel(2, -3)
    mouse = lab.page.mouse
    mouse.click(box["x"] + start["x"], box["y"] + start["y"])
    expect(lab.stat("n-points")).to_have_text("121")
    expect(lab.stat("preset")).to_have_text("Blobs (edited)")
    assert lab.chart.bounding_box() == box
    mouse.move(box["x"] + start["x"], box["y"] + start["y"])
    mouse.down()
    mouse.move(box["x"] + end["x"], box["y"] + end["y"], steps=8)
    mouse.up()
    lab.wait_hash("~m120_")
    index, x, y = (float(v) for v in last_edit(lab)[1:].split("_"))
    assert index == 120
    assert x == pytest.approx(2, abs=0.05) and y == pytest.approx(-3, abs=0.05)
    expect(lab.stat("n-points")).to_have_text("121")


def test_an_error_message_goes_away_on_the_next_action_or_by_itself(lab: Lab) -> None:
    page = lab.page
    notice = page.get_by_role("status").filter(has_text="nothing to undo")
    page.keyboard.press("Control+z")
    expect(notice).to_be_visible()
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("1")
    expect(notice).to_be_hidden()
    page.keyboard.press("Control+z")
    expect(notice).to_be_visible()
    expect(notice).to_be_hidden()  # after a few seconds without any action
    expect(lab.stat("steps")).to_have_text("1")


def test_the_keyboard_cursor_shows_only_for_keyboard_use(lab: Lab) -> None:
    wrap = lab.page.locator("#data-chart")
    lab.chart.click(position=lab.to_pixel(4, -4))
    expect(lab.stat("n-points")).to_have_text("121")
    expect(lab.chart).to_be_focused()
    expect(wrap).to_have_attribute("data-keyboard-cursor", "off")
    lab.page.keyboard.press("ArrowRight")
    expect(wrap).to_have_attribute("data-keyboard-cursor", "on")
    lab.chart.click(position=lab.to_pixel(-4, 4))
    expect(lab.stat("n-points")).to_have_text("122")
    expect(wrap).to_have_attribute("data-keyboard-cursor", "off")
    # Tabbing onto the chart is keyboard focus: the cursor shows at once.
    lab.page.get_by_role("button", name="Adding class 1").focus()
    lab.page.keyboard.press("Tab")
    expect(lab.chart).to_be_focused()
    expect(wrap).to_have_attribute("data-keyboard-cursor", "on")
