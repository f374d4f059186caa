"""The regularization path, "Fit exactly" and "Copy as … code" in real Chromium (issue 15)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from lab_page import Lab
from playwright.sync_api import expect

from logitlab.core.datasets import make_preset
from logitlab.core.objective import Objective
from logitlab.core.solvers import solve
from logitlab.lab.protocol import TrainingSpec
from logitlab.lab.training import lab_penalty

pytestmark = pytest.mark.e2e


def painted_lam(lab: Lab) -> float:
    return float(lab.page.get_by_label("regularization strength λ value").input_value())


def test_clicking_the_path_sets_lambda_and_the_keys_walk_it(lab: Lab) -> None:
    page = lab.page
    page.get_by_label("penalty", exact=True).select_option("l1")
    path = page.get_by_role("slider", name="Regularization path")
    path.scroll_into_view_if_needed()  # the server computes the path once it is on screen
    expect(path).to_have_attribute("aria-valuemax", re.compile(r"^0\.\d+"))
    expect(lab.stat("nonzero")).to_have_text("—")  # λ = 0: no current fit marked
    box = path.bounding_box()
    assert box is not None
    # Left on the log axis is a small λ, right a large one; the marker follows the click.
    path.click(position={"x": box["width"] * 0.3, "y": box["height"] / 2})
    expect(path).to_have_attribute("aria-valuenow", re.compile(r"^0\.0"))
    small = painted_lam(lab)
    assert float(path.get_attribute("aria-valuenow") or "nan") == pytest.approx(small)
    path.click(position={"x": box["width"] * 0.85, "y": box["height"] / 2})
    page.wait_for_function(f"() => Number(document.getElementById('lam-box').value) > {small}")
    assert painted_lam(lab) > small
    expect(lab.stat("nonzero")).to_have_text(re.compile(r"^[012] of 2$"))
    # As a slider: End is the grid's largest λ, where L1 holds every weight at 0.
    path.focus()
    page.keyboard.press("End")
    top = float(path.get_attribute("aria-valuemax") or "nan")
    page.wait_for_function(
        f"() => Math.abs(Number(document.getElementById('lam-box').value) - {top:.3g}) < 1e-9"
    )
    expect(lab.stat("nonzero")).to_have_text("0 of 2")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # pressed before the first answer: two grid steps
    second = float(path.get_attribute("aria-valuemin") or "nan") * 1e3 ** (27 / 29)
    page.wait_for_function(
        f"() => Math.abs(Number(document.getElementById('lam-box').value) - {second:.3g}) < 1e-9"
    )
    expect(path).to_have_attribute("aria-valuetext", re.compile(r"^λ = .*weights non-zero$"))
    # The text alternative: a table of the path's values, one row per λ and the current one.
    page.get_by_text("Path values (table)").click()
    table = page.get_by_role("table", name=re.compile(r"^Regularization path values"))
    expect(table.get_by_role("row")).to_have_count(1 + 30 + 1)
    expect(table.get_by_role("row").nth(1)).to_contain_text("(current)")


def test_fit_exactly_jumps_to_the_optimum_and_says_so(lab: Lab) -> None:
    page = lab.page
    page.get_by_label("penalty", exact=True).select_option("l2")
    lam = page.get_by_label("regularization strength λ value")
    lam.fill("0.05")
    lam.press("Enter")
    expect(page.locator("#penalty-note")).to_contain_text("λ = 0.05")
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("1")
    page.get_by_role("button", name="Fit exactly").click()
    expect(lab.stat("steps")).to_have_text("exact fit")
    X, y = make_preset("blobs", 120, seed=1, shuffle=False)
    spec = TrainingSpec(penalty="l2", lam=0.05)
    best = solve(Objective(X, y.astype(float), penalty=lab_penalty(spec)), tol=1e-12).coef
    model = lab.painted("model")
    np.testing.assert_allclose([model["w0"], model["w1"], model["b"]], best, rtol=1e-8)
    w0 = page.get_by_label("w₀ value")
    w0.fill("0.5")
    w0.press("Enter")
    expect(lab.stat("steps")).to_have_text("1")  # weights moved off the optimum: a count again


def test_fit_exactly_on_separable_data_without_penalty_explains(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Near-perfect").click()
    expect(lab.stat("preset")).to_have_text("Near-perfect")
    before = lab.painted("model")
    page.get_by_role("button", name="Fit exactly").click()
    expect(page.locator("#connection")).to_contain_text("no finite weights are best")
    assert lab.painted("model") == before
    expect(lab.stat("steps")).to_have_text("0")


def test_copy_code_fills_the_code_box(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Copy as scikit-learn code").click()
    code = page.get_by_role("textbox", name="code")
    expect(code).to_have_value(re.compile(r"from sklearn\.linear_model import LogisticRegression"))
    expect(code).to_have_value(re.compile(r"# The Lab (finds no exact fit here|'s exact fit)"))
    assert "import logitlab" not in code.input_value()
    expect(code).to_have_attribute("readonly", "")
    expect(page.locator("#code-note")).to_contain_text("scikit-learn code")
    page.get_by_role("button", name="Copy as logitlab code").click()
    expect(code).to_have_value(re.compile(r"from logitlab import LogisticRegression"))
    expect(code).to_have_value(re.compile(r'make_preset\("blobs", 120, noise=1\.0, seed=1'))


def test_after_fit_exactly_the_loss_panel_says_there_were_no_steps(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Overlap", exact=True).click()
    expect(lab.stat("preset")).to_have_text("Overlap")
    loss = page.get_by_role("region", name=re.compile("^Loss curve"))
    expect(loss.get_by_text("Hover the curve to read a step's loss.")).to_be_visible()
    page.get_by_role("button", name="Fit exactly").click()
    expect(lab.stat("steps")).to_have_text("exact fit")
    expect(
        loss.get_by_text(re.compile("^Fit exactly solved for the optimum directly"))
    ).to_be_visible()
    page.get_by_role("button", name="Train 100 steps").click()  # from the optimum: a flat curve
    expect(loss.get_by_text("Hover the curve to read a step's loss.")).to_be_visible()
