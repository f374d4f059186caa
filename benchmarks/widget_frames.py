"""Frames painted per second of Auto-train: the Lab widget in JupyterLab vs the served Lab.

One run, one headless Chromium, two pages: the served Lab (``create_app()`` under uvicorn)
and a JupyterLab notebook (its own server on a free loopback port) showing ``Lab()``, both
on the Overlap preset at N points. Auto-train windows alternate between the two pages;
each window counts the animation frames that drew a new frame (``logitlabPerf.paints``)
per second. The medians of each page and their ratio (widget / served) are printed, with
every window and its CPU steal (the machine may be shared).

    .venv/bin/python benchmarks/widget_frames.py [--n 1000] [--seconds 3] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from lab_frames import FPS_SCRIPT, cpu_times, lab_browser, steal_share

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))
from jupyter_server import (
    open_notebook,
    run_cell,
    start_jupyterlab,
    write_notebook,
)

WIDGET_FPS_SCRIPT = FPS_SCRIPT.replace(
    "async (ms) => {\n  const perf = window.logitlabPerf;",
    "async (el, ms) => {\n  const perf = el.logitlabPerf;",
)
assert WIDGET_FPS_SCRIPT != FPS_SCRIPT
# The messages each way over the comm in the window, per second (host.js counts them).
WIDGET_FPS_SCRIPT = WIDGET_FPS_SCRIPT.replace(
    "const paints0 = perf.paints,",
    "const comm = el.logitlabComm, sent0 = comm.sent, received0 = comm.received;\n"
    "  const paints0 = perf.paints,",
).replace(
    "steps: (perf.steps - steps0) / seconds,",
    "steps: (perf.steps - steps0) / seconds, sent: (comm.sent - sent0) / seconds,\n"
    "           received: (comm.received - received0) / seconds,",
)
assert "comm.sent" in WIDGET_FPS_SCRIPT and "received:" in WIDGET_FPS_SCRIPT
# The kernel's side: wall time in the Lab's comm handler and the kernel's CPU time, per
# message answered (the rest of the CPU is ipykernel's and the widget's comm machinery).
KERNEL_PROBE = (
    "import time\n"
    "from logitlab.widget import _lab\n"
    "_probe = {'n': 0, 'wall': 0.0, 'cpu0': time.process_time()}\n"
    "_answer = _lab.Lab._on_msg\n"
    "def _timed(self, *args):\n"
    "    t = time.perf_counter()\n"
    "    _answer(self, *args)\n"
    "    _probe['wall'] += time.perf_counter() - t\n"
    "    _probe['n'] += 1\n"
    "_lab.Lab._on_msg = _timed\n"
)
KERNEL_REPORT = (
    "_n = max(_probe['n'], 1)\n"
    "print(f\"KERNEL {_probe['n']} requests; Lab handler {_probe['wall'] / _n * 1e3:.2f} ms, \"\n"
    "      f\"kernel CPU {(time.process_time() - _probe['cpu0']) / _n * 1e3:.2f} ms per request\")"
)


def window(page: Page, scope: Page | Locator, perf: str, seconds: float) -> dict[str, float]:
    """One Auto-train window from reset weights: paints per second and the CPU steal."""
    page.bring_to_front()
    scope.get_by_role("button", name="Reset weights").click()
    scope.get_by_role("button", name="Auto-train").click()
    if isinstance(scope, Page):
        page.wait_for_function(f"() => {perf}.steps > 20")
    else:
        page.wait_for_function(f"el => el.{perf}.steps > 20", arg=scope.element_handle())
    before = cpu_times()
    if isinstance(scope, Page):
        rates: dict[str, float] = page.evaluate(FPS_SCRIPT, int(seconds * 1000))
    else:
        rates = scope.evaluate(WIDGET_FPS_SCRIPT, int(seconds * 1000))
    steal = steal_share(before, cpu_times())
    rates["steal"] = -1.0 if steal is None else steal
    scope.get_by_role("button", name="Auto-train").click()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="points (Overlap preset)")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one window")
    parser.add_argument("--rounds", type=int, default=3, help="windows per page")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")
    cell = KERNEL_PROBE + (
        "from logitlab.widget import Lab\n"
        "from logitlab.lab.protocol import LoadPreset\n"
        "lab = Lab()\n"
        f"lab.session.handle(LoadPreset(preset='overlap', n_points={args.n}))\n"
        "lab"
    )
    with lab_browser() as (browser, port), start_jupyterlab() as jupyter:
        served = browser.new_page(viewport={"width": 1280, "height": 800})
        served.goto(f"http://127.0.0.1:{port}/#preset=overlap&n={args.n}")
        served.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")
        expect(served.locator('[data-stat="n-points"]')).to_have_text(str(args.n))
        notebook = browser.new_page(viewport={"width": 1280, "height": 800})
        write_notebook(jupyter.root / "frames.ipynb", [cell, KERNEL_REPORT])
        open_notebook(notebook, jupyter, "frames.ipynb")
        run_cell(notebook, 0)
        widget = notebook.locator(".logitlab-widget")
        expect(widget.get_by_role("button", name="Auto-train")).to_be_visible(timeout=60_000)
        widget.locator(".chart-panel").scroll_into_view_if_needed()
        windows: dict[str, list[dict[str, float]]] = {"served Lab": [], "widget": []}
        for _ in range(args.rounds):
            windows["served Lab"].append(
                window(served, served, "window.logitlabPerf", args.seconds)
            )
            windows["widget"].append(window(notebook, widget, "logitlabPerf", args.seconds))
        kernel = run_cell(notebook, 1).locator(".jp-OutputArea-output").inner_text().strip()
    print(
        f"Overlap, N = {args.n:,}, Auto-train at 100 steps/s, {args.rounds} alternating "
        f"windows of {args.seconds:g} s (steal = CPU time given to other machines):"
    )
    medians = {}
    for name, ws in windows.items():
        medians[name] = statistics.median(w["paints"] for w in ws)
        listed = ", ".join(f"{w['paints']:.1f} (steal {max(w['steal'], 0):.0%})" for w in ws)
        steps = statistics.median(w["steps"] for w in ws)
        print(
            f"  {name:10s}: median {medians[name]:5.1f} frames painted/s "
            f"(animation frames {statistics.median(w['raf'] for w in ws):.1f}/s, "
            f"{steps:.0f} steps/s); windows {listed}"
        )
    ws = windows["widget"]
    sent = statistics.median(w["sent"] for w in ws)
    received = statistics.median(w["received"] for w in ws)
    print(
        f"  widget comm: {sent:.1f} messages/s to the kernel, {received:.1f} back "
        f"({received / medians['widget']:.2f} per painted frame)"
    )
    print(f"  {kernel.removeprefix('KERNEL ')} (all widget windows)")
    print(f"  ratio widget / served Lab: {medians['widget'] / medians['served Lab']:.2f}")
    print(f"load average after: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()
