"""How fast the Lab animates: server work per frame, frames shown, slider repaint latency.

Three measurements at N = 1,000 and N = 10,000 points (the Overlap preset):

1. In process: the median time of ``LabSession.handle`` for the ``train`` commands
   Auto-train sends (about 2 steps per frame at the default 100 steps per second),
   split into steps / field / metrics, and with JSON serialization (``handle_json``).
2. Headless Chromium on the real server (``create_app()`` under uvicorn): Auto-train
   runs for a few seconds; the page counts the animation frames that drew a new frame
   (``window.logitlabPerf.paints``) and all animation frames.
3. Slider drag: set the w₀ slider as a drag does and time input event → the paint that
   shows the server's answer.

    .venv/bin/python benchmarks/lab_frames.py [--seconds 3]

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
from pathlib import Path

from logitlab.lab.protocol import Hello, LabState, Train
from logitlab.lab.session import LabSession

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


def lab_state(n_points: int) -> LabState:
    return LabState.model_validate({"data": {"preset": "overlap", "n_points": n_points}})


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

SLIDER_SCRIPT = """async (n) => {
  const slider = document.getElementById("w0");
  const perf = window.logitlabPerf;
  const latencies = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    slider.value = String(-2 + 0.05 * i);
    const wanted = Number(slider.value);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((done) => {
      const check = () => (perf.model.w0 === wanted ? done() : requestAnimationFrame(check));
      requestAnimationFrame(check);
    });
    latencies.push(perf.lastPaintTime - t0);
  }
  return latencies;
}"""


def browser_run(seconds: float) -> dict[int, dict[str, float]]:
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
    results: dict[int, dict[str, float]] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            # Reference: how many animation frames this browser gets on an empty page now.
            blank = browser.new_page(viewport={"width": 1280, "height": 800})
            results[0] = {"raf": blank.evaluate(BLANK_RAF_SCRIPT, int(seconds * 1000))}
            blank.close()
            for n_points in SIZES:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(f"http://127.0.0.1:{port}/#preset=overlap&n={n_points}")
                page.wait_for_function(
                    "n => document.querySelector('[data-stat=\"n-points\"]').textContent == n",
                    arg=str(n_points),
                )
                page.get_by_role("button", name="Auto-train").click()
                page.wait_for_function("() => window.logitlabPerf.steps > 20")
                rates = page.evaluate(FPS_SCRIPT, int(seconds * 1000))
                page.get_by_role("button", name="Auto-train").click()
                page.get_by_role("button", name="Reset weights").click()
                page.wait_for_function("() => window.logitlabPerf.steps === 0")
                latencies = page.evaluate(SLIDER_SCRIPT, 40)
                results[n_points] = {
                    **rates,
                    "slider_median": statistics.median(latencies),
                    "slider_max": max(latencies),
                }
                page.close()
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return results


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


ROC_TAU_SCRIPT = """async (n) => {
  const slider = document.getElementById("tau");
  const perf = window.logitlabPerf;
  const latencies = [];
  for (let i = 0; i < n; i += 1) {
    const t0 = performance.now();
    slider.value = String(0.2 + 0.005 * i);
    const wanted = Number(slider.value);
    slider.dispatchEvent(new Event("input", { bubbles: true }));
    await new Promise((done) => {
      const check = () =>
        perf.roc !== null && perf.roc.at_tau.tau === wanted ? done() : requestAnimationFrame(check);
      requestAnimationFrame(check);
    });
    latencies.push(perf.lastPaint - t0);
  }
  return latencies;
}"""


def roc_browser_run(n_points: int = ROC_N) -> dict[str, float]:
    """τ slider drag on the ROC page in Chromium: input event → paint with the new τ (ms)."""
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
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"http://127.0.0.1:{port}/roc#preset=overlap&n={n_points}")
            page.wait_for_function(
                "n => { const p = window.logitlabPerf; return p && p.curves !== null"
                " && p.curves.n_negative + p.curves.n_positive === n; }",
                arg=n_points,
            )
            latencies = page.evaluate(ROC_TAU_SCRIPT, 100)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    return {"median": statistics.median(latencies), "max": max(latencies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="Auto-train time per size")
    args = parser.parse_args()

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
    if not CHROMIUM.exists():
        print(f"{CHROMIUM} is missing: no browser measurements")
        return
    print(f"headless Chromium, Auto-train for {args.seconds:g} s per size:")
    runs = browser_run(args.seconds)
    print(f"  empty page: {runs.pop(0)['raf']:.1f} animation frames per second (the ceiling now)")
    for n_points, r in runs.items():
        print(
            f"  N = {n_points:>6,}: {r['paints']:.1f} new frames painted per second "
            f"(animation frames {r['raf']:.1f}/s; {r['steps']:.0f} steps/s; "
            f"page work {r['draw']:.2f} ms per animation frame); "
            f"slider drag -> repaint median {r['slider_median']:.1f} ms, "
            f"max {r['slider_max']:.1f} ms (one frame ≈ 16.7 ms)"
        )
    r = roc_server_work()
    print(
        f"ROC page, N = {ROC_N:,}: τ-drag frame {r['drag']:.2f} ms with JSON (sweep cached) vs "
        f"{r['rebuild']:.2f} ms when the model changes (sweep and curves rebuilt) -> "
        f"{r['drag'] / 16.7:.2f} of one frame (16.7 ms)"
    )
    r = roc_browser_run()
    print(
        f"ROC page, N = {ROC_N:,}: τ slider -> repaint median {r['median']:.1f} ms, "
        f"max {r['max']:.1f} ms (one frame ≈ 16.7 ms)"
    )


if __name__ == "__main__":
    main()
