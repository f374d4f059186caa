"""The Lab server's safety: headers, origin and host checks, static paths, bad input, limits.

Tests talk to ``create_app`` through Starlette's TestClient, and to a real uvicorn
server on a loopback port where the HTTP and WebSocket layers matter (raw paths,
the WebSocket handshake, work in threads while another session waits).
"""

from __future__ import annotations

import contextlib
import gc
import json
import re
import socket
import threading
import time
import warnings
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from starlette.exceptions import StarletteDeprecationWarning
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from starlette.websockets import WebSocketDisconnect

from logitlab.cli import build_parser
from logitlab.lab import server as server_module
from logitlab.lab.limits import (
    FIRST_AUTO_STEPS,
    FULL_CLOSE_CODE,
    IDLE_CLOSE_CODE,
    Limits,
    SessionRegistry,
    TokenBucket,
    peek_command,
)
from logitlab.lab.protocol import MAX_CSV_BYTES, MAX_MESSAGE_BYTES, MAX_POINTS
from logitlab.lab.security import (
    CONTENT_SECURITY_POLICY,
    SecurityMiddleware,
    is_loopback,
    origin_tuple,
    split_host,
)
from logitlab.lab.server import Settings, create_app

# ----------------------------------------------------------------- helpers


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(app: FastAPI) -> Iterator[int]:
    """``app`` under uvicorn in a thread on a free loopback port; yields the port."""
    port = _free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15.0
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.01)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10.0)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[FastAPI, int]]:
    app = create_app()
    with running(app) as port:
        yield app, port


def raw_get(port: int, target: str, host: str = "127.0.0.1") -> tuple[int, str]:
    """GET ``target`` exactly as written (no client-side normalization); (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        sock.sendall(request.encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, body.decode("utf-8", errors="replace")


def ws(port: int, **kwargs: Any) -> ClientConnection:
    return ws_connect(
        f"ws://127.0.0.1:{port}/ws", proxy=None, open_timeout=10, max_size=None, **kwargs
    )


def call(conn: Any, message: dict[str, Any] | str) -> dict[str, Any]:
    """Send one message (TestClient or websockets connection) and return the parsed reply."""
    text = message if isinstance(message, str) else json.dumps(message)
    if hasattr(conn, "send_text"):
        conn.send_text(text)
        reply: dict[str, Any] = conn.receive_json()
    else:
        conn.send(text)
        reply = json.loads(conn.recv(timeout=60))
    return reply


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


# ----------------------------------------------------------------- safe defaults


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/static/main.js", "/static/lab.css", "/static/nope.js", "/nope"):
        r = client.get(path)
        assert r.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        assert r.headers["x-frame-options"] == "DENY"
    policy = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_the_pages_need_nothing_the_policy_forbids(client: TestClient) -> None:
    """No inline script, event-handler attribute, style attribute or off-site resource."""
    for path in ("/", "/roc"):
        r = client.get(path)
        if path == "/roc" and r.status_code != 200:  # the ROC page has its own tests
            continue
        assert r.status_code == 200, path
        html = r.text
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
            assert re.search(r"\bsrc=\"/static/", tag), f"{path}: inline script {tag}"
        assert not re.search(r"<script\b[^>]*>\s*[^<\s]", html), f"{path}: script with a body"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), path
        assert not re.search(r"\sstyle\s*=", html, flags=re.IGNORECASE), path
        assert "<style" not in html.lower(), path
        assert not re.search(r"(src|href)=\"(https?:)?//", html), f"{path}: off-site resource"


def test_cli_binds_loopback_by_default() -> None:
    args = build_parser().parse_args([])
    assert args.host == "127.0.0.1"
    assert build_parser().parse_args(["serve", "--max-sessions", "7"]).max_sessions == 7
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--max-sessions", "0"])


@pytest.mark.parametrize(
    ("host", "warned"),
    [("127.0.0.1", False), ("localhost", False), ("127.0.0.2", False), ("0.0.0.0", True)],
)
def test_serve_warns_off_loopback_and_pins_loopback_hosts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], host: str, warned: bool
) -> None:
    configs: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: configs.append(self.config))
    assert server_module.serve(host, _free_port(), open_browser=False, max_sessions=3) == 0
    out = capsys.readouterr().out
    assert ("WARNING" in out and "reachable from other machines" in out) is warned
    # Frames are compressed only when they cross a network.
    assert configs[0].ws_per_message_deflate is warned
    app = configs[0].app
    assert app.state.registry.limits.max_sessions == 3
    # Off loopback every request needs the access token (issue 12); the tests carry it.
    token = app.state.settings.token
    assert (token is not None) is warned
    auth = {"authorization": f"token {token}"} if token else {}
    evil = TestClient(app, base_url="http://rebound.example:8765", headers=auth).get("/")
    local = TestClient(app, base_url="http://127.0.0.1:8765", headers=auth).get("/")
    assert local.status_code == 200
    own = TestClient(app, base_url=f"http://{host}:8765", headers=auth).get("/")
    assert own.status_code == 200
    # On loopback, a page served under another name (DNS rebinding) is refused.
    assert evil.status_code == (200 if warned else 400)
    if not warned:
        assert "answers only to" in evil.text


def test_loopback_and_origin_parsing() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert is_loopback("127.8.0.1") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("::")
    assert split_host("127.0.0.1:8765", "http") == ("127.0.0.1", 8765)
    assert split_host("Example.org", "https") == ("example.org", 443)
    assert split_host("[::1]:9", "http") == ("::1", 9)
    assert split_host("a:b:c", "http") is None
    assert origin_tuple("http://LOCALHOST:8765") == ("http", "localhost", 8765)
    assert origin_tuple("https://x.org") == ("https", "x.org", 443)
    assert origin_tuple("null") is None and origin_tuple("file://") is None


@pytest.mark.parametrize(
    ("origin", "allowed"),
    [
        (None, True),  # non-browser clients send none (see security.py)
        ("http://127.0.0.1:{port}", True),
        ("http://evil.example", False),
        ("http://127.0.0.1:1", False),  # another port is another origin
        ("https://127.0.0.1:{port}", False),  # another scheme too
        ("http://localhost:{port}", False),  # the page was loaded from 127.0.0.1
        ("null", False),
    ],
)
def test_websocket_from_another_origin_is_refused(
    live: tuple[FastAPI, int], origin: str | None, allowed: bool
) -> None:
    _, port = live
    headers = {} if origin is None else {"Origin": origin.format(port=port)}
    if allowed:
        with ws(port, additional_headers=headers) as conn:
            assert call(conn, {"type": "probe", "x": 0, "y": 0, "seq": 5})["seq"] == 5
    else:
        with pytest.raises(InvalidStatus) as info, ws(port, additional_headers=headers):
            pass
        assert info.value.response.status_code == 403


def test_allowed_origins_setting_admits_a_proxy_origin() -> None:
    app = create_app(Settings(allowed_origins=("https://lab.school.example",)))
    with running(app) as port:
        with ws(port, additional_headers={"Origin": "https://lab.school.example"}) as conn:
            assert call(conn, {"type": "probe", "x": 1, "y": 1})["type"] == "probe"
        with pytest.raises(InvalidStatus), ws(port, additional_headers={"Origin": "https://x.org"}):
            pass


@pytest.mark.parametrize(
    "target",
    [
        "/static/../server.py",
        "/static/%2e%2e/server.py",
        "/static/%2E%2E/session.py",
        "/static/..%2fserver.py",
        "/static/%2e%2e%2f%2e%2e%2flab%2fserver.py",
        "/static/....//server.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/..\\server.py",
        "/static/%00../server.py",
        "/../../etc/passwd",
    ],
)
def test_no_path_outside_the_static_folder_is_served(
    live: tuple[FastAPI, int], target: str
) -> None:
    _, port = live
    status, body = raw_get(port, target)
    assert status in (400, 404), (target, status)
    assert "def create_app" not in body and "class LabSession" not in body and "root:" not in body
    assert raw_get(port, "/static/connection.js")[0] == 200


def test_symlinks_out_of_the_static_folder_are_not_followed(tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "ok.js").write_text("export const ok = 1;\n", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve", encoding="utf-8")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "key.txt").write_text("do not serve", encoding="utf-8")
    (static / "link.txt").symlink_to(secret)
    (static / "dir").symlink_to(tmp_path / "private", target_is_directory=True)
    client = TestClient(create_app(Settings(static_dir=static)))
    assert client.get("/static/ok.js").status_code == 200
    for path in ("/static/link.txt", "/static/dir/key.txt", f"/static/{secret}"):
        r = client.get(path)
        assert r.status_code == 404 and "do not serve" not in r.text, path


def test_request_bodies_are_bounded() -> None:
    async def echo(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(len(body)).encode()})

    client = TestClient(SecurityMiddleware(echo, max_body_bytes=1000))
    assert client.post("/", content=b"x" * 1000).text == "1000"
    r = client.post("/", content=b"x" * 1001)
    assert r.status_code == 413 and "at most 1,000 bytes" in r.text
    chunked = client.post("/", content=iter([b"x" * 600, b"x" * 600]))  # no Content-Length
    assert chunked.status_code == 413
    assert r.headers["x-content-type-options"] == "nosniff"
    # The Lab itself bounds uploads (a CSV file and its points as JSON) the same way.
    app = create_app()
    (guard,) = [m for m in app.user_middleware if m.cls is SecurityMiddleware]
    limit = guard.kwargs["max_body_bytes"]
    assert MAX_CSV_BYTES <= limit <= 4 * MAX_CSV_BYTES
    lab = TestClient(app)
    assert lab.post("/", content=b"x" * limit).status_code == 405  # no such route
    assert lab.post("/", content=b"x" * (limit + 1)).status_code == 413


# ----------------------------------------------------------------- bad input

BAD_MESSAGES = [
    ("{not json", "not valid JSON"),
    ("[1, 2, 3]", "invalid message"),
    ('"hello"', "invalid message"),
    ("null", "invalid message"),
    ('{"type": "dance", "seq": 3}', "dance"),
    ('{"seq": 3}', "type"),
    ('{"type": "probe", "x": NaN, "y": 0}', "x"),
    ('{"type": "probe", "x": Infinity, "y": 0}', "x"),
    ('{"type": "probe", "x": 1e400, "y": 0}', "x"),
    ('{"type": "probe", "x": 1}', "y"),
    ('{"type": "train", "steps": -5}', "steps"),
    ('{"type": "train", "steps": 0}', "steps"),
    ('{"type": "train", "steps": 10001}', "steps"),
    ('{"type": "train", "steps": 99999999999999999999999}', "steps"),
    ('{"type": "train", "steps": "ten"}', "steps"),
    ('{"type": "train", "steps": 1.5}', "steps"),
    ('{"type": "train", "steps": true}', "steps"),
    ('{"type": "train", "steps": "10"}', "steps"),
    ('{"type": "set_view", "show_field": 1}', "show_field"),
    ('{"type": "set_model", "w0": 1e7}', "w0"),
    ('{"type": "set_model", "w0": [1]}', "w0"),
    ('{"type": "set_training", "learning_rate": -1}', "learning_rate"),
    ('{"type": "set_training", "optimizer": "lbfgs"}', "optimizer"),
    ('{"type": "set_view", "tau": 1.5}', "tau"),
    ('{"type": "load_preset", "preset": "blobs", "n_points": 100001}', "n_points"),
    ('{"type": "load_preset", "preset": "blobs", "n_points": -1}', "n_points"),
    ('{"type": "load_preset", "preset": "swirl"}', "preset"),
    ('{"type": "load_preset", "preset": "moons", "n_classes": 3}', "moons has two classes"),
    ('{"type": "edit", "edit": {"op": "add", "x": 0, "y": 0, "cls": 2}}', "2 classes (0 to 1)"),
    ('{"type": "edit", "edit": {"op": "add", "x": 0, "y": 0, "cls": 5}}', "cls"),
    ('{"type": "edit", "edit": {"op": "delete", "index": -1}}', "index"),
    ('{"type": "edit", "edit": {"op": "delete", "index": 500}}', "cannot delete point 500"),
    ('{"type": "edit", "edit": {"op": "teleport"}}', "edit"),
    ('{"type": "hello", "state": {"version": 2}}', "version"),
    ('{"type": "hello", "state": {"data": {"n_points": 5}}}', "n_points"),
    ('{"type": "hello", "curve_width": 1e9}', "curve_width"),
    ('{"type": "scenario", "name": "rm -rf"}', "name"),
    ('{"type": "undo"}', "nothing to undo"),
    ('{"type": "probe", "x": 0, "y": 0, "seq": -1}', "seq"),
    ("[" * 100_000 + "]" * 100_000, "invalid message"),
]


def _snapshot(conn: Any) -> tuple[Any, int, Any]:
    """The session's state, step count and weights, read with a command that changes nothing."""
    frame = call(conn, {"type": "set_view", "seq": 77})
    assert frame["type"] == "frame"
    return frame["state"], frame["steps"], frame["true_weights"]


@pytest.mark.parametrize(("message", "expected"), BAD_MESSAGES, ids=range(len(BAD_MESSAGES)))
def test_bad_input_gets_an_error_and_changes_nothing(
    client: TestClient, message: str, expected: str
) -> None:
    with client.websocket_connect("/ws") as conn:
        call(conn, {"type": "hello", "state": {"data": {"preset": "moons", "n_points": 50}}})
        call(conn, {"type": "train", "steps": 3})
        before = _snapshot(conn)
        reply = call(conn, message)
        assert reply["type"] == "error", reply
        assert expected in reply["message"], reply["message"]
        assert _snapshot(conn) == before


def test_binary_frames_and_oversized_messages_get_errors(client: TestClient) -> None:
    with client.websocket_connect("/ws") as conn:
        call(conn, {"type": "hello"})
        before = _snapshot(conn)
        conn.send_bytes(json.dumps({"type": "train", "steps": 5}).encode())
        reply = conn.receive_json()
        assert reply["type"] == "error" and "text" in reply["message"]
        big = json.dumps({"type": "probe", "x": 0, "y": 0, "pad": "x" * MAX_MESSAGE_BYTES})
        reply = call(conn, big)
        assert reply["type"] == "error" and "too large" in reply["message"]
        assert f"{MAX_MESSAGE_BYTES:,}" in reply["message"]
        assert _snapshot(conn) == before


def test_a_rebuilt_session_goes_on_counting_steps(client: TestClient) -> None:
    """What a reconnecting page sends: its state and the step count it showed."""
    with client.websocket_connect("/ws") as first:
        points = call(first, {"type": "load_preset", "preset": "xor", "n_points": 40})["points"]
        frame = call(first, {"type": "train", "steps": 25})
    with client.websocket_connect("/ws") as second:
        again = call(second, {"type": "hello", "state": frame["state"], "steps": frame["steps"]})
        assert again["steps"] == 25 and again["state"] == frame["state"]
        assert again["points"]["xy"] == points["xy"] and again["points"]["cls"] == points["cls"]
        assert again["metrics"] == frame["metrics"] | {"delta_loss": None}
        assert call(second, {"type": "train", "steps": 5})["steps"] == 30


def test_at_most_max_points_per_session(client: TestClient) -> None:
    with client.websocket_connect("/ws") as conn:
        frame = call(conn, {"type": "load_preset", "preset": "blobs", "n_points": MAX_POINTS})
        assert frame["metrics"]["n_points"] == MAX_POINTS
        reply = call(conn, {"type": "edit", "edit": {"op": "add", "x": 0, "y": 0, "cls": 1}})
        assert reply["type"] == "error" and f"at most {MAX_POINTS:,} points" in reply["message"]
        assert call(conn, {"type": "set_view"})["metrics"]["n_points"] == MAX_POINTS


# ----------------------------------------------------------------- limits


def test_token_bucket_refills_at_its_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(rate=10.0, burst=20.0, clock=lambda: now[0])
    assert bucket.take(15) == 0.0
    assert bucket.take(10) == pytest.approx(0.5)  # 5 left, 5 more at 10 per second
    now[0] = 0.5
    assert bucket.take(10) == 0.0
    now[0] = 100.0
    assert bucket.take(20) == 0.0 and bucket.take(1) == pytest.approx(0.1)


def test_peek_reads_train_steps_without_trusting_them() -> None:
    assert peek_command('{"type": "train", "steps": 40, "seq": 3}') == ("train", 3, 40)
    assert peek_command('{"type": "\\u0074rain", "steps": 40}') == ("train", 0, 40)
    assert peek_command('{"type": "train", "steps": 10**9}') == (None, 0, 0)
    assert peek_command('{"type": "train", "steps": 1000000}')[2] == 10_000
    assert peek_command('{"type": "train", "steps": true}')[2] == 0
    assert peek_command(b"\xff")[0] is None and peek_command("[" * 10**5) == (None, 0, 0)


def test_training_faster_than_the_limit_is_refused(client: TestClient) -> None:
    limits = Limits(train_steps_per_second=1.0, train_step_burst=10_000)
    with TestClient(create_app(Settings(limits=limits))).websocket_connect("/ws") as conn:
        assert call(conn, {"type": "train", "steps": 9_000})["steps"] == 9_000
        reply = call(conn, {"type": "train", "steps": 5_000, "seq": 8})
        assert reply["type"] == "error" and reply["seq"] == 8
        assert "slow down" in reply["message"] and "steps per second" in reply["message"]
        assert call(conn, {"type": "train", "steps": 1_000})["steps"] == 10_000
        # Other commands are not training: they still work.
        assert call(conn, {"type": "set_view", "tau": 0.3})["state"]["view"]["tau"] == 0.3


def test_auto_train_ticks_fit_a_time_budget_and_buttons_run_exactly() -> None:
    limits = Limits(auto_frame_seconds=1e-6)  # less than any step: one step per tick
    with TestClient(create_app(Settings(limits=limits))).websocket_connect("/ws") as conn:
        call(conn, {"type": "load_preset", "preset": "moons", "n_points": 2000})
        # Before any step has been timed, a tick may take the first allowance.
        first = call(conn, {"type": "train", "steps": 5000, "auto": True})
        assert first["steps"] == FIRST_AUTO_STEPS
        tick = call(conn, {"type": "train", "steps": 5000, "auto": True, "seq": 3})
        assert tick["seq"] == 3 and tick["steps"] == FIRST_AUTO_STEPS + 1
        # "Train 100 steps" is not Auto-train: exactly what was asked.
        assert call(conn, {"type": "train", "steps": 300})["steps"] == FIRST_AUTO_STEPS + 301
        # An invalid tick is not made valid by cutting it down.
        bad = call(conn, {"type": "train", "steps": 10**6, "auto": True})
        assert bad["type"] == "error" and "steps" in bad["message"]
    roomy = Limits(auto_frame_seconds=10.0)
    with TestClient(create_app(Settings(limits=roomy))).websocket_connect("/ws") as conn:
        call(conn, {"type": "train", "steps": 3})
        assert call(conn, {"type": "train", "steps": 800, "auto": True})["steps"] == 803


def test_message_floods_are_refused() -> None:
    limits = Limits(messages_per_second=0.001, message_burst=3)
    with TestClient(create_app(Settings(limits=limits))).websocket_connect("/ws") as conn:
        for _ in range(3):
            assert call(conn, {"type": "probe", "x": 0, "y": 0})["type"] == "probe"
        reply = call(conn, {"type": "probe", "x": 0, "y": 0, "seq": 4})
        assert reply["type"] == "error" and "too many messages" in reply["message"]


def test_sessions_over_the_cap_are_refused_clearly() -> None:
    app = create_app(Settings(limits=Limits(max_sessions=2)))
    client = TestClient(app)
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        for conn in (a, b):
            call(conn, {"type": "hello"})
        with client.websocket_connect("/ws") as c:
            reply = c.receive_json()
            assert reply["type"] == "error" and "server is full" in reply["message"]
            assert "at most 2 sessions" in reply["message"]
            with pytest.raises(WebSocketDisconnect) as info:
                c.receive_json()
            assert info.value.code == FULL_CLOSE_CODE
        assert len(app.state.registry) == 2
    with client.websocket_connect("/ws") as d:  # the slots were given back
        assert call(d, {"type": "hello"})["type"] == "frame"
    assert len(app.state.registry) == 0


def test_idle_sessions_are_closed_and_freed() -> None:
    app = create_app(Settings(limits=Limits(idle_timeout=0.3)))
    registry: SessionRegistry = app.state.registry
    with TestClient(app).websocket_connect("/ws") as conn:
        call(conn, {"type": "load_preset", "preset": "blobs", "n_points": 50_000})
        (slot,) = registry.slots()
        session = weakref.ref(slot.session)
        del slot
        with pytest.raises(WebSocketDisconnect) as info:
            conn.receive_json()  # nothing sent: the server closes the idle session
        assert info.value.code == IDLE_CLOSE_CODE
    assert len(registry) == 0
    gc.collect()
    assert session() is None, "the idle session's memory was not returned"


def test_limits_are_validated() -> None:
    with pytest.raises(ValueError, match="max_sessions"):
        Limits(max_sessions=0)
    with pytest.raises(ValueError, match=r"train_step_burst.*at least 10000"):
        Limits(train_step_burst=10)


def test_a_big_training_run_does_not_stall_another_session(live: tuple[FastAPI, int]) -> None:
    """While one session trains 100,000 points in a worker thread, another is answered."""
    app, port = live
    registry: SessionRegistry = app.state.registry
    with ws(port) as big, ws(port) as small:
        state = {"data": {"n_points": MAX_POINTS}, "view": {"show_field": False}}
        assert call(big, {"type": "hello", "state": state})["metrics"]["n_points"] == MAX_POINTS
        call(small, {"type": "hello"})
        big.send(json.dumps({"type": "train", "steps": 800, "seq": 1}))
        deadline = time.monotonic() + 30.0
        while registry.busy == 0:  # wait until the big run is in its worker thread
            assert time.monotonic() < deadline, "the training run never started"
            time.sleep(0.005)
        for k in range(3):
            probe = call(small, {"type": "probe", "x": 1, "y": 2, "seq": 10 + k})
            assert probe["type"] == "probe" and probe["seq"] == 10 + k
        # Answered while the big run is still going: it never blocked the event loop.
        assert registry.busy == 1
        frame = json.loads(big.recv(timeout=120))
        assert frame["seq"] == 1 and frame["steps"] == 800
