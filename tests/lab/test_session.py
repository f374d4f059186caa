from __future__ import annotations

import base64
import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression

from logitlab.core.datasets import make_preset
from logitlab.core.link import sigmoid
from logitlab.core.objective import Objective
from logitlab.core.optimizers import make_optimizer
from logitlab.core.solvers import solve
from logitlab.lab.geometry import FIELD_SIZE
from logitlab.lab.protocol import (
    COMMAND_ADAPTER,
    MAX_POINTS,
    AddPoint,
    ClearPoints,
    DataSpec,
    DeletePoint,
    EditPoints,
    ErrorFrame,
    Frame,
    Hello,
    ImportState,
    LabState,
    LoadPreset,
    MovePoint,
    NewSample,
    Probe,
    ProbeResult,
    ResetWeights,
    RunScenario,
    SetModel,
    SetTraining,
    SetView,
    Train,
    TrainingSpec,
    Undo,
)
from logitlab.lab.scenarios import SCENARIOS
from logitlab.lab.session import LabSession, lab_penalty, penalty_note


def frame_of(reply: object) -> Frame:
    assert isinstance(reply, Frame), reply
    return reply


def decode_points(frame: Frame) -> tuple[np.ndarray, np.ndarray]:
    assert frame.points is not None
    xy = np.frombuffer(base64.b64decode(frame.points.xy), dtype="<f4").reshape(-1, 2)
    cls = np.frombuffer(base64.b64decode(frame.points.cls), dtype=np.uint8)
    return xy, cls


def no_nan_json(text: str) -> object:
    def bad(name: str) -> object:
        raise AssertionError(f"non-finite number {name} in frame JSON")

    return json.loads(text, parse_constant=bad)


# ----------------------------------------------------------------- data


def test_hello_sends_everything_for_the_default_blobs() -> None:
    s = LabSession()
    f = frame_of(s.handle(Hello(seq=7)))
    assert f.seq == 7
    X, y = make_preset("blobs", 120, noise=1.0, seed=1, shuffle=False)
    xy, cls = decode_points(f)
    np.testing.assert_allclose(xy, X.astype(np.float32))
    np.testing.assert_array_equal(cls, y)
    assert f.field is not None and f.curve is not None
    assert f.metrics.n_points == 120
    c = f.metrics.confusion
    assert c.tn + c.fp + c.fn + c.tp == 120
    assert (f.true_weights.w0, f.true_weights.w1, f.true_weights.b) == (1.0, -1.0, 0.0)
    assert f.steps == 0


def test_payloads_are_sent_only_when_they_change() -> None:
    s = LabSession()
    s.handle(Hello())
    f = frame_of(s.handle(SetView(tau=0.3)))
    assert f.points is None and f.field is None and f.curve is None
    f = frame_of(s.handle(SetModel(w0=2.0)))
    assert f.points is None and f.field is not None
    f = frame_of(s.handle(EditPoints(edit=AddPoint(x=0.5, y=0.5, cls=0))))
    assert f.points is not None and f.points.n == 121
    f = frame_of(s.handle(Train(steps=3)))
    assert f.points is None and f.field is not None and f.curve is not None


def test_a_field_that_quantizes_to_the_same_bytes_is_not_sent_again() -> None:
    s = LabSession()
    s.handle(Hello())
    shown = frame_of(s.handle(SetModel(w0=2.0))).field
    assert shown is not None
    # A change far below one of the 255 levels of p̂ anywhere on the grid: same bytes.
    f = frame_of(s.handle(SetModel(w0=2.0 + 1e-9)))
    assert f.true_weights.w0 == 2.0 + 1e-9 and f.field is None
    f = frame_of(s.handle(SetModel(w0=2.5)))
    assert f.field is not None and f.field.data != shown.data
    # Switching the field off and on sends it again, though its bytes did not change.
    frame_of(s.handle(SetView(show_field=False)))
    again = frame_of(s.handle(SetView(show_field=True))).field
    assert again is not None and again.data == f.field.data


def test_presets_are_reproducible_and_new_sample_changes_the_seed() -> None:
    a, b = LabSession(), LabSession()
    fa = frame_of(a.handle(LoadPreset(preset="moons", n_points=300, noise=0.5, seed=9)))
    fb = frame_of(b.handle(LoadPreset(preset="moons", n_points=300, noise=0.5, seed=9)))
    assert fa.points is not None and fb.points is not None
    assert (fa.points.xy, fa.points.cls) == (fb.points.xy, fb.points.cls)
    X, _ = make_preset("moons", 300, noise=0.5, seed=9, shuffle=False)
    np.testing.assert_allclose(a.X, X)
    f = frame_of(a.handle(NewSample()))
    assert f.state.data.seed != 9
    assert f.state.data.preset == "moons" and f.state.data.n_points == 300
    assert not np.allclose(a.X, X)
    rebuilt = LabSession(f.state)
    np.testing.assert_array_equal(rebuilt.X, a.X)


def test_edits_undo_and_clear() -> None:
    s = LabSession()
    X0, y0 = s.X, s.y
    s.handle(EditPoints(edit=AddPoint(x=1.0, y=2.0, cls=0)))
    s.handle(EditPoints(edit=MovePoint(index=3, x=-4.0, y=4.0)))
    s.handle(EditPoints(edit=DeletePoint(index=0)))
    expected = np.vstack([X0, [[1.0, 2.0]]])
    expected[3] = (-4.0, 4.0)
    np.testing.assert_array_equal(s.X, expected[1:])
    np.testing.assert_array_equal(s.y, np.append(y0, 0.0)[1:])
    f = frame_of(s.handle(EditPoints(edit=ClearPoints())))
    assert f.metrics.n_points == 0 and f.metrics.log_loss is None and f.metrics.accuracy is None
    assert len(f.state.data.edits) == 4
    # A state with edits rebuilds the same points.
    for _ in range(4):
        rebuilt = LabSession(s.state)
        np.testing.assert_array_equal(rebuilt.X, s.X)
        np.testing.assert_array_equal(rebuilt.y, s.y)
        frame_of(s.handle(Undo()))
    np.testing.assert_array_equal(s.X, X0)
    np.testing.assert_array_equal(s.y, y0)
    assert s.state.data.edits == []


def test_loading_a_preset_starts_a_new_experiment_but_point_edits_do_not() -> None:
    s = LabSession()
    s.handle(Train(steps=5))
    f = frame_of(s.handle(EditPoints(edit=AddPoint(x=0.0, y=0.0, cls=1))))
    assert f.steps == 5
    f = frame_of(s.handle(LoadPreset(preset="overlap")))
    assert f.steps == 0 and f.state.data.edits == []
    assert f.curve is not None and len(f.curve.steps) == 1


def test_the_state_carries_the_step_count_through_reload_link_and_import() -> None:
    trained = LabSession()
    trained.handle(Train(steps=7))
    state = trained.state
    assert state.model.steps == 7
    # A reload or a shared link (hello) and an import go on counting from the state's
    # steps, with the same weights; the loss history restarts at that step.
    for command in (Hello(state=state), ImportState(state=state)):
        s = LabSession()
        f = frame_of(s.handle(command))
        assert f.steps == 7 and f.state.model.steps == 7
        assert f.state.model == state.model
        assert f.curve is not None and f.curve.steps == [7]
        f = frame_of(s.handle(Train(steps=2)))
        assert f.steps == 9 and f.curve is not None and f.curve.steps[0] == 7
        assert f.curve.first == 7
    # The URL/JSON round trip keeps the field; an older state without it means 0 steps.
    again = LabState.model_validate_json(state.model_dump_json())
    assert again == state
    old = state.model_dump(mode="json")
    del old["model"]["steps"]
    assert LabState.model_validate(old).model.steps == 0
    # A reconnecting page that showed more steps than its state holds keeps its count.
    f = frame_of(LabSession().handle(Hello(state=state, steps=12)))
    assert f.steps == 12


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "command",
    [
        EditPoints(edit=DeletePoint(index=120)),
        EditPoints(edit=MovePoint(index=500, x=0.0, y=0.0)),
        Undo(),
    ],
)
def test_errors_say_what_is_allowed_and_change_nothing(command: object) -> None:
    s = LabSession()
    s.handle(Train(steps=2))
    before = (s.state, s.steps, s.X, s.coef)
    reply = s.handle(command)  # type: ignore[arg-type]
    assert isinstance(reply, ErrorFrame)
    assert "point" in reply.message or "undo" in reply.message
    assert (s.state, s.steps) == before[:2]
    np.testing.assert_array_equal(s.X, before[2])
    np.testing.assert_array_equal(s.coef, before[3])


def test_out_of_range_message_names_the_allowed_indices() -> None:
    s = LabSession()
    reply = s.handle(EditPoints(edit=DeletePoint(index=120)))
    assert isinstance(reply, ErrorFrame)
    assert "0–119" in reply.message and "120 points" in reply.message


def test_more_than_the_point_limit_is_refused() -> None:
    s = LabSession()
    s.handle(LoadPreset(preset="blobs", n_points=MAX_POINTS))
    reply = s.handle(EditPoints(edit=AddPoint(x=0.0, y=0.0, cls=1)))
    assert isinstance(reply, ErrorFrame)
    assert f"{MAX_POINTS:,}" in reply.message
    assert s.state.data.edits == []


def test_a_state_whose_edits_cannot_be_replayed_is_refused() -> None:
    s = LabSession()
    s.handle(SetModel(w0=3.0))
    bad = LabState(data=DataSpec(edits=[DeletePoint(index=500)]))
    reply = s.handle(ImportState(state=bad))
    assert isinstance(reply, ErrorFrame)
    assert "#0" in reply.message
    assert s.coef[0] == 3.0 and s.X.shape == (120, 2)


def test_training_without_points_is_an_error() -> None:
    s = LabSession()
    s.handle(EditPoints(edit=ClearPoints()))
    assert isinstance(s.handle(Train(steps=1)), ErrorFrame)


# ----------------------------------------------------------------- training


@pytest.mark.parametrize(
    ("optimizer", "penalty", "lam"),
    [
        ("gd", "none", 0.0),
        ("gd", "l2", 0.05),
        ("momentum", "l1", 0.02),
        ("adam", "elasticnet", 0.03),
        ("sgd", "l2", 0.01),
        ("newton", "l2", 0.01),
    ],
)
def test_training_matches_stepping_the_core_optimizer(
    optimizer: str, penalty: str, lam: float
) -> None:
    s = LabSession()
    s.handle(LoadPreset(preset="overlap", seed=3))
    s.handle(SetTraining(optimizer=optimizer, penalty=penalty, lam=lam, learning_rate=0.2))  # type: ignore[arg-type]
    f = frame_of(s.handle(Train(steps=7)))
    f = frame_of(s.handle(Train(steps=5)))
    assert f.steps == 12

    X, y = make_preset("overlap", 120, noise=1.0, seed=3, shuffle=False)
    objective = Objective(X, y.astype(np.float64), penalty=lab_penalty(f.state.training))
    opt = make_optimizer(optimizer, learning_rate=0.2, batch_size=16, seed=3)
    coef = np.array([1.0, -1.0, 0.0])
    values = []
    for _ in range(12):
        step = opt.step(objective, coef)
        values.append(step.value)
        coef = step.coef
    np.testing.assert_allclose(s.coef, coef, rtol=1e-12, atol=1e-12)
    tw = f.true_weights
    np.testing.assert_allclose([tw.w0, tw.w1, tw.b], coef, rtol=1e-12)
    assert f.metrics.objective == pytest.approx(objective.value(coef), rel=1e-10)
    assert f.metrics.log_loss == pytest.approx(objective.cross_entropy(coef), rel=1e-10)
    assert f.metrics.delta_loss == pytest.approx(objective.value(coef) - values[-1], abs=1e-12)
    assert f.curve is not None
    # the curve travels with 7 significant digits (a drawing); the metrics above are exact
    np.testing.assert_allclose(f.curve.last[:-1], values, rtol=5e-7)
    assert f.curve.steps == list(range(13))


@pytest.mark.parametrize(
    ("penalty", "lam", "l1_ratio", "expected"),
    [
        ("l2", 0.05, 0.5, lambda w: 0.05 * (w @ w)),
        ("l1", 0.05, 0.5, lambda w: 0.05 * np.abs(w).sum()),
        ("elasticnet", 0.05, 0.3, lambda w: 0.05 * (0.3 * np.abs(w).sum() + 0.7 * (w @ w))),
    ],
)
def test_lab_penalty_is_lambda_times_the_documented_norm(
    penalty: str, lam: float, l1_ratio: float, expected: object
) -> None:
    w = np.array([1.5, -0.7])
    p = lab_penalty(TrainingSpec(penalty=penalty, lam=lam, l1_ratio=l1_ratio))  # type: ignore[arg-type]
    assert p.value(w) == pytest.approx(expected(w))  # type: ignore[operator]


def test_the_c_in_the_penalty_note_gives_the_same_model_in_scikit_learn() -> None:
    X, y = make_preset("overlap", 120, seed=1, shuffle=False)
    training = TrainingSpec(penalty="l2", lam=0.05)
    note = penalty_note(training, 120)
    assert "0.08333" in note  # 1 / (2 · 0.05 · 120)
    ours = solve(Objective(X, y.astype(np.float64), penalty=lab_penalty(training)), tol=1e-10)
    sk = LogisticRegression(C=1 / (2 * 0.05 * 120), tol=1e-12, max_iter=1000).fit(X, y)
    np.testing.assert_allclose(ours.coef[:2], sk.coef_[0], rtol=1e-6)
    np.testing.assert_allclose(ours.coef[2], sk.intercept_[0], rtol=1e-6)


def test_delta_loss_of_a_converged_run_is_exactly_zero_not_rounding_noise() -> None:
    s = LabSession()
    s.handle(SetTraining(learning_rate=1.0, penalty="l2", lam=0.01))
    early = frame_of(s.handle(Train(steps=3))).metrics.delta_loss
    assert early is not None and early < -1e-6  # a real change is reported as it is
    s.handle(Train(steps=1000))
    # Converged: the raw differences are ±1e-17 rounding noise (the objective is ~0.1).
    deltas = [frame_of(s.handle(Train(steps=1))).metrics.delta_loss for _ in range(12)]
    assert deltas == [0.0] * 12


def test_reset_weights_restores_the_start_and_clears_history() -> None:
    s = LabSession()
    s.handle(Train(steps=20))
    f = frame_of(s.handle(ResetWeights()))
    assert (f.true_weights.w0, f.true_weights.w1, f.true_weights.b) == (1.0, -1.0, 0.0)
    assert f.steps == 0 and f.curve is not None and f.curve.steps == [0]


def test_weights_far_beyond_the_slider_range_are_kept() -> None:
    s = LabSession()
    f = frame_of(s.handle(SetModel(w0=250.0, b=-40.0)))
    assert f.true_weights.w0 == 250.0 and f.state.model.b == -40.0
    s.handle(LoadPreset(preset="near-perfect"))
    s.handle(SetModel(w0=1.0, w1=1.0, b=0.0))
    s.handle(SetTraining(optimizer="newton"))
    f = frame_of(s.handle(Train(steps=30)))
    assert f.true_weights.w0 > 5.0 and f.state.model.w0 == f.true_weights.w0
    assert f.divergence.state == "separable"


def test_separable_data_without_penalty_is_flagged_and_l2_clears_it() -> None:
    s = LabSession()
    frame_of(s.handle(RunScenario(name="separable-growth")))
    norms = [frame_of(s.handle(Train(steps=20))).metrics.weight_norm for _ in range(5)]
    assert all(b > a for a, b in itertools.pairwise(norms))
    f = frame_of(s.handle(Train(steps=20)))
    assert f.divergence.state == "separable"
    assert "L2" in f.divergence.hint
    s.handle(SetTraining(penalty="l2", lam=0.05))
    f = frame_of(s.handle(Train(steps=50)))
    assert f.divergence.state == "ok"


def test_a_huge_learning_rate_is_shown_as_diverging_without_nan() -> None:
    s = LabSession()
    s.handle(Hello())
    s.handle(LoadPreset(preset="xor"))
    s.handle(SetTraining(learning_rate=10.0))
    states = []
    for _ in range(8):
        text = s.handle_json('{"type": "train", "steps": 3}')
        data = no_nan_json(text)
        assert isinstance(data, dict) and data["type"] == "frame"
        states.append(data["divergence"]["state"])
        assert data["metrics"]["objective"] is not None
    assert states[-1] == "diverging"
    assert "η" in data["divergence"]["hint"]


def test_a_small_learning_rate_on_overlapping_data_is_ok() -> None:
    s = LabSession()
    s.handle(LoadPreset(preset="overlap"))
    for _ in range(5):
        f = frame_of(s.handle(Train(steps=10)))
        assert f.divergence.state == "ok"


def test_the_loss_curve_stays_within_the_chart_width() -> None:
    s = LabSession(curve_width=16)
    s.handle(SetTraining(learning_rate=0.5))
    f = frame_of(s.handle(Train(steps=1000)))
    assert f.curve is not None
    assert len(f.curve.steps) <= 16
    assert f.curve.steps[-1] == 1000
    # A column's step is its last one; where the history began is sent on its own (the
    # page once read steps[0] and said "history since step 63" on a fresh page).
    assert f.curve.steps[0] > 0 and f.curve.first == 0
    bands = zip(f.curve.low, f.curve.last, f.curve.high, strict=True)
    assert all(lo <= la <= hi for lo, la, hi in bands)
    assert s.experiment.history.n_buckets <= s.experiment.history.capacity


# ----------------------------------------------------------------- geometry and probe


def test_field_is_p_hat_at_the_cell_centres() -> None:
    s = LabSession()
    f = frame_of(s.handle(SetModel(w0=0.7, w1=-0.4, b=0.3)))
    assert f.field is not None and f.field.size == FIELD_SIZE
    data = np.frombuffer(base64.b64decode(f.field.data), dtype=np.uint8).reshape(64, 64)
    v = f.view
    for r, c in [(0, 0), (10, 50), (63, 63)]:
        x = v.xmin + (c + 0.5) * (v.xmax - v.xmin) / 64
        y = v.ymax - (r + 0.5) * (v.ymax - v.ymin) / 64
        assert data[r, c] == round(255 * float(sigmoid(0.7 * x - 0.4 * y + 0.3)))


def test_boundary_lies_on_p_hat_equal_tau_inside_the_view() -> None:
    s = LabSession()
    s.handle(SetModel(w0=0.5, w1=2.0, b=-1.0))
    f = frame_of(s.handle(SetView(tau=0.8)))
    assert f.boundary is not None and f.half_line is not None
    for x, y in [(f.boundary.x1, f.boundary.y1), (f.boundary.x2, f.boundary.y2)]:
        assert float(sigmoid(0.5 * x + 2.0 * y - 1.0)) == pytest.approx(0.8)
        assert -5.0 - 1e-9 <= x <= 5.0 + 1e-9 and -5.0 - 1e-9 <= y <= 5.0 + 1e-9
    h = f.half_line
    assert 0.5 * h.x1 + 2.0 * h.y1 - 1.0 == pytest.approx(0.0, abs=1e-9)
    assert frame_of(s.handle(SetView(tau=0.5))).half_line is None
    f = frame_of(s.handle(SetModel(w0=0.0, w1=0.0, b=0.0)))
    assert f.boundary is None


def test_view_grows_to_fit_points_outside_it() -> None:
    s = LabSession()
    f = frame_of(s.handle(EditPoints(edit=AddPoint(x=12.0, y=-3.0, cls=1))))
    assert f.view.xmax >= 12.0 and f.view.xmin <= -12.0 and f.view.xmax == f.view.ymax
    f = frame_of(s.handle(Undo()))
    assert f.view.xmax == 5.0


def test_probe_reads_z_and_p_hat() -> None:
    s = LabSession()
    s.handle(SetModel(w0=2.0, w1=1.0, b=-0.5))
    r = s.handle(Probe(x=1.0, y=-1.0, seq=4))
    assert isinstance(r, ProbeResult) and r.seq == 4
    assert r.z == pytest.approx(0.5) and r.p == pytest.approx(1 / (1 + math.exp(-0.5)))


def test_accuracy_and_counts_use_p_hat_at_least_tau() -> None:
    s = LabSession()
    s.handle(LoadPreset(preset="overlap"))
    for tau in (0.0, 0.3, 0.7, 1.0):
        f = frame_of(s.handle(SetView(tau=tau)))
        z = s.X @ s.coef[:2] + s.coef[2]
        pred = sigmoid(z) >= tau
        c = f.metrics.confusion
        assert c.tp == int(np.sum(pred & (s.y == 1)))
        assert c.fp == int(np.sum(pred & (s.y == 0)))
        assert c.tn + c.fp + c.fn + c.tp == 120
        assert f.metrics.accuracy == pytest.approx(float(np.mean(pred == (s.y == 1))))


# ----------------------------------------------------------------- scenarios


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_scenario_sets_up_its_experiment(name: str) -> None:
    s = LabSession()
    s.handle(SetModel(w0=4.0))
    f = frame_of(s.handle(RunScenario(name=name, seq=2)))  # type: ignore[arg-type]
    recipe = SCENARIOS[name]  # type: ignore[index]
    assert f.scenario == name and f.seq == 2
    assert f.state.data.preset == recipe.data.preset and f.state.data.seed == recipe.data.seed
    assert f.state.training == recipe.training
    assert f.state.view.tau == recipe.tau
    assert f.start_auto == recipe.start_auto
    assert f.steps == 0
    assert f.points is not None


def test_xor_wall_starts_auto_train_and_imbalanced_shows_the_true_baseline() -> None:
    s = LabSession()
    f = frame_of(s.handle(RunScenario(name="xor-wall")))
    assert f.start_auto and f.state.data.preset == "xor"
    f = frame_of(s.handle(RunScenario(name="imbalanced")))
    assert f.metrics.baseline == pytest.approx(100 / 120)


def test_anti_classifier_is_worse_than_chance_and_regularization_sets_lambda() -> None:
    s = LabSession()
    f = frame_of(s.handle(RunScenario(name="anti-classifier")))
    assert f.metrics.accuracy is not None and f.metrics.accuracy < 0.2
    f = frame_of(s.handle(RunScenario(name="regularization")))
    assert f.state.training.penalty == "l2" and f.state.training.lam == 0.05


def test_timing_is_recorded_for_benchmarks() -> None:
    s = LabSession()
    s.handle_json('{"type": "train", "steps": 4}')
    assert s.timing.n_steps == 4
    assert 0.0 < s.timing.steps <= s.timing.total
    assert s.timing.serialize > 0.0


def test_invalid_json_becomes_an_error_frame() -> None:
    s = LabSession()
    data = no_nan_json(s.handle_json('{"type": "train", "steps": 0, "seq": 5}'))
    assert isinstance(data, dict)
    assert data["type"] == "error" and data["seq"] == 5 and "steps" in data["message"]


def test_frame_json_equals_pydantic_serialization_with_edits() -> None:
    s = LabSession()
    for k in range(5):
        s.handle(EditPoints(edit=AddPoint(x=k / 2, y=-k / 3, cls=k % 2)))
    s.handle(EditPoints(edit=DeletePoint(index=3)))
    text = s.handle_json('{"type": "train", "steps": 2, "seq": 11}')
    f = Frame.model_validate_json(text)
    assert f.seq == 11 and len(f.state.data.edits) == 6
    assert json.loads(text) == json.loads(f.model_dump_json())
    assert f.state == s.state


def test_a_drag_is_one_edit_and_one_undo() -> None:
    s = LabSession()
    x0 = s.X[5].copy()
    for k in range(10):
        s.handle(EditPoints(edit=MovePoint(index=5, x=k * 0.1, y=1.0)))
    assert len(s.state.data.edits) == 1
    np.testing.assert_allclose(s.X[5], [0.9, 1.0])
    np.testing.assert_array_equal(LabSession(s.state).X, s.X)
    s.handle(Undo())
    np.testing.assert_array_equal(s.X[5], x0)
    assert s.state.data.edits == []


# ----------------------------------------------------------------- random command sequences

_coord = st.floats(-8, 8, allow_nan=False)
_commands = st.one_of(
    st.builds(Train, steps=st.integers(1, 30)),
    st.builds(
        EditPoints, edit=st.builds(AddPoint, x=_coord, y=_coord, cls=st.sampled_from([0, 1]))
    ),
    st.builds(EditPoints, edit=st.builds(DeletePoint, index=st.integers(0, 130))),
    st.builds(EditPoints, edit=st.builds(MovePoint, index=st.integers(0, 130), x=_coord, y=_coord)),
    st.just(EditPoints(edit=ClearPoints())),
    st.just(Undo()),
    st.builds(SetModel, w0=st.floats(-50, 50), w1=st.floats(-50, 50), b=st.floats(-50, 50)),
    st.builds(
        SetTraining,
        learning_rate=st.sampled_from([1e-4, 0.1, 1.0, 10.0]),
        optimizer=st.sampled_from(["gd", "momentum", "adam", "sgd", "newton"]),
        penalty=st.sampled_from(["none", "l2", "l1", "elasticnet"]),
        lam=st.sampled_from([0.0, 0.01, 1.0]),
    ),
    st.builds(SetView, tau=st.sampled_from([0.0, 0.2, 0.5, 1.0])),
    st.builds(LoadPreset, preset=st.sampled_from(["xor", "near-perfect", "moons"])),
    st.just(ResetWeights()),
    st.builds(Probe, x=_coord, y=_coord),
)


@settings(max_examples=25, deadline=None)
@given(st.lists(_commands, min_size=1, max_size=12))
def test_any_command_sequence_keeps_the_invariants(commands: list[object]) -> None:
    s = LabSession()
    for command in commands:
        before = s.state
        text = s.handle_json(COMMAND_ADAPTER.dump_json(command))  # type: ignore[arg-type]
        data = no_nan_json(text)
        assert isinstance(data, dict)
        if data["type"] == "error":
            assert s.state == before
            continue
        if data["type"] != "frame":
            continue
        c = data["metrics"]["confusion"]
        assert c["tn"] + c["fp"] + c["fn"] + c["tp"] == data["metrics"]["n_points"] == len(s.X)
        assert Frame.model_validate(data).state == s.state
    np.testing.assert_array_equal(LabSession(s.state).X, s.X)


def test_an_unexpected_failure_is_an_error_frame_and_the_session_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    s = LabSession()
    s.handle(Train(steps=3))

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(s.experiment, "objective", broken)
    reply = s.handle(Train(steps=1, seq=8))
    assert isinstance(reply, ErrorFrame) and reply.seq == 8
    assert "internal error" in reply.message and "simulated bug" in reply.message
    assert "simulated bug" in caplog.text
    assert s.steps == 3
    monkeypatch.undo()
    f = frame_of(s.handle(Train(steps=1)))
    assert f.steps == 4 and f.points is not None  # everything is sent again


def test_curve_values_carry_seven_significant_digits() -> None:
    from logitlab.lab.views.loss_curve import significant as _significant

    rng = np.random.default_rng(0)
    values = np.concatenate([rng.random(500) * 10.0 ** rng.integers(-12, 6, 500), [0.0]])
    rounded = _significant(values)
    np.testing.assert_allclose(rounded, values, rtol=5e-7, atol=0)
    assert rounded[-1] == 0.0
    import json

    assert len(json.dumps(rounded.tolist())) < 0.7 * len(json.dumps(values.tolist()))
