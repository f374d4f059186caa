"""The first screen holds the experiment, and no text is ever wider than its box."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from lab_page import DESKTOP, PHONE, SCREENSHOTS, Lab
from playwright.sync_api import Locator, Page, expect

pytestmark = pytest.mark.e2e

STATS = ["log-loss", "delta-loss", "accuracy", "steps", "n-points", "preset", "weight-norm"]

# Every element whose own text (or MathML) could be cut or spill out of its box: its
# content must fit its width, and its box must sit inside the panel (or cell) holding it.
OVERFLOWS = """
() => {
  const bad = [];
  const holders = ".panel, td, th, dd, dt, button, label, .model-math";
  for (const el of document.querySelectorAll("main *")) {
    const style = getComputedStyle(el);
    if (style.display === "none" || style.visibility === "hidden") continue;
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim() !== "");
    if (!ownText && el.localName !== "math") continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const name = el.localName + (el.id ? "#" + el.id : "");
    const stat = el.dataset.stat ? `[${el.dataset.stat}]` : "";
    const label = `${name}${stat}: ${el.textContent.trim().slice(0, 40)}`;
    if (style.display !== "inline" && el.scrollWidth > el.clientWidth + 1) {
      bad.push(`${label} needs ${el.scrollWidth}px, has ${el.clientWidth}px`);
    }
    const holder = el.parentElement.closest(holders);
    if (holder !== null) {
      const h = holder.getBoundingClientRect();
      if (r.left < h.left - 1 || r.right > h.right + 1) {
        bad.push(`${label} spills out of ${holder.localName}.${holder.className}`);
      }
    }
  }
  const math = document.querySelector("#model-math math");
  const box = document.getElementById("model-math");
  if (math && math.getBoundingClientRect().width > box.clientWidth + 1) {
    bad.push("the formula is cut");
  }
  if ((window.logitlabPerf.clippedLabels ?? 0) !== 0) bad.push("a loss-chart tick label is cut");
  return bad;
}
"""


def first_screen(page: Page) -> dict[str, Locator]:
    return {
        "data chart": page.get_by_label("Data chart"),
        "preset buttons": page.get_by_role("group", name="Presets"),
        "Train 1 step": page.get_by_role("button", name="Train 1 step", exact=True),
        "Train 100 steps": page.get_by_role("button", name="Train 100 steps", exact=True),
        "Auto-train": page.get_by_role("button", name="Auto-train", exact=True),
        "threshold τ slider": page.get_by_role("slider", name="threshold τ"),
        "confusion matrix": page.get_by_role("table", name="Confusion matrix at τ"),
        **{f"stat {s}": page.locator(f'[data-stat="{s}"]') for s in STATS},
    }


def test_the_experiment_fits_the_first_screen_at_1280x800(lab: Lab) -> None:
    page = lab.page
    assert page.viewport_size == DESKTOP
    page.evaluate("() => window.scrollTo(0, 0)")
    outside = []
    for name, locator in first_screen(page).items():
        expect(locator).to_be_visible()
        box = locator.bounding_box()
        assert box is not None, name
        if not (
            box["x"] >= 0
            and box["y"] >= 0
            and box["x"] + box["width"] <= DESKTOP["width"]
            and box["y"] + box["height"] <= DESKTOP["height"]
        ):
            outside.append(f"{name} at {box}")
    assert outside == [], "outside the 1280 × 800 viewport: " + "; ".join(outside)
    assert page.evaluate("() => window.scrollY") == 0


def test_the_chart_comes_first_on_a_phone_with_touch_help(lab: Lab) -> None:
    page = lab.page
    page.set_viewport_size(PHONE)
    chart = lab.chart.bounding_box()
    assert chart is not None and chart["y"] < 250
    for name in ("Undo", "Delete point"):
        button = page.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box is not None and box["y"] > chart["y"]  # below the chart, before the rest


def long_csv(folder: Path) -> Path:
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 2)).round(3)
    lines = ["a,b,kind"] + [f"{a},{b},{int(a + b > 0)}" for a, b in X]
    path = folder / "field_measurements_of_the_northern_slope_2026_final_v2.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def set_box(page: Page, name: str, value: str) -> None:
    box = page.get_by_label(name, exact=True)
    box.fill(value)
    box.press("Enter")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_no_text_is_wider_than_its_box_at_extreme_values(
    lab: Lab, tmp_path: Path, size: dict[str, int]
) -> None:
    page = lab.page
    page.set_viewport_size(size)
    page.locator("#csv-file").set_input_files(str(long_csv(tmp_path)))
    expect(page.get_by_role("dialog")).to_be_visible(timeout=30_000)
    page.get_by_label("x (horizontal axis)").select_option("a")
    page.get_by_label("y (vertical axis)").select_option("b")
    page.get_by_label("target (two classes)").select_option("kind")
    page.get_by_role("button", name="Load points").click()
    expect(lab.stat("preset")).to_have_text(
        "field_measurements_of_the_northern_slope_2026_final_v2"
    )
    # Huge weights: the points' scores reach ~1e6, so the loss does too (a diverged run).
    set_box(page, "learning rate η value", "0.0001")
    set_box(page, "w₀ value", "123456.789")
    set_box(page, "w₁ value", "-1000000")
    page.wait_for_function("() => window.logitlabPerf.model && window.logitlabPerf.model.w1 < -9e5")
    page.get_by_role("button", name="Train 1 step").click()
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("2")
    loss = float(lab.stat("log-loss").inner_text())
    assert loss > 5e5
    page.evaluate("() => window.scrollTo(0, 0)")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"lab-extreme-{size['width']}x{size['height']}.png")
    problems = page.evaluate(OVERFLOWS)
    assert problems == []
    # The formula shows the weights (a power of ten), not a cut "p̂ = c".
    expect(page.locator("#model-math")).to_contain_text("10")


def test_undo_and_delete_point_buttons_edit_like_the_shortcuts(lab: Lab) -> None:
    page = lab.page
    undo = page.get_by_role("button", name="Undo", exact=True)
    remove = page.get_by_role("button", name="Delete point", exact=True)
    expect(undo).to_be_disabled()  # nothing to undo yet
    spot = {"x": 60, "y": 60}  # a corner of the plot, away from the blobs
    lab.chart.click(position=spot)
    expect(lab.stat("n-points")).to_have_text("121")
    remove.click()
    expect(remove).to_have_attribute("aria-pressed", "true")
    lab.chart.click(position=spot)  # a tap on the point removes it instead of adding one
    expect(lab.stat("n-points")).to_have_text("120")
    remove.click()
    expect(remove).to_have_attribute("aria-pressed", "false")
    undo.click()  # the delete comes back
    expect(lab.stat("n-points")).to_have_text("121")
    undo.click()  # and so does the state before the add
    expect(lab.stat("n-points")).to_have_text("120")
    expect(undo).to_be_disabled()


def test_fit_view_keeps_an_outlier_from_squeezing_the_chart(lab: Lab) -> None:
    page = lab.page
    page.goto(f"{lab.url}/#preset=blobs&edits=a900_-850_0")  # one point far away
    page.reload()  # a new hash alone does not reload the page
    lab.ready()
    page.wait_for_function("() => window.logitlabPerf.view.xmax >= 900")
    fit = page.get_by_role("button", name="Fit view")
    expect(fit).to_have_attribute("aria-pressed", "false")
    fit.click()
    expect(fit).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => window.logitlabPerf.view.xmax === 5")  # the blobs' own view
    lab.wait_hash("fit=most")
    fit.click()
    page.wait_for_function("() => window.logitlabPerf.view.xmax >= 900")
    expect(fit).to_have_attribute("aria-pressed", "false")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_the_roc_page_without_data_says_no_data_and_cuts_no_text(
    lab: Lab, size: dict[str, int]
) -> None:
    page = lab.page
    page.set_viewport_size(size)
    page.goto(f"{lab.url}/roc")
    page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
    page.get_by_role("button", name="Clear points").click()
    for name in ("roc-auc", "average-precision"):
        expect(page.locator(f'[data-grade="{name}"]')).to_have_text("no data")
    page.evaluate("() => window.scrollTo(0, 0)")
    assert page.evaluate(OVERFLOWS) == []
