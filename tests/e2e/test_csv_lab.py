"""Own data in the Lab: load a CSV through the page, choose columns, reload, export JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from lab_page import DESKTOP, PHONE, SCREENSHOTS, Lab
from playwright.sync_api import Browser, Page, expect

from logitlab.lab.csv_data import STORE, custom_from_labels

pytestmark = pytest.mark.e2e

N_ROWS = 150


def write_csv(folder: Path) -> tuple[Path, np.ndarray]:
    """Columns: id (text), length, width (numbers), kind ("large"/"small")."""
    rng = np.random.default_rng(5)
    X = rng.normal(loc=[40.0, 12.0], scale=[6.0, 2.0], size=(N_ROWS, 2)).round(2)
    kind = np.where(X[:, 0] + 3 * X[:, 1] > 76.0, "large", "small")
    lines = ["id,length,width,kind"]
    lines += [f"r{i},{a},{b},{k}" for i, ((a, b), k) in enumerate(zip(X, kind, strict=True))]
    path = folder / "shells.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, X


def open_dialog(page: Page, path: Path) -> None:
    page.locator("#csv-file").set_input_files(str(path))
    expect(page.get_by_role("dialog")).to_be_visible(timeout=30_000)  # pandas may load first


def choose(page: Page, x: str, y: str, target: str) -> None:
    page.get_by_label("x (horizontal axis)").select_option(x)
    page.get_by_label("y (vertical axis)").select_option(y)
    page.get_by_label("target (two classes)").select_option(target)


def test_load_csv_choose_columns_reload_and_export(lab: Lab, tmp_path: Path) -> None:
    page = lab.page
    path, X = write_csv(tmp_path)
    open_dialog(page, path)
    expect(page.locator("#csv-summary")).to_contain_text(f"{N_ROWS} rows, 4 columns (2 numeric)")
    choose(page, "length", "width", "kind")
    page.get_by_label("class 1 (orange) is").select_option("large")
    page.get_by_role("button", name="Load points").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(lab.stat("n-points")).to_have_text(str(N_ROWS))
    expect(lab.stat("preset")).to_have_text("shells")
    expect(page.locator("#csv-note")).to_contain_text("kind = 'large' is class 1")
    lab.wait_hash("csv=")
    view = page.evaluate("() => window.logitlabPerf.view")
    if view is not None:  # the view fits the data (lengths near 40, not [-5, 5])
        assert view["xmin"] < X[:, 0].min() and view["xmax"] > X[:, 0].max()

    # An edit on top, then a reload: the same points (and the edit) come back.
    lab.chart.click(position={"x": 200, "y": 200})
    expect(lab.stat("n-points")).to_have_text(str(N_ROWS + 1))
    lab.wait_hash("edits=a")
    page.wait_for_timeout(400)  # the URL writer's throttle (300 ms) before reloading
    page.reload()
    lab.ready()
    expect(lab.stat("n-points")).to_have_text(str(N_ROWS + 1))
    expect(lab.stat("preset")).to_have_text("shells (edited)")

    with page.expect_download() as info:
        page.get_by_role("button", name="Export JSON").click()
    state = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    custom = state["data"]["custom"]
    assert custom["n_points"] == N_ROWS
    np.testing.assert_array_equal(np.array(custom["x"]), X[:, 0])
    np.testing.assert_array_equal(np.array(custom["y"]), X[:, 1])
    large = (X[:, 0] + 3 * X[:, 1] > 76.0).astype(int)
    np.testing.assert_array_equal(np.array(custom["cls"]), large)
    assert custom["class_names"] == ["small", "large"]
    assert len(state["data"]["edits"]) == 1


def test_exported_json_restores_the_points_in_a_fresh_browser(
    lab: Lab, browser: Browser, tmp_path: Path
) -> None:
    page = lab.page
    path, _ = write_csv(tmp_path)
    open_dialog(page, path)
    choose(page, "length", "width", "kind")
    page.get_by_role("button", name="Load points").click()
    expect(lab.stat("n-points")).to_have_text(str(N_ROWS))
    with page.expect_download() as info:
        page.get_by_role("button", name="Export JSON").click()
    exported = tmp_path / "state.json"
    info.value.save_as(exported)

    context = browser.new_context(viewport=DESKTOP)  # empty storage: only the file has them
    try:
        fresh = context.new_page()
        fresh.goto(f"{lab.url}/")
        other = Lab(fresh, lab.url)
        other.ready()
        expect(other.stat("n-points")).to_have_text("120")
        fresh.locator("#import-json").set_input_files(str(exported))
        expect(other.stat("n-points")).to_have_text(str(N_ROWS))
        expect(other.stat("preset")).to_have_text("shells")
        other.wait_hash("csv=")
        fresh.wait_for_timeout(400)
        fresh.reload()  # now from this browser's storage
        other.ready()
        expect(other.stat("n-points")).to_have_text(str(N_ROWS))
        held = fresh.evaluate(
            "() => Object.keys(localStorage).filter((k) => k.startsWith('logitlab.csv.'))"
        )
        assert len(held) == 1
    finally:
        context.close()


def test_a_link_to_data_only_the_server_has_loads_them(lab: Lab, browser: Browser) -> None:
    """What ``logitlab fit --lab`` opens: ``/#csv=HASH`` of points put in the server's store."""
    if os.environ.get("LOGITLAB_E2E_URL"):
        pytest.skip("needs the in-process server's store")
    rng = np.random.default_rng(8)
    pts = rng.normal(size=(37, 2)) * 50.0
    data = custom_from_labels(
        pts, pts[:, 0] > 0, source="cli.csv", x_name="a", y_name="b", target_name="t"
    )
    stub = STORE.put(data, pin=True)
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(f"{lab.url}/#csv={stub.hash}")
        fresh = Lab(page, lab.url)
        fresh.ready()
        expect(fresh.stat("n-points")).to_have_text("37")
        expect(fresh.stat("preset")).to_have_text("cli")
    finally:
        context.close()


def test_full_browser_storage_is_said_and_the_export_still_holds_the_points(
    lab: Lab, tmp_path: Path
) -> None:
    page = lab.page
    page.evaluate(
        """() => {
          Storage.prototype.setItem = function () {
            throw new DOMException("quota", "QuotaExceededError");
          };
        }"""
    )
    path, X = write_csv(tmp_path)
    open_dialog(page, path)
    choose(page, "length", "width", "kind")
    page.get_by_role("button", name="Load points").click()
    expect(lab.stat("n-points")).to_have_text(str(N_ROWS))
    expect(page.locator("#csv-note")).to_contain_text("storage is full")
    expect(page.locator("#csv-note")).to_contain_text("use Export JSON to keep them")
    with page.expect_download() as info:
        page.get_by_role("button", name="Export JSON").click()
    state = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    np.testing.assert_array_equal(np.array(state["data"]["custom"]["x"]), X[:, 0])


def test_bad_choices_say_what_is_needed_and_keep_the_points(lab: Lab, tmp_path: Path) -> None:
    page = lab.page
    path, _ = write_csv(tmp_path)
    open_dialog(page, path)
    choose(page, "id", "width", "kind")
    page.get_by_role("button", name="Load points").click()
    expect(page.locator("#csv-error")).to_contain_text("non-numeric value 'r0'")
    expect(page.locator("#csv-error")).to_contain_text("features must be numbers")
    page.get_by_label("target (two classes)").select_option("width")
    expect(page.locator("#csv-error")).to_contain_text("the Lab needs exactly two")
    page.get_by_role("button", name="Cancel").click()
    expect(lab.stat("n-points")).to_have_text("120")
    expect(lab.stat("preset")).to_have_text("Blobs")


def test_screenshots_of_the_csv_dialog(lab: Lab, tmp_path: Path) -> None:
    page = lab.page
    path, _ = write_csv(tmp_path)
    SCREENSHOTS.mkdir(exist_ok=True)
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        open_dialog(page, path)
        choose(page, "length", "width", "kind")
        page.screenshot(path=str(SCREENSHOTS / f"lab-csv-dialog-{name}.png"))
        box = page.get_by_role("dialog").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
        page.get_by_role("button", name="Cancel").click()
        expect(page.get_by_role("dialog")).to_be_hidden()
