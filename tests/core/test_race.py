"""The optimizer race: each racer's path is the optimizer stepped by hand."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.core.objective import Objective
from logitlab.core.optimizers import OPTIMIZER_NAMES, make_optimizer
from logitlab.core.penalty import Penalty
from logitlab.core.race import OptimizerRace
from logitlab.core.solvers import solve


@pytest.mark.parametrize("penalty", [Penalty(), Penalty(0.05, 0.0), Penalty(0.05, 1.0)])
def test_paths_equal_stepping_each_optimizer_by_hand(make_data, penalty) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(120, 2, seed=4)
    obj = Objective(X, y, penalty=penalty)
    start = np.array([1.0, -1.0, 0.0])
    race = OptimizerRace(obj, start, learning_rate=0.5, batch_size=16, seed=3, max_steps=60)
    race.step(25)
    race.step(15)
    assert race.n_steps == 40
    results = race.results()
    assert [r.name for r in results] == list(OPTIMIZER_NAMES)
    for result in results:
        opt = make_optimizer(result.name, learning_rate=0.5, batch_size=16, seed=3)
        coef = start.copy()
        path, values = [coef], []
        for _ in range(40):
            step = opt.step(obj, coef)
            values.append(step.value)  # the objective where each step started
            coef = step.coef
            path.append(coef)
        np.testing.assert_array_equal(result.coefs, np.array(path))
        np.testing.assert_allclose(result.values[:-1], values, rtol=1e-14)
        assert result.values[-1] == obj.value(path[-1])
        assert result.seconds > 0.0


def test_steps_to_the_optimum_are_the_first_within_tol(make_data) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(200, 2, seed=6)
    obj = Objective(X, y, penalty=Penalty(0.01))
    race = OptimizerRace(obj, np.zeros(3), learning_rate=1.0, tol=1e-6, max_steps=300)
    race.run()
    best = solve(obj, tol=1e-12).value
    assert race.optimum_found and race.optimum_value == pytest.approx(best, rel=1e-14)
    by_name = {r.name: r for r in race.results()}
    for result in by_name.values():
        if result.steps_to_optimum is None:  # sgd's noise floor can stay above 1e-6
            assert np.all(result.values - best > 1e-6)
            continue
        t = result.steps_to_optimum
        assert result.values[t] - best <= 1e-6
        assert np.all(result.values[:t] - best > 1e-6)
        assert result.seconds_to_optimum is not None
        assert 0.0 < result.seconds_to_optimum <= result.seconds
    assert by_name["newton"].steps_to_optimum is not None
    assert by_name["newton"].steps_to_optimum <= 8
    assert by_name["gd"].steps_to_optimum is not None
    assert by_name["gd"].steps_to_optimum > 3 * by_name["newton"].steps_to_optimum


def test_separated_data_are_judged_against_the_vanishing_infimum() -> None:
    X = np.array([[-2.0, 0.0], [-1.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    race = OptimizerRace(Objective(X, y), np.zeros(3), names=["gd", "newton"], max_steps=400)
    race.run()
    assert race.optimum_value < 1e-9  # the infimum 0, approached at infinity
    newton = race.results()[1]
    assert newton.steps_to_optimum is not None
    assert newton.values[newton.steps_to_optimum] <= race.optimum_value + 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"coef0": np.zeros(2)}, "coef0 must have shape"),
        ({"names": ["gd", "gd"]}, "each optimizer once"),
        ({"names": ["lbfgs"]}, "unknown optimizer"),
        ({"tol": 0.0}, "tol must be"),
        ({"max_steps": 0}, "max_steps must be"),
    ],
)
def test_bad_settings_are_refused(make_data, kwargs, message) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(20, 2)
    args = {"objective": Objective(X, y), "coef0": np.zeros(3)} | kwargs
    with pytest.raises(ValueError, match=message):
        OptimizerRace(**args)


def test_the_race_refuses_to_record_beyond_its_cap(make_data) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(20, 2)
    race = OptimizerRace(Objective(X, y), np.zeros(3), max_steps=5)
    race.step(5)
    with pytest.raises(ValueError, match="at most 5 steps"):
        race.step()
