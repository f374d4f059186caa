"""The ROC & AUC page in real Chromium: every item of issue 4, driven by role and name.

Values shown are checked against scikit-learn on the very points and model of the page
(rebuilt in Python from the state the page holds).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from lab_page import DESKTOP, PHONE, SCREENSHOTS
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sklearn.metrics import (
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)

from logitlab.core.link import sigmoid
from logitlab.lab.protocol import LabState
from logitlab.lab.session import LabSession

pytestmark = pytest.mark.e2e

TOL = 1e-12


class Roc:
    """The ROC page as a user sees it, plus readers of what the last paint showed."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def stat(self, name: str) -> Any:
        return self.page.locator(f'[data-stat="{name}"]')

    def cell(self, name: str) -> Any:
        return self.page.locator(f'.at-tau-panel [data-cell="{name}"]')

    def painted(self, key: str) -> Any:
        return self.page.evaluate(f"window.logitlabPerf.{key}")

    def wait(self, condition: str, arg: Any = None) -> None:
        self.page.wait_for_function(
            f"a => {{ const p = window.logitlabPerf; return {condition}; }}", arg=arg
        )

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        """Labels and p̂ of the points and model now on the page (rebuilt in Python)."""
        state = LabState.model_validate(self.painted("state"))
        session = LabSession(state)
        return session.y, sigmoid(session.X @ session.coef[:2] + session.coef[2])

    def set_tau(self, value: float) -> None:
        box = self.page.get_by_label("threshold τ value")
        box.fill(str(value))
        box.press("Enter")
        self.wait("p.state && p.state.view.tau === a && p.roc.at_tau.tau === a", value)


def shown(value: float, digits: int = 3) -> str:
    """What format.js's formatNumber(value, digits) prints."""
    text = repr(float(f"{value:.{digits}g}"))
    return text[:-2] if text.endswith(".0") else text


@pytest.fixture
def roc(browser: Browser, lab_url: str) -> Iterator[Roc]:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    def on_console(msg: ConsoleMessage) -> None:
        if msg.type == "error":
            problems.append(f"console error: {msg.text}")

    page.on("console", on_console)
    page.goto(f"{lab_url}/roc")
    r = Roc(page)
    r.wait("p.paints > 0 && p.rocPoint && p.prPoint")
    yield r
    context.close()
    assert problems == []


def test_scores_and_metrics_at_tau_agree_with_sklearn(roc: Roc) -> None:
    roc.set_tau(0.35)
    y, p = roc.data()
    curves = roc.painted("curves")
    assert curves["roc_auc"]["value"] == pytest.approx(roc_auc_score(y, p), abs=TOL)
    assert curves["average_precision"]["value"] == pytest.approx(
        average_precision_score(y, p), abs=TOL
    )
    expect(roc.stat("roc-auc")).to_have_text(shown(roc_auc_score(y, p)))
    expect(roc.stat("average-precision")).to_have_text(shown(average_precision_score(y, p)))
    expect(roc.page.locator('[data-grade="roc-auc"]')).to_have_text(curves["roc_auc"]["grade"])
    pred = p >= 0.35
    cells = {
        "tn": np.sum(~pred & (y == 0)),
        "fp": np.sum(pred & (y == 0)),
        "fn": np.sum(~pred & (y == 1)),
        "tp": np.sum(pred & (y == 1)),
    }
    for name, count in cells.items():
        expect(roc.cell(name)).to_have_text(str(count))
    at = roc.painted("roc.at_tau")
    assert at["precision"] == pytest.approx(precision_score(y, pred), abs=TOL)
    assert at["recall"] == pytest.approx(recall_score(y, pred), abs=TOL)
    assert at["specificity"] == pytest.approx(recall_score(y, pred, pos_label=0), abs=TOL)
    assert at["f1"] == pytest.approx(f1_score(y, pred), abs=TOL)
    assert at["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, pred), abs=TOL)
    assert at["mcc"] == pytest.approx(matthews_corrcoef(y, pred), abs=TOL)
    for stat, key in [
        ("precision", "precision"),
        ("recall", "recall"),
        ("f1", "f1"),
        ("mcc", "mcc"),
    ]:
        expect(roc.stat(stat)).to_have_text(shown(at[key]))
    expect(roc.stat("accuracy")).to_have_text(f"{np.mean(pred == (y == 1)) * 100:.1f} %")
    expect(roc.stat("balanced-accuracy")).to_have_text(f"{at['balanced_accuracy'] * 100:.1f} %")


def test_tau_slider_moves_the_operating_point_on_both_curves(roc: Roc) -> None:
    page = roc.page
    slider = page.get_by_role("slider", name=re.compile("threshold τ"))
    expect(slider).to_have_attribute("step", "0.005")
    expect(slider).to_have_attribute("min", "0")
    expect(slider).to_have_attribute("max", "1")
    before = roc.painted("rocPoint")
    slider.focus()
    for _ in range(4):
        slider.press("ArrowRight")
    roc.wait("Math.abs(p.state.view.tau - 0.52) < 1e-9")
    roc.wait("p.rocPoint.x !== a.x || p.rocPoint.y !== a.y", before)
    expect(page.locator("#roc-readout")).to_contain_text("τ = 0.52")
    expect(page.locator("#at-tau-value")).to_have_text("0.52")
    # Hover read-outs: the operating point and the curve point under it.
    roc.set_tau(0.3)
    at = roc.painted("roc.at_tau")
    expect(page.locator("#roc-readout")).to_have_text(
        f"Operating point: τ = 0.3 · FPR {shown(at['fpr'])} · TPR {shown(at['recall'])}"
    )
    expect(page.locator("#pr-readout")).to_have_text(
        f"Operating point: τ = 0.3 · precision {shown(at['precision'])} · "
        f"recall {shown(at['recall'])}"
    )
    point = roc.painted("rocPoint")
    page.get_by_role("img", name="ROC curve").hover(position=point)
    expect(page.locator("#roc-readout")).to_contain_text("Curve point: τ")
    expect(page.locator("#roc-readout")).to_contain_text(f"FPR {shown(at['fpr'])}")
    expect(page.locator("#roc-readout")).to_contain_text(f"TPR {shown(at['recall'])}")
    point = roc.painted("prPoint")
    page.get_by_role("img", name="Precision–recall curve").hover(position=point)
    expect(page.locator("#pr-readout")).to_contain_text("Curve point: τ")
    expect(page.locator("#pr-readout")).to_contain_text(f"precision {shown(at['precision'])}")
    # The chance levels: ROC's diagonal and PR's prevalence line are labelled.
    y, _ = roc.data()
    expect(roc.stat("prevalence")).to_have_text(f"{np.mean(y) * 100:.1f} %")


def test_keyboard_on_a_curve_reads_points_and_enter_picks_tau(roc: Roc) -> None:
    page = roc.page
    chart = page.get_by_role("img", name="ROC curve")
    chart.focus()
    chart.press("ArrowRight")
    chart.press("ArrowRight")
    expect(page.locator("#roc-readout")).to_contain_text("Curve point: τ = ")
    curves = roc.painted("curves")
    tau = curves["roc_tau"][1]
    chart.press("Enter")
    roc.wait("p.state.view.tau === a", tau)


def test_histograms_draw_the_tau_line_and_count_the_errors(roc: Roc) -> None:
    page = roc.page
    roc.set_tau(0.2)
    left = roc.painted("histTau")["x"]
    roc.set_tau(0.8)
    roc.wait("p.histTau.x > a", left)
    y, p = roc.data()
    fp = int(np.sum((p >= 0.8) & (y == 0)))
    fn = int(np.sum((p < 0.8) & (y == 1)))
    expect(page.locator("#hist-readout")).to_contain_text(f"{fp} class-0 point")
    expect(page.locator("#hist-readout")).to_contain_text(f"and {fn} class-1 point")
    curves = roc.painted("curves")
    edges = np.linspace(0, 1, len(curves["hist_negative"]) + 1)
    assert curves["hist_negative"] == np.histogram(p[y == 0], bins=edges)[0].tolist()
    assert curves["hist_positive"] == np.histogram(p[y == 1], bins=edges)[0].tolist()
    expect(page.get_by_role("img", name="Histograms of p̂ by class")).to_be_visible()


def test_best_tau_buttons_and_the_iso_cost_line(roc: Roc) -> None:
    page = roc.page
    y, p = roc.data()
    cuts = np.concatenate([np.unique(p), [1.01]])
    page.get_by_role("button", name="Best F1").click()
    best = max(f1_score(y, p >= t, zero_division=0.0) for t in cuts)
    roc.wait("p.state.view.tau === p.curves.best_f1.tau")
    tau = roc.painted("state.view.tau")
    assert f1_score(y, p >= tau) == pytest.approx(best, abs=TOL)
    expect(roc.stat("f1")).to_have_text(shown(best))
    expect(page.locator("#best-note")).to_contain_text("Best F1")

    page.get_by_role("button", name="Youden's J").click()
    roc.wait("p.state.view.tau === p.curves.youden.tau")
    fpr, tpr, _ = roc_curve(y, p)
    tau = roc.painted("state.view.tau")
    pred = p >= tau
    j = recall_score(y, pred) - (1 - recall_score(y, pred, pos_label=0))
    assert j == pytest.approx(float(np.max(tpr - fpr)), abs=TOL)

    fn_cost = page.get_by_label("cost of a false negative (FN cost)")
    fn_cost.fill("5")
    fn_cost.press("Enter")
    roc.wait("p.state.view.cost_fn === 5 && p.roc.min_cost !== null")
    page.get_by_role("button", name="Minimum cost").click()
    roc.wait("p.state.view.tau === p.roc.min_cost.tau")
    tau = roc.painted("state.view.tau")
    costs = [np.sum((y == 0) & (p >= t)) + 5 * np.sum((y == 1) & (p < t)) for t in cuts]
    chosen = np.sum((y == 0) & (p >= tau)) + 5 * np.sum((y == 1) & (p < tau))
    assert chosen == min(costs)
    seg = roc.painted("roc.iso_cost")
    slope = np.sum(y == 0) / (5 * np.sum(y == 1))
    assert (seg["y2"] - seg["y1"]) / (seg["x2"] - seg["x1"]) == pytest.approx(slope, rel=1e-9)
    expect(page.locator("#cost-note")).to_contain_text("Lowest total cost")
    page.wait_for_function("() => location.hash.includes('cfn=5')")


def test_a_cost_of_zero_or_less_is_corrected_and_says_so(roc: Roc) -> None:
    page = roc.page
    fp_cost = page.get_by_label("cost of a false positive (FP cost)")
    fp_cost.fill("3")
    fp_cost.press("Enter")
    roc.wait("p.state.view.cost_fp === 3")
    note = page.get_by_role("status").filter(has_text="FP cost must be above 0")
    expect(note).to_be_hidden()
    for typed in ("0", "-2"):
        fp_cost.fill(typed)
        fp_cost.press("Enter")
        expect(note).to_be_visible()
        expect(fp_cost).to_have_value("0.001")
        roc.wait("p.state.view.cost_fp === 0.001")
    fp_cost.fill("2")
    fp_cost.press("Enter")
    roc.wait("p.state.view.cost_fp === 2")
    expect(note).to_be_hidden()


def test_data_chart_presets_weights_and_training(roc: Roc) -> None:
    page = roc.page
    chart = page.get_by_label("Data chart")
    chart.click(position={"x": 60, "y": 60})
    expect(roc.stat("n-points")).to_have_text("121")
    page.get_by_role("button", name="Near-perfect", exact=True).click()
    expect(roc.stat("preset")).to_have_text("Near-perfect")
    auc = roc.painted("curves.roc_auc.value")
    page.get_by_role("button", name="Train 100 steps").click()
    expect(roc.stat("steps")).to_have_text("100")
    roc.wait("p.curves.roc_auc.value !== a", auc)
    expect(page.locator('[data-grade="roc-auc"]')).to_have_text("excellent")
    for label, value in [("w₀ value", "-2"), ("w₁ value", "0.5"), ("b value", "1")]:
        box = page.get_by_label(label, exact=True)
        box.fill(value)
        box.press("Enter")
    roc.wait("p.state.model.w0 === -2 && p.state.model.w1 === 0.5 && p.state.model.b === 1")
    y, p = roc.data()
    assert roc.painted("curves.roc_auc.value") == pytest.approx(roc_auc_score(y, p), abs=TOL)
    eta = page.get_by_label("learning rate η value")
    eta.fill("0.5")
    eta.press("Enter")
    roc.wait("p.state.training.learning_rate === 0.5")
    for name in ["Train 1 step", "Auto-train", "Reset weights"]:
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    for name in ["w₀", "w₁", "b · intercept", "learning rate η"]:
        expect(page.get_by_role("slider", name=name)).to_have_count(1)


def test_anti_classifier_card_teaches_the_reversed_grade(roc: Roc) -> None:
    page = roc.page
    page.get_by_role("button", name="Set up: An anti-classifier").click()
    expect(page.locator('[data-grade="roc-auc"]')).to_have_text("reversed")
    y, p = roc.data()
    assert roc_auc_score(y, p) < 0.5
    expect(roc.stat("roc-auc")).to_have_text(shown(roc_auc_score(y, p)))
    expect(page.locator("#roc-auc-text")).to_contain_text("upside down")
    expect(page.locator("#roc-try-3")).to_contain_text("fix that cause")
    # AP is graded against the prevalence: on Imbalanced a high AP is only "fair".
    page.get_by_role("button", name="Set up: Judge AP against its chance level").click()
    expect(roc.stat("prevalence")).to_have_text("83.3 %")
    expect(page.locator('[data-grade="average-precision"]')).to_have_text("fair")
    assert roc.painted("curves.average_precision.value") > 0.9


def test_text_has_math_cards_and_faq(roc: Roc) -> None:
    page = roc.page
    assert page.locator("article.text math").count() >= 8
    cards = page.locator(".try-card")
    assert cards.count() == 6
    for i in range(cards.count()):
        expect(cards.nth(i).get_by_role("button")).to_have_count(1)
    faq = page.locator("details.faq-item")
    assert faq.count() == 5
    faq.first.locator("summary").click()
    expect(faq.first).to_have_attribute("open", "")


def test_lab_and_roc_pages_share_the_session_through_their_links(
    browser: Browser, lab_url: str
) -> None:
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{lab_url}/")
    page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
    page.get_by_role("button", name="Overlap", exact=True).click()
    page.get_by_role("button", name="Train 100 steps").click()
    expect(page.locator('[data-stat="steps"]')).to_have_text("100")
    tau = page.get_by_label("threshold τ value")
    tau.fill("0.3")
    tau.press("Enter")
    model = page.evaluate("window.logitlabPerf.model")
    page.get_by_role("link", name="ROC & AUC").click()
    page.wait_for_url(re.compile(r"/roc#"))
    roc = Roc(page)
    roc.wait("p.paints > 0 && p.state !== null")
    assert roc.painted("state.model") == model
    assert roc.painted("state.view.tau") == 0.3
    expect(roc.stat("preset")).to_have_text("Overlap")
    roc.set_tau(0.7)
    page.get_by_role("link", name="Back to the Lab").click()
    page.wait_for_url(re.compile(r"/#"))
    page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
    expect(page.get_by_label("threshold τ value")).to_have_value("0.7")
    assert page.evaluate("window.logitlabPerf.model") == model
    context.close()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_page_fits_the_screen(roc: Roc, size: dict[str, int]) -> None:
    page = roc.page
    page.set_viewport_size(size)
    page.get_by_role("button", name="Set up: Walk the operating point").click()
    roc.wait("p.state.data.preset === 'overlap' && p.roc.iso_cost !== null")
    roc.set_tau(0.4)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    for name in ["ROC curve", "Precision–recall curve"]:
        box = page.get_by_role("img", name=name).bounding_box()
        assert box is not None and box["width"] >= min(300, size["width"] - 70)
        assert box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function("() => window.scrollY === 0")
    SCREENSHOTS.mkdir(exist_ok=True)
    name = f"roc-{size['width']}x{size['height']}"
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    page.screenshot(path=SCREENSHOTS / f"{name}-full.png", full_page=True)
