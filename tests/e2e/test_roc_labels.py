"""The ROC page's marker labels (τ, F1, J) never sit on each other or on the axis' ticks."""

from __future__ import annotations

from typing import Any

import pytest
from lab_page import DESKTOP, PHONE
from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

# A well-fitted Blobs model: the best-F1 point, Youden's J and the operating point at
# τ = 0.8 all sit in the ROC's top-left corner (FPR 0, TPR ≈ 0.98).
CORNER = "#preset=blobs&seed=1&n=120&noise=1&edits=&w0=2.05&w1=1.28&b=0.39&steps=211&tau=0.8"
PLOT_LEFT = 38  # the curve charts' left margin, where the y tick labels are


def overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return bool(
        a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1280x800", "390x844"])
def test_labels_at_a_crowded_corner_stay_apart_and_inside_the_plot(
    browser: Browser, lab_url: str, size: dict[str, int]
) -> None:
    context = browser.new_context(viewport=size)
    try:
        page = context.new_page()
        page.goto(f"{lab_url}/roc{CORNER}")
        page.wait_for_function(
            "() => window.logitlabPerf && window.logitlabPerf.rocLabels"
            " && window.logitlabPerf.rocLabels.tau !== null"
            " && window.logitlabPerf.rocLabels.marks.length > 0"
        )
        for chart in ("rocLabels", "prLabels"):
            labels: dict[str, Any] = page.evaluate(f"() => window.logitlabPerf.{chart}")
            boxes = [*labels["marks"], labels["tau"]]
            for i, a in enumerate(boxes):
                assert a["x"] >= PLOT_LEFT, f"{chart}: a label over the y ticks: {a}"
                for b in boxes[i + 1 :]:
                    assert not overlap(a, b), f"{chart}: labels overlap: {a} and {b}"
        # F1 and J share the corner on the ROC: one label names both.
        roc = page.evaluate("() => window.logitlabPerf.rocLabels")
        assert len(roc["marks"]) == 1
    finally:
        context.close()
