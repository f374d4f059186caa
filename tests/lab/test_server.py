from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # Starlette >= 1.x prefers the httpx2 package; httpx (our test dependency) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from logitlab.lab import content
from logitlab.lab.server import Settings, create_app, render_page


@pytest.fixture
def site(tmp_path: Path) -> Settings:
    pages = tmp_path / "pages"
    static = tmp_path / "static"
    pages.mkdir()
    static.mkdir()
    (pages / "lab.html").write_text(
        "<!doctype html><main><section><!-- slot:derivation --></section>"
        "<section><!-- slot:try-this --></section><!--slot:faq--></main>",
        encoding="utf-8",
    )
    (static / "app.js").write_text("export const ok = 1;\n", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("do not serve", encoding="utf-8")
    return Settings(pages_dir=pages, static_dir=static, max_message_bytes=4096)


@pytest.fixture
def client(site: Settings) -> TestClient:
    return TestClient(create_app(site))


def test_page_has_its_slots_filled(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "slot:" not in r.text
    assert content.SLOTS["derivation"] in r.text
    assert 'data-scenario="xor-wall"' in r.text
    assert "<details" in r.text


def test_unknown_slot_is_reported() -> None:
    with pytest.raises(KeyError, match="nope"):
        render_page("<!-- slot:nope -->")


def test_static_files_are_served_and_nothing_outside(client: TestClient) -> None:
    r = client.get("/static/app.js")
    assert r.status_code == 200 and "export const ok" in r.text
    for path in ("/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/..%2fsecret.txt"):
        r = client.get(path)
        assert r.status_code == 404 or "do not serve" not in r.text, path
        assert "do not serve" not in r.text


def test_hello_answers_with_a_full_frame(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "hello", "seq": 1, "curve_width": 200}))
        frame = ws.receive_json()
        assert frame["type"] == "frame" and frame["seq"] == 1
        assert frame["points"]["n"] == 120
        assert frame["field"]["size"] == 64
        ws.send_text(json.dumps({"type": "train", "seq": 2, "steps": 10}))
        frame = ws.receive_json()
        assert frame["seq"] == 2 and frame["steps"] == 10 and frame["points"] is None


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("{not json", "not valid JSON"),
        ('{"type": "dance"}', "dance"),
        ('{"type": "probe", "x": NaN, "y": 0}', "x"),
        ('{"type": "train", "steps": 0, "seq": 3}', "steps"),
        ('{"type": "set_model", "w0": "big"}', "w0"),
        ('{"type": "hello", "extra": 1}', "extra"),
    ],
)
def test_bad_messages_get_an_error_and_the_connection_stays_usable(
    client: TestClient, message: str, expected: str
) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(message)
        reply = ws.receive_json()
        assert reply["type"] == "error"
        assert expected in reply["message"]
        ws.send_text('{"type": "probe", "x": 1, "y": 2, "seq": 9}')
        probe = ws.receive_json()
        assert probe["type"] == "probe" and probe["seq"] == 9


def test_oversized_and_binary_messages_are_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text(json.dumps({"type": "hello", "pad": "x" * 5000}))
        assert "too large" in ws.receive_json()["message"]
        ws.send_bytes(b"\x00\x01")
        assert "text" in ws.receive_json()["message"]
        ws.send_text('{"type": "new_sample"}')
        assert ws.receive_json()["type"] == "frame"


def test_session_errors_keep_the_connection(client: TestClient) -> None:
    with client.websocket_connect("/ws") as ws:
        ws.send_text('{"type": "undo", "seq": 4}')
        reply = ws.receive_json()
        assert reply == {"type": "error", "seq": 4, "message": reply["message"]}
        assert "nothing to undo" in reply["message"]
        ws.send_text('{"type": "edit", "edit": {"op": "add", "x": 1, "y": 1, "cls": 0}}')
        assert ws.receive_json()["points"]["n"] == 121


def test_each_connection_has_its_own_session(client: TestClient) -> None:
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        a.send_text('{"type": "train", "steps": 5}')
        assert a.receive_json()["steps"] == 5
        b.send_text('{"type": "train", "steps": 1}')
        assert b.receive_json()["steps"] == 1


def test_missing_template_is_a_clear_error(site: Settings, tmp_path: Path) -> None:
    empty = tmp_path / "nothing"
    empty.mkdir()
    app = create_app(Settings(pages_dir=empty, static_dir=site.static_dir))
    r = TestClient(app).get("/")
    assert r.status_code == 500 and "lab.html" in r.text


def test_serve_reports_a_busy_port_instead_of_crashing(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    from logitlab.lab.server import serve

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve("127.0.0.1", port, open_browser=False) == 1
    out = capsys.readouterr().out
    assert str(port) in out and "--port" in out


def test_serve_prints_the_address_and_opens_the_browser_once_listening(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import threading
    import time

    import uvicorn

    from logitlab.lab import server as server_module

    opened: list[str] = []
    done = threading.Event()

    def fake_run(self: uvicorn.Server, sockets: object = None) -> None:
        assert not opened  # the browser waits until the server listens
        self.started = True
        done.wait(5.0)

    def fake_open(url: str) -> bool:
        opened.append(url)
        done.set()
        return True

    monkeypatch.setattr(uvicorn.Server, "run", fake_run)
    monkeypatch.setattr(server_module.webbrowser, "open", fake_open)
    monkeypatch.setattr(server_module, "_port_free", lambda host, port: True)
    assert server_module.serve("127.0.0.1", 8765, open_browser=True) == 0
    deadline = time.monotonic() + 5.0
    while not opened and time.monotonic() < deadline:
        time.sleep(0.01)
    assert opened == ["http://127.0.0.1:8765/"]
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out


def test_both_pages_include_the_shared_parts_once() -> None:
    from logitlab.lab.server import create_app

    with TestClient(create_app()) as client:
        for path in ("/", "/roc"):
            html = client.get(path).text
            assert "part:" not in html
            for marker in (
                'data-cell="tn"',
                'id="w0-box"',
                'data-preset="circles"',
                'id="auto-train"',
                'id="speed-box"',
            ):
                assert html.count(marker) == 1, (path, marker)


def test_a_missing_part_is_a_clear_server_error(tmp_path: Path) -> None:
    from logitlab.lab.server import Settings, create_app

    (tmp_path / "lab.html").write_text("<p><!-- part:nowhere --></p>", encoding="utf-8")
    with TestClient(create_app(Settings(pages_dir=tmp_path))) as client:
        response = client.get("/")
    assert response.status_code == 500
    assert "_nowhere.html" in response.text
