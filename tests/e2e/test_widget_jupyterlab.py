"""The Lab widget in a real JupyterLab, in headless Chromium (issue 17).

One JupyterLab server for the module (its own free loopback port, a token, a temporary
root folder), started and stopped here. A notebook makes ``Lab()``; the first test clicks
"Train 100 steps" in the widget, sees the steps stat reach 100, then runs a cell that
reads ``lab.weights`` in the kernel and finds them changed. The second sets ``lab.tau`` and
``lab.weights`` in Python and sees the page's boxes follow, then types a τ in the page and
reads it back from ``lab.tau``, and shows the Lab a second time: both views follow one
session. ``LOGITLAB_SHOTS=1`` saves screenshots of the widget.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from jupyter_server import JupyterLab, open_notebook, run_cell, start_jupyterlab, write_notebook
from lab_page import DESKTOP, PHONE, SCREENSHOTS
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CELLS = [
    "from logitlab.widget import Lab\nlab = Lab()\nstart = list(lab.weights)\nlab",
    "print('weights changed:', lab.weights != start, 'steps:', lab.session.steps)",
    "lab.tau = 0.25\nlab.weights = [2.0, -1.0, 0.5]",
    "print('tau is', lab.tau)",
    "lab  # the same Lab shown a second time",
]


@pytest.fixture(scope="module")
def jupyterlab() -> Iterator[JupyterLab]:
    with start_jupyterlab() as lab:
        yield lab


@pytest.fixture
def notebook(
    browser: Browser, jupyterlab: JupyterLab, request: pytest.FixtureRequest
) -> Iterator[Page]:
    name = f"{request.node.name}.ipynb"
    write_notebook(jupyterlab.root / name, CELLS)
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_notebook(page, jupyterlab, name)
    yield page
    context.close()
    assert [e for e in errors if "logitlab" in e.lower() or "startLab" in e] == []


def test_train_in_the_widget_changes_the_kernels_weights(notebook: Page) -> None:
    page = notebook
    run_cell(page, 0)
    widget = page.locator(".logitlab-widget")
    train = widget.get_by_role("button", name="Train 100 steps")
    expect(train).to_be_visible(timeout=30_000)
    expect(widget.locator(".widget-error")).to_have_count(0)  # the bundle started
    # The Lab's CSS stays in the widget's shadow root: the notebook's own look is unchanged.
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != (
        "rgb(244, 244, 247)"  # the Lab's --page colour
    )
    expect(widget.locator('[data-stat="n-points"]')).to_have_text("120")
    expect(widget.locator('[data-stat="steps"]')).to_have_text("0")
    train.click()
    expect(widget.locator('[data-stat="steps"]')).to_have_text("100", timeout=30_000)
    out = run_cell(page, 1).locator(".jp-OutputArea-output")
    expect(out).to_contain_text("weights changed: True steps: 100")


def test_python_moves_the_page_and_the_page_moves_python(notebook: Page) -> None:
    page = notebook
    run_cell(page, 0)
    widget = page.locator(".logitlab-widget").first
    tau = widget.get_by_role("spinbutton", name="threshold τ value")
    expect(tau).to_be_visible(timeout=30_000)
    run_cell(page, 2)
    expect(tau).to_have_value("0.25")
    expect(widget.get_by_role("spinbutton", name="w₀ value")).to_have_value("2")
    # ... and the page moves Python's trait.
    tau.fill("0.6")
    tau.press("Enter")
    expect(run_cell(page, 3).locator(".jp-OutputArea-output")).to_contain_text("tau is 0.6")
    # A second view of the same Lab: one session, both views draw what either one does.
    run_cell(page, 4)
    second = page.locator(".logitlab-widget").nth(1)
    second.get_by_role("button", name="Train 100 steps").click()
    expect(second.locator('[data-stat="steps"]')).to_have_text("100")
    expect(widget.locator('[data-stat="steps"]')).to_have_text("100")
    expect(second.get_by_role("spinbutton", name="threshold τ value")).to_have_value("0.6")
    # Auto-train, paced in the kernel (a batch per 80 ms, a pushed frame per tick): both views
    # count on past 150 steps, then the toggle stops it.
    auto = second.get_by_role("button", name="Auto-train")
    auto.click()
    past_150 = re.compile(r"^(?:1[5-9]\d|[2-9]\d\d|\d{1,3}(?:,\d{3})+)$")
    expect(second.locator('[data-stat="steps"]')).to_have_text(past_150, timeout=30_000)
    expect(widget.locator('[data-stat="steps"]')).to_have_text(past_150, timeout=30_000)
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "false")
    if os.environ.get("LOGITLAB_SHOTS"):
        save_shots(page, widget)


def save_shots(page: Page, widget: Locator) -> None:
    """The whole widget at desktop and phone widths (JupyterLab scrolls inside itself, so
    the window is made as tall as the widget)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for size, label in ((DESKTOP, "desktop"), (PHONE, "phone")):
        if label == "phone":  # the file browser would leave the notebook a sliver
            page.locator('.jp-SideBar.jp-mod-left [data-id="filebrowser"]').click()
        page.set_viewport_size(size)
        box = widget.bounding_box()
        assert box is not None
        page.set_viewport_size({"width": size["width"], "height": int(box["height"]) + 300})
        widget.scroll_into_view_if_needed()
        path = SCREENSHOTS / f"widget-jupyterlab-{label}.png"
        page.screenshot(path=str(path), full_page=True)
