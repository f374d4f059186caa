"""The Lab's loss landscape, optimizer race and replay (issue 15, parts 1-3).

References: core's ``Objective.value`` at sampled grid points, the weights the
session recorded, a fresh session at a step's weights, and core's optimizers
stepped by hand.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest

from logitlab.core.objective import Objective
from logitlab.core.optimizers import make_optimizer
from logitlab.core.penalty import Penalty
from logitlab.lab.experiment import Experiment
from logitlab.lab.explore import RACE_TOL
from logitlab.lab.protocol import (
    DataSpec,
    ErrorFrame,
    Frame,
    Hello,
    LabState,
    LandscapePayload,
    ModelSpec,
    RaceCommand,
    Replay,
    ResumeReplay,
    SetCoefs,
    SetFeatures,
    SetModel,
    ShowLandscape,
    Train,
    TrainingSpec,
    UndoResume,
)
from logitlab.lab.session import LabSession
from logitlab.lab.training import lab_penalty
from logitlab.lab.views import landscape as lv
from logitlab.lab.weights import WeightHistory


def frame_of(reply: object) -> Frame:
    assert isinstance(reply, Frame), reply
    return reply


def session(preset: str = "overlap", n_points: int = 120, **training: object) -> LabSession:
    data = DataSpec(preset=preset, seed=3, n_points=n_points)  # type: ignore[arg-type]
    state = LabState(data=data, training=TrainingSpec(**training))  # type: ignore[arg-type]
    lab = LabSession()
    frame_of(lab.handle(Hello(state=state)))
    return lab


def grid_of(p: LandscapePayload) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    bands = np.frombuffer(base64.b64decode(p.cells), dtype=np.uint8).reshape(p.size, p.size)
    a = np.linspace(*p.a_range, p.size)
    b = np.linspace(*p.b_range, p.size)
    return a, b[::-1], bands  # row 0 is the top (largest b)


def test_hidden_until_shown() -> None:
    data = DataSpec(preset="overlap", seed=3)
    f = frame_of(LabSession().handle(Hello(state=LabState(data=data))))
    assert f.landscape is not None and not f.landscape.computed
    assert f.landscape_path is None


@pytest.mark.parametrize(
    ("degree", "axes", "training"),
    [
        (1, (0, 1), {"penalty": "l2", "lam": 0.05}),
        (1, (0, 2), {"penalty": "l1", "lam": 0.02}),
        (3, (2, 5), {"penalty": "elasticnet", "lam": 0.03, "l1_ratio": 0.4}),
    ],
)
def test_landscape_bands_match_core_objective(
    degree: int, axes: tuple[int, int], training: dict[str, object]
) -> None:
    lab = session(**training)
    if degree > 1:
        frame_of(lab.handle(SetFeatures(degree=degree)))
    frame_of(lab.handle(Train(steps=5)))
    f = frame_of(lab.handle(ShowLandscape(axes=axes)))
    p = f.landscape
    assert p is not None and p.computed and p.axes == axes
    assert p.names == list(lab.experiment.coef_names())
    a, b, bands = grid_of(p)
    levels = np.array(p.levels)
    assert np.all(np.diff(levels) > 0)
    # log-spaced above the minimum: the gaps between levels grow geometrically
    gaps = np.diff(levels)[:-1]
    np.testing.assert_allclose(gaps[1:] / gaps[:-1], gaps[1] / gaps[0], rtol=1e-6)
    objective = lab.experiment.objective()
    coef = lab.experiment.coef.copy()
    rng = np.random.default_rng(0)
    for r, c in rng.integers(0, p.size, size=(40, 2)):
        trial = coef.copy()
        trial[axes[0]], trial[axes[1]] = a[c], b[r]
        value = objective.value(trial)
        assert bands[r, c] == np.searchsorted(levels, value, side="left"), (r, c, value)
    # the minimum grid value sits in the lowest band and the maximum in the top one
    assert bands.min() == 0 and bands.max() == len(levels) - 1


def test_landscape_optimum_current_and_text() -> None:
    lab = session(penalty="l2", lam=0.05)
    f = frame_of(lab.handle(ShowLandscape()))
    p = f.landscape
    assert p is not None and p.optimum is not None
    exact = lab.experiment.objective()
    from logitlab.lab.exact import exact_optimum

    best = exact_optimum(exact)
    assert p.optimum == pytest.approx((best[0], best[1]), rel=1e-9)
    assert "held at their current values" in p.text and "subsample" not in p.text
    path = f.landscape_path
    assert path is not None and path.current == (1.0, -1.0)


def test_large_n_subsamples_and_says_so() -> None:
    lab = session(preset="blobs", n_points=10_000)
    p = frame_of(lab.handle(ShowLandscape())).landscape
    assert p is not None
    assert p.n_used == lv.MAX_LANDSCAPE_POINTS and p.n_samples == 10_000
    assert "2,500 of the 10,000" in p.text


def test_path_is_the_recorded_weights() -> None:
    lab = session(optimizer="gd", learning_rate=0.5)
    frame_of(lab.handle(ShowLandscape(axes=(0, 2))))
    seen = [lab.coef]
    for _ in range(6):
        frame_of(lab.handle(Train(steps=1)))
        seen.append(lab.coef)
    f = frame_of(lab.handle(Train(steps=1)))
    seen.append(lab.coef)
    path = f.landscape_path
    assert path is not None
    arr = np.array(seen)
    np.testing.assert_array_equal(path.a, arr[:, 0])
    np.testing.assert_array_equal(path.b, arr[:, 2])
    assert path.current == (arr[-1, 0], arr[-1, 2])
    # The same steps by hand with core's optimizer.
    objective = lab.experiment.objective()
    opt = make_optimizer("gd", learning_rate=0.5)
    c = np.array([1.0, -1.0, 0.0])
    for k in range(1, 8):
        c = opt.step(objective, c).coef
        np.testing.assert_allclose(arr[k], c, rtol=1e-12)


def test_grid_not_recomputed_when_only_the_pictured_pair_moves() -> None:
    lab = session()
    first = frame_of(lab.handle(ShowLandscape()))
    assert first.landscape is not None
    f = frame_of(lab.handle(SetCoefs(index=[0, 1], value=[0.3, 0.4])))
    assert f.landscape is None  # unchanged: only the path's current point moves
    assert f.landscape_path is not None and f.landscape_path.current == (0.3, 0.4)
    assert f.true_weights.w0 == 0.3 and f.true_weights.w1 == 0.4
    g = frame_of(lab.handle(SetModel(b=0.5)))  # a held coefficient: a new grid
    assert g.landscape is not None


def test_set_coefs_errors() -> None:
    lab = session()
    e = lab.handle(SetCoefs(index=[0, 7], value=[1.0, 2.0]))
    assert isinstance(e, ErrorFrame) and "indices 0–2" in e.message
    e = lab.handle(SetCoefs(index=[0, 1], value=[1.0]))
    assert isinstance(e, ErrorFrame) and "one value per index" in e.message
    e = lab.handle(ShowLandscape(axes=(1, 1)))
    assert isinstance(e, ErrorFrame) and "two different coefficients" in e.message


def _same_views(a: Frame, b: Frame) -> None:
    # ΔLoss is the last training step's change (history), not the model's
    assert a.metrics.model_copy(update={"delta_loss": None}) == b.metrics
    assert a.boundary == b.boundary
    assert a.true_weights.w0 == b.true_weights.w0 and a.true_weights.b == b.true_weights.b
    assert a.model_math == b.model_math


def test_replay_frames_equal_a_fresh_experiment_at_that_step() -> None:
    lab = session(optimizer="momentum", learning_rate=0.3)
    frame_of(lab.handle(ShowLandscape()))
    weights = [lab.coef]
    for _ in range(10):
        frame_of(lab.handle(Train(steps=1)))
        weights.append(lab.coef)
    for step in (0, 4, 10):
        f = frame_of(lab.handle(Replay(step=step)))
        assert f.replay is not None and f.replay.step == step and f.steps == step
        w = weights[step]
        fresh = LabSession()
        state = lab.state.model_copy(
            update={"model": ModelSpec(w0=w[0], w1=w[1], b=w[2], steps=lab.steps)}
        )
        g = frame_of(fresh.handle(Hello(state=state)))
        _same_views(f, g)
        assert f.landscape_path is not None and len(f.landscape_path.a) == step + 1
    assert frame_of(lab.handle(Replay(step=0))).true_weights.w0 == 1.0
    live = frame_of(lab.handle(Replay(step=None)))
    assert live.true_weights.w0 == weights[-1][0]


def test_delta_loss_is_not_the_live_runs_while_replaying() -> None:
    lab = session(optimizer="gd", learning_rate=0.5)
    live = frame_of(lab.handle(Train(steps=20)))
    assert live.metrics.delta_loss is not None
    replayed = frame_of(lab.handle(Replay(step=5)))
    assert replayed.metrics.delta_loss is None  # the page shows "—"
    back = frame_of(lab.handle(Replay(step=None)))
    assert back.metrics.delta_loss == live.metrics.delta_loss


def test_resume_from_here_and_undo() -> None:
    lab = session(optimizer="gd", learning_rate=0.5)
    frame_of(lab.handle(Train(steps=20)))
    live = lab.coef
    frame_of(lab.handle(Replay(step=5)))
    f = frame_of(lab.handle(ResumeReplay()))
    assert f.steps == 5 and f.replay is not None and f.replay.last_step == 5
    assert f.replay.can_undo_resume
    assert lab.experiment.history.last_step is not None and lab.experiment.history.last_step <= 5
    frame_of(lab.handle(Train(steps=2)))
    assert lab.steps == 7
    u = frame_of(lab.handle(UndoResume()))
    assert u.steps == 20
    np.testing.assert_array_equal(lab.coef, live)
    assert isinstance(lab.handle(UndoResume()), ErrorFrame)
    assert isinstance(lab.handle(ResumeReplay()), ErrorFrame)


def test_training_while_replaying_goes_back_to_live() -> None:
    lab = session()
    frame_of(lab.handle(Train(steps=4)))
    live = lab.coef
    frame_of(lab.handle(Replay(step=1)))
    frame_of(lab.handle(Train(steps=1)))
    assert lab.steps == 5 and lab.experiment.explore.replay_step is None
    assert not np.array_equal(lab.coef, live)  # one step on from the live weights


def test_weight_history_bounded_and_keeps_step_zero() -> None:
    h = WeightHistory(exact=8, older=4)
    for s in range(200):
        h.record(s, np.array([float(s), 0.0, 0.0]))
    assert len(h) <= 8 + 4 and h.first_step == 0 and h.last_step == 199
    assert h.first_exact == 192
    steps = h.steps()
    assert steps == sorted(steps)
    for s in steps:
        assert h.at(s)[1][0] == s
    assert h.at(193)[0] == 193 and h.at(193)[1][0] == 193
    assert h.at(5)[0] == max(s for s in steps if s <= 5)
    older = steps[: len(steps) - 8]
    assert all((s - older[0]) % h.stride == 0 for s in older)


def test_race_numbers_come_from_core_optimizers() -> None:
    lab = session(penalty="l2", lam=0.05, learning_rate=0.5, batch_size=16)
    frame_of(lab.handle(ShowLandscape()))
    start = lab.coef
    f = frame_of(lab.handle(RaceCommand(action="start")))
    assert f.race is not None and f.race.steps == 0 and len(f.race.racers) == 5
    for _ in range(4):
        f = frame_of(lab.handle(Train(steps=5)))
    assert lab.steps == 0  # the race took the steps, not the model
    np.testing.assert_array_equal(lab.coef, start)
    race = f.race
    assert race is not None and race.steps == 20
    objective = lab.experiment.objective()
    best = lab.experiment.explore.race
    assert best is not None
    for row in race.racers:
        opt = make_optimizer(row.name, learning_rate=0.5, batch_size=16, seed=3)
        c = start.copy()
        values = [objective.value(c)]
        for _ in range(20):
            c = opt.step(objective, c).coef
            values.append(objective.value(c))
        assert row.a[-1] == pytest.approx(c[0], rel=1e-12)
        assert row.b[-1] == pytest.approx(c[1], rel=1e-12)
        gaps = np.maximum(np.array(values) - best.optimum_value, 1e-16)
        np.testing.assert_allclose(row.gap, gaps[row.gap_steps], rtol=1e-9, atol=1e-15)
        reached = next(
            (k for k, v in enumerate(values) if v - best.optimum_value <= RACE_TOL), None
        )
        assert row.steps_to_optimum == reached
    newton = next(r for r in race.racers if r.name == "newton")
    assert newton.steps_to_optimum is not None and newton.steps_to_optimum <= 8
    assert newton.ms_to_optimum is not None
    stop = frame_of(lab.handle(RaceCommand(action="stop")))
    assert stop.race is not None and stop.race.racers == []
    assert lab.experiment.explore.race is None


def test_race_penalty_is_the_labs() -> None:
    lab = session(penalty="l1", lam=0.02)
    frame_of(lab.handle(RaceCommand(action="start")))
    race = lab.experiment.explore.race
    assert race is not None
    assert race.objective.penalty == lab_penalty(lab.experiment.training)
    exp: Experiment = lab.experiment
    reference = Objective(exp.design(), exp.points.y, penalty=Penalty(alpha=0.02, l1_ratio=1.0))
    assert race.optimum_value == pytest.approx(reference.value(race.optimum), rel=1e-12)


def test_a_new_degree_starts_the_weight_history_again() -> None:
    lab = session()
    frame_of(lab.handle(ShowLandscape()))
    frame_of(lab.handle(Train(steps=5)))
    frame_of(lab.handle(SetFeatures(degree=2)))
    frame_of(lab.handle(ShowLandscape(axes=(3, 5))))
    f = frame_of(lab.handle(Train(steps=2)))
    assert f.replay is not None and f.replay.first_step == 5 and f.replay.last_step == 7
    assert f.landscape_path is not None and len(f.landscape_path.a) == 3
    g = frame_of(lab.handle(Replay(step=5)))
    assert len(g.state.model.coef or []) == 6


def test_a_long_history_says_which_steps_are_exact() -> None:
    lab = session(optimizer="gd", learning_rate=0.05)
    frame_of(lab.handle(Train(steps=3000)))
    f = frame_of(lab.handle(Replay(step=1001)))
    r = f.replay
    assert r is not None and r.first_step == 0 and r.last_step == 3000
    assert r.exact_from == 3000 - 511 and r.stride > 1
    assert f"older ones every {r.stride}th step" in r.text
    assert r.step is not None and r.step <= 1001 and r.step % r.stride == 0
    exact = frame_of(lab.handle(Replay(step=2900)))
    assert exact.replay is not None and exact.replay.step == 2900
    assert len(lab.experiment.explore.weights) <= 1024


def test_switching_standardize_keeps_each_replayed_model() -> None:
    """The replayed step's boundary is the same model before and after "standardize features"
    is switched: the history is rewritten in the new coordinates, not replayed in the old."""
    lab = session()
    frame_of(lab.handle(SetFeatures(degree=2)))
    frame_of(lab.handle(Train(steps=6)))
    design_before = lab.experiment.design()
    z_before = []
    for step in (0, 3):
        frame_of(lab.handle(Replay(step=step)))
        z_before.append(design_before @ lab.coef[:-1] + lab.coef[-1])
    frame_of(lab.handle(Replay(step=None)))
    frame_of(lab.handle(SetFeatures(standardize=True)))
    design_after = lab.experiment.design()
    assert not np.allclose(design_after, design_before)  # the columns really were rescaled
    for step, z in zip((0, 3), z_before, strict=True):
        frame_of(lab.handle(Replay(step=step)))
        z_after = design_after @ lab.coef[:-1] + lab.coef[-1]
        np.testing.assert_allclose(z_after, z, rtol=1e-9, atol=1e-9)
