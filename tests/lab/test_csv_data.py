"""Own data in the Lab: CSV summary and reading, the store, sessions on custom data, routes."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pydantic
import pytest
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # starlette's TestClient warns about its httpx backend; nothing we can change here.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from logitlab.core.objective import Objective
from logitlab.lab import csv_data
from logitlab.lab.csv_data import (
    CsvError,
    DataStore,
    content_hash,
    custom_from_labels,
    data_view,
    read_custom_csv,
    summarize_csv,
)
from logitlab.lab.protocol import MAX_CSV_BYTES, CustomData, DataSpec, LabState
from logitlab.lab.server import create_app
from logitlab.lab.session import LabSession
from logitlab.tabular import DataError

CSV = "id,length,width,kind\na,1.5,2,yes\nb,3,4.25,no\nc,5,6,yes\nd,-2,0.5,no\n"
X = np.array([[1.5, 2.0], [3.0, 4.25], [5.0, 6.0], [-2.0, 0.5]])


def write(tmp_path: Path, text: str, name: str = "shells.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def full(n: int = 30, seed: int = 0) -> CustomData:
    rng = np.random.default_rng(seed)
    pts = rng.normal(loc=100.0, scale=20.0, size=(n, 2))
    labels = np.where(pts[:, 0] + rng.normal(scale=10.0, size=n) > 100.0, "b", "a")
    return custom_from_labels(pts, labels, source="f.csv", x_name="u", y_name="v", target_name="t")


# ----------------------------------------------------------------- summary and reading


def test_summary_names_numeric_columns_rows_and_values(tmp_path: Path) -> None:
    text = CSV + "e,,1,no\n"
    summary = summarize_csv(write(tmp_path, text), "shells.csv")
    assert summary.source == "shells.csv"
    assert summary.n_rows == 5
    cols = {c.name: c for c in summary.columns}
    assert [c.name for c in summary.columns] == ["id", "length", "width", "kind"]
    assert (cols["id"].numeric, cols["length"].numeric, cols["kind"].numeric) == (
        False,
        True,
        False,
    )
    assert cols["length"].n_missing == 1
    assert cols["kind"].values == ["no", "yes"]
    assert cols["kind"].n_distinct == 2


@pytest.mark.parametrize(
    ("text", "needle"),
    [("", "is empty"), ("a,b,c\n", "no data rows"), ('a,b\n1,"2\n', "cannot read")],
)
def test_summary_refuses_unreadable_files(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(CsvError, match=needle):
        summarize_csv(write(tmp_path, text), "up.csv")


def test_read_maps_text_classes_sorted_or_as_asked(tmp_path: Path) -> None:
    path = write(tmp_path, CSV)
    data = read_custom_csv(path, x="length", y="width", target="kind")
    assert data.class_names == ["no", "yes"]
    assert data.cls == [1, 0, 1, 0]
    np.testing.assert_array_equal(np.column_stack([data.x or [], data.y or []]), X)
    assert (data.source, data.x_name, data.y_name, data.target_name) == (
        "shells.csv",
        "length",
        "width",
        "kind",
    )
    swapped = read_custom_csv(path, x="length", y="width", target="kind", positive="no")
    assert swapped.class_names == ["yes", "no"]
    assert swapped.cls == [0, 1, 0, 1]
    assert swapped.hash != data.hash
    with pytest.raises(CsvError, match="class 1 must be one of the target's values 'no' or 'yes'"):
        read_custom_csv(path, x="length", y="width", target="kind", positive="maybe")


def test_read_reports_what_the_lab_needs(tmp_path: Path) -> None:
    path = write(tmp_path, CSV)
    with pytest.raises(DataError, match=r"non-numeric value 'a' in feature column 'id'.*row 1"):
        read_custom_csv(path, x="id", y="width", target="kind")
    with pytest.raises(CsvError, match=r"has 4 classes .* exactly two values"):
        read_custom_csv(path, x="length", y="width", target="id")
    missing = write(tmp_path, CSV + "e,,1,no\n", name="gaps.csv")
    with pytest.raises(DataError, match=r"missing values in 1 row \(data row 5"):
        read_custom_csv(missing, x="length", y="width", target="kind", source="gaps.csv")
    with pytest.raises(DataError, match="unknown column 'depth'; available columns"):
        read_custom_csv(path, x="depth", y="width", target="kind")


def test_too_many_points_or_too_large_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    labels = np.array([0, 1, 0, 1])
    kw = {"source": "s.csv", "x_name": "a", "y_name": "b", "target_name": "t"}
    monkeypatch.setattr(csv_data, "MAX_POINTS", 3)
    with pytest.raises(CsvError, match=r"s\.csv has 4 rows; the Lab holds at most 3 points"):
        custom_from_labels(X, labels, **kw)
    monkeypatch.undo()
    with pytest.raises(CsvError, match="feature column 'b' holds values up to 3e\\+07"):
        custom_from_labels(X * [1.0, 5e6], labels, **kw)


def test_numeric_labels_keep_their_order() -> None:
    data = custom_from_labels(
        X, np.array([2, 10, 2, 10]), source="s", x_name="a", y_name="b", target_name="t"
    )
    assert data.class_names == ["2", "10"]  # by value, not as text
    assert data.cls == [0, 1, 0, 1]


# ----------------------------------------------------------------- hash, store, view


def test_content_hash_changes_with_any_point_label_or_name() -> None:
    cls = np.array([1.0, 0.0, 1.0, 0.0])
    names = ("s", "a", "b", "t", "no", "yes")
    base = content_hash(X, cls, names)
    assert base == content_hash(X.copy(), cls.copy(), list(names))
    moved = X.copy()
    moved[2, 1] = np.nextafter(moved[2, 1], 10.0)
    assert content_hash(moved, cls, names) != base
    assert content_hash(X, cls[::-1].copy(), names) != base
    assert content_hash(X, cls, (*names[:5], "YES")) != base
    assert len(base) == 32 and int(base, 16) >= 0


def test_store_round_trips_points_exactly_and_drops_least_recent() -> None:
    store = DataStore(max_points=70)
    a, b, c = full(30, 1), full(30, 2), full(30, 3)
    stub_a = store.put(a, pin=True)
    stub_b = store.put(b)
    assert stub_a.x is None and stub_a.hash == a.hash
    again = store.full(stub_b.hash)
    assert again == b
    store.put(c)  # 90 points > 70: b (least recent, not pinned) goes, a stays pinned
    assert stub_b.hash not in store and a.hash in store and c.hash in store
    with pytest.raises(ValueError, match="needs the points"):
        store.put(stub_a)


def test_data_view_frames_the_points_and_only_widens() -> None:
    view = data_view(X)
    assert view.xmin < -2.0 < 5.0 < view.xmax and view.ymin < 0.5 < 6.0 < view.ymax
    assert view.xmax - 5.0 == pytest.approx(0.08 * 7.0)
    assert data_view(X[:2] * 0.5, view) == view
    wider = data_view(np.vstack([X, [[20.0, 1.0]]]), view)
    assert wider.xmax > 20.0 and wider.ymin == view.ymin


def test_custom_data_validation_says_what_is_allowed() -> None:
    with pytest.raises(pydantic.ValidationError, match="need either the points"):
        CustomData()
    with pytest.raises(pydantic.ValidationError, match="all three lists"):
        CustomData(x=[1.0], y=[2.0])
    with pytest.raises(pydantic.ValidationError, match="same length"):
        CustomData(x=[1.0, 2.0], y=[2.0], cls=[0, 1])
    with pytest.raises(pydantic.ValidationError, match="class_names"):
        CustomData(hash="a" * 32, class_names=["only"])
    assert CustomData(x=[1.0, 2.0], y=[3.0, 4.0], cls=[0, 1]).n_points == 2


# ----------------------------------------------------------------- sessions


def test_session_on_custom_data_edits_undo_and_rebuilds_from_the_stub() -> None:
    data = full(40)
    session = LabSession(LabState(data=DataSpec(custom=data)))
    stub = session.state.data.custom
    assert stub is not None and stub.x is None and stub.hash == data.hash
    expected = np.column_stack([data.x or [], data.y or []])
    np.testing.assert_array_equal(session.X, expected)
    np.testing.assert_array_equal(session.y, np.asarray(data.cls, dtype=float))
    view = session.frame().view
    assert view.xmin < expected[:, 0].min() and view.xmax > expected[:, 0].max()

    reply = json.loads(session.handle_json('{"type":"edit","edit":{"op":"delete","index":3}}'))
    assert reply["type"] == "frame" and reply["metrics"]["n_points"] == 39
    assert reply["state"]["data"]["custom"]["hash"] == data.hash
    assert reply["state"]["data"]["edits"] == [{"op": "delete", "index": 3}]
    rebuilt = LabSession(session.state)  # the stub: points come from the store
    np.testing.assert_array_equal(rebuilt.X, np.delete(expected, 3, axis=0))
    session.handle_json('{"type":"undo"}')
    np.testing.assert_array_equal(session.X, expected)


def test_training_on_custom_data_lowers_the_same_objective() -> None:
    data = full(60)
    session = LabSession(LabState(data=DataSpec(custom=data)))
    session.handle_json('{"type":"set_training","optimizer":"newton"}')
    session.train(5)
    X_, y_ = session.X, session.y
    objective = Objective(X_, y_)
    reported = session.frame().metrics.objective
    assert reported == pytest.approx(objective.value(session.coef), rel=1e-12)
    assert reported is not None and reported < objective.value(np.array([1.0, -1.0, 0.0]))


def test_load_csv_command_new_sample_and_presets() -> None:
    stub = csv_data.STORE.put(full(25, 7))
    session = LabSession()
    reply = json.loads(
        session.handle_json(json.dumps({"type": "load_csv", "data": stub.model_dump(), "seq": 4}))
    )
    assert reply["type"] == "frame" and reply["metrics"]["n_points"] == 25
    np.testing.assert_array_equal(session.coef, [0.0, 0.0, 0.0])  # p̂ = 0.5 to start
    assert reply["metrics"]["log_loss"] == pytest.approx(np.log(2.0), rel=1e-12)
    error = json.loads(session.handle_json('{"type":"new_sample","seq":5}'))
    assert error["type"] == "error" and "load a preset first" in error["message"]
    assert session.state.data.custom is not None
    session.handle_json('{"type":"load_preset","preset":"moons"}')
    assert session.state.data.custom is None and session.X.shape[0] == 120
    unknown = stub.model_copy(update={"hash": "0" * 32})
    error = json.loads(
        session.handle_json(json.dumps({"type": "load_csv", "data": unknown.model_dump()}))
    )
    assert error["type"] == "error" and "does not have the CSV data" in error["message"]
    assert session.X.shape[0] == 120  # unchanged


# ----------------------------------------------------------------- HTTP routes


@pytest.fixture
def client() -> TestClient:
    return TestClient(create_app())


def test_upload_summary_then_points(client: TestClient) -> None:
    body = CSV.encode()
    summary = client.post("/api/csv?name=dir/shells.csv", content=body).json()["summary"]
    assert summary["n_rows"] == 4 and summary["source"] == "shells.csv"
    reply = client.post(
        "/api/csv?name=shells.csv&x=length&y=width&target=kind&positive=yes", content=body
    )
    assert reply.status_code == 200
    data = reply.json()["data"]
    assert data["cls"] == [1, 0, 1, 0] and data["x"] == [1.5, 3.0, 5.0, -2.0]
    assert "kind = 'yes' is class 1" in reply.json()["message"]
    assert "learning rate" not in reply.json()["message"]
    far = CSV.replace("1.5,2,", "150,2,").encode()
    message = client.post("/api/csv?x=length&y=width&target=kind", content=far).json()["message"]
    assert "Values reach 150: plain gradient descent needs a small learning rate" in message
    assert client.get(f"/api/data/{data['hash']}").json() == data
    with client.websocket_connect("/ws") as ws:
        ws.send_text(
            json.dumps({"type": "hello", "state": {"data": {"custom": {"hash": data["hash"]}}}})
        )
        frame = ws.receive_json()
    assert frame["type"] == "frame" and frame["metrics"]["n_points"] == 4


@pytest.mark.parametrize(
    ("query", "needle"),
    [
        ("x=id&y=width&target=kind", "non-numeric value 'a' in feature column 'id'"),
        ("x=length&y=width&target=id", "has 4 classes"),
        ("x=length&y=length&target=kind", "choose two different feature columns"),
        ("x=length&target=kind", "missing: y"),
        ("x=length&y=depth&target=kind", "unknown column 'depth'"),
    ],
)
def test_upload_errors_say_what_is_needed(client: TestClient, query: str, needle: str) -> None:
    reply = client.post(f"/api/csv?name=up.csv&{query}", content=CSV.encode())
    assert reply.status_code == 200
    assert needle in reply.json()["error"]
    assert "/tmp" not in reply.json()["error"]


def test_upload_size_limit_and_empty_body(client: TestClient) -> None:
    big = b"a,b,c\n" + b"1,2,0\n" * (MAX_CSV_BYTES // 6 + 1)
    reply = client.post("/api/csv?name=big.csv", content=big)
    assert reply.status_code == 413
    assert f"at most {MAX_CSV_BYTES:,} bytes" in reply.json()["detail"]
    assert "is empty" in client.post("/api/csv?name=e.csv", content=b"").json()["error"]


def test_register_data_answers_the_stub_and_refuses_bad_data(client: TestClient) -> None:
    data = full(12, 9)
    payload = data.model_dump() | {"hash": ""}
    stub = client.post("/api/data", content=json.dumps(payload)).json()
    assert stub["hash"] == data.hash and stub["x"] is None
    assert client.get(f"/api/data/{data.hash}").json() == data.model_dump()
    bad = client.post("/api/data", content=json.dumps(payload | {"cls": [0, 2] * 6}))
    assert bad.status_code == 400 and "cls" in bad.json()["detail"]
    missing = client.get("/api/data/" + "f" * 32)
    assert missing.status_code == 404 and "load the CSV file" in missing.json()["detail"]


def test_frames_stay_valid_json_whatever_the_names_hold() -> None:
    tricky = '}"data":{"x":]'
    data = custom_from_labels(
        X,
        np.array([0.0, 1.0, 1.0, 0.0]),
        source=tricky,
        x_name="{",
        y_name='"}',
        target_name=tricky,
    )
    assert data.class_names == ["0", "1"]  # integer-valued floats read as integers
    session = LabSession(LabState(data=DataSpec(custom=data)))
    session.handle_json('{"type":"edit","edit":{"op":"add","x":1,"y":2,"cls":1}}')
    reply = json.loads(session.handle_json('{"type":"set_view","tau":0.4}'))
    assert reply["state"] == session.state.model_dump(mode="json")
    assert reply["state"]["data"]["custom"]["source"] == tricky
    assert len(reply["state"]["data"]["edits"]) == 1
