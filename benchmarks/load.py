"""Many Lab sessions at once: 50 WebSocket clients auto-training against one server.

Starts ``logitlab serve --no-browser`` on a free loopback port in a child process,
opens ``--sessions`` WebSocket sessions that each behave like a page in Auto-train
(one ``train`` command in flight, at most one per animation frame of 1/60 s, the
page's default speed of 100 steps per second), runs them for ``--seconds``, then
stops everything. Prints frames per second per session, the p50 / p99 latency of a
frame (command sent → frame received), the number of errors (must be 0), and the
server process's memory (RSS) and CPU time.

``--workers 1 2`` runs the whole measurement once per server size (``serve --workers N``,
a fresh server each time) and ends with one line comparing them; memory and CPU are
summed over the server's processes.

Bounded and self-stopping: at most 200 sessions, 600 s per round and 5 rounds (``--rounds``
runs again on the same server, to tell reused memory from leaked memory), loopback only,
and the server is stopped however the run ends.

    .venv/bin/python benchmarks/load.py                 # 50 sessions, 60 s
    .venv/bin/python benchmarks/load.py --sessions 10 --seconds 5
    .venv/bin/python benchmarks/load.py --workers 1 2 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

FRAME_S = 1.0 / 60.0
GRACE_S = 60.0
"""After the run, how long an answer still in flight may take before it counts as an error."""
HEAD = re.compile(r'^\{"type":"(\w+)","seq":(\d+)')
"""The start of every reply: its type and seq (the client does not parse whole frames)."""
SPEED = 100.0
"""Steps per second, the page's default Auto-train speed (``--speed``)."""


@dataclass
class Stats:
    frames: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Linux /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found += _tree(int(child))
    return found


def _proc_status(pid: int) -> tuple[float, float]:
    """(RSS in MiB, CPU seconds) of process ``pid`` and its children (Linux /proc)."""
    rss, cpu = 0.0, 0.0
    for each in _tree(pid):
        with contextlib.suppress(OSError):
            r, c = _one_status(each)
            rss, cpu = rss + r, cpu + c
    return rss, cpu


def _one_status(pid: int) -> tuple[float, float]:
    rss_kib = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss_kib = int(line.split()[1])
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return rss_kib / 1024.0, cpu


async def _session(url: str, stop_at: float, points: int, speed: float, stats: Stats) -> None:
    """One page in Auto-train until ``stop_at`` (time.monotonic)."""
    async with connect(url, max_size=None, open_timeout=30, proxy=None) as ws:
        seq = 1
        state = {"data": {"preset": "blobs", "n_points": points}}
        await ws.send(json.dumps({"type": "hello", "seq": seq, "state": state}))
        reply = json.loads(await ws.recv())
        if reply["type"] != "frame":
            stats.errors.append(f"hello: {reply}")
            return
        budget = 0.0
        last = time.monotonic()
        next_tick = last
        while True:
            now = time.monotonic()
            if now >= stop_at:
                return
            budget = min(budget + speed * (now - last), 10_000.0)
            last = now
            if budget >= 1.0:
                steps = int(budget)
                budget -= steps
                seq += 1
                sent = time.perf_counter()
                await ws.send(
                    json.dumps({"type": "train", "seq": seq, "steps": steps, "auto": True})
                )
                try:
                    async with asyncio.timeout(max(1.0, stop_at + GRACE_S - time.monotonic())):
                        text = await ws.recv()
                except TimeoutError:
                    stats.errors.append(f"no frame within {GRACE_S:g} s after the end")
                    return
                stats.latencies.append(time.perf_counter() - sent)
                head = HEAD.match(str(text))
                if head is None or head[1] != "frame" or int(head[2]) != seq:
                    stats.errors.append(str(text)[:200])
                else:
                    stats.frames += 1
            # The page sends at most once per animation frame.
            next_tick = max(next_tick + FRAME_S, time.monotonic())
            await asyncio.sleep(max(0.0, next_tick - time.monotonic()))


async def _run_clients(
    url: str, sessions: int, seconds: float, points: int, speed: float = SPEED
) -> list[Stats]:
    stats = [Stats() for _ in range(sessions)]
    stop_at = time.monotonic() + seconds
    tasks = [asyncio.create_task(_session(url, stop_at, points, speed, s)) for s in stats]
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for s, result in zip(stats, results, strict=True):
        if isinstance(result, BaseException):
            s.errors.append(f"{type(result).__name__}: {result}")
    return stats


def _wait_listening(port: int, server: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with status {server.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise SystemExit("the server did not start listening")


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (≤ 200)")
    parser.add_argument("--seconds", type=float, default=60.0, help="run time (≤ 600)")
    parser.add_argument("--points", type=int, default=120, help="points per session (Blobs)")
    parser.add_argument("--speed", type=float, default=SPEED, help="Auto-train steps per second")
    parser.add_argument("--rounds", type=int, default=1, help="runs on the same server (≤ 5)")
    parser.add_argument(
        "--workers", type=int, nargs="+", default=[1], help="server processes, e.g. 1 2 (≤ 8)"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 200 or not 0 < args.seconds <= 600 or not 1 <= args.rounds <= 5:
        parser.error("--sessions must be 1–200, --seconds in (0, 600] and --rounds 1–5")
    if not 10 <= args.points <= 100_000 or not 1 <= args.speed <= 2000:
        parser.error("--points must be 10–100,000 and --speed 1–2,000")
    if not all(1 <= w <= 8 for w in args.workers) or len(args.workers) > 4:
        parser.error("--workers takes up to 4 values, each 1–8")
    results = [(w, _measure(args, w)) for w in args.workers]
    if len(results) > 1:
        base = results[0][1][0]
        line = ", ".join(
            f"{w} worker{'s' if w > 1 else ''}: {fps:.1f} frames/s per session, {errors} errors"
            f" ({fps / base:.2f}x)"
            if base
            else f"{w}: {fps:.1f} frames/s, {errors} errors"
            for w, (fps, errors) in results
        )
        print(f"\nmedian frames per second per session, same run: {line}")
    return 1 if any(errors for _, (_, errors) in results) else 0


def _measure(args: argparse.Namespace, workers: int) -> tuple[float, int]:
    """One server of ``workers`` processes under the load; (median fps per session, errors)."""
    port = _free_port()
    command = [sys.executable, "-m", "logitlab.cli", "serve", "--no-browser"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--max-sessions", str(args.sessions)]
    command += ["--workers", str(workers)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        _wait_listening(port, server)
        time.sleep(1.0 if workers > 1 else 0.0)  # every worker process listening
        rss0, cpu0 = _proc_status(server.pid)
        url = f"ws://127.0.0.1:{port}/ws"
        print(
            f"\n{args.sessions} sessions × {args.seconds:g} s of Auto-train "
            f"(N = {args.points:,}, {args.speed:g} steps/s, ≤ 60 frames/s each) "
            f"on 127.0.0.1:{port}, {workers} server process{'es' if workers > 1 else ''}"
        )
        wall, client_cpu = time.perf_counter(), time.process_time()
        stats = asyncio.run(_run_clients(url, args.sessions, args.seconds, args.points, args.speed))
        wall, client_cpu = time.perf_counter() - wall, time.process_time() - client_cpu
        rss1, cpu1 = _proc_status(server.pid)
        # The sessions are closed now; give the server a moment to drop them.
        time.sleep(1.0)
        rss2, _ = _proc_status(server.pid)
        # More rounds on the same server: freed sessions' memory is reused, not leaked.
        later = []
        for _ in range(args.rounds - 1):
            asyncio.run(_run_clients(url, args.sessions, args.seconds, args.points, args.speed))
            time.sleep(1.0)
            later.append(_proc_status(server.pid)[0])
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    fps = [s.frames / args.seconds for s in stats]
    print(f"frames per second per session: median {statistics.median(fps):.1f}")
    latencies = [x for s in stats for x in s.latencies]
    errors = [e for s in stats for e in s.errors]
    print(
        f"frames per second per session: mean {statistics.fmean(fps):.1f}, "
        f"min {min(fps):.1f}, max {max(fps):.1f}  (total {sum(s.frames for s in stats):,} frames)"
    )
    if latencies:
        print(
            f"frame latency: p50 {1e3 * _percentile(latencies, 0.5):.1f} ms, "
            f"p99 {1e3 * _percentile(latencies, 0.99):.1f} ms, "
            f"max {1e3 * max(latencies):.1f} ms"
        )
    print(f"errors: {len(errors)}")
    for e in errors[:5]:
        print(f"  {e}")
    print(
        f"server memory (RSS): {rss0:.1f} MiB idle → {rss1:.1f} MiB after the run "
        f"(+{rss1 - rss0:.1f} MiB) → {rss2:.1f} MiB with the sessions closed"
    )
    if later:
        print("  after each further round: " + ", ".join(f"{r:.1f} MiB" for r in later))
    print(
        f"server CPU: {cpu1 - cpu0:.1f} s over {wall:.1f} s wall "
        f"({(cpu1 - cpu0) / wall:.2f} cores; this machine has {os.cpu_count()}); "
        f"the clients used {client_cpu:.1f} s"
    )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"machine load average (1, 5, 15 min) at the end: {load}")
    return statistics.median(fps), len(errors)


if __name__ == "__main__":
    sys.exit(main())
