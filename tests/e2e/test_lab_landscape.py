"""The loss landscape, the optimizer race and replay in real Chromium (issue 15, parts 1-3)."""

from __future__ import annotations

import os
import re

import pytest
from lab_page import DESKTOP, PHONE, SCREENSHOTS, Lab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# The racers' colours (static/landscape.js RACER_COLORS), as RGB.
RACERS = {
    "gd": (0x00, 0x72, 0xB2),
    "momentum": (0xE6, 0x9F, 0x00),
    "adam": (0xCC, 0x79, 0xA7),
    "sgd": (0x56, 0xB4, 0xE9),
    "newton": (0xD5, 0x5E, 0x00),
}

PIXELS = """(el) => {
  const c = el.getContext("2d").getImageData(0, 0, el.width, el.height).data;
  let h = 0;
  for (let k = 0; k < c.length; k += 7) h = (h * 31 + c[k]) >>> 0;
  return h;
}"""

COUNT_COLORS = """(el, colors) => {
  const c = el.getContext("2d").getImageData(0, 0, el.width, el.height).data;
  const counts = colors.map(() => 0);
  for (let k = 0; k < c.length; k += 4) {
    colors.forEach((rgb, i) => {
      const d = Math.abs(c[k] - rgb[0]) + Math.abs(c[k + 1] - rgb[1]) + Math.abs(c[k + 2] - rgb[2]);
      if (d < 12) {
        counts[i] += 1;
      }
    });
  }
  return counts;
}"""


def landscape(lab: Lab):  # type: ignore[no-untyped-def]
    canvas = lab.page.get_by_role("img", name="Loss landscape")
    canvas.scroll_into_view_if_needed()  # computed once on screen
    lab.page.wait_for_function("() => window.logitlabPerf.landscape.draws > 1")
    expect(lab.page.locator("#landscape-summary")).to_contain_text("held at their current values")
    return canvas


def test_landscape_pixels_follow_the_path_and_a_click_sets_the_weights(lab: Lab) -> None:
    page = lab.page
    canvas = landscape(lab)
    hashes = [canvas.evaluate(PIXELS)]
    for k in range(1, 4):
        page.get_by_role("button", name="Train 1 step").click()
        expect(lab.stat("steps")).to_have_text(str(k))
        canvas.scroll_into_view_if_needed()  # the path is sent while the panel is on screen
        page.wait_for_function(f"() => window.logitlabPerf.landscape.pathPoints === {k + 1}")
        page.wait_for_function(
            f"(h) => ({PIXELS})(document.querySelector('.landscape-wrap canvas')) !== h",
            arg=hashes[-1],
        )
        hashes.append(canvas.evaluate(PIXELS))
    assert len(set(hashes)) == len(hashes)
    # A click sets w₀ and w₁: the weight boxes and the painted model follow.
    box = canvas.bounding_box()
    assert box is not None
    before = lab.painted("model")
    canvas.scroll_into_view_if_needed()
    canvas.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.3})
    page.wait_for_function(f"() => window.logitlabPerf.model.w0 !== {before['w0']}")
    model = lab.painted("model")
    assert model["w1"] != before["w1"] and model["b"] == before["b"]
    assert float(page.get_by_label("w₀ value").input_value()) == pytest.approx(model["w0"])
    # The keyboard moves them too.
    canvas.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(f"() => window.logitlabPerf.model.w0 > {model['w0']}")
    # The picker chooses any two coefficients.
    page.get_by_label("landscape coefficient up").select_option(label="b")
    expect(page.locator("#landscape-summary")).to_contain_text("over w₀ (across) and b (up)")


def test_replay_to_step_zero_shows_the_start_and_resume_drops_the_rest(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    slider = page.get_by_role("slider", name="replay step")
    expect(slider).to_be_enabled()
    slider.focus()
    page.keyboard.press("Home")
    expect(page.locator("#replay-readout")).to_have_text("step 0")
    expect(lab.stat("steps")).to_have_text("0")  # the stats show the model at that step
    expect(page.get_by_label("w₀ value")).to_have_value("1")
    expect(page.get_by_label("w₁ value")).to_have_value("-1")
    expect(page.get_by_label("b value")).to_have_value("0")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    expect(page.locator("#replay-readout")).to_have_text("step 10")
    expect(lab.stat("steps")).to_have_text("10")
    page.get_by_role("button", name="Resume from here").click()
    expect(lab.stat("steps")).to_have_text("10")
    expect(page.locator("#replay-note")).to_contain_text("steps 0–10")
    page.get_by_role("button", name="Restore later steps").click()
    expect(lab.stat("steps")).to_have_text("100")
    expect(page.locator("#replay-note")).to_contain_text("steps 0–100")


def test_the_race_draws_five_paths_and_a_table(lab: Lab) -> None:
    page = lab.page
    page.get_by_label("penalty", exact=True).select_option("l2")
    lam = page.get_by_label("regularization strength λ value")
    lam.fill("0.05")
    lam.press("Enter")
    expect(page.locator("#penalty-note")).to_contain_text("λ = 0.05")
    canvas = landscape(lab)
    page.get_by_role("button", name="Race optimizers").click()
    page.get_by_role("button", name="Auto-train").click()
    table = page.get_by_role("table", name=re.compile(r"^Optimizer race"))
    expect(table.get_by_role("row")).to_have_count(1 + 5)
    newton = table.get_by_role("row", name=re.compile("Newton"))
    expect(newton).to_contain_text(re.compile(r"Newton\s*\d+\s*[\d.]+ ms"))
    page.wait_for_function("() => window.logitlabPerf.landscape.racePaths === 5")
    page.get_by_role("button", name="Auto-train").click()  # pause
    canvas.scroll_into_view_if_needed()
    expect(lab.stat("steps")).to_have_text("0")  # the race took the steps, not the model
    # Every racer's path shows in its own colour (drawn once the panel is back on screen).
    colors = [list(c) for c in RACERS.values()]
    page.wait_for_function(
        f"(colors) => ({COUNT_COLORS})(document.querySelector('.landscape-wrap canvas'), colors)"
        ".every((n) => n > 20)",
        arg=colors,
    )
    # Replaying the race: at step 0 every racer is back at the start.
    live = canvas.evaluate(PIXELS)
    race_step = page.get_by_role("slider", name="race replay step")
    race_step.focus()
    page.keyboard.press("Home")
    expect(page.locator("#race-step-readout")).to_have_text("step 0")
    page.wait_for_function(
        f"(h) => ({PIXELS})(document.querySelector('.landscape-wrap canvas')) !== h", arg=live
    )
    page.keyboard.press("End")
    expect(page.locator("#race-step-readout")).to_have_text("live")
    curves = page.get_by_role("img", name="Race loss curves")
    expect(curves).to_be_visible()
    counts = curves.evaluate(COUNT_COLORS, colors)
    assert all(n > 0 for n in counts), dict(zip(RACERS, counts, strict=True))
    if os.environ.get("LOGITLAB_SHOTS"):
        SCREENSHOTS.mkdir(exist_ok=True)
        for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            page.locator(".landscape-panel").scroll_into_view_if_needed()
            page.screenshot(path=str(SCREENSHOTS / f"landscape-{name}.png"), full_page=True)
            panel = page.locator(".landscape-panel")
            panel.screenshot(path=str(SCREENSHOTS / f"landscape-panel-{name}.png"))


def test_colour_bar_labels_differ_near_the_optimum(lab: Lab) -> None:
    """5-class Spiral at degree 3, fitted exactly: the bar once read "0.0933" twice."""
    page = lab.page
    page.get_by_role("button", name="Spiral", exact=True).click()
    page.get_by_role("combobox", name="number of classes").select_option("5")
    lab.wait_hash("k=5")
    degree = page.get_by_label("polynomial degree value")
    degree.fill("3")
    degree.press("Enter")
    features = page.get_by_role("region", name=re.compile("^Features"))
    expect(features.get_by_text(re.compile("^9 columns"))).to_be_visible()
    page.get_by_role("button", name="Fit exactly").click()
    expect(lab.stat("steps")).to_have_text("exact fit")
    landscape(lab)
    expect(page.get_by_label("landscape coefficient across")).to_contain_text("x²·y (class 0)")
    page.wait_for_function("() => window.logitlabPerf.landscape.barLabels.length > 2")
    labels = lab.painted("landscape.barLabels")
    assert len(set(labels)) == len(labels), labels
