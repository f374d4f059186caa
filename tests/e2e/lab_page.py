"""The Lab page as a user sees it, for the browser tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page

SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Lab:
    """The Lab page as a user sees it, with a few readers for what the last paint showed."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.url = url

    @property
    def chart(self) -> Locator:
        return self.page.get_by_label("Data chart")

    def stat(self, name: str) -> Locator:
        return self.page.locator(f'[data-stat="{name}"]')

    def cell(self, name: str) -> Locator:
        return self.page.locator(f'[data-cell="{name}"]')

    def number(self, name: str) -> float:
        return float(self.stat(name).inner_text())

    def cells(self) -> dict[str, int]:
        return {c: int(self.cell(c).inner_text()) for c in ("tn", "fp", "fn", "tp")}

    def painted(self, key: str) -> Any:
        """A value of the last painted frame (boundary, halfLine, model, steps)."""
        return self.page.evaluate(f"() => window.logitlabPerf.{key}")

    def to_pixel(self, x: float, y: float) -> dict[str, float]:
        """Where data point (x, y) is drawn, relative to the chart canvas (view [-5, 5]²)."""
        box = self.chart.bounding_box()
        assert box is not None
        left, right, top, bottom = 34.0, 8.0, 8.0, 24.0  # the chart's plot margins
        width = box["width"] - left - right
        height = box["height"] - top - bottom
        return {"x": left + (x + 5) / 10 * width, "y": top + (5 - y) / 10 * height}

    def ready(self) -> None:
        self.page.wait_for_function("() => window.logitlabPerf && window.logitlabPerf.paints > 0")

    def wait_hash(self, text: str) -> None:
        """Wait until the URL fragment (the lab's state) contains ``text``."""
        self.page.wait_for_function("t => decodeURIComponent(location.hash).includes(t)", arg=text)
