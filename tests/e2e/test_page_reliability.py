"""The Lab page's fixes of issue 12 (items 8, 10, 11), in real Chromium."""

from __future__ import annotations

import re
import time

import pytest
from lab_page import Lab
from playwright.sync_api import Browser, WebSocketRoute, expect

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


def test_frames_that_answer_older_commands_do_not_undo_the_slider(
    browser: Browser, lab_url: str
) -> None:
    """Issue 12 item 12: four quick ArrowRight presses on the ROC page's τ slider ended at
    0.515 when a frame answering the first press arrived between two presses (the frame
    moved the slider back). The server's answers are held here and let through one by one,
    so the race happens every time."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    held: list[str | bytes] = []
    hold = {"on": False}
    routes: list[WebSocketRoute] = []

    def release_through(marker: str) -> None:
        """Let the held answers through up to the first that contains ``marker``."""
        deadline = time.monotonic() + 20
        while not any(marker in str(m) for m in held):
            assert time.monotonic() < deadline, f"no answer with {marker} arrived"
            page.wait_for_timeout(10)  # lets Playwright deliver the routed messages
        while held:
            message = held.pop(0)
            routes[-1].send(message)
            if marker in str(message):
                return

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        ws.on_message(server.send)

        def from_server(message: str | bytes) -> None:
            if hold["on"]:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)
        routes.append(ws)

    page.route_web_socket(re.compile(r".*/ws$"), route)
    try:
        page.goto(f"{lab_url}/roc")
        page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
        slider = page.get_by_role("slider", name=re.compile("threshold τ"))
        slider.focus()
        hold["on"] = True
        slider.press("ArrowRight")  # τ 0.505: sent, its frame held
        slider.press("ArrowRight")  # 0.51: waits for the answer to 0.505
        release_through('"tau":0.505')  # the frame of 0.505 arrives ...
        page.wait_for_function(
            "() => window.logitlabPerf.roc && window.logitlabPerf.roc.at_tau.tau === 0.505"
        )
        slider.press("ArrowRight")  # ... and the next presses start from the user's 0.51
        slider.press("ArrowRight")
        hold["on"] = False
        for message in held:
            routes[-1].send(message)
        held.clear()
        expect(page.locator("#at-tau-value")).to_have_text("0.52")
        expect(slider).to_have_value("0.52")
    finally:
        context.close()


def test_a_link_whose_csv_data_are_gone_says_so_and_offers_the_file_again(lab: Lab) -> None:
    page = lab.page
    page.goto("about:blank")
    page.goto(f"{lab.url}/#csv={'0' * 32}&w0=0.5")
    lab.ready()
    alert = page.get_by_role("alert").filter(has_text="not stored in this browser")
    expect(alert).to_be_visible()
    page.get_by_role("button", name="Train 1 step").click()
    expect(lab.stat("steps")).to_have_text("1")
    expect(alert).to_be_visible()  # frames do not clear it
    with page.expect_file_chooser() as chooser:
        alert.get_by_role("button", name="Load the CSV file again").click()
    assert chooser.value is not None
    alert.get_by_role("button", name="Dismiss").click()
    expect(alert).to_be_hidden()
