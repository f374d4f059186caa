"""Nothing is lost: the page rebuilds its session after a server restart, an idle close or a
closed tab, from its own state (the URL and the browser's storage).

These tests run their own Lab server (uvicorn in a thread) so that they can stop it and start
a new one on the same port; the browser is the session's shared one (``conftest.browser``).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

import pytest
import uvicorn
from lab_page import DESKTOP, Lab
from playwright.sync_api import Browser, BrowserContext, Page, expect

from logitlab.lab.limits import Limits
from logitlab.lab.server import Settings, create_app

pytestmark = pytest.mark.e2e

RECORD_HELLOS = """() => {
  window.sentHellos = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    const message = JSON.parse(data);
    if (message.type === "hello") window.sentHellos.push(message);
    return send.call(this, data);
  };
}"""


class RestartableLab:
    """A Lab server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(
            create_app(self.settings),  # a new app: nothing survives from the old server
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            ws="websockets-sansio",
            lifespan="off",
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="restartable-lab", daemon=True)
        thread.start()
        deadline = time.monotonic() + 15.0
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the Lab did not start"
            time.sleep(0.02)
        self._server, self._thread = server, thread

    def stop(self) -> None:
        assert self._server is not None and self._thread is not None
        self._server.should_exit = True
        self._thread.join(timeout=15.0)
        assert not self._thread.is_alive(), "the Lab server did not stop"
        self._server = self._thread = None

    def running(self) -> bool:
        return self._server is not None


@pytest.fixture
def server() -> Iterator[RestartableLab]:
    lab = RestartableLab()
    lab.start()
    yield lab
    if lab.running():
        lab.stop()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport=DESKTOP)
    yield context
    context.close()


def open_lab(context: BrowserContext, url: str, problems: list[str]) -> Lab:
    page = context.new_page()
    # Uncaught exceptions only: a refused connection while the server is down is logged
    # by Chromium as a console error, and that is expected here.
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.goto(url)
    lab = Lab(page, url)
    lab.ready()
    return lab


def settings_in_hash(page: Page) -> dict[str, str]:
    """The URL's state without the weights and the step count (which Auto-train keeps changing)."""
    fragment = page.evaluate("location.hash").lstrip("#")
    return {k: v for k, v in parse_qsl(fragment) if k not in ("w0", "w1", "b", "steps")}


def test_server_restart_during_auto_train_loses_nothing(
    server: RestartableLab, context: BrowserContext
) -> None:
    problems: list[str] = []
    link = "#preset=moons&seed=7&n=200&noise=0.3&eta=0.5&pen=l2&lam=0.001&tau=0.6&speed=200"
    lab = open_lab(context, f"{server.url}/{link}", problems)
    page = lab.page
    notice = page.locator("#connection")
    expect(lab.stat("n-points")).to_have_text("200")
    lab.chart.click(position=lab.to_pixel(1.5, 2.5))
    expect(lab.stat("n-points")).to_have_text("201")
    page.evaluate(RECORD_HELLOS)

    auto = page.get_by_role("button", name="Auto-train")
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("() => window.logitlabPerf.steps > 40")
    lab.wait_hash("a")  # the edit is in the URL

    server.stop()
    expect(notice).to_contain_text("reconnecting")
    expect(auto).to_have_attribute("aria-pressed", "true")  # still on, waiting
    # No frame can arrive now: what the page shows is what it will rebuild from.
    page.wait_for_timeout(400)  # the URL writer's throttle (300 ms)
    before = settings_in_hash(page)
    model = lab.painted("model")
    steps = lab.painted("steps")
    loss = lab.number("log-loss")
    assert before["edits"].startswith("a") and before["n"] == "200"

    server.start()
    expect(notice).to_contain_text("Reconnected")
    hellos: list[dict[str, Any]] = page.evaluate("window.sentHellos")
    assert len(hellos) >= 1
    state = hellos[-1]["state"]
    assert hellos[-1]["steps"] == steps  # the step counter goes on too
    # The new session was rebuilt from exactly what the page had: points and weights.
    assert state["model"] == model
    assert state["data"]["preset"] == "moons" and state["data"]["seed"] == 7
    assert len(state["data"]["edits"]) == 1 and state["data"]["edits"][0]["op"] == "add"
    assert state["training"]["learning_rate"] == 0.5 and state["training"]["penalty"] == "l2"
    assert state["view"]["tau"] == 0.6

    # Auto-train resumed by itself, from the restored weights.
    expect(auto).to_have_attribute("aria-pressed", "true")
    page.wait_for_function("s => window.logitlabPerf.steps > s + 20", arg=steps)
    expect(lab.stat("n-points")).to_have_text("201")
    assert lab.number("log-loss") <= loss + 1e-9  # it went on; it did not start over
    page.wait_for_timeout(400)
    assert settings_in_hash(page) == before
    auto.click()
    expect(auto).to_have_attribute("aria-pressed", "false")
    assert problems == []


def test_closing_the_tab_loses_nothing(server: RestartableLab, context: BrowserContext) -> None:
    problems: list[str] = []
    first = open_lab(context, f"{server.url}/", problems)
    first.page.get_by_role("button", name="Moons").click()
    expect(first.stat("preset")).to_have_text("Moons")
    first.chart.click(position=first.to_pixel(-2.0, 2.0))
    expect(first.stat("n-points")).to_have_text("121")
    first.page.get_by_role("button", name="Train 100 steps").click()
    expect(first.stat("steps")).to_have_text("100")
    model = first.painted("model")
    first_preset = first.stat("preset").inner_text()  # "Moons (edited)"
    # Saved in the browser's storage (at most a second later).
    first.page.wait_for_function(
        "w => (localStorage.getItem('logitlab.state.lab') || '').includes(String(w))",
        arg=model["w0"],
    )
    first.page.close()

    # A new tab on the bare address (no state in the URL) starts where the last one stopped.
    second = open_lab(context, f"{server.url}/", problems)
    expect(second.stat("preset")).to_have_text(first_preset)
    expect(second.stat("n-points")).to_have_text("121")
    assert second.painted("model") == model
    assert problems == []


def test_an_idle_session_comes_back_when_the_page_is_used(
    browser: Browser, context: BrowserContext
) -> None:
    lab_server = RestartableLab(Settings(limits=Limits(idle_timeout=3.0)))
    lab_server.start()
    try:
        problems: list[str] = []
        lab = open_lab(context, f"{lab_server.url}/", problems)
        page = lab.page
        notice = page.locator("#connection")
        page.get_by_role("button", name="Train 1 step").click()
        expect(lab.stat("steps")).to_have_text("1")
        expect(notice).to_contain_text("idle")  # the server closed the session
        page.get_by_role("button", name="Train 100 steps").focus()
        page.keyboard.press("Shift")  # any sign of the user wakes it up
        expect(notice).to_contain_text("Reconnected")
        page.get_by_role("button", name="Train 100 steps").click()
        expect(lab.stat("steps")).to_have_text("101")  # a new session that goes on counting
        assert problems == []
    finally:
        lab_server.stop()
