"""How fast the Lab animates: server work per frame, frames shown, slider repaint latency.

Three measurements at N = 1,000 and N = 10,000 points (the Overlap preset):

1. In process: the median time of ``LabSession.handle`` for the ``train`` commands
   Auto-train sends (about 2 steps per frame at the default 100 steps per second),
   split into steps / field / metrics, and with JSON serialization (``handle_json``).
2. Headless Chromium on the real server (``create_app()`` under uvicorn): Auto-train
   runs for a few seconds; the page counts the animation frames that drew a new frame
   (``window.logitlabPerf.paints``) and all animation frames.
3. Slider drag: set the w₀ slider as a drag does, from an animation frame (where Chromium
   delivers a drag's input events), and find the frame that draws the server's answer:
   "within one frame" is the next animation frame. Also input → drawn in milliseconds.

    .venv/bin/python benchmarks/lab_frames.py [--seconds 3] [--rounds 3]
    .venv/bin/python benchmarks/lab_frames.py --against /work/main [--rounds 5]
    .venv/bin/python benchmarks/lab_frames.py --regpath-only
    .venv/bin/python benchmarks/lab_frames.py --degree 6 --classes 3 [--server-only]
    .venv/bin/python benchmarks/lab_frames.py --landscape-only

``--regpath-only`` prints only the regularization path's server cost (issue 15): the
views of the frame after a data change at N = 10,000 with the path shown (30 exact
fits), for L2, L1 and elastic-net, on Overlap and on Near-perfect (nearly separated,
where L1 used to be slowest), and the frame after a λ change.

``--landscape-only`` prints only the loss landscape's costs (issue 15): at N = 10,000 the
grid refresh (a held coefficient changed by hand), the path frame (its view alone, with
a full weight history), the server's Auto-train frame with the landscape shown (median
and the slowest, which carries a throttled refresh), and in Chromium the new frames
painted per second during Auto-train with the landscape panel on screen.

``--against DIR`` compares this tree's Lab with another checkout's (its ``.venv`` serves
it) in the same run: Auto-train windows at N = 10,000 alternate between the two pages,
and the medians and their ratio are printed (only this comparison runs).

The machine may be shared: each size runs Auto-train windows until ``--rounds`` of them
were quiet (CPU steal, the time the hypervisor gave to other machines, at most
``--max-steal``; at most 4 × rounds windows) and reports the median quiet window. Every
window is listed with its steal, so nothing is hidden.

Targets (issue 3): server ≤ 2 ms at 1,000 and ≤ 8 ms at 10,000; ≥ 50 frames per
second at 10,000; a slider drag repaints within one frame (≈ 16.7 ms).

ROC page (issue 4), at N = 10,000: a τ drag recomputes only the τ-dependent parts (the
ScoreSweep stays cached while points and model are unchanged). Measured in process
(``set_view`` τ frames against frames that also change the model, i.e. rebuild the
sweep and curves) and in Chromium (τ slider input → the paint showing the new τ).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from logitlab.lab.protocol import (
    Hello,
    LabState,
    LoadPreset,
    SetModel,
    SetTraining,
    ShowLandscape,
    ShowRegPath,
    Train,
)
from logitlab.lab.session import LabSession

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = (1_000, 10_000)
TARGET_MS = {1_000: 2.0, 10_000: 8.0}
FRAMES = 300
STEPS_PER_FRAME = 2  # 100 steps per second at 60 frames per second, rounded up


FEATURES: dict[str, float] = {"degree": 1, "test_share": 0.0, "classes": 2}
"""``--degree`` / ``--test-share`` / ``--classes`` (issue 14): the feature map, split and
number of classes of every run."""


def features_hash() -> str:
    """The URL fragment's feature fields ("" at degree 1 without a split)."""
    out = ""
    if FEATURES["degree"] > 1:
        out += f"&deg={int(FEATURES['degree'])}&std=1"
    if FEATURES["test_share"] > 0:
        out += f"&test={FEATURES['test_share']}"
    if FEATURES["classes"] > 2:
        out += f"&k={int(FEATURES['classes'])}"
    return out


def lab_state(n_points: int) -> LabState:
    data: dict[str, object] = {"preset": "overlap", "n_points": n_points}
    state: dict[str, object] = {"data": data}
    if FEATURES["degree"] > 1:
        state["model"] = {"degree": int(FEATURES["degree"]), "standardize": True}
    if FEATURES["test_share"] > 0:
        data["test_share"] = FEATURES["test_share"]
    if FEATURES["classes"] > 2:  # issue 14, part 3
        data["n_classes"] = int(FEATURES["classes"])
    return LabState.model_validate(state)


def server_work(n_points: int) -> dict[str, float]:
    """Median milliseconds per Auto-train frame, measured in process."""
    session = LabSession()
    session.handle(Hello(state=lab_state(n_points), curve_width=600))
    parts: dict[str, list[float]] = {
        "handle": [],
        "cpu": [],
        "steps": [],
        "field": [],
        "metrics": [],
    }
    for seq in range(1, FRAMES + 1):
        start, cpu = time.perf_counter(), time.thread_time()
        session.handle(Train(seq=seq, steps=STEPS_PER_FRAME, auto=True))
        parts["handle"].append(time.perf_counter() - start)
        parts["cpu"].append(time.thread_time() - cpu)
        parts["steps"].append(session.timing.steps)
        parts["field"].append(session.timing.field)
        parts["metrics"].append(session.timing.metrics)
    json_times, json_cpu = [], []
    for seq in range(FRAMES + 1, 2 * FRAMES + 1):
        message = Train(seq=seq, steps=STEPS_PER_FRAME, auto=True).model_dump_json()
        start, cpu = time.perf_counter(), time.thread_time()
        session.handle_json(message)
        json_times.append(time.perf_counter() - start)
        json_cpu.append(time.thread_time() - cpu)
    result = {name: 1e3 * statistics.median(values) for name, values in parts.items()}
    result["handle_json"] = 1e3 * statistics.median(json_times)
    result["json_cpu"] = 1e3 * statistics.median(json_cpu)
    return result


REGPATH_N = 10_000
REGPATH_BUDGET_MS = 300.0


def regpath_server_work(preset: str, penalty: str, repeat: int = 5) -> dict[str, float]:
    """Median ms of the frame after a data change with the regularization path shown.

    Each repeat loads a new seed (the path is recomputed: 30 exact fits at N = 10,000);
    "view" is the frame's view time (the path and every other view), "lam" the frame
    after a λ change only (the marker moves, one exact fit at the new λ).
    """
    session = LabSession()
    training = {"penalty": penalty, "lam": 0.01, "l1_ratio": 0.5}
    state = {"data": {"preset": preset, "n_points": REGPATH_N}, "training": training}
    session.handle(Hello(state=LabState.model_validate(state)))
    session.handle(ShowRegPath())
    views, cpus, lams = [], [], []
    for k in range(repeat):
        cpu = time.process_time()
        session.handle(LoadPreset(preset=preset, seed=100 + k))  # type: ignore[arg-type]
        cpus.append(time.process_time() - cpu)
        views.append(session.timing.metrics)
        session.handle(SetTraining(lam=0.01 + 0.001 * (k + 1)))
        lams.append(session.timing.metrics)
    return {
        "view": 1e3 * statistics.median(views),
        "cpu": 1e3 * statistics.median(cpus),
        "lam": 1e3 * statistics.median(lams),
    }


def regpath_report() -> None:
    print(
        f"regularization path (issue 15), N = {REGPATH_N:,}, 30 λ: views of the frame after a "
        f"data change (median of 5; budget ≤ {REGPATH_BUDGET_MS:g} ms for the path; load "
        f"average {os.getloadavg()[0]:.1f}):"
    )
    for preset, penalty in [
        ("overlap", "l2"),
        ("overlap", "l1"),
        ("overlap", "elasticnet"),
        ("near-perfect", "l1"),
        ("near-perfect", "elasticnet"),
    ]:
        r = regpath_server_work(preset, penalty)
        print(
            f"  {preset:<13}{penalty:<11} {r['view']:7.1f} ms wall ({r['cpu']:.1f} ms process CPU "
            f"for the whole command) -> {r['view'] / REGPATH_BUDGET_MS:.2f} of budget; "
            f"λ change only {r['lam']:.1f} ms"
        )


LANDSCAPE_N = 10_000
LANDSCAPE_BUDGET_MS = 50.0
PATH_BUDGET_MS = 1.0


def landscape_server_work(repeat: int = 20) -> dict[str, float]:
    """Median ms (wall and this thread's CPU) of the landscape's refresh, its path frame
    and Auto-train frames with it shown."""
    from logitlab.lab.views import FrameInputs
    from logitlab.lab.views.landscape import LandscapePathView, LandscapeView

    session = LabSession()
    state = {"data": {"preset": "overlap", "n_points": LANDSCAPE_N}}
    session.handle(Hello(state=LabState.model_validate(state)))
    session.handle(ShowLandscape())
    session.train(3000)  # a full weight history (exact recent + decimated older)
    grid = next(v for v in session.views if isinstance(v, LandscapeView))
    path = next(v for v in session.views if isinstance(v, LandscapePathView))
    times: dict[str, list[float]] = {k: [] for k in ("refresh", "refresh_cpu", "path", "path_cpu")}

    def timed(name: str, func: Callable[[], object]) -> None:
        start, cpu = time.perf_counter(), time.thread_time()
        func()
        times[name].append(time.perf_counter() - start)
        times[f"{name}_cpu"].append(time.thread_time() - cpu)

    for k in range(repeat):
        session.handle(SetModel(b=0.01 * (k + 1)))  # a held coefficient: a new grid
        timed("refresh", lambda: grid.compute(FrameInputs(session.experiment, "lab", 600)))
        inputs = FrameInputs(session.experiment, "lab", 600)
        _ = inputs.scores  # computed once per frame for every view
        timed("path", lambda: path.compute(inputs))  # noqa: B023
    auto, auto_cpu = [], []
    for seq in range(FRAMES):
        start, cpu = time.perf_counter(), time.thread_time()
        session.handle(Train(seq=seq, steps=STEPS_PER_FRAME, auto=True))
        auto.append(time.perf_counter() - start)
        auto_cpu.append(time.thread_time() - cpu)
    out = {name: 1e3 * statistics.median(values) for name, values in times.items()}
    out.update(
        auto=1e3 * statistics.median(auto),
        auto_cpu=1e3 * statistics.median(auto_cpu),
        auto_cpu_max=1e3 * max(auto_cpu),
        history=float(len(session.experiment.explore.weights)),
    )
    return out


def landscape_browser_run(seconds: float, rounds: int = 3) -> dict[str, float]:
    """New frames painted per second during Auto-train at N = 10,000, with the landscape
    panel off screen and on screen: ``rounds`` alternating windows each, medians."""
    windows: dict[str, list[dict[str, float]]] = {"off": [], "on": []}
    with lab_browser() as (browser, port):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"http://127.0.0.1:{port}/#preset=overlap&n={LANDSCAPE_N}")
        page.wait_for_function(
            "n => document.querySelector('[data-stat=\"n-points\"]').textContent == n",
            arg=str(LANDSCAPE_N),
        )
        page.get_by_role("button", name="Auto-train").click()
        page.wait_for_function("() => window.logitlabPerf.steps > 20")
        for _ in range(rounds):
            for name in ("off", "on"):
                if name == "on":
                    page.get_by_role("img", name="Loss landscape").scroll_into_view_if_needed()
                    page.wait_for_function("() => window.logitlabPerf.landscape.draws > 2")
                else:
                    page.get_by_role("button", name="Train 1 step").scroll_into_view_if_needed()
                page.wait_for_timeout(500)  # the panel's show_landscape has been answered
                windows[name].append(page.evaluate(FPS_SCRIPT, int(seconds * 1000)))
        page.close()
    out: dict[str, float] = {}
    for name, runs in windows.items():
        for key in ("paints", "raf", "steps"):
            out[f"{name}_{key}"] = statistics.median(float(w[key]) for w in runs)
        LANDSCAPE_WINDOWS[name] = ", ".join(f"{w['paints']:.1f}" for w in runs)
    return out


LANDSCAPE_WINDOWS: dict[str, str] = {}
"""The painted frames per second of every window (for the report)."""


def landscape_report(seconds: float) -> None:
    r = landscape_server_work()
    print(
        f"loss landscape (issue 15), N = {LANDSCAPE_N:,} (grid on a 2,500-point subsample, "
        f"56 × 56; load average {os.getloadavg()[0]:.1f}; medians, wall and CPU):"
    )
    print(
        f"  refresh {r['refresh']:.1f} ms wall, {r['refresh_cpu']:.1f} ms CPU (budget ≤ "
        f"{LANDSCAPE_BUDGET_MS:g} ms -> CPU {r['refresh_cpu'] / LANDSCAPE_BUDGET_MS:.2f})"
    )
    print(
        f"  path frame {r['path']:.3f} ms wall, {r['path_cpu']:.3f} ms CPU with "
        f"{r['history']:.0f} kept weight vectors (budget ≤ {PATH_BUDGET_MS:g} ms -> CPU "
        f"{r['path_cpu'] / PATH_BUDGET_MS:.2f})"
    )
    print(
        f"  Auto-train frame with the landscape shown: median {r['auto']:.2f} ms wall, "
        f"{r['auto_cpu']:.2f} ms CPU; slowest {r['auto_cpu_max']:.1f} ms CPU (one carrying a "
        "refresh, at most one per 0.25 s)"
    )
    if not CHROMIUM.exists():
        return
    b = landscape_browser_run(seconds)
    for name, label in (("off", "landscape off screen"), ("on", "landscape on screen")):
        print(
            f"  Chromium, Auto-train, {label}: {b[name + '_paints']:.1f} new frames painted per "
            f"second, median of windows {LANDSCAPE_WINDOWS[name]} (target ≥ 50; animation "
            f"frames {b[name + '_raf']:.1f}/s; {b[name + '_steps']:.0f} steps/s)"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


FPS_SCRIPT = """async (ms) => {
  const perf = window.logitlabPerf;
  const paints0 = perf.paints, steps0 = perf.steps, draw0 = perf.drawMs, commits0 = perf.commits;
  let ticks = 0, running = true;
  const count = () => { ticks += 1; if (running) requestAnimationFrame(count); };
  requestAnimationFrame(count);
  const t0 = performance.now();
  await new Promise((done) => setTimeout(done, ms));
  running = false;
  const seconds = (performance.now() - t0) / 1000;
  return { paints: (perf.paints - paints0) / seconds, raf: ticks / seconds,
           steps: (perf.steps - steps0) / seconds,
           draw: (perf.drawMs - draw0) / Math.max(1, perf.commits - commits0) };
}"""

BLANK_RAF_SCRIPT = """async (ms) => {
  let ticks = 0, running = true;
  const count = () => { ticks += 1; if (running) requestAnimationFrame(count); };
  requestAnimationFrame(count);
  const t0 = performance.now();
  await new Promise((done) => setTimeout(done, ms));
  running = false;
  return ticks / ((performance.now() - t0) / 1000);
}"""

# A drag's input events arrive at the start of an animation frame (Chromium aligns them
# with frames), so the answer, which needs a round trip to the server, can be drawn at
# the next frame at the earliest. Each input is sent from an animation frame callback;
# the script records that frame's time, the time of the frame that drew the answer, and
# input -> drawn in milliseconds. "Within one frame" means drawn at the next frame.
DRAG_SCRIPT = """async ([id, values, shown]) => {
  const slider = document.getElementById(id);
  const perf = window.logitlabPerf;
  const got = new Function("perf", "wanted", `return ${shown};`);
  const out = [];
  const frame = () => new Promise((done) => requestAnimationFrame(done));
  for (const value of values) {
    const sent = await frame();
    const t0 = performance.now();
    slider.value = String(value);
    const wanted = Number(slider.value);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    let at = sent;
    while (!got(perf, wanted)) at = await frame();
    out.push({ ms: perf.lastPaintTime - t0, frames: perf.lastPaint - sent, sent, at });
  }
  // The frame interval, from the frames seen.
  const gaps = out.map((o, i) => (i > 0 ? o.sent - out[i - 1].at : null)).filter((g) => g > 0);
  gaps.sort((a, b) => a - b);
  return { drags: out, interval: gaps[Math.floor(gaps.length / 2)] };
}"""


def drag_summary(result: dict) -> dict[str, float]:
    """Input -> drawn in ms, and in animation frames (1 = drawn at the next frame)."""
    interval = result["interval"] or 1000 / 60
    frames = [round(d["frames"] / interval) for d in result["drags"]]
    ms = [d["ms"] for d in result["drags"]]
    return {
        "median": statistics.median(ms),
        "max": max(ms),
        "next_frame": sum(f <= 1 for f in frames) / len(frames),
        "frames_median": statistics.median(frames),
        "interval": interval,
    }


def cpu_times() -> list[int]:
    """The machine's CPU counters (user … steal), or [] where /proc/stat is missing."""
    try:
        with open("/proc/stat") as f:
            return [int(v) for v in f.readline().split()[1:9]]
    except OSError:
        return []


def steal_share(before: list[int], after: list[int]) -> float | None:
    """Share of CPU time the hypervisor gave to others (steal) between two readings."""
    if not before or not after:
        return None
    delta = [b - a for a, b in zip(before, after, strict=True)]
    return delta[7] / sum(delta) if sum(delta) > 0 else None


@contextmanager
def lab_browser() -> Iterator[tuple[Browser, int]]:
    """The Lab (``create_app()`` under uvicorn, in a thread) and headless Chromium."""
    import uvicorn
    from playwright.sync_api import sync_playwright

    from logitlab.lab.server import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield browser, port
            finally:
                browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def quiet(window: dict, max_steal: float) -> bool:
    """A window the hypervisor left alone (or where steal cannot be read)."""
    return window["steal"] is None or window["steal"] <= max_steal


def browser_run(seconds: float, rounds: int, max_steal: float) -> dict[int, dict[str, float]]:
    results: dict[int, dict[str, float]] = {}
    with lab_browser() as (browser, port):
        # Reference: how many animation frames this browser gets on an empty page now.
        blank = browser.new_page(viewport={"width": 1280, "height": 800})
        before = cpu_times()
        results[0] = {"raf": blank.evaluate(BLANK_RAF_SCRIPT, int(seconds * 1000))}
        results[0]["steal"] = steal_share(before, cpu_times())
        blank.close()
        for n_points in SIZES:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{port}/#preset=overlap&n={n_points}{features_hash()}")
            page.wait_for_function(
                "n => document.querySelector('[data-stat=\"n-points\"]').textContent == n",
                arg=str(n_points),
            )
            page.get_by_role("button", name="Auto-train").click()
            # Windows until `rounds` of them were quiet (at most 4 × rounds in all).
            # Each starts from reset weights, so every window is early training, where
            # the boundary and the whole field change every frame (later, steps stop
            # moving the field by a quantization level and frames get cheaper).
            windows: list[dict] = []
            while len(windows) < 4 * rounds:
                reset_weights(page)
                page.wait_for_function("() => window.logitlabPerf.steps > 20")
                before = cpu_times()
                rates = page.evaluate(FPS_SCRIPT, int(seconds * 1000))
                rates["steal"] = steal_share(before, cpu_times())
                windows.append(rates)
                if sum(quiet(w, max_steal) for w in windows) >= rounds:
                    break
            page.get_by_role("button", name="Auto-train").click()
            page.get_by_role("button", name="Reset weights").click()
            page.wait_for_function("() => window.logitlabPerf.steps === 0")
            values = [round(-2 + 0.05 * i, 2) for i in range(40)]
            drag = page.evaluate(DRAG_SCRIPT, ["w0", values, "perf.model.w0 === wanted"])
            counted = [w for w in windows if quiet(w, max_steal)] or windows
            middle = sorted(counted, key=lambda w: w["paints"])[len(counted) // 2]
            results[n_points] = {
                **middle,
                "windows": windows,
                "n_quiet": sum(quiet(w, max_steal) for w in windows),
                **{f"drag_{k}": v for k, v in drag_summary(drag).items()},
            }
            page.close()
    return results


PEER_SERVER = """
import sys, uvicorn
from logitlab.lab.server import create_app
uvicorn.run(create_app(), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
"""


def reset_weights(page: Page) -> None:
    """Press Reset weights and wait until a frame shows it (the step count fell).

    Without the wait, a window could start before the reset's frame arrived and
    count the fall of the step count (steps/s came out negative).
    """
    before = int(page.evaluate("() => window.logitlabPerf.steps"))
    page.get_by_role("button", name="Reset weights").click()
    if before > 20:
        page.wait_for_function(f"() => window.logitlabPerf.steps < {before}")


def auto_train_window(page: Page, seconds: float) -> dict:
    """One Auto-train window from reset weights on an open Lab page (started and stopped)."""
    page.bring_to_front()
    reset_weights(page)
    page.get_by_role("button", name="Auto-train").click()
    page.wait_for_function("() => window.logitlabPerf.steps > 20")
    before = cpu_times()
    rates = page.evaluate(FPS_SCRIPT, int(seconds * 1000))
    rates["steal"] = steal_share(before, cpu_times())
    page.get_by_role("button", name="Auto-train").click()
    return rates


def against_run(seconds: float, rounds: int, peer: Path, n_points: int = 10_000) -> None:
    """Alternating Auto-train windows: this tree's Lab, then the peer's, ``rounds`` times."""
    import subprocess

    python = peer / ".venv" / "bin" / "python"
    port = free_port()
    proc = subprocess.Popen([str(python), "-c", PEER_SERVER, str(port)], cwd=peer)
    try:
        with lab_browser() as (browser, own_port):
            pages = {}
            for name, p in (("this", own_port), ("peer", port)):
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                for _ in range(100):  # the peer's server may still be starting
                    try:
                        page.goto(f"http://127.0.0.1:{p}/#preset=overlap&n={n_points}")
                        break
                    except Exception:
                        time.sleep(0.2)
                page.wait_for_function(
                    "n => document.querySelector('[data-stat=\"n-points\"]').textContent == n",
                    arg=str(n_points),
                )
                pages[name] = page
            windows: dict[str, list[dict]] = {"this": [], "peer": []}
            for k in range(rounds):
                order = ("this", "peer") if k % 2 == 0 else ("peer", "this")
                for name in order:
                    windows[name].append(auto_train_window(pages[name], seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    med = {name: statistics.median(w["paints"] for w in ws) for name, ws in windows.items()}
    print(f"N = {n_points:,}, Auto-train, {rounds} alternating windows of {seconds:g} s each:")
    for name, ws in windows.items():
        steal = ["" if w["steal"] is None else f" (steal {100 * w['steal']:.0f} %)" for w in ws]
        listed = ", ".join(f"{w['paints']:.1f}{s}" for w, s in zip(ws, steal, strict=True))
        label = "this tree" if name == "this" else f"peer {peer}"
        draw = statistics.median(w["draw"] for w in ws)
        print(
            f"  {label}: median {med[name]:.1f} new frames/s, page work {draw:.2f} ms per "
            f"animation frame; windows {listed}"
        )
    print(f"  ratio this / peer: {med['this'] / med['peer']:.3f} (the machine is shared: noisy)")


ROC_N = 10_000


def roc_server_work(n_points: int = ROC_N) -> dict[str, float]:
    """Median milliseconds (with JSON) of a τ-drag frame and of a model-change frame on /roc."""
    session = LabSession()
    session.handle(Hello(state=lab_state(n_points), curve_width=16, page="roc"))
    drag, rebuild = [], []
    for i in range(FRAMES):
        message = f'{{"type": "set_view", "tau": {0.2 + 0.6 * i / FRAMES!r}, "seq": {i + 1}}}'
        start = time.perf_counter()
        session.handle_json(message)
        drag.append(time.perf_counter() - start)
    for i in range(FRAMES // 3):
        message = f'{{"type": "set_model", "w0": {1.0 + 0.001 * i!r}, "seq": {i + 1}}}'
        start = time.perf_counter()
        session.handle_json(message)
        rebuild.append(time.perf_counter() - start)
    return {
        "drag": 1e3 * statistics.median(drag),
        "rebuild": 1e3 * statistics.median(rebuild),
    }


def roc_browser_run(n_points: int = ROC_N) -> dict[str, float]:
    """τ slider drag on the ROC page in Chromium: input event → paint with the new τ (ms)."""
    with lab_browser() as (browser, port):
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(f"http://127.0.0.1:{port}/roc#preset=overlap&n={n_points}")
        page.wait_for_function(
            "n => { const p = window.logitlabPerf; return p && p.curves !== null"
            " && p.curves.n_negative + p.curves.n_positive === n; }",
            arg=n_points,
        )
        values = [round(0.2 + 0.005 * i, 3) for i in range(100)]
        shown = "perf.roc !== null && perf.roc.at_tau.tau === wanted"
        drag = page.evaluate(DRAG_SCRIPT, ["tau", values, shown])
    return drag_summary(drag)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="one Auto-train window (s)")
    parser.add_argument("--rounds", type=int, default=3, help="quiet Auto-train windows per size")
    parser.add_argument(
        "--max-steal",
        type=float,
        default=0.15,
        help="a window whose CPU steal exceeds this share is listed but not counted",
    )
    parser.add_argument("--against", type=Path, help="compare with this checkout's Lab only")
    parser.add_argument(
        "--regpath-only", action="store_true", help="only the regularization path's server cost"
    )
    parser.add_argument(
        "--landscape-only", action="store_true", help="only the loss landscape's costs"
    )
    parser.add_argument("--degree", type=int, default=1, help="polynomial degree (issue 14)")
    parser.add_argument("--test-share", type=float, default=0.0, help="test share (issue 14)")
    parser.add_argument("--classes", type=int, default=2, help="number of classes (issue 14)")
    parser.add_argument(
        "--server-only", action="store_true", help="only the in-process server work per frame"
    )
    args = parser.parse_args()
    if args.regpath_only:
        regpath_report()
        return
    if args.landscape_only:
        landscape_report(args.seconds)
        return
    FEATURES.update(degree=args.degree, test_share=args.test_share, classes=args.classes)
    if args.degree > 1 or args.test_share > 0 or args.classes > 2:
        print(
            f"degree {args.degree} (standardized), test share {args.test_share:g}, "
            f"{args.classes} classes"
        )
    if args.against is not None:
        against_run(args.seconds, args.rounds, args.against)
        return

    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} CPUs, load average {load:.1f} (wall times grow with the load)")
    print("server work per Auto-train frame (in process, median of", FRAMES, "frames):")
    for n_points in SIZES:
        r = server_work(n_points)
        target = TARGET_MS[n_points]
        print(
            f"  N = {n_points:>6,}: LabSession.handle {r['handle']:.2f} ms wall, "
            f"{r['cpu']:.2f} ms CPU (steps {r['steps']:.2f}, field {r['field']:.2f}, "
            f"metrics {r['metrics']:.2f}); with JSON in and out {r['handle_json']:.2f} ms wall, "
            f"{r['json_cpu']:.2f} ms CPU; target ≤ {target:g} ms -> CPU "
            f"{r['json_cpu'] / target:.2f} of budget"
        )
    if args.server_only:
        return
    regpath_report()
    landscape_report(args.seconds)
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: no browser measurements")
        return
    print(
        f"headless Chromium, Auto-train in windows of {args.seconds:g} s until {args.rounds} per "
        "size were quiet (CPU steal, the time the hypervisor gave to others, read from /proc/stat)"
    )
    runs = browser_run(args.seconds, args.rounds, args.max_steal)
    empty = runs.pop(0)
    steal = "" if empty["steal"] is None else f", steal {100 * empty['steal']:.0f} %"
    print(f"  empty page: {empty['raf']:.1f} animation frames per second (the ceiling now{steal})")
    for n_points, r in runs.items():
        listed = ", ".join(
            f"{w['paints']:.1f}"
            + ("" if w["steal"] is None else f" (steal {100 * w['steal']:.0f} %)")
            + ("" if quiet(w, args.max_steal) else " not counted")
            for w in r["windows"]
        )
        counted = (
            f"median of {r['n_quiet']} windows with steal ≤ {100 * args.max_steal:.0f} %"
            if r["n_quiet"]
            else "no quiet window: median of all"
        )
        print(
            f"  N = {n_points:>6,}: {r['paints']:.1f} new frames painted per second ({counted}; "
            f"animation frames {r['raf']:.1f}/s; {r['steps']:.0f} steps/s; "
            f"page work {r['draw']:.2f} ms per animation frame)"
        )
        print(f"    windows: {listed}")
        print(
            f"    slider drag (w₀, 40 inputs): drawn at the next animation frame in "
            f"{100 * r['drag_next_frame']:.0f} % (median {r['drag_frames_median']:g} frame); "
            f"input -> drawn median {r['drag_median']:.1f} ms, max {r['drag_max']:.1f} ms "
            f"(frame interval {r['drag_interval']:.1f} ms)"
        )
    r = roc_server_work()
    print(
        f"ROC page, N = {ROC_N:,}: τ-drag frame {r['drag']:.2f} ms with JSON (sweep cached) vs "
        f"{r['rebuild']:.2f} ms when the model changes (sweep and curves rebuilt) -> "
        f"{r['drag'] / 16.7:.2f} of one frame (16.7 ms)"
    )
    r = roc_browser_run()
    print(
        f"ROC page, N = {ROC_N:,}: τ slider (100 inputs) drawn at the next animation frame in "
        f"{100 * r['next_frame']:.0f} %; input -> drawn median {r['median']:.1f} ms, "
        f"max {r['max']:.1f} ms (frame interval {r['interval']:.1f} ms)"
    )


if __name__ == "__main__":
    main()
