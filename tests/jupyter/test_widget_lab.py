"""The Lab widget's Python side with a fake comm: commands → frames, traits both ways,
points, model, from_frame and the errors (issue 17)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import comm
import numpy as np
import pandas as pd
import pytest
import traitlets
from comm.base_comm import BaseComm

from logitlab import LogisticRegression
from logitlab.widget import Lab


class FakeComm(BaseComm):
    """Keeps what the kernel would send to the front end."""

    def __init__(self, **kwargs: Any) -> None:
        self.sent: list[tuple[dict[str, Any], list[bytes]]] = []
        super().__init__(**kwargs)

    def publish_msg(
        self, msg_type: str, data: Any = None, metadata: Any = None, buffers: Any = None, **kw: Any
    ) -> None:
        if msg_type == "comm_msg":
            self.sent.append((data, [bytes(b) for b in buffers or []]))


@pytest.fixture(autouse=True)
def fake_comm(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(comm, "create_comm", lambda **kwargs: FakeComm(**kwargs))
    yield


class Page:
    """The front end as the kernel sees it: custom messages in, frames out."""

    def __init__(self, lab: Lab) -> None:
        self.lab = lab
        self.seq = 0

    @property
    def comm(self) -> FakeComm:
        assert isinstance(self.lab.comm, FakeComm)
        return self.lab.comm

    def replies(self) -> list[dict[str, Any]]:
        return [
            json.loads(buffers[0])  # the frame's JSON, as one binary buffer
            for m, buffers in self.comm.sent
            if m.get("method") == "custom" and m["content"].get("kind") == "logitlab"
        ]

    def last(self) -> dict[str, Any]:
        return self.replies()[-1]

    def send(self, command: dict[str, Any]) -> dict[str, Any]:
        self.seq += 1
        text = json.dumps({**command, "seq": self.seq})
        content = {"kind": "logitlab", "text": text, "view": "view-1"}
        self.lab._handle_msg(
            {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
        )
        return self.last()


def attach(lab: Lab) -> Page:
    page = Page(lab)
    frame = page.send({"type": "hello", "state": None, "curve_width": 300, "repair": True})
    assert frame["type"] == "frame" and frame["seq"] == 1
    return page


def test_commands_go_to_the_kernels_session_and_frames_come_back() -> None:
    lab = Lab()
    page = attach(lab)
    frame = page.send({"type": "train", "steps": 100})
    assert frame["type"] == "frame" and frame["seq"] == 2 and frame["steps"] == 100
    assert lab.session.steps == 100
    assert lab.weights == pytest.approx(lab.session.coef.tolist())
    assert lab.weights != [1.0, -1.0, 0.0]
    probe = page.send({"type": "probe", "x": 0.0, "y": 0.0})
    assert probe["type"] == "probe"
    bad = page.send({"type": "train", "steps": 0})
    assert bad["type"] == "error" and "steps" in bad["message"]


def test_answers_name_the_view_that_asked_and_pushes_none() -> None:
    lab = Lab()
    page = attach(lab)
    page.send({"type": "train", "steps": 1})
    assert page.comm.sent[-1][0]["content"] == {"kind": "logitlab", "view": "view-1"}
    lab.tau = 0.4
    assert page.comm.sent[-1][0]["content"] == {"kind": "logitlab"}
    # Another view's frame becomes a push there: its "type" and "seq" lead the JSON.
    assert page.comm.sent[-2][1][0].startswith(b'{"type":"frame","seq":2,')


def test_hello_attaches_to_the_session_as_it_is() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 2.0]])
    lab = Lab(X, [0, 1, 0, 1])
    lab.session.train(5)
    page = attach(lab)
    frame = page.last()
    assert frame["steps"] == 5  # not a new session: the kernel's points and steps stay
    assert frame["points"]["n"] == 4
    assert frame["state"]["data"]["custom"]["source"] == "Python"


def test_the_page_moves_the_traits() -> None:
    lab = Lab()
    page = attach(lab)
    seen: list[float] = []
    lab.observe(lambda change: seen.append(change["new"]), names="tau")
    page.send({"type": "set_view", "tau": 0.7})
    assert lab.tau == 0.7 and seen == [0.7]
    page.send({"type": "set_model", "w0": 0.5})
    assert lab.weights[0] == 0.5
    page.send({"type": "load_preset", "preset": "moons"})
    assert lab.preset == "moons"


def test_python_moves_the_page() -> None:
    lab = Lab()
    page = attach(lab)
    lab.tau = 0.25
    assert page.last()["seq"] == 0 and page.last()["state"]["view"]["tau"] == 0.25
    lab.weights = [2.0, -0.5, 1.0]
    assert page.last()["true_weights"]["w0"] == 2.0
    assert lab.session.coef.tolist() == [2.0, -0.5, 1.0]
    lab.preset = "xor"
    frame = page.last()
    assert frame["state"]["data"]["preset"] == "xor" and frame["points"] is not None
    assert lab.points.shape == (120, 3)


def test_traits_refuse_what_the_lab_cannot_show() -> None:
    lab = Lab()
    with pytest.raises(traitlets.TraitError, match=r"tau is a probability threshold in \[0, 1\]"):
        lab.tau = 1.5
    with pytest.raises(traitlets.TraitError, match="weights has 3 entries here"):
        lab.weights = [1.0, 2.0]
    with pytest.raises(traitlets.TraitError, match="preset must be one of blobs, balanced"):
        lab.preset = "spirals"
    with pytest.raises(traitlets.TraitError, match="your own points come from Lab"):
        lab.preset = "custom"
    assert lab.tau == 0.5 and lab.preset == "blobs"


def test_points_are_the_edited_points_with_the_users_labels() -> None:
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [3.0, 2.0]])
    lab = Lab(X, np.array(["no", "yes", "no", "yes"]))
    page = attach(lab)
    page.send({"type": "edit", "edit": {"op": "add", "x": 5.0, "y": -1.0, "cls": 1}})
    page.send({"type": "edit", "edit": {"op": "delete", "index": 0}})
    points = lab.points
    assert list(points.columns) == ["x", "y", "class"]
    assert points.shape == (4, 3)
    assert points.iloc[-1].tolist() == [5.0, -1.0, "yes"]
    assert points["class"].tolist() == ["yes", "no", "yes", "yes"]
    assert lab.preset == "custom"


def test_a_preset_has_integer_labels() -> None:
    points = Lab().points
    assert points["class"].dtype == np.int64 and set(points["class"]) == {0, 1}


def test_model_is_a_fitted_estimator_at_the_labs_weights() -> None:
    lab = Lab()
    lab.preset = "overlap"  # not separable: the unpenalized optimum exists
    lab.weights = [1.5, -2.0, 0.25]
    model = lab.model
    assert isinstance(model, LogisticRegression)
    assert model.coef_.tolist() == [[1.5, -2.0]] and model.intercept_.tolist() == [0.25]
    X = lab.points[["x", "y"]].to_numpy()
    z = X @ np.array([1.5, -2.0]) + 0.25
    assert model.decision_function(X) == pytest.approx(z)
    assert model.predict(X).tolist() == (z > 0).astype(int).tolist()
    assert np.isinf(model.C)  # the Lab's default: no penalty
    # Refitting it minimizes the Lab's objective: training to convergence gets there too.
    refit = LogisticRegression(C=model.C).fit(X, lab.points["class"])
    lab.session.handle_json('{"type": "set_training", "optimizer": "newton", "seq": 1}')
    lab.session.train(50)
    assert lab.session.coef == pytest.approx(
        [*refit.coef_[0], refit.intercept_[0]], rel=1e-4, abs=1e-4
    )


def test_model_refuses_a_feature_map() -> None:
    lab = Lab()
    page = attach(lab)
    page.send({"type": "set_features", "degree": 2})
    with pytest.raises(ValueError, match=r"the Lab now fits degree 2\. Set the degree to 1"):
        _ = lab.model
    assert len(lab.weights) == 6
    lab.weights = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    assert lab.session.coef.tolist() == [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def test_from_frame_shows_two_columns_and_names_them() -> None:
    df = pd.DataFrame(
        {"age": [20.0, 30, 40, 50], "income": [1.0, 3, 2, 4], "bought": [False, True, False, True]}
    )
    lab = Lab.from_frame(df, target="bought")  # two columns besides the target: no choice
    assert list(lab.points.columns) == ["age", "income", "bought"]
    assert lab.points["bought"].tolist() == [False, True, False, True]
    model = lab.model
    assert model.feature_names_in_.tolist() == ["age", "income"]
    assert model.classes_.tolist() == [False, True]


def test_from_frame_asks_which_two_columns_of_wider_data() -> None:
    df = pd.DataFrame({"a": [0.0, 1], "b": [1.0, 0], "c": [2.0, 3], "label": [0, 1]})
    with pytest.raises(ValueError, match=r"4 columns \('a', 'b', 'c', 'label'\): say which two"):
        Lab.from_frame(df, target="label")
    with pytest.raises(ValueError, match=r"needs target=: the label column, one of 'a', 'b'"):
        Lab.from_frame(df, x="a", y="b")
    with pytest.raises(ValueError, match=r"y='zz' is not a column of the frame; it has 'a'"):
        Lab.from_frame(df, x="a", y="zz", target="label")
    lab = Lab.from_frame(df, x="c", y="a", target="label")
    assert lab.points["c"].tolist() == [2.0, 3.0]


def test_wrong_data_gets_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"X has 3 columns .*features=\(i, j\)"):
        Lab(np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="has 3 classes"):
        Lab(np.zeros((3, 2)), [0, 1, 2])
    with pytest.raises(ValueError, match=r"one label per row of X \(3\)"):
        Lab(np.zeros((3, 2)), [0, 1])
    with pytest.raises(ValueError, match="'y' is not a finite number at row 1"):
        Lab(np.array([[0.0, 0.0], [1.0, np.nan]]), [0, 1])
    with pytest.raises(ValueError, match="needs both X and y"):
        Lab(np.zeros((3, 2)))
    lab = Lab(np.arange(12.0).reshape(4, 3), [0, 1, 0, 1], features=(2, 0))
    assert lab.points["x"].tolist() == [2.0, 5.0, 8.0, 11.0]


def test_explore_opens_the_lab_at_a_fitted_models_weights() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3))
    y = (X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=80) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    lab = model.explore(X, y)
    assert isinstance(lab, Lab)
    assert lab.weights == pytest.approx([*model.coef_[0, :2], model.intercept_[0]])
    assert lab.points.shape == (80, 3)


def test_explore_needs_a_fitted_binary_model() -> None:
    X = np.random.default_rng(1).normal(size=(30, 2))
    y = np.arange(30) % 3
    with pytest.raises(ValueError, match="has 3 classes"):
        LogisticRegression().fit(X, y).explore(X, y)
    with pytest.raises(Exception, match="not fitted"):
        LogisticRegression().explore(X, y % 2)


def test_without_anywidget_the_widget_says_how_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import logitlab.widget

    monkeypatch.setitem(sys.modules, "anywidget", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r"pip install 'logitlab\[jupyter\]'"):
        _ = logitlab.widget.Lab
    X = np.random.default_rng(2).normal(size=(20, 2))
    y = (X[:, 0] > 0).astype(int)
    with pytest.raises(ImportError, match=r"explore opens the Lab .* 'logitlab\[jupyter\]'"):
        LogisticRegression().fit(X, y).explore(X, y)


def test_the_base_package_never_imports_anywidget() -> None:
    code = (
        "import sys, logitlab, logitlab.estimator, logitlab.lab.server, logitlab.widget.bundle\n"
        "from logitlab.widget import bundle\n"
        "bundle.widget_esm()\n"
        "print('anywidget' in sys.modules, 'ipywidgets' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["False", "False"], out.stderr


def test_auto_train_batches_are_paced_in_the_kernel_and_answered_in_order() -> None:
    """In a kernel (a running event loop) Auto-train batches are queued and trained a tick at
    a time: each tick pushes a paced frame, a batch is answered by the tick that finishes it,
    and another command first trains what is queued, so the answers keep their order."""
    import asyncio

    lab = Lab()
    page = attach(lab)

    def send_raw(command: dict[str, Any]) -> None:
        page.seq += 1
        text = json.dumps({**command, "seq": page.seq}, separators=(",", ":"))  # as the page
        content = {"kind": "logitlab", "text": text, "view": "view-1"}
        lab._handle_msg(
            {"content": {"data": {"method": "custom", "content": content}}, "buffers": []}
        )

    def paced() -> list[dict[str, Any]]:
        return [
            json.loads(b[0])
            for m, b in page.comm.sent
            if m.get("method") == "custom" and m["content"].get("paced")
        ]

    async def run() -> None:
        send_raw({"type": "train", "steps": 5, "auto": True})  # seq 2
        send_raw({"type": "train", "steps": 5, "auto": True})  # seq 3
        assert lab.session.steps == 0  # queued, not trained at once
        while lab.session.steps < 10:  # the kernel's loop trains them, tick by tick
            await asyncio.sleep(0)
        ticks = paced()
        assert len(ticks) >= 2 and all(f["type"] == "frame" for f in ticks)
        assert ticks[-1]["steps"] == 10 and ticks[-1]["seq"] == 3
        assert [f["steps"] for f in ticks] == sorted(f["steps"] for f in ticks)
        # A queued batch, then a probe: the batch is trained (and answered) before the probe.
        send_raw({"type": "train", "steps": 400, "auto": True})  # seq 4
        send_raw({"type": "probe", "x": 0.0, "y": 0.0})  # seq 5
        assert lab.session.steps == 410
        replies = page.replies()
        assert replies[-2]["seq"] == 4 and replies[-2]["steps"] == 410
        assert replies[-1]["type"] == "probe"

    # A loop of its own in another thread: the suite's browser tests may leave one running here.
    failures: list[BaseException] = []

    def in_thread() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # re-raised below, in the test's thread
            failures.append(exc)

    worker = threading.Thread(target=in_thread)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the paced batches were never trained"
    if failures:
        raise failures[0]
    assert lab.weights == pytest.approx(lab.session.coef.tolist())
