"""Attacks on one Lab server while another client keeps measuring how fast it is answered.

Starts ``logitlab serve`` on a free loopback port in a child process (with
``ulimit -n 1024``, as in the issue), then runs these attacks one after another,
each from its own loopback address (127.0.0.2 … 127.0.0.5; Linux routes all of
127/8 to this machine):

1. **long trains**: ``--trains`` sessions (default 40) at ``--points`` points
   (100,000) each send one ``train`` of 10,000 steps;
2. **wide CSV**: the 150,000-column CSV file, posted again and again;
3. **slow sockets**: ``--slow`` connections (1,100) that send half a request
   and then nothing;
4. **backlog**: one session at 100,000 points pipelines ``--backlog`` (2,000)
   ``set_model`` commands and reads every answer.

Throughout, a prober on 127.0.0.1 (its own thread) does, every 0.2 s: ``GET /``
on a fresh connection, a ``probe`` on its open session, and every second a new
session (connect, ``hello``, ``probe``). The report gives, per attack, the
median and the worst of each, and whether every probe was answered within 1 s.
The machine is shared and noisy: read the medians beside the worst cases.

Bounded: every phase has a time limit (``--phase-seconds``, default 15 s), every
client operation a time-out, everything goes to 127.0.0.1 only, and the server is
stopped however the run ends.

    .venv/bin/python benchmarks/attack.py
    .venv/bin/python benchmarks/attack.py --trains 10 --points 20000 --phase-seconds 8
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import connect as async_connect
from websockets.sync.client import connect as sync_connect

PROBE_EVERY = 0.2
NEW_SESSION_EVERY = 1.0
OP_TIMEOUT = 10.0
LIMIT = 1.0
"""Every probe must be answered within this many seconds."""


# ----------------------------------------------------------------- the prober


@dataclass
class Sample:
    at: float
    kind: str  # "GET /", "probe", "new session"
    seconds: float  # inf: failed or timed out


@dataclass
class Prober:
    port: int
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    errors: list[str] = field(default_factory=list)

    def _get(self) -> float:
        start = time.monotonic()
        with socket.create_connection(("127.0.0.1", self.port), timeout=OP_TIMEOUT) as sock:
            head = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            sock.sendall(head.encode("ascii"))
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        if not data.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"GET / answered {data[:40]!r}")
        return time.monotonic() - start

    def _probe(self, conn: Any, seq: int) -> float:
        start = time.monotonic()
        conn.send(json.dumps({"type": "probe", "x": 0.5, "y": 0.5, "seq": seq}))
        while True:
            reply = json.loads(conn.recv(timeout=OP_TIMEOUT))
            if reply.get("seq") == seq:
                break
        if reply["type"] != "probe":
            raise RuntimeError(f"probe answered {str(reply)[:80]}")
        return time.monotonic() - start

    def _new_session(self) -> float:
        start = time.monotonic()
        url = f"ws://127.0.0.1:{self.port}/ws"
        with sync_connect(url, proxy=None, open_timeout=OP_TIMEOUT, max_size=None) as conn:
            conn.send(json.dumps({"type": "hello", "seq": 1}))
            if json.loads(conn.recv(timeout=OP_TIMEOUT))["type"] != "frame":
                raise RuntimeError("hello was not answered with a frame")
            self._probe(conn, 2)
        return time.monotonic() - start

    def _measure(self, kind: str, action: Any) -> None:
        try:
            seconds = action()
        except Exception as exc:
            self.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:200])
            seconds = float("inf")
        self.samples.append(Sample(time.monotonic(), kind, seconds))

    def run(self) -> None:
        with contextlib.ExitStack() as stack:
            self._run(stack)

    def _run(self, stack: contextlib.ExitStack) -> None:
        url = f"ws://127.0.0.1:{self.port}/ws"
        conn = None
        seq = 10
        last_new = 0.0
        while not self.stop.is_set():
            tick = time.monotonic()
            self._measure("GET /", self._get)
            if conn is None:
                try:
                    conn = stack.enter_context(
                        sync_connect(url, proxy=None, open_timeout=OP_TIMEOUT, max_size=None)
                    )
                    conn.send(json.dumps({"type": "hello", "seq": 1}))
                    conn.recv(timeout=OP_TIMEOUT)
                except Exception as exc:
                    self.errors.append(f"session: {type(exc).__name__}: {exc}"[:200])
                    conn = None
            if conn is not None:
                seq += 1
                before = len(self.errors)
                self._measure("probe", functools.partial(self._probe, conn, seq))
                if len(self.errors) > before:
                    with contextlib.suppress(Exception):
                        conn.close()
                    conn = None
            if tick - last_new >= NEW_SESSION_EVERY:
                last_new = tick
                self._measure("new session", self._new_session)
            self.stop.wait(max(0.0, PROBE_EVERY - (time.monotonic() - tick)))


# ----------------------------------------------------------------- the attacks


def _ws_url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/ws"


async def long_trains(port: int, sessions: int, points: int, seconds: float) -> str:
    stop_at = time.monotonic() + seconds
    answered = 0
    refused = 0

    async def one(k: int) -> None:
        nonlocal answered, refused
        async with async_connect(
            _ws_url(port),
            proxy=None,
            max_size=None,
            open_timeout=OP_TIMEOUT,
            local_addr=("127.0.0.2", 0),
        ) as ws:
            state = {"data": {"preset": "blobs", "n_points": points}}
            await ws.send(json.dumps({"type": "hello", "seq": 1, "state": state}))
            await ws.recv()
            await ws.send(json.dumps({"type": "train", "seq": 2, "steps": 10_000}))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(0.1, stop_at - time.monotonic())):
                    reply = json.loads(await ws.recv())
                    if reply["type"] == "frame":
                        answered += 1
                    else:
                        refused += 1

    results = await asyncio.gather(*(one(k) for k in range(sessions)), return_exceptions=True)
    failed = [r for r in results if isinstance(r, BaseException)]
    return (
        f"{sessions} sessions × train 10,000 steps at {points:,} points: {answered} finished, "
        f"{refused} refused, {len(failed)} connections failed within {seconds:g} s"
    )


def wide_csv(port: int, seconds: float) -> str:
    header = ",".join(f"c{i}" for i in range(150_000))
    body = (header + "\n" + ",".join("1" for _ in range(150_000)) + "\n").encode()
    stop_at = time.monotonic() + seconds
    times: list[float] = []
    answers: dict[str, int] = {}
    while time.monotonic() < stop_at and len(times) < 50:
        start = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
                head = (
                    f"POST /api/csv?name=wide.csv HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Content-Type: text/csv\r\nContent-Length: {len(body)}\r\n"
                    "Connection: close\r\n\r\n"
                )
                sock.sendall(head.encode("ascii") + body)
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
        except OSError as exc:  # TimeoutError included: the server did not answer in 30 s
            times.append(float("inf"))
            answers[type(exc).__name__] = answers.get(type(exc).__name__, 0) + 1
            break
        times.append(time.monotonic() - start)
        status = data.split(b" ", 2)[1].decode()
        kind = "too many columns" if b"too many columns" in data else status
        answers[kind] = answers.get(kind, 0) + 1
        time.sleep(0.2)
    return (
        f"{len(times)} uploads of {len(body) / 1e3:.0f} KB, 150,000 columns: answered in "
        f"median {statistics.median(times) * 1e3:.0f} ms, worst {max(times) * 1e3:.0f} ms; "
        f"answers {answers}"
    )


def slow_sockets(port: int, count: int, seconds: float) -> str:
    held: list[socket.socket] = []
    failed = 0
    for _ in range(count):
        sock = socket.socket()
        sock.setblocking(True)
        sock.settimeout(5)
        try:
            sock.bind(("127.0.0.3", 0))
            sock.connect(("127.0.0.1", port))
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            held.append(sock)
        except OSError:
            failed += 1
            sock.close()
    opened_at = time.monotonic()

    def closed_count() -> int:
        n = 0
        for sock in held:
            sock.setblocking(False)
            try:
                if sock.recv(1024) == b"":
                    n += 1
            except BlockingIOError:
                pass
            except OSError:
                n += 1
        return n

    time.sleep(1.0)
    closed_soon = closed_count()
    time.sleep(max(0.0, seconds - (time.monotonic() - opened_at)))
    closed_later = closed_count()
    for sock in held:
        sock.close()
    return (
        f"{len(held)} slow sockets opened ({failed} failed to connect): {closed_soon} closed by "
        f"the server within 1 s (over the per-address cap), {closed_later} closed after "
        f"{seconds:g} s (the request deadline)"
    )


async def backlog(port: int, commands: int, points: int, seconds: float) -> str:
    frames = refused = 0
    async with async_connect(
        _ws_url(port),
        proxy=None,
        max_size=None,
        open_timeout=OP_TIMEOUT,
        local_addr=("127.0.0.5", 0),
    ) as ws:
        state = {"data": {"preset": "blobs", "n_points": points}}
        await ws.send(json.dumps({"type": "hello", "seq": 1, "state": state}))
        await ws.recv()
        start = time.monotonic()
        for k in range(commands):
            w0 = 0.5 + k / commands
            await ws.send(json.dumps({"type": "set_model", "w0": w0, "seq": 10 + k}))
        closed = ""
        try:
            async with asyncio.timeout(seconds):
                while frames + refused < commands:
                    reply = json.loads(await ws.recv())
                    if reply["type"] == "frame":
                        frames += 1
                    else:
                        refused += 1
        except TimeoutError:
            closed = f"; {commands - frames - refused} not answered within {seconds:g} s"
        except Exception as exc:
            closed = f"; the connection closed: {exc}"
        took = time.monotonic() - start
    return (
        f"{commands:,} pipelined set_model at {points:,} points: {frames} frames, {refused} "
        f"refused (queue full), all answered in {took:.1f} s, connection open{closed}"
    )


# ----------------------------------------------------------------- driver


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _limit_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def _summary(samples: list[Sample], start: float, end: float) -> tuple[str, bool]:
    parts = []
    ok = True
    for kind in ("GET /", "probe", "new session"):
        values = [s.seconds for s in samples if s.kind == kind and start <= s.at <= end]
        if not values:
            parts.append(f"{kind}: none")
            ok = False
            continue
        worst = max(values)
        ok &= worst < LIMIT
        late = [
            f"{s.at - start:.1f}s:{s.seconds:.2f}"
            for s in samples
            if s.kind == kind and start <= s.at <= end and s.seconds >= LIMIT
        ]
        if late:
            kind += f" (over {LIMIT:g} s at {', '.join(late[:5])})"
        parts.append(
            f"{kind}: n={len(values)} median {statistics.median(values) * 1e3:.0f} ms, "
            f"worst {worst * 1e3:.0f} ms"
        )
    return "; ".join(parts), ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trains", type=int, default=40, help="long-train sessions (≤ 60)")
    parser.add_argument("--points", type=int, default=100_000, help="points per attacking session")
    parser.add_argument("--slow", type=int, default=1100, help="slow sockets (≤ 2,000)")
    parser.add_argument("--backlog", type=int, default=2000, help="pipelined commands (≤ 5,000)")
    parser.add_argument("--phase-seconds", type=float, default=15.0, help="per attack (≤ 60)")
    parser.add_argument("--workers", type=int, default=1, help="server processes (1–4)")
    parser.add_argument(
        "--compute-threads", type=int, default=None, help="the server's compute threads"
    )
    args = parser.parse_args(argv)
    if not (1 <= args.trains <= 60 and 1 <= args.slow <= 2000 and 1 <= args.backlog <= 5000):
        parser.error("--trains 1–60, --slow 1–2,000, --backlog 1–5,000")
    if not (10 <= args.points <= 100_000 and 1.0 <= args.phase_seconds <= 60.0):
        parser.error("--points 10–100,000, --phase-seconds 1–60")

    port = _free_port()
    data_dir = tempfile.mkdtemp(prefix="logitlab-attack-")
    env = {**os.environ, "LOGITLAB_DATA_DIR": data_dir}
    main_code = "from logitlab.cli import main; raise SystemExit(main())"
    command = [sys.executable, "-c", main_code, "serve", "--no-browser", "--port", str(port)]
    if args.compute_threads is not None:
        command += ["--compute-threads", str(args.compute_threads)]
    if args.workers != 1:
        command += ["--workers", str(args.workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, env=env, preexec_fn=_limit_files)
    prober = Prober(port)
    thread = threading.Thread(target=prober.run, daemon=True)
    phases: list[tuple[str, float, float, str]] = []
    try:
        deadline = time.monotonic() + 30
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start")
            time.sleep(0.05)
        print(f"server on 127.0.0.1:{port}, ulimit -n 1024, {os.cpu_count()} cores (shared)")
        thread.start()

        def phase(name: str, action: Any) -> None:
            start = time.monotonic()
            try:
                detail = action()
            except Exception as exc:  # report it with the probes instead of stopping the run
                detail = f"the attack itself failed: {type(exc).__name__}: {exc}"[:300]
            # At least a few probes per phase, even when the attack was over quickly.
            time.sleep(max(0.0, start + 2.0 - time.monotonic()))
            phases.append((name, start, time.monotonic(), detail))
            print(f"  {name}: done in {time.monotonic() - start:.1f} s", flush=True)
            time.sleep(1.0)  # the server drops what the attack left

        seconds = args.phase_seconds
        phase("quiet", lambda: (time.sleep(3.0), "no attack")[1])
        phase(
            "long trains",
            lambda: asyncio.run(long_trains(port, args.trains, args.points, seconds)),
        )
        phase("wide CSV", lambda: wide_csv(port, min(seconds, 8.0)))
        phase("slow sockets", lambda: slow_sockets(port, args.slow, max(seconds, 12.0)))
        phase(
            "backlog",
            lambda: asyncio.run(backlog(port, args.backlog, args.points, 4 * seconds)),
        )
    finally:
        prober.stop.set()
        thread.join(timeout=OP_TIMEOUT + 5)
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        with contextlib.suppress(OSError):
            for name in os.listdir(data_dir):
                os.unlink(os.path.join(data_dir, name))
            os.rmdir(data_dir)

    all_ok = True
    print(f"\nEvery other client's probes (limit {LIMIT:g} s; the machine is shared and noisy):")
    for name, start, end, detail in phases:
        summary, ok = _summary(prober.samples, start, end)
        all_ok &= ok
        print(f"- {name} [{'ok' if ok else 'SLOW'}]: {detail}\n    {summary}")
    if prober.errors:
        print(f"prober errors ({len(prober.errors)}):")
        for e in prober.errors[:5]:
            print(f"  {e}")
    print("every probe answered within 1 s" if all_ok and not prober.errors else "FAILED")
    return 0 if all_ok and not prober.errors else 1


if __name__ == "__main__":
    sys.exit(main())
