"""docs/tutorial.md runs: every ```python block in order, every `$ logitlab` line of the
```console blocks through the CLI, in a temporary working directory."""

from __future__ import annotations

import importlib.util
import re
import shlex
import struct
from pathlib import Path
from types import ModuleType

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from logitlab.cli import main

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def _assets() -> ModuleType:
    """scripts/tutorial_assets.py, which makes the figures and the table the tutorial shows."""
    path = ROOT / "scripts" / "tutorial_assets.py"
    spec = importlib.util.spec_from_file_location("tutorial_assets", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assets = _assets()


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
    assert commands == 5
    for picture in (
        "loss_curve.png",
        "decision_boundary.png",
        "diagnostics.png",
        "circles.png",
        "fit.png",
        "demo.png",
    ):
        assert (tmp_path / picture).read_bytes()[:4] == b"\x89PNG", picture

    # What the tutorial shows is what its blocks make (scripts/tutorial_assets.py
    # rewrites both): the summary table, and each embedded figure, by its pixel size.
    text = TUTORIAL.read_text()
    assert assets.embedded_table(text) == assets.summary_markdown(namespace["summary"]), (
        "the summary table in docs/tutorial.md is stale: run scripts/tutorial_assets.py"
    )
    figures = assets.embedded_figures(text)
    assert {"loss_curve.png", "decision_boundary.png", "diagnostics.png"} <= set(figures)
    for name in figures:
        made, shown = tmp_path / name, ROOT / "docs" / "figures" / name
        assert made.exists(), f"no block of the tutorial saves {name}"
        assert shown.exists(), f"docs/figures/{name} is missing: run scripts/tutorial_assets.py"
        assert png_size(shown) == png_size(made), f"docs/figures/{name} is stale"


def png_size(path: Path) -> tuple[int, int]:
    """(width, height) from a PNG's header."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_the_summary_table_is_markdown_of_the_summary() -> None:
    from logitlab import LogisticRegression
    from logitlab.core.datasets import make_classification

    X, y = make_classification(n_samples=200, random_state=4)
    summary = LogisticRegression(C=np.inf).fit(X, y).summary()
    lines = assets.summary_markdown(summary).splitlines()
    rows = summary.to_dict()["coefficients"]
    assert len(lines) == 2 + len(rows)
    assert lines[0].startswith("| term | estimate | std err | z | P>\\|z\\| |")
    for line, row in zip(lines[2:], rows, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[0] == f"`{row['name']}`"
        assert float(cells[1]) == pytest.approx(row["estimate"], abs=5e-5)
        assert float(cells[2]) == pytest.approx(row["std_error"], abs=5e-5)
        assert float(cells[7]) == pytest.approx(row["odds_ratio"], abs=5e-5)
