"""``logitlab fit DATA.csv --lab``: the wiring from the command line to a Lab with the data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from logitlab import cli
from logitlab.lab import csv_data, server
from logitlab.lab.csv_data import DataStore, prepare_lab
from logitlab.lab.session import LabSession

CSV = "length,width,kind,depth\n1.5,2,yes,1\n3,4.25,no,2\n5,6,yes,3\n-2,0.5,no,4\n"


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "shells.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def test_fit_lab_serves_the_data_at_its_hash(
    data_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(server, "serve", lambda **kw: calls.append(kw) or 0)
    argv = ["--port", "9123", "--no-browser", "fit", str(data_file), "--target", "kind"]
    status = cli.main([*argv, "--features", "width", "length", "--lab"])
    assert status == 0
    assert len(calls) == 1
    call = calls[0]
    assert (call["host"], call["port"], call["open_browser"]) == ("127.0.0.1", 9123, False)
    digest = call["path"].removeprefix("/#csv=")
    assert call["path"].startswith("/#csv=") and len(digest) == 32
    assert "4 points from shells.csv" in capsys.readouterr().out
    # The page's hello names only the hash; the session finds the points in the store.
    session = LabSession()
    frame = session.handle_json(
        '{"type":"hello","state":{"data":{"custom":{"hash":"' + digest + '"}}}}'
    )
    assert '"type":"frame"' in frame
    np.testing.assert_array_equal(session.X, [[2.0, 1.5], [4.25, 3.0], [6.0, 5.0], [0.5, -2.0]])
    np.testing.assert_array_equal(session.y, [1.0, 0.0, 1.0, 0.0])
    assert session.state.data.custom is not None
    assert session.state.data.custom.x_name == "width"


def test_fit_lab_says_what_the_lab_needs(
    data_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(server, "serve", lambda **kw: pytest.fail("must not serve"))
    argv = ["fit", str(data_file), "--target", "kind", "--lab"]
    assert cli.main(argv) == 1  # three other columns, no --features
    err = capsys.readouterr().err
    assert "the Lab shows two features" in err and "--features A B" in err
    assert (
        cli.main(
            ["fit", str(data_file), "--target", "depth", "--features", "length", "width", "--lab"]
        )
        == 1
    )
    assert "has 4 classes" in capsys.readouterr().err
    assert cli.main(["fit", str(data_file) + ".missing", "--target", "kind", "--lab"]) == 1
    assert "file not found" in capsys.readouterr().err


def test_prepare_lab_takes_the_two_other_columns_and_pins_the_data(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("a,b,t\n1,2,0\n3,4,1\n5,6,1\n", encoding="utf-8")
    store = DataStore(max_points=3)
    launch = prepare_lab(path, "t", None, store=store)
    assert (launch.data.x_name, launch.data.y_name) == ("a", "b")
    assert launch.state.data.custom == launch.data
    assert launch.path == f"/#csv={launch.data.hash}"
    store.put(
        csv_data.custom_from_labels(
            np.ones((3, 2)), [0, 1, 1], source="o", x_name="a", y_name="b", target_name="t"
        )
    )
    assert launch.data.hash in store  # pinned: not dropped for newer data
