"""docs/tutorial.md runs: every ```python block in order, every `$ logitlab` line of the
```console blocks through the CLI, in a temporary working directory."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from logitlab.cli import main

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(TUTORIAL.read_text())]


def console_commands(body: str) -> list[tuple[str, list[str]]]:
    """(arguments after `$ logitlab`, output lines shown under it, whitespace-normalized)."""
    commands: list[tuple[str, list[str]]] = []
    for line in body.splitlines():
        if line.startswith("$ logitlab "):
            commands.append((line.removeprefix("$ logitlab "), []))
        elif commands and line.strip() not in ("", "…"):
            commands[-1][1].append(" ".join(line.split()))
    return commands


def test_tutorial_has_code_for_each_topic() -> None:
    code = "\n".join(body for kind, body in blocks() if kind == "python")
    for topic in ("summary()", "plot_decision_boundary", "confusion_at", "l1_ratio", ".fit("):
        assert topic in code


def test_every_block_runs_in_order(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(plt, "show", lambda *a, **k: None)
    namespace: dict[str, object] = {"__name__": "__tutorial__"}
    commands = 0
    for number, (kind, body) in enumerate(blocks(), start=1):
        if kind == "python":
            try:
                exec(compile(body, f"{TUTORIAL.name} block {number}", "exec"), namespace)
            except Exception as exc:  # pragma: no cover - the failure message is the point
                pytest.fail(f"{TUTORIAL.name} block {number} failed: {exc!r}\n{body}")
        elif kind == "console":
            for command, shown in console_commands(body):
                commands += 1
                capsys.readouterr()  # forget what the Python blocks printed
                code = main(shlex.split(command))
                captured = capsys.readouterr()
                assert code == 0, f"`logitlab {command}` failed: {captured.err}"
                printed = {" ".join(line.split()) for line in captured.out.splitlines()}
                for line in shown:
                    assert line in printed, f"`logitlab {command}` no longer prints {line!r}"
    plt.close("all")
    assert commands == 3
    for picture in (
        "loss_curve.png",
        "decision_boundary.png",
        "diagnostics.png",
        "circles.png",
        "fit.png",
        "demo.png",
    ):
        assert (tmp_path / picture).read_bytes()[:4] == b"\x89PNG", picture
