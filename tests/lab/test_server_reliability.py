"""No client can stop the others (issue 12): compute pool, slices, queues, time-outs.

Real uvicorn servers on free loopback ports, driven by websockets' sync client and
raw sockets from threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import anyio.to_thread
import numpy as np
import pytest
import uvicorn
from starlette.exceptions import StarletteDeprecationWarning
from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.sync.client import ClientConnection
from websockets.sync.client import connect as ws_connect

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from logitlab.lab.executor import ComputePool
from logitlab.lab.limits import Limits
from logitlab.lab.server import Settings, create_app, uvicorn_config

# ----------------------------------------------------------------- helpers


class FewThreads:
    """ASGI wrapper: anyio's default thread pool cut to ``tokens`` threads.

    Before issue 12 every command ran in that pool; with few threads a handful of
    long trains already filled it, as forty do with the default of forty.
    """

    def __init__(self, app: ASGIApp, tokens: int) -> None:
        self.app = app
        self.tokens = tokens

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        anyio.to_thread.current_default_thread_limiter().total_tokens = self.tokens
        await self.app(scope, receive, send)


@contextlib.contextmanager
def serving(app: ASGIApp, settings: Settings, ping: float | None = None) -> Iterator[int]:
    """``app`` under uvicorn (configured as ``serve`` does) in a thread; yields the port.

    ``ping``: the server's WebSocket keepalive interval (and 5 times that to answer).
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config = uvicorn_config(app, settings, host="127.0.0.1", port=port)
    if ping is not None:
        config.ws_ping_interval, config.ws_ping_timeout = ping, 5 * ping
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
        thread.join(timeout=15.0)


def ws(port: int) -> ClientConnection:
    return ws_connect(f"ws://127.0.0.1:{port}/ws", proxy=None, open_timeout=10, max_size=None)


def call(conn: ClientConnection, message: dict[str, Any], timeout: float = 60) -> dict[str, Any]:
    conn.send(json.dumps(message))
    reply: dict[str, Any] = json.loads(conn.recv(timeout=timeout))
    return reply


def timed_get(port: int, path: str = "/", method: str = "GET") -> tuple[int, float]:
    """(status, seconds) of one request on a fresh connection."""
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        sock.sendall(head.encode("ascii"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), time.monotonic() - start


def run_async(main: Any) -> None:
    """``asyncio.run(main())`` in a thread of its own (the browser tests leave an event loop
    running in the main thread, where ``asyncio.run`` refuses to start)."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the event loop did not finish"
    if errors:
        raise errors[0]


# ----------------------------------------------------------------- item 1: compute


def test_the_pool_serves_the_least_recent_user_first() -> None:
    pool = ComputePool(1)
    order: list[str] = []
    gate = threading.Event()

    async def main() -> None:
        blocker = asyncio.create_task(pool.run("blocker", gate.wait))
        await asyncio.sleep(0.05)  # the only thread now waits on the gate
        pool._charge("heavy", 5.0)  # "heavy" used 5 s of compute just now
        jobs = [
            asyncio.create_task(pool.run(name, lambda name=name: order.append(name)))
            for name in ("heavy", "light")
        ]
        await asyncio.sleep(0.05)
        assert pool.waiting == 2
        gate.set()
        await asyncio.gather(blocker, *jobs)

    try:
        run_async(main)
    finally:
        pool.close()
    assert order == ["light", "heavy"]
    assert pool.usage("heavy") > 4.0 and pool.usage("light") < 0.1


def test_many_sessions_from_one_address_share_its_turn() -> None:
    """Jobs are ranked when a thread is free, by owner's plus address's recent use."""
    pool = ComputePool(1)
    order: list[str] = []
    gate = threading.Event()

    def work(name: str) -> None:
        order.append(name)
        time.sleep(0.02)

    async def main() -> None:
        blocker = asyncio.create_task(pool.run("blocker", gate.wait))
        await asyncio.sleep(0.05)
        jobs = [
            asyncio.create_task(pool.run(f"a{k}", functools.partial(work, f"a{k}"), "10.0.0.1"))
            for k in range(5)
        ]
        await asyncio.sleep(0.01)
        jobs.append(asyncio.create_task(pool.run("b", functools.partial(work, "b"), "10.0.0.2")))
        await asyncio.sleep(0.05)
        gate.set()
        await asyncio.gather(blocker, *jobs)

    try:
        run_async(main)
    finally:
        pool.close()
    # "b" came last, but once one job of 10.0.0.1 ran, that address had used more.
    assert order.index("b") <= 1, order


def test_long_trains_leave_pages_and_other_sessions_answered_within_a_second() -> None:
    settings = Settings(compute_threads=2)
    app = FewThreads(create_app(settings), tokens=2)
    n_busy, steps = 4, 10_000
    state = {"data": {"n_points": 10_000}, "view": {"show_field": False}}
    with serving(app, settings) as port, contextlib.ExitStack() as stack:
        conns = [stack.enter_context(ws(port)) for _ in range(n_busy)]
        for conn in conns:
            assert call(conn, {"type": "hello", "state": state})["type"] == "frame"
        for k, conn in enumerate(conns):
            conn.send(json.dumps({"type": "train", "steps": steps, "seq": 100 + k}))
        time.sleep(0.3)  # let every train start (the point: they run while we measure)
        worst = 0.0
        for _ in range(3):
            status, seconds = timed_get(port, "/")
            assert status == 200
            worst = max(worst, seconds)
            with ws(port) as other:
                start = time.monotonic()
                assert call(other, {"type": "hello", "seq": 1})["type"] == "frame"
                probe = call(other, {"type": "probe", "x": 1, "y": 2, "seq": 2})
                assert probe["type"] == "probe"
                worst = max(worst, time.monotonic() - start)
        assert worst < 1.0, f"a page or another session waited {worst:.2f} s"
        for k, conn in enumerate(conns):
            frame = json.loads(conn.recv(timeout=120))
            # A long train is answered once, by the frame after all its steps.
            assert frame["type"] == "frame" and frame["seq"] == 100 + k
            assert frame["steps"] == steps


def test_head_of_the_pages_answers_200() -> None:
    client = TestClient(create_app())
    for path in ("/", "/roc"):
        response = client.head(path)
        assert response.status_code == 200 and response.text == ""


def test_a_sliced_train_counts_its_steps_like_one_command() -> None:
    settings = Settings(limits=Limits(slice_seconds=0.001))
    with TestClient(create_app(settings)) as client, client.websocket_connect("/ws") as conn:
        conn.send_text(json.dumps({"type": "hello", "seq": 1}))
        assert conn.receive_json()["seq"] == 1
        conn.send_text(json.dumps({"type": "train", "steps": 3000, "seq": 2}))
        conn.send_text(json.dumps({"type": "probe", "x": 0, "y": 0, "seq": 3}))
        frame = conn.receive_json()
        assert frame["seq"] == 2 and frame["steps"] == 3000
        assert conn.receive_json()["seq"] == 3  # answers keep the order of the commands


# ----------------------------------------------------------------- item 5: backlogs


def test_a_command_backlog_keeps_the_connection_and_answers_every_command(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Pipelined commands beyond the queue are refused; pings are answered throughout.

    Before issue 12 the server read the next message only after answering the last,
    so both sides' pings waited behind the backlog: closed by a keepalive time-out,
    and uvicorn logged the replies sent after its close.
    """
    settings = Settings(limits=Limits(queue_limit=16))
    app = create_app(settings)
    state = {"data": {"n_points": 100_000}}
    n = 1000
    uvicorn_log = logging.getLogger("uvicorn.error")
    uvicorn_log.addHandler(caplog.handler)
    with contextlib.ExitStack() as cleanup:
        cleanup.callback(uvicorn_log.removeHandler, caplog.handler)
        port = cleanup.enter_context(serving(app, settings, ping=0.2))
        conn = cleanup.enter_context(
            ws_connect(
                f"ws://127.0.0.1:{port}/ws",
                proxy=None,
                max_size=None,
                ping_interval=0.2,
                ping_timeout=1,
            )
        )
        assert call(conn, {"type": "hello", "state": state, "seq": 1})["type"] == "frame"
        for k in range(n):
            w0 = 0.5 + k / n
            conn.send(json.dumps({"type": "set_model", "w0": w0, "seq": 10 + k}))
        replies = [json.loads(conn.recv(timeout=60)) for _ in range(n)]
        kinds = {r["type"] for r in replies}
        assert kinds <= {"frame", "error"}
        refused = [r for r in replies if r["type"] == "error"]
        assert refused and all("too many commands waiting" in r["message"] for r in refused)
        assert sorted(r["seq"] for r in replies) == list(range(10, 10 + n))
        # Still open and in order: the last command applied is the last frame.
        frames = [r for r in replies if r["type"] == "frame"]
        probe = call(conn, {"type": "probe", "x": 1, "y": 0, "seq": 999})
        assert probe["type"] == "probe"
        assert probe["z"] == pytest.approx(frames[-1]["state"]["model"]["w0"])
    assert not [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_client_leaving_with_work_queued_gets_nothing_sent_after_close(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings()
    app = create_app(settings)
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(caplog.handler)
    try:
        with serving(app, settings) as port:
            for _ in range(3):
                with ws(port) as conn:
                    call(conn, {"type": "hello", "state": {"data": {"n_points": 50_000}}})
                    for k in range(40):
                        conn.send(json.dumps({"type": "set_model", "w0": 1 + k, "seq": k}))
                    conn.send(json.dumps({"type": "train", "steps": 2000, "seq": 99}))
            status, _ = timed_get(port, "/")
            assert status == 200
    finally:
        logger.removeHandler(caplog.handler)
    problems = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not problems


# ----------------------------------------------------------------- item 4: slow clients


def _partial_request(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket()
    sock.settimeout(10)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port))
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never finished
    return sock


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1024) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_incomplete_requests_are_timed_out() -> None:
    settings = Settings(limits=Limits(request_timeout=0.5))
    with serving(create_app(settings), settings) as port:
        slow = _partial_request(port)
        start = time.monotonic()
        with slow:
            assert _closed_by_server(slow, within=5.0)
        assert 0.4 < time.monotonic() - start < 3.0
        # A trickle of header bytes does not reset the deadline.
        with _partial_request(port) as trickle:
            for _ in range(10):
                with contextlib.suppress(OSError):
                    trickle.sendall(b"X-A: b\r\n")
                time.sleep(0.1)
            assert _closed_by_server(trickle, within=1.0)
        assert timed_get(port, "/")[0] == 200


def test_connections_per_client_address_are_capped() -> None:
    settings = Settings(limits=Limits(connections_per_client=3))
    with serving(create_app(settings), settings) as port, contextlib.ExitStack() as stack:
        held = [stack.enter_context(_partial_request(port, "127.0.0.2")) for _ in range(3)]
        extra = stack.enter_context(_partial_request(port, "127.0.0.2"))
        assert _closed_by_server(extra, within=2.0)
        assert not _closed_by_server(held[0], within=0.2)
        status, seconds = timed_get(port, "/")  # another address is served as ever
        assert status == 200 and seconds < 1.0


def test_a_silent_websocket_is_closed_and_its_slot_freed() -> None:
    from websockets.exceptions import ConnectionClosed

    settings = Settings(limits=Limits(hello_timeout=0.3, max_sessions=1))
    app = create_app(settings)
    with serving(app, settings) as port:
        with ws(port) as silent:
            with pytest.raises(ConnectionClosed) as info:
                silent.recv(timeout=5)
            assert info.value.rcvd is not None and info.value.rcvd.code == 4000
        with ws(port) as next_user:  # the one slot is free again
            assert call(next_user, {"type": "hello"})["type"] == "frame"


def test_serve_takes_the_idle_timeout_as_a_flag() -> None:
    from logitlab.cli import build_parser

    args = build_parser().parse_args(["serve", "--idle-timeout", "60"])
    assert args.idle_timeout == 60.0
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--idle-timeout", "0"])


# ----------------------------------------------------------------- items 2, 3: HTTP routes


def _csv(columns: int, size: int) -> bytes:
    header = ",".join(f"c{i}" for i in range(columns))
    row = ",".join(f"{i % 7}.25" for i in range(columns))
    rows = max(1, (size - len(header)) // (len(row) + 1))
    return (header + "\n" + "\n".join([row] * rows) + "\n").encode()


def test_a_csv_with_too_many_columns_is_refused_quickly_and_clearly() -> None:
    client = TestClient(create_app(Settings(http_rates=None)))
    wide = _csv(150_000, 0)
    assert 500_000 < len(wide) < 4 << 20
    start = time.monotonic()
    reply = client.post(
        "/api/csv?name=wide.csv", content=wide, headers={"content-type": "text/csv"}
    )
    seconds = time.monotonic() - start
    assert reply.status_code == 200
    error = reply.json()["error"]
    assert "wide.csv has too many columns" in error and "150,000 fields" in error
    assert "at most 1,000 columns" in error
    assert seconds < 1.0 and len(reply.content) < 1000
    # A data line wider than the header is caught too; quoted commas are not fields.
    body = b"a,b\n1,2\n" + b",".join([b"1"] * 1001) + b"\n"
    error = client.post("/api/csv", content=body).json()["error"]
    assert "line 3 has 1,001 fields" in error
    quoted = b'"x,' + b"," * 2000 + b'",b\n1,2\n'
    assert "summary" in client.post("/api/csv", content=quoted).json()


def test_the_largest_capped_csv_costs_less_than_a_second() -> None:
    client = TestClient(create_app(Settings(http_rates=None)))
    body = _csv(1_000, (4 << 20) - 10_000)
    # CPU time, not wall time: the machine may be shared (about 0.5 s on an idle core).
    cpu, wall = time.process_time(), time.monotonic()
    reply = client.post("/api/csv?name=big.csv", content=body)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    assert len(reply.json()["summary"]["columns"]) == 1_000
    assert cpu < 1.0, f"{cpu:.2f} s of CPU ({wall:.2f} s wall)"


def _points_json() -> str:
    xs = [0.0, 1.0, 2.0, 3.0]
    return json.dumps(
        {
            "hash": "",
            "n_points": 4,
            "x": xs,
            "y": xs,
            "cls": [0, 1, 0, 1],
            "class_names": ["a", "b"],
        }
    )


@pytest.mark.parametrize(
    ("headers", "status", "needle"),
    [
        ({"origin": "https://evil.example", "content-type": "application/json"}, 403, "evil"),
        ({"sec-fetch-site": "cross-site", "content-type": "application/json"}, 403, "cross-site"),
        ({"origin": "http://testserver", "content-type": "text/plain"}, 415, "text/plain"),
        ({"sec-fetch-site": "same-origin"}, 415, "no Content-Type"),
    ],
)
def test_other_sites_cannot_plant_data(headers: dict[str, str], status: int, needle: str) -> None:
    client = TestClient(create_app())
    reply = client.post("/api/data", content=_points_json(), headers=headers)
    assert reply.status_code == status and needle in reply.text
    csv = client.post("/api/csv", content=b"a,b\n1,2\n", headers=headers)
    assert csv.status_code == status


def test_the_page_s_own_uploads_are_accepted() -> None:
    client = TestClient(create_app())
    own = {"origin": "http://testserver", "sec-fetch-site": "same-origin"}
    stub = client.post(
        "/api/data", content=_points_json(), headers={**own, "content-type": "application/json"}
    ).json()
    assert len(stub["hash"]) == 32
    assert client.get(f"/api/data/{stub['hash']}").json()["x"] == [0.0, 1.0, 2.0, 3.0]
    summary = client.post(
        "/api/csv",
        content=b"a,b\n1,2\n",
        headers={**own, "content-type": "text/csv; charset=utf-8"},
    )
    assert "summary" in summary.json()


def test_http_routes_are_rate_limited_per_client() -> None:
    from logitlab.lab.security import HttpRates

    rates = HttpRates(api_per_second=0.5, api_burst=3, other_per_second=0.5, other_burst=5)
    client = TestClient(create_app(Settings(http_rates=rates)))
    answers = [client.get("/api/data/" + "0" * 32).status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    limited = client.get("/api/data/" + "0" * 32)
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    assert "slow down" in limited.text
    assert client.get("/").status_code == 200  # pages have their own allowance


# ----------------------------------------------------------------- item 7: small defects


def test_the_step_counter_stops_below_2_to_the_53() -> None:
    from logitlab.lab.protocol import Frame, LabState
    from logitlab.lab.session import STEP_LIMIT, LabSession

    session = LabSession()
    hello = {"type": "hello", "steps": 2**53 - 2, "seq": 1}
    assert json.loads(session.handle_json(json.dumps(hello)))["steps"] == 2**53 - 2
    reply = session.handle_json(json.dumps({"type": "train", "steps": 5, "seq": 2}))
    frame = Frame.model_validate_json(reply)  # the frame passes its own schema
    assert frame.steps == STEP_LIMIT == 2**53 - 1
    LabState.model_validate(session.state.model_dump())  # and so does the state


def test_tiny_curve_values_stay_numbers() -> None:
    from logitlab.lab.protocol import Frame
    from logitlab.lab.session import LabSession, _significant

    values = np.array([1e-303, 5e-324, 2.5e-300, 1.23456789e-10, 0.0, 3.0])
    rounded = _significant(values)
    assert np.all(np.isfinite(rounded))
    np.testing.assert_allclose(rounded, values, rtol=1e-6, atol=0.0)
    session = LabSession()
    for k, v in enumerate((1e-301, 1e-303, 1e-310)):
        session._history.append(k, v)
    reply = session.handle_json(json.dumps({"type": "set_view", "seq": 1}))
    curve = json.loads(reply)["curve"]
    assert None not in curve["low"] and None not in curve["last"]
    assert Frame.model_validate_json(reply).curve is not None


@pytest.mark.parametrize(
    ("host", "needle"),
    [
        ("not a host!", "is not a valid address"),
        ("192.0.2.7", "is not an address of this computer"),
    ],
)
def test_an_invalid_host_is_reported_as_such(
    host: str, needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from logitlab.lab.server import serve

    assert serve(host, 8765, open_browser=False) == 1
    out = capsys.readouterr().out
    assert needle in out and "in use" not in out


# ----------------------------------------------------------------- item 6: edits


def test_many_edits_fold_into_stored_points_and_the_state_stays_small() -> None:
    from logitlab.lab.compaction import MAX_EDITS
    from logitlab.lab.csv_data import STORE
    from logitlab.lab.protocol import LabState
    from logitlab.lab.session import LabSession

    session = LabSession()
    sizes = []
    n_edits = 3 * MAX_EDITS
    for k in range(n_edits):
        edit = {"op": "add", "x": (k % 50) / 10 - 2.5, "y": (k // 50) / 10 - 1.5, "cls": k % 2}
        reply = session.handle_json(json.dumps({"type": "edit", "edit": edit, "seq": k}))
        sizes.append(len(json.dumps(json.loads(reply)["state"])))
    state = session.state
    assert len(state.data.edits) <= MAX_EDITS
    assert max(sizes) < 64 * 1024, f"a state of {max(sizes):,} bytes"
    custom = state.data.custom
    assert custom is not None and custom.hash in STORE and "Lab server" in custom.source
    assert session.X.shape[0] == 120 + n_edits
    # The state rebuilds the same points (from the stored points and the last edits) ...
    rebuilt = LabSession(LabState.model_validate_json(state.model_dump_json()))
    np.testing.assert_array_equal(rebuilt.X, session.X)
    np.testing.assert_array_equal(rebuilt.y, session.y)
    # ... and a state that arrives with too many edits is folded on arrival.
    adds = [{"op": "add", "x": k / 1000, "y": 0.5, "cls": 1} for k in range(2 * MAX_EDITS)]
    arriving = LabState.model_validate({"data": {"preset": "xor", "edits": adds}})
    folded = LabSession(arriving)
    assert folded.state.data.edits == [] and folded.state.data.custom is not None
    assert folded.X.shape[0] == arriving.data.n_points + 2 * MAX_EDITS
    np.testing.assert_array_equal(folded.X[-1], [(2 * MAX_EDITS - 1) / 1000, 0.5])


# ----------------------------------------------------------------- item 9: the data store


def _dataset(n: int, shift: float = 0.0) -> Any:
    from logitlab.lab.protocol import CustomData

    xs = [shift + k / n for k in range(n)]
    return CustomData(
        hash="", source=f"d{n}.csv", n_points=n, x=xs, y=xs, cls=[k % 2 for k in range(n)]
    )


def test_the_disk_store_keeps_data_across_stores_and_evicts_the_least_recently_used(
    tmp_path: Any,
) -> None:
    from logitlab.lab.csv_data import DataStore
    from logitlab.lab.store import DiskStore

    path = tmp_path / "nested" / "datasets.sqlite3"
    first = DataStore(backing=DiskStore(path, max_bytes=3 * 17 * 100))
    a, b, c = (first.put(_dataset(100, shift)) for shift in (0.0, 1.0, 2.0))
    assert path.exists()
    # A new server process: nothing in memory, everything on disk.
    second = DataStore(backing=DiskStore(path, max_bytes=3 * 17 * 100))
    found = second.points(a.hash)
    assert found is not None and found[0] == a
    np.testing.assert_array_equal(found[1][:, 0], _dataset(100, 0.0).x)
    np.testing.assert_array_equal(found[2], [k % 2 for k in range(100)])
    assert second.full(b.hash) == _dataset(100, 1.0).model_copy(update={"hash": b.hash})
    # a and b were used just now: a fourth dataset pushes out c, the least recently used.
    time.sleep(0.01)
    d = second.put(_dataset(100, 3.0))
    third = DataStore(backing=DiskStore(path, max_bytes=3 * 17 * 100))
    assert [h in third for h in (a.hash, b.hash, c.hash, d.hash)] == [True, True, False, True]


def test_a_broken_database_leaves_the_store_in_memory(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from logitlab.lab.csv_data import DataStore
    from logitlab.lab.store import DiskStore

    bad = tmp_path / "datasets.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    store = DataStore(backing=DiskStore(bad))
    stub = store.put(_dataset(10))
    assert store.points(stub.hash) is not None
    assert "kept in memory only" in caplog.text


def test_uploaded_data_survive_a_server_restart(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    import urllib.request

    env = {**os.environ, "LOGITLAB_DATA_DIR": str(tmp_path)}
    body = _dataset(50).model_dump_json().encode()

    @contextlib.contextmanager
    def server() -> Iterator[int]:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        main = "from logitlab.cli import main; raise SystemExit(main())"
        command = [sys.executable, "-c", main, "serve", "--no-browser", "--port", str(port)]
        with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
            try:
                assert child.stdout is not None
                assert "logitlab Lab:" in child.stdout.readline()
                deadline = time.monotonic() + 20
                while True:
                    try:
                        timed_get(port, "/")
                        break
                    except OSError:
                        assert time.monotonic() < deadline, "the server did not start"
                        time.sleep(0.05)
                yield port
            finally:
                child.terminate()
                child.wait(timeout=10)

    with server() as port:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/data",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            digest = json.loads(answer.read())["hash"]
    with server() as port:  # a new process: its memory is empty
        url = f"http://127.0.0.1:{port}/api/data/{digest}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            assert json.loads(answer.read())["x"] == _dataset(50).x


# ----------------------------------------------------------------- the class server


def test_off_loopback_the_lab_needs_its_token_then_a_cookie(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from starlette.websockets import WebSocketDisconnect

    from logitlab.lab import server as server_module

    configs: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: configs.append(self.config))
    monkeypatch.delenv("LOGITLAB_TOKEN", raising=False)
    assert server_module.serve("0.0.0.0", 8765, open_browser=False, path="/#csv=" + "a" * 32) == 0
    out = capsys.readouterr().out
    app = configs[0].app
    token = app.state.settings.token
    assert token and len(token) >= 32
    assert f"http://0.0.0.0:8765/?token={token}#csv={'a' * 32}" in out
    client = TestClient(app, base_url="http://0.0.0.0:8765")
    refused = client.get("/")
    assert refused.status_code == 401 and "access token" in refused.text
    assert refused.headers["content-security-policy"]  # the security headers are on it too
    assert client.get("/static/main.js").status_code == 401
    assert client.get("/?token=wrong").status_code == 401
    with pytest.raises(WebSocketDisconnect), client.websocket_connect("/ws"):
        pass
    entered = client.get(f"/?token={token}", follow_redirects=False)
    assert entered.status_code == 303 and entered.headers["location"] == "/"
    cookie = entered.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The cookie lets the page, its files and its WebSocket in.
    assert client.get("/").status_code == 200
    assert client.get("/static/main.js").status_code == 200
    # (httpx's jar does not match ws:// addresses; a browser sends the cookie on the handshake)
    with client.websocket_connect("/ws", headers={"cookie": f"logitlab_token={token}"}) as conn:
        conn.send_text(json.dumps({"type": "hello", "seq": 1}))
        assert conn.receive_json()["type"] == "frame"


def test_the_class_server_can_pin_host_names_and_take_a_given_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from logitlab.cli import build_parser, main

    configs: list[Any] = []
    monkeypatch.setattr(uvicorn.Server, "run", lambda self: configs.append(self.config))
    argv = ["serve", "--host", "0.0.0.0", "--no-browser", "--token", "s3cret-s3cret"]
    argv += ["--allow-host", "lab.school.example", "--port", "8765"]
    assert main(argv) == 0
    app = configs[0].app
    auth = {"authorization": "token s3cret-s3cret"}
    good = TestClient(app, base_url="http://lab.school.example:8765", headers=auth)
    assert good.get("/").status_code == 200
    other = TestClient(app, base_url="http://elsewhere.example:8765", headers=auth)
    assert other.get("/").status_code == 400
    assert "?token=s3cret-s3cret" in capsys.readouterr().out
    assert build_parser().parse_args(["serve", "--workers", "2"]).workers == 2


def test_settings_travel_to_worker_processes_as_json() -> None:
    from logitlab.lab.security import HttpRates

    settings = Settings(
        host="0.0.0.0",
        port=9000,
        limits=Limits(max_sessions=7, idle_timeout=60.0),
        allowed_hosts=("a.example",),
        token="t0k3n",
        http_rates=HttpRates(api_per_second=3.0),
        compute_threads=2,
    )
    assert Settings.from_json(settings.to_json()) == settings


def test_workers_serve_the_lab_from_several_processes(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    main = "from logitlab.cli import main; raise SystemExit(main())"
    command = [sys.executable, "-c", main, "serve", "--no-browser", "--port", str(port)]
    command += ["--workers", "2", "--token", "class-token"]
    env = {**os.environ, "LOGITLAB_DATA_DIR": str(tmp_path)}
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) as child:
        try:
            assert child.stdout is not None
            line = child.stdout.readline()
            assert f"127.0.0.1:{port}/?token=class-token" in line and "2 worker" in line
            deadline = time.monotonic() + 30
            children: list[str] = []
            status = 0
            while len(children) < 2 or status != 401:  # 401: no token in this request
                assert time.monotonic() < deadline, "the workers did not start"
                time.sleep(0.1)
                with contextlib.suppress(OSError):
                    tasks = Path(f"/proc/{child.pid}/task").iterdir()
                    children = [c for t in tasks for c in (t / "children").read_text().split()]
                    status = timed_get(port, "/")[0]
            # Every connection, whichever worker takes it, rebuilds the session from its state.
            state = {"data": {"preset": "moons", "n_points": 200, "seed": 5}, "model": {"w0": 2.0}}
            url = f"ws://127.0.0.1:{port}/ws"
            auth = {"Authorization": "token class-token"}
            for _ in range(6):
                with ws_connect(url, proxy=None, additional_headers=auth) as conn:
                    frame = call(conn, {"type": "hello", "seq": 1, "state": state})
                    assert frame["state"]["data"]["preset"] == "moons"
                    assert frame["state"]["model"]["w0"] == 2.0
        finally:
            child.terminate()
            child.wait(timeout=15)


# ----------------------------------------------------------------- item 11: training


def test_two_points_of_one_class_are_not_called_separated_by_a_line() -> None:
    from logitlab.lab.session import LabSession

    session = LabSession()
    session.handle_json(json.dumps({"type": "edit", "edit": {"op": "clear"}}))
    for x in (1.0, 2.0):
        edit = {"op": "add", "x": x, "y": 0.5, "cls": 1}
        session.handle_json(json.dumps({"type": "edit", "edit": edit}))
    frame = {}
    for _ in range(10):
        frame = json.loads(session.handle_json(json.dumps({"type": "train", "steps": 200})))
    message = frame["divergence"]["message"]
    assert "A line separates" not in message
    assert "one class" in message and frame["divergence"]["state"] == "separable"


def test_reset_weights_on_csv_data_goes_to_the_weights_loading_said() -> None:
    from logitlab.lab.csv_data import STORE
    from logitlab.lab.session import LabSession

    stub = STORE.put(_dataset(20))
    session = LabSession()
    loaded = json.loads(
        session.handle_json(json.dumps({"type": "load_csv", "data": stub.model_dump()}))
    )
    assert [loaded["state"]["model"][k] for k in ("w0", "w1", "b")] == [0.0, 0.0, 0.0]
    session.handle_json(json.dumps({"type": "train", "steps": 20}))
    reset = json.loads(session.handle_json(json.dumps({"type": "reset_weights"})))
    assert [reset["state"]["model"][k] for k in ("w0", "w1", "b")] == [0.0, 0.0, 0.0]
    assert reset["steps"] == 0
    session.handle_json(json.dumps({"type": "load_preset", "preset": "blobs"}))
    again = json.loads(session.handle_json(json.dumps({"type": "reset_weights"})))
    assert [again["state"]["model"][k] for k in ("w0", "w1", "b")] == [1.0, -1.0, 0.0]


def test_a_hello_with_bad_state_fields_keeps_the_others_and_names_the_bad() -> None:
    client = TestClient(create_app())
    state = {
        "data": {"preset": "nope", "n_points": 50},
        "model": {"w0": "abc", "w1": 2.5},
        "view": {"tau": 7},
    }
    with client.websocket_connect("/ws") as conn:
        conn.send_text(json.dumps({"type": "hello", "seq": 1, "state": state}))
        assert conn.receive_json()["type"] == "error"  # unless it asks for repair
        conn.send_text(json.dumps({"type": "hello", "seq": 1, "state": state, "repair": True}))
        frame = conn.receive_json()
        assert frame["type"] == "frame" and frame["seq"] == 1
        kept = frame["state"]
        assert kept["data"]["n_points"] == 50 and kept["model"]["w1"] == 2.5
        assert kept["data"]["preset"] == "blobs" and kept["view"]["tau"] == 0.5
        notice = conn.receive_json()
        assert notice["type"] == "error" and notice["seq"] == 0
        for field in ("data.preset", "model.w0", "view.tau"):
            assert field in notice["message"]
        assert "n_points" not in notice["message"]
        # A hello that is wrong elsewhere is refused as before.
        wrong = {"type": "hello", "seq": 2, "curve_width": 1, "state": state, "repair": True}
        conn.send_text(json.dumps(wrong))
        assert conn.receive_json()["type"] == "error"
