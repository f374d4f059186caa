"""Property-based fuzzing of the Lab protocol and of LabSession (hypothesis).

Random messages — valid commands, valid commands with one part broken, and arbitrary
JSON or text — go through ``LabSession.handle_json`` as the server passes them. For
every message, whatever it is:

- the session answers with one JSON reply (frame, probe or error) and never raises;
- an error leaves the session exactly as it was (state, steps, weights);
- a frame's confusion counts sum to N, the number of points the session holds;
- every number in a reply is finite (never NaN or ±inf), and a missing objective on
  non-empty data comes with the divergence state set;
- at the end, a session rebuilt from the state (what ``hello`` carries after a
  reconnect) has the very same points and weights.

Sessions have 2 to 5 classes (issue 14, part 3): states and presets draw K classes,
added points and the active class take any class 0-4 (one the session lacks is refused).

Sizes are kept small (N ≤ 150, ≤ 40 steps per command) so the run stays short.
"""

from __future__ import annotations

import json
import math
from typing import Any, get_args

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logitlab.lab import protocol
from logitlab.lab.limits import peek_command
from logitlab.lab.session import LabSession

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PRESETS = list(get_args(protocol.PresetName))
PENALTIES = list(get_args(protocol.PenaltyName))
OPTIMIZERS = list(get_args(protocol.OptimizerName))
SCENARIOS = list(get_args(protocol.ScenarioName))

# ----------------------------------------------------------------- strategies

WEIRD_NUMBERS = st.sampled_from(
    [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e-320, 2**63, -(2**63), 2**53 + 1, -1, 0]
)
NUMBERS = st.one_of(
    st.integers(-(10**20), 10**20), st.floats(allow_nan=True, allow_infinity=True), WEIRD_NUMBERS
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | NUMBERS | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
coord = st.floats(-8.0, 8.0, allow_nan=False)
weight = st.one_of(st.floats(-30.0, 30.0, allow_nan=False), st.sampled_from([1e5, -1e6, 0.0]))


def _some(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A dict with any subset of ``fields``."""
    return st.fixed_dictionaries({}, optional=fields)


def _edits(n_classes: int) -> st.SearchStrategy[dict[str, Any]]:
    """One point edit; added points take any of the ``n_classes`` classes (issue 14, part 3)."""
    return st.one_of(
        st.fixed_dictionaries(
            {"op": st.just("add"), "x": coord, "y": coord, "cls": st.integers(0, n_classes - 1)}
        ),
        st.fixed_dictionaries(
            {"op": st.just("move"), "index": st.integers(0, 160), "x": coord, "y": coord}
        ),
        st.fixed_dictionaries({"op": st.just("delete"), "index": st.integers(0, 160)}),
        st.just({"op": "clear"}),
    )


EDITS = _edits(2)
EDITS_ANY_CLASS = _edits(protocol.MAX_CLASSES)
"""Edits of the ``edit`` command: a class the session does not have is refused by it."""

TRAINING = _some(
    learning_rate=st.floats(1e-4, 10.0),
    penalty=st.sampled_from(PENALTIES),
    lam=st.floats(0.0, 10.0),
    l1_ratio=st.floats(0.0, 1.0),
    optimizer=st.sampled_from(OPTIMIZERS),
    batch_size=st.integers(1, 64),
    speed=st.floats(1.0, 2000.0),
)
VIEW = _some(
    tau=st.floats(0.0, 1.0),
    active_class=st.sampled_from([0, 1]),
    show_field=st.booleans(),
    log_loss_axis=st.booleans(),
)
MULTICLASS_DATA = st.integers(2, protocol.MAX_CLASSES).flatmap(  # issue 14, part 3
    lambda k: _some(
        seed=st.integers(0, 2**32 - 1),
        n_points=st.integers(10, 150),
        noise=st.floats(0.0, 5.0),
        edits=st.lists(_edits(k), max_size=6),
    ).flatmap(
        lambda d: st.sampled_from(protocol.MULTICLASS_PRESETS).map(
            lambda preset: {**d, "preset": preset, "n_classes": k}
        )
    )
)
STATES = _some(
    data=st.one_of(
        _some(
            preset=st.sampled_from(PRESETS),
            seed=st.integers(0, 2**32 - 1),
            n_points=st.integers(10, 150),
            noise=st.floats(0.0, 5.0),
            edits=st.lists(EDITS, max_size=6),
        ),
        MULTICLASS_DATA,
    ),
    model=_some(w0=weight, w1=weight, b=weight),
    training=TRAINING,
    view=VIEW,
)


def _command(kind: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just(kind), **fields})


def _optional(kind: str, **fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"type": st.just(kind)}, optional=fields)


VALID_COMMANDS = st.one_of(
    _optional("hello", state=st.none() | STATES, curve_width=st.integers(16, 800)),
    _command("import_state", state=STATES),
    _optional(
        "load_preset",
        n_points=st.integers(10, 150),
        noise=st.floats(0.0, 5.0),
        seed=st.integers(0, 2**32 - 1),
    ).map(lambda c: {**c, "preset": "moons"}),
    _command("load_preset", preset=st.sampled_from(PRESETS), n_points=st.integers(10, 150)),
    _command(  # more than two classes (issue 14, part 3)
        "load_preset",
        preset=st.sampled_from(["blobs", "overlap", "spiral"]),
        n_points=st.integers(10, 150),
        n_classes=st.integers(2, 5),
    ),
    _optional("set_features", degree=st.integers(1, 4), standardize=st.booleans()),
    _command("new_sample"),
    _command("edit", edit=EDITS_ANY_CLASS),
    _command("undo"),
    _optional("set_model", w0=weight, w1=weight, b=weight),
    TRAINING.map(lambda fields: {"type": "set_training", **fields}),
    VIEW.map(lambda fields: {"type": "set_view", **fields}),
    _command("set_view", active_class=st.integers(0, protocol.MAX_CLASSES - 1)),
    _optional("train", auto=st.booleans()).flatmap(
        lambda c: st.integers(1, 40).map(lambda n: {**c, "steps": n})
    ),
    _command("reset_weights"),
    _command("probe", x=coord, y=coord),
    _command("scenario", name=st.sampled_from(SCENARIOS)),
)


@st.composite
def broken(draw: st.DrawFn, command: dict[str, Any]) -> dict[str, Any] | list[Any] | Any:
    """``command`` with one thing wrong: a field dropped, replaced, added, or the type changed."""
    how = draw(st.sampled_from(["drop", "replace", "add", "type", "whole"]))
    out = dict(command)
    keys = [k for k in out if k != "type"]
    if how == "drop" and keys:
        del out[draw(st.sampled_from(keys))]
    elif how == "replace" and keys:
        out[draw(st.sampled_from(keys))] = draw(JSON_VALUES)
    elif how == "add":
        out[draw(st.text(min_size=1, max_size=8))] = draw(JSON_VALUES)
    elif how == "type":
        out["type"] = draw(st.one_of(st.text(max_size=8), JSON_VALUES))
    else:
        return draw(JSON_VALUES)
    return out


@st.composite
def messages(draw: st.DrawFn) -> str | bytes:
    """One message as the server would receive it."""
    kind = draw(st.sampled_from(["valid"] * 6 + ["broken"] * 3 + ["text"]))
    if kind == "text":
        return draw(st.one_of(st.text(max_size=40), st.binary(max_size=40)))
    command = draw(VALID_COMMANDS)
    payload = command if kind == "valid" else draw(broken(command))
    if isinstance(payload, dict) and draw(st.booleans()):
        ok_seq = st.integers(0, 1000)
        payload["seq"] = draw(st.one_of(ok_seq, ok_seq, ok_seq, NUMBERS))
    return json.dumps(payload, allow_nan=True)


# ----------------------------------------------------------------- invariants


def _reject_constant(name: str) -> float:
    raise AssertionError(f"a reply carries {name}")


def _snapshot(session: LabSession) -> tuple[str, int, list[float]]:
    return session.state.model_dump_json(), session.steps, session.coef.tolist()


def _numbers(value: Any) -> list[float]:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return []
    if isinstance(value, int | float):
        return [float(value)]
    if isinstance(value, list):
        return [x for item in value for x in _numbers(item)]
    if isinstance(value, dict):
        return [x for item in value.values() for x in _numbers(item)]
    return []


def check_reply(session: LabSession, before: tuple[str, int, list[float]], text: str) -> str:
    """Check one reply against the invariants; returns its type."""
    reply = json.loads(text, parse_constant=_reject_constant)
    assert isinstance(reply, dict) and reply["type"] in ("frame", "probe", "error"), reply
    assert all(math.isfinite(x) for x in _numbers(reply)), "a reply carries a huge number"
    if reply["type"] == "error":
        assert isinstance(reply["message"], str) and len(reply["message"]) > 10
        assert _snapshot(session) == before, "an error changed the session"
        return "error"
    if reply["type"] == "probe":
        assert 0.0 <= reply["p"] <= 1.0
        assert _snapshot(session)[:2] == before[:2]
        return "probe"
    n = session.X.shape[0]
    metrics = reply["metrics"]
    assert metrics["n_points"] == n == session.y.shape[0]
    # With a split the matrix counts the training or the test points (issue 14).
    n_test = metrics["n_test"]
    shown = n_test if reply["state"]["view"]["confusion_of"] == "test" and n_test else n - n_test
    if reply["n_classes"] > 2:  # the K x K matrix (issue 14, part 3)
        assert sum(map(sum, reply["multiclass"]["matrix"])) == shown
    else:
        assert sum(metrics["confusion"].values()) == shown
    assert reply["steps"] == session.steps >= 0
    weights = reply["true_weights"]
    coef = session.coef.tolist()  # every coefficient, b last (issue 14)
    assert [weights["w0"], weights["w1"], weights["b"]] == [coef[0], coef[1], coef[-1]]
    assert weights["coef"] is None if len(coef) == 3 else weights["coef"] == coef
    assert max(abs(w) for w in session.coef) <= protocol.WEIGHT_LIMIT
    if n == 0:
        assert metrics["log_loss"] is None and metrics["accuracy"] is None
    elif metrics["objective"] is None or metrics["log_loss"] is None:
        assert reply["divergence"]["state"] != "ok", "a lost objective without a diagnosis"
    if reply["curve"] is not None:
        curve = reply["curve"]
        assert len(curve["steps"]) == len(curve["low"]) == len(curve["high"]) == len(curve["last"])
        assert len(curve["steps"]) <= session.curve_width
    return "frame"


# ----------------------------------------------------------------- tests


@FUZZ
@given(st.lists(messages(), min_size=1, max_size=30))
def test_random_command_sequences_keep_the_invariants(sequence: list[str | bytes]) -> None:
    session = LabSession()
    kinds = []
    for message in sequence:
        before = _snapshot(session)
        kinds.append(check_reply(session, before, session.handle_json(message)))
    # What a reconnecting page sends back rebuilds the very same session.
    rebuilt = LabSession(session.state)
    np.testing.assert_array_equal(rebuilt.X, session.X)
    np.testing.assert_array_equal(rebuilt.y, session.y)
    np.testing.assert_array_equal(rebuilt.coef, session.coef)
    assert len(kinds) == len(sequence)


@FUZZ
@given(st.lists(VALID_COMMANDS, min_size=1, max_size=30))
def test_valid_command_sequences_mostly_succeed(sequence: list[dict[str, Any]]) -> None:
    """Well-formed commands are refused only for reasons of state (nothing to undo, …)."""
    session = LabSession()
    for seq, command in enumerate(sequence, start=1):
        before = _snapshot(session)
        text = session.handle_json(json.dumps({**command, "seq": seq}))
        kind = check_reply(session, before, text)
        reply = json.loads(text)
        assert reply["seq"] == seq
        if kind == "error":
            assert "invalid message" not in reply["message"], (command, reply["message"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60), JSON_VALUES.map(json.dumps)))
def test_arbitrary_text_gets_an_error_frame(message: str | bytes) -> None:
    session = LabSession()
    before = _snapshot(session)
    reply = json.loads(session.handle_json(message))
    if reply["type"] == "error":
        assert reply["message"].startswith("invalid message")
    assert _snapshot(session)[:2] == before[:2] or reply["type"] == "frame"
    _, seq, steps = peek_command(message)  # the server's rate-limit peek never raises
    assert 0 <= steps <= protocol.MAX_STEPS_PER_COMMAND and 0 <= seq <= 2**53
