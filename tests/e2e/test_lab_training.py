"""Training buttons, parameters, hyperparameters, τ and the divergence state."""

from __future__ import annotations

import math
import re

import pytest
from lab_page import Lab
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_step_hundred_auto_and_pause(lab: Lab) -> None:
    page = lab.page
    loss0 = lab.number("log-loss")
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("1")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("101")
    assert lab.number("log-loss") < loss0
    # The loss curve reads out by keyboard too; its last column is the current objective.
    curve = page.get_by_role("img", name="Loss curve")
    curve.focus()
    page.keyboard.press("End")
    expect(page.locator("#loss-readout")).to_contain_text("step 101: loss ")
    page.keyboard.press("Home")
    expect(page.locator("#loss-readout")).to_contain_text("step 0: loss ")

    auto = page.get_by_role("button", name="Auto-train")
    expect(auto).to_have_attribute("aria-pressed", "false")
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => window.logitlabPerf.steps > 150")
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "false")
    # Paused: after a reset (answered after any batch already sent), the only steps
    # are the ones we ask for.
    page.get_by_role("button", name="Reset weights").click()
    expect(lab.stat("steps")).to_have_text("0")
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("1")
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("2")
    assert lab.painted("steps") == 2

    page.get_by_role("button", name="Reset weights").click()
    expect(lab.stat("steps")).to_have_text("0")
    expect(page.get_by_label("w₀ value")).to_have_value("1")
    expect(page.get_by_label("w₁ value")).to_have_value("-1")

    # More steps than the chart has pixel columns: the curve is decimated, and its
    # history still starts at step 0 on this page (it once said "since step 1").
    for done in range(100, 700, 100):
        page.get_by_role("button", name="Train 100 steps").click()
        expect(lab.stat("steps")).to_have_text(str(done))
    expect(page.locator("#loss-readout")).to_have_text("Hover the curve to read a step's loss.")


def formula_weights(label: str) -> tuple[float, float, float]:
    """w0, w1, b read from the formula's accessible name, "z = 1.2 x − 0.5 y + 0.1, …"."""
    match = re.fullmatch(r"z = (−?[\d.]+) x ([+−]) ([\d.]+) y ([+−]) ([\d.]+), .*", label)
    assert match is not None, label
    a, s1, c, s2, d = match.groups()

    def num(text: str) -> float:
        return float(text.replace("−", "-"))

    return num(a), num(s1 + c), num(s2 + d)


def test_the_model_formula_shows_the_trained_weights(lab: Lab) -> None:
    page = lab.page
    math = page.get_by_label("Current model").locator("math")
    expect(math).to_have_attribute("aria-label", re.compile(r"^z = 1 x − 1 y \+ 0, "))
    page.evaluate("() => { window.shownFormula = document.querySelector('#model-math math'); }")
    for steps in ("1", "2"):
        page.get_by_role("button", name="Train 1 step").click()
        expect(lab.stat("steps")).to_have_text(steps)
    w = lab.painted("model")
    shown = formula_weights(math.get_attribute("aria-label") or "")
    assert shown == pytest.approx((w["w0"], w["w1"], w["b"]), rel=5e-3, abs=1e-9)
    assert shown != (1.0, -1.0, 0.0)
    # Only the numbers changed, so they were rewritten in the element already shown:
    # rebuilding the formula every training frame cost the page a relayout of everything.
    assert page.evaluate("() => document.querySelector('#model-math math') === window.shownFormula")


def on_boundary(lab: Lab) -> float:
    """w0·x + w1·y + b at both ends of the painted boundary (0 when τ = 0.5)."""
    seg = lab.painted("boundary")
    m = lab.painted("model")
    return max(
        abs(m["w0"] * seg["x1"] + m["w1"] * seg["y1"] + m["b"]),
        abs(m["w0"] * seg["x2"] + m["w1"] * seg["y2"] + m["b"]),
    )


def test_sliders_move_the_boundary(lab: Lab) -> None:
    page = lab.page
    start = lab.painted("boundary")
    w0 = page.get_by_role("slider", name="w₀")
    w0.focus()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_label("w₀ value")).to_have_value("1.01")
    page.wait_for_function("() => window.logitlabPerf.model.w0 === 1.01")
    assert lab.painted("boundary") != start
    assert on_boundary(lab) < 1e-9

    box_b = page.get_by_label("b value")
    box_b.fill("2")
    box_b.press("Enter")
    page.wait_for_function("() => window.logitlabPerf.model.b === 2")
    assert on_boundary(lab) < 1e-9
    assert page.get_by_role("slider", name="b · intercept").input_value() == "2"

    # A value beyond the slider's range widens the range instead of being clamped.
    box_w1 = page.get_by_label("w₁ value")
    box_w1.fill("-12.5")
    box_w1.press("Enter")
    page.wait_for_function("() => window.logitlabPerf.model.w1 === -12.5")
    w1 = page.get_by_role("slider", name="w₁")
    assert float(w1.get_attribute("min") or 0) <= -12.5
    assert w1.input_value() == "-12.5"
    expect(box_w1).to_have_value("-12.5")
    assert on_boundary(lab) < 1e-9


def test_threshold_changes_the_confusion_matrix(lab: Lab) -> None:
    page = lab.page
    n = int(lab.stat("n-points").inner_text())
    before = lab.cells()
    assert sum(before.values()) == n
    assert lab.painted("halfLine") is None
    tau = page.get_by_label("threshold τ value")
    tau.fill("0.9")
    tau.press("Enter")
    page.wait_for_function("() => window.logitlabPerf.halfLine !== null")
    expect(page.get_by_role("slider", name="threshold τ")).to_have_value("0.9")
    after = lab.cells()
    assert after != before
    assert sum(after.values()) == n
    assert after["tp"] + after["fp"] <= before["tp"] + before["fp"]
    # The boundary is now where p̂ = 0.9, i.e. z = logit(0.9).
    seg, m = lab.painted("boundary"), lab.painted("model")
    z = m["w0"] * seg["x1"] + m["w1"] * seg["y1"] + m["b"]
    assert z == pytest.approx(math.log(9), abs=1e-9)
    predicted = after["tp"] + after["fp"]
    if predicted:
        precision = float(lab.stat("precision").inner_text())
        assert precision == pytest.approx(after["tp"] / predicted, abs=1e-3)
    else:
        expect(lab.stat("precision")).to_have_text("—")


def test_large_learning_rate_shows_divergence_without_nan(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Circles", exact=True).click()
    expect(lab.stat("preset")).to_have_text("Circles")
    eta = page.get_by_label("learning rate η value")
    eta.fill("10")
    eta.press("Enter")
    lab.wait_hash("eta=10")
    expect(page.get_by_role("slider", name="learning rate η")).to_have_value("1000")
    page.get_by_role("button", name="Train 100 steps").click()
    page.get_by_role("button", name="Train 100 steps").click()
    banner = page.get_by_role("status").filter(has_text="Diverging")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("learning rate")
    text = page.locator("body").inner_text()
    assert "NaN" not in text and "Infinity" not in text
    page.get_by_role("button", name="Reset weights").click()
    expect(banner).to_be_hidden()


def test_penalty_optimizer_and_log_scale(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("combobox", name="penalty").select_option("l2")
    lam = page.get_by_label("regularization strength λ value")
    lam.fill("0.05")
    lam.press("Enter")
    lab.wait_hash("lam=0.05")
    expect(page.locator("#penalty-note")).to_contain_text("C")
    page.get_by_role("combobox", name="optimizer").select_option("sgd")
    expect(page.get_by_label("batch size")).to_be_visible()
    page.get_by_role("combobox", name="optimizer").select_option("newton")
    expect(page.get_by_label("batch size")).to_be_hidden()
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("1")
    page.get_by_role("checkbox", name="log scale").check()
    lab.wait_hash("logy=1")


def test_separable_data_says_the_weights_keep_growing(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Near-perfect").click()
    expect(lab.stat("preset")).to_have_text("Near-perfect")
    page.get_by_role("button", name="Train 100 steps").click()
    banner = page.get_by_role("status").filter(has_text="Separable")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("L2")
    norm = lab.number("weight-norm")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("200")
    assert lab.number("weight-norm") > norm
    # The warning can be hidden; it stays hidden while the state stays "separable".
    banner.get_by_role("button", name="Hide this message").click()
    expect(banner).to_be_hidden()
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("300")
    expect(banner).to_be_hidden()
    # An L2 penalty gives a finite optimum: the banner goes away.
    page.get_by_role("combobox", name="penalty").select_option("l2")
    lam = page.get_by_label("regularization strength λ value")
    lam.fill("0.05")
    lam.press("Enter")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(banner).to_be_hidden()
