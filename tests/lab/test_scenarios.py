"""The "Try this" cards make claims; these tests hold the scenarios to them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve
from logitlab.lab.protocol import Frame, ResetWeights, RunScenario, SetTraining, SetView, Train
from logitlab.lab.session import LabSession


def run(name: str) -> tuple[LabSession, Frame]:
    s = LabSession()
    f = s.handle(RunScenario(name=name))  # type: ignore[arg-type]
    assert isinstance(f, Frame)
    return s, f


def train(s: LabSession, steps: int) -> Frame:
    f = s.handle(Train(steps=steps))
    assert isinstance(f, Frame)
    return f


def test_xor_wall_stalls_near_log_2_and_a_coin_flip() -> None:
    s, f = run("xor-wall")
    assert f.start_auto
    f = train(s, 300)
    assert f.metrics.objective is not None and f.metrics.objective > 0.68
    assert math.log(2) - 0.01 < f.metrics.objective < math.log(2) + 0.02
    assert f.metrics.accuracy is not None and f.metrics.accuracy < 0.62


def test_lr_explosion_is_flagged_and_a_tenth_of_eta_is_calm() -> None:
    s, f = run("lr-explosion")
    start = f.metrics.objective
    states, values = [], []
    for _ in range(10):
        f = train(s, 3)
        states.append(f.divergence.state)
        values.append(f.metrics.objective)
    assert "diverging" in states and max(values) > 2 * start  # type: ignore[operator]
    s.handle(ResetWeights())
    s.handle(SetTraining(learning_rate=0.8))
    for _ in range(10):
        assert train(s, 10).divergence.state == "ok"


def test_regularization_roughly_halves_the_weights_at_similar_accuracy() -> None:
    s, _ = run("regularization")
    X, y = s.X, s.y
    norms, accs = [], []
    for alpha in (2 * 0.05, 0.0):
        coef = solve(Objective(X, y, penalty=Penalty(alpha=alpha)), tol=1e-10).coef
        norms.append(float(np.hypot(coef[0], coef[1])))
        accs.append(float(np.mean(((X @ coef[:2] + coef[2]) >= 0) == (y == 1))))
    assert 1.6 < norms[1] / norms[0] < 2.6
    assert abs(accs[0] - accs[1]) <= 0.05


def test_threshold_tradeoff_moves_errors_between_the_two_kinds() -> None:
    s, f = run("threshold-tradeoff")
    low = f.metrics.confusion
    high = s.handle(SetView(tau=0.7))
    assert isinstance(high, Frame)
    assert high.metrics.confusion.fp < low.fp and high.metrics.confusion.fn > low.fn


def test_imbalanced_and_hand_set_start_where_the_cards_say() -> None:
    _, f = run("imbalanced")
    assert f.metrics.baseline == pytest.approx(100 / 120)
    assert f.metrics.confusion.tn + f.metrics.confusion.fp == 20
    s, f = run("hand-set")
    assert f.steps == 0 and f.metrics.accuracy is not None and f.metrics.accuracy < 0.85
    assert train(s, 100).metrics.log_loss < f.metrics.log_loss  # type: ignore[operator]


def test_newton_lands_in_about_five_steps_and_gradient_descent_needs_hundreds() -> None:
    s, f = run("newton-vs-gd")
    best = solve(Objective(s.X, s.y), tol=1e-12).value
    f = train(s, 5)
    assert f.metrics.objective == pytest.approx(best, abs=1e-6)
    s.handle(ResetWeights())
    s.handle(SetTraining(optimizer="gd"))
    f = train(s, 100)
    assert f.metrics.objective is not None and f.metrics.objective > best + 1e-3
