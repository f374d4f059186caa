"""Make the pictures and the summary table that docs/tutorial.md shows, from logitlab itself.

    .venv/bin/python scripts/tutorial_assets.py

Runs every ```python block of the tutorial in order in a temporary folder (as
tests/test_tutorial.py does), copies each figure the text embeds
(``![...](figures/NAME.png)``) from there to docs/figures/, and rewrites the
Markdown table between ``<!-- summary-table -->`` and ``<!-- /summary-table -->``
from the ``summary`` the blocks computed. tests/test_tutorial.py checks that the
committed table and figures are the ones the blocks make.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TUTORIAL = ROOT / "docs" / "tutorial.md"
FIGURES = ROOT / "docs" / "figures"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
IMAGE = re.compile(r"!\[[^\]]*\]\(figures/([\w.-]+\.png)\)")
TABLE = re.compile(r"(<!-- summary-table -->\n)(.*?)(<!-- /summary-table -->)", re.DOTALL)


def python_blocks(text: str) -> list[str]:
    return [m.group(2) for m in FENCE.finditer(text) if m.group(1) == "python"]


def embedded_figures(text: str) -> list[str]:
    return IMAGE.findall(text)


def embedded_table(text: str) -> str:
    found = TABLE.search(text)
    if found is None:
        raise ValueError("docs/tutorial.md has no <!-- summary-table --> section")
    return found.group(2)


def _number(value: float | None) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.4f}"


def _p_value(value: float | None) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def summary_markdown(summary: Any) -> str:
    """A Markdown table of the coefficients of ``summary`` (from its ``to_dict()``).

    One row per coefficient: estimate, std err, z, P>|z|, the confidence interval
    and the odds ratio, to four decimals (as the text table prints them).
    """
    result = summary.to_dict()
    level = float(result.get("confidence", 0.95))
    low, high = (1 - level) / 2, (1 + level) / 2
    head = ["term", "estimate", "std err", "z", "P>\\|z\\|", f"[{low:.3f}", f"{high:.3f}]"]
    head.append("odds ratio")
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join([":---"] + ["---:"] * 7) + "|"]
    for row in result["coefficients"]:
        cells = [
            f"`{row['name']}`",
            _number(row["estimate"]),
            _number(row["std_error"]),
            _number(row["z"]),
            _p_value(row["p_value"]),
            _number(row["ci_low"]),
            _number(row["ci_high"]),
            _number(row["odds_ratio"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run_blocks(workdir: Path) -> dict[str, Any]:
    """Execute the tutorial's python blocks in ``workdir``; the blocks' namespace."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    namespace: dict[str, Any] = {"__name__": "__tutorial__"}
    previous = Path.cwd()
    os.chdir(workdir)
    try:
        for number, body in enumerate(python_blocks(TUTORIAL.read_text()), start=1):
            exec(compile(body, f"{TUTORIAL.name} block {number}", "exec"), namespace)
    finally:
        os.chdir(previous)
        plt.close("all")
    return namespace


def main() -> int:
    text = TUTORIAL.read_text()
    FIGURES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        with contextlib.redirect_stdout(io.StringIO()):  # what the blocks print
            namespace = run_blocks(Path(tmp))
        for name in embedded_figures(text):
            made = Path(tmp) / name
            if not made.exists():
                print(f"tutorial_assets: no block saves {name}", file=sys.stderr)
                return 1
            shutil.copyfile(made, FIGURES / name)
            print(f"wrote docs/figures/{name} ({made.stat().st_size:,} bytes)")
    table = summary_markdown(namespace["summary"])
    TUTORIAL.write_text(TABLE.sub(lambda m: m.group(1) + table + m.group(3), text))
    print("wrote the summary table of docs/tutorial.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
