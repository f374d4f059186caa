"""The trust views in real Chromium (issue 16): inspector, inference and band."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from lab_page import Lab
from playwright.sync_api import expect

from logitlab import LogisticRegression
from logitlab.core.inference import coefficient_cells
from logitlab.lab.protocol import LabState
from logitlab.lab.session import LabSession


def overlap_points() -> tuple[np.ndarray, np.ndarray]:
    s = LabSession(LabState.model_validate({"data": {"preset": "overlap"}}))
    return s.X, s.y


def redrawn(lab: Lab, before: bytes, tries: int = 100) -> bool:
    """Wait until the chart's pixels differ from ``before`` (each try is one screenshot)."""
    return any(lab.chart.screenshot() != before for _ in range(tries))


def converge(lab: Lab) -> None:
    page = lab.page
    page.get_by_role("button", name="Overlap").click()
    expect(lab.stat("preset")).to_have_text("Overlap")
    page.get_by_label("optimizer").select_option("newton")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(lab.stat("steps")).to_have_text("100")


def test_inference_matches_summary_and_the_band_follows_its_toggle(lab: Lab) -> None:
    page = lab.page
    converge(lab)
    region = page.get_by_role("region", name="Inference")
    table = region.get_by_role("table")
    expect(table).to_be_visible()
    X, y = overlap_points()
    block = LogisticRegression(C=np.inf).fit(X, y).summary().blocks[0]
    for name, j in (("w₀", 1), ("w₁", 2), ("b", 0)):
        row = table.get_by_role("row", name=name)
        cells = row.get_by_role("cell").all_inner_texts()
        assert cells == coefficient_cells(block, j)[:6]
    box = page.get_by_role("checkbox", name="Show 95% confidence band")
    note = page.locator("#band-note")
    expect(note).to_be_hidden()
    without = lab.chart.screenshot()
    box.check()
    expect(note).to_contain_text("95 % pointwise band")
    expect(box).to_be_checked()
    assert redrawn(lab, without)  # the band is drawn on the chart
    box.uncheck()
    expect(note).to_be_hidden()
    expect(box).not_to_be_checked()


def test_after_fit_exactly_the_inference_view_shows_summarys_digits(
    lab: Lab, tmp_path: Path
) -> None:
    """Fit exactly under L2, then every shown cell equals summary() on the exported points."""
    page = lab.page
    page.get_by_role("button", name="Overlap").click()
    expect(lab.stat("preset")).to_have_text("Overlap")
    page.get_by_label("penalty", exact=True).select_option("l2")
    lam = page.get_by_label("regularization strength λ value")
    lam.fill("0.05")
    lam.press("Enter")
    expect(page.locator("#penalty-note")).to_contain_text("λ = 0.05")
    region = page.get_by_role("region", name="Inference")
    table = region.get_by_role("table")
    expect(table).to_be_hidden()  # the starting weights are not the optimum
    page.get_by_role("button", name="Fit exactly").click()
    expect(lab.stat("steps")).to_have_text("exact fit")
    expect(table).to_be_visible()
    # The points and the penalty as the page exports them.
    with page.expect_download() as info:
        page.get_by_role("button", name="Export JSON").click()
    saved = tmp_path / "state.json"
    info.value.save_as(saved)
    state = LabState.model_validate(json.loads(saved.read_text()))
    assert state.training.penalty == "l2" and state.training.lam == 0.05
    rebuilt = LabSession(state)
    X, y = rebuilt.X, rebuilt.y
    C = 1.0 / (2 * state.training.lam * y.size)  # the Lab's λ‖w‖² is C = 1/(2λN)
    summary = LogisticRegression(C=C).fit(X, y).summary()
    block = summary.blocks[0]
    header = table.get_by_role("columnheader").all_inner_texts()
    assert header == ["estimate", "std err", "z", "P>|z|", "[0.025", "0.975]"]
    for name, j in (("w₀", 1), ("w₁", 2), ("b", 0)):
        cells = table.get_by_role("row", name=name).get_by_role("cell").all_inner_texts()
        assert cells == coefficient_cells(block, j)[:6], name
    stats = region.locator("#inference-stats")
    expect(stats.locator('[data-stat="log-likelihood"]')).to_have_text(
        f"{summary.log_likelihood:.4f}"
    )
    expect(stats.locator('[data-stat="aic"]')).to_have_text(f"{summary.aic:.4f}")
    expect(stats.locator('[data-stat="bic"]')).to_have_text(f"{summary.bic:.4f}")
    expect(region.locator("#inference-se")).to_contain_text("Standard errors under L2: nonrobust")
    expect(region.get_by_role("listitem")).to_have_text(list(summary.notes))


def test_select_a_point_read_its_p_delete_it_and_undo(lab: Lab) -> None:
    page = lab.page
    converge(lab)
    X, y = overlap_points()
    view = lab.painted("view")
    assert view == {"xmin": -5, "xmax": 5, "ymin": -5, "ymax": 5}
    # The point farthest from the others: a click on it hits it alone.
    gaps = np.linalg.norm(X[:, None] - X[None], axis=2) + np.eye(len(X)) * 99
    i = int(np.argmax(gaps.min(axis=1)))
    lab.chart.click(position=lab.to_pixel(float(X[i, 0]), float(X[i, 1])))
    inspector = page.get_by_role("region", name="Point inspector")
    expect(inspector.locator('[data-stat="point-index"]')).to_have_text(str(i + 1))
    coef = LogisticRegression(C=np.inf).fit(X, y)
    p = float(coef.predict_proba(X[i : i + 1])[0, 1])
    shown = float(inspector.locator('[data-stat="point-p"]').inner_text())
    assert abs(shown - p) <= 5e-4 * max(p, 1e-12) + 1e-12
    expect(lab.stat("n-points")).to_have_text("120")  # the click selected; it added nothing
    inspector.get_by_role("button", name="Delete selected point").click()
    expect(lab.stat("n-points")).to_have_text("119")
    expect(inspector.get_by_role("button", name="Delete selected point")).to_be_hidden()
    page.get_by_role("button", name="Undo", exact=True).click()  # not "Undo resume"
    expect(lab.stat("n-points")).to_have_text("120")
    expect(inspector.locator('[data-stat="point-index"]')).to_have_text(str(i + 1))
    # From the keyboard: the cursor plus I selects the nearest point.
    lab.chart.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("i")
    centre = np.array([0.2, 0.0])  # one 2 % step right of the middle
    j = int(np.argmin(np.linalg.norm(X - centre, axis=1)))
    expect(inspector.locator('[data-stat="point-index"]')).to_have_text(str(j + 1))
