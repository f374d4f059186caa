"""docs/lab-in-jupyter.ipynb runs from top to bottom in a real kernel (issue 17)."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "lab-in-jupyter.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"

pytestmark = pytest.mark.slow


def test_the_docs_notebook_runs_and_shows_its_widgets(tmp_path: Path) -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code")
    client = NotebookClient(
        notebook, timeout=240, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    )
    client.execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    widgets = [o for o in outputs if WIDGET in o.get("data", {})]
    assert len(widgets) == 3  # Lab(), from_frame, explore
    texts = "".join(o.get("text", "") for o in outputs)
    assert "(120, 3)" in texts  # lab.points after the preset
