"""A real JupyterLab for the widget's browser tests and benchmark (issue 17).

:func:`start_jupyterlab` runs ``jupyter lab`` from this Python on a free loopback port with
a token, in a temporary root folder and with its own config, runtime, settings and
workspace folders (nothing of the user's JupyterLab is read or written); :func:`open_notebook`
opens a notebook in a Playwright page and waits until its kernel is idle; :func:`run_cell`
runs one cell and waits until it has finished.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

START_SECONDS = 120.0  # a cold JupyterLab on a loaded 2-core machine


@dataclass(frozen=True)
class JupyterLab:
    url: str
    token: str
    root: Path

    def notebook_url(self, name: str) -> str:
        """The notebook in a workspace of its own (not one restoring other tests' tabs)."""
        workspace = re.sub(r"[^A-Za-z0-9-]", "-", name)
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?token={self.token}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells, without outputs."""
    notebook = {
        "cells": [
            {
                "id": f"cell-{index}",
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": source,
            }
            for index, source in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook), encoding="utf-8")


@contextmanager
def start_jupyterlab() -> Iterator[JupyterLab]:
    """JupyterLab on 127.0.0.1 (a free port, a random token); stopped on exit."""
    with tempfile.TemporaryDirectory(prefix="logitlab-jupyterlab-") as tmp:
        base = Path(tmp)
        root = base / "root"
        root.mkdir()
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(base / "config"),
            "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
            "JUPYTERLAB_SETTINGS_DIR": str(base / "settings"),
            "JUPYTERLAB_WORKSPACES_DIR": str(base / "workspaces"),
            "JUPYTER_PLATFORM_DIRS": "1",
        }
        # No "would you like to get notified about Jupyter news?" toast over the page.
        notification = base / "settings" / "@jupyterlab" / "apputils-extension"
        notification.mkdir(parents=True)
        (notification / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False}), encoding="utf-8"
        )
        token = secrets.token_hex(16)
        port = _free_port()
        log = (base / "jupyterlab.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jupyterlab",
                "--no-browser",
                "--allow-root",  # CI runs as root
                "--LabApp.extension_manager=readonly",  # no look-ups of PyPI
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={token}",
                f"--ServerApp.root_dir={root}",
                "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + START_SECONDS
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        "JupyterLab exited at start:\n"
                        + (base / "jupyterlab.log").read_text(errors="replace")[-3000:]
                    )
                try:
                    with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("JupyterLab did not answer in time") from None
                    time.sleep(0.2)  # polling a starting process: no event to wait on
            yield JupyterLab(url=url, token=token, root=root)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
            log.close()


def open_notebook(page: Page, lab: JupyterLab, name: str) -> None:
    """Open notebook ``name`` and wait until its kernel is idle."""
    page.goto(lab.notebook_url(name))
    expect(page.locator(".jp-Notebook:visible .jp-Cell").first).to_be_visible(timeout=90_000)
    idle(page, timeout=90_000)


def idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the notebook's kernel is connected and idle (the status bar says so)."""
    status = page.locator(".jp-StatusBar-Widget").get_by_text(re.compile(r"\| Idle$"))
    expect(status.first).to_be_visible(timeout=timeout)


def cell(page: Page, index: int) -> Locator:
    return page.locator(".jp-Notebook:visible .jp-Cell").nth(index)


def run_cell(page: Page, index: int, timeout: float = 60_000) -> Locator:
    """Run code cell ``index`` (Shift+Enter in its editor); returns it once it has run."""
    target = cell(page, index)
    target.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    # The prompt shows [n] once the kernel has answered (it shows [*] while it runs).
    expect(target.locator(".jp-InputPrompt").first).to_have_text(
        re.compile(r"\[\d+\]"), timeout=timeout
    )
    idle(page, timeout)
    return target
