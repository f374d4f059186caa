"""Step optimizers: descent, convergence to solve()'s optimum, exact zeros under L1, seeding."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.core.objective import Objective
from logitlab.core.optimizers import (
    OPTIMIZER_NAMES,
    Newton,
    make_optimizer,
    newton_direction,
)
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve

# name -> (learning rate, steps, how close to the optimum: coefficients, objective)
SETTINGS = {
    "gd": (1.0, 400, 1e-6, 1e-10),
    "momentum": (0.15, 400, 1e-6, 1e-10),
    "adam": (0.02, 2000, 1e-3, 1e-6),
    "sgd": (0.05, 3000, 5e-2, 2e-3),
    "newton": (0.1, 8, 1e-9, 1e-14),
}


def _objective(make_data, n_classes=2, penalty=None, weak=False):  # type: ignore[no-untyped-def]
    X, y, sw = make_data(120, 4, n_classes, weighted=True, seed=21)
    if weak:
        X[:, 3] *= 0.05  # a nearly useless feature, for L1 to zero out
    return Objective(
        X,
        y,
        n_classes=n_classes,
        sample_weight=sw,
        penalty=penalty if penalty is not None else Penalty(0.02, 0.0),
    )


def _run(opt, obj, steps):  # type: ignore[no-untyped-def]
    coef = obj.initial_coef()
    values = []
    for _ in range(steps):
        step = opt.step(obj, coef)
        values.append(step.value)
        coef = step.coef
    return coef, np.array(values)


@pytest.mark.parametrize("name", OPTIMIZER_NAMES)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_each_optimizer_descends_to_the_optimum(make_data, name, n_classes) -> None:  # type: ignore[no-untyped-def]
    obj = _objective(make_data, n_classes)
    best = solve(obj, tol=1e-12)
    lr, steps, coef_tol, value_tol = SETTINGS[name]
    opt = make_optimizer(name, learning_rate=lr, batch_size=16, seed=3)
    coef, values = _run(opt, obj, steps)
    if n_classes > 2:  # intercepts are defined up to a common shift
        coef = coef.reshape(n_classes, -1)
        coef[:, -1] -= coef[:, -1].mean()
        coef = coef.ravel()
    assert values[0] == pytest.approx(obj.value(obj.initial_coef()), rel=1e-14)
    assert values[-1] < values[0]
    if name in ("gd", "newton"):
        assert np.all(np.diff(values) <= 1e-15)  # monotone
    assert obj.value(coef) - best.value <= value_tol
    assert obj.value(coef) >= best.value - 1e-14  # nobody beats the optimum
    np.testing.assert_allclose(coef, best.coef, rtol=0, atol=coef_tol)


@pytest.mark.parametrize("name", ["gd", "momentum", "adam", "sgd"])
def test_proximal_steps_give_exact_zeros_under_l1(make_data, name) -> None:  # type: ignore[no-untyped-def]
    X, y, sw = make_data(120, 6, 2, seed=8)
    X[:, 3:] *= 0.05  # three nearly useless features
    obj = Objective(X, y, sample_weight=sw, penalty=Penalty(0.05, 1.0))
    best = solve(obj, tol=1e-12)
    assert np.any(best.coef[:6] == 0.0)
    lr, steps, coef_tol, _ = SETTINGS[name]
    coef, _ = _run(make_optimizer(name, learning_rate=lr, batch_size=32, seed=1), obj, steps)
    if name == "sgd":
        assert np.sum(coef[:6] == 0.0) >= 1
    else:
        np.testing.assert_array_equal(coef == 0.0, best.coef == 0.0)
        np.testing.assert_allclose(coef, best.coef, rtol=0, atol=max(coef_tol, 1e-6))


@pytest.mark.parametrize(("n_classes", "l1_ratio"), [(2, 1.0), (2, 0.5), (3, 1.0), (3, 0.5)])
def test_proximal_newton_converges_under_l1(make_data, n_classes, l1_ratio) -> None:  # type: ignore[no-untyped-def]
    obj = _objective(make_data, n_classes, Penalty(0.04, l1_ratio), weak=True)
    best = solve(obj, tol=1e-12)
    assert best.converged and best.n_iter <= 12
    assert np.any(best.coef[obj.penalized] == 0.0)
    coef, values = _run(Newton(), obj, 10)
    assert np.all(np.diff(values) <= 1e-15)
    np.testing.assert_allclose(coef, best.coef, rtol=0, atol=1e-9)
    assert obj.optimality(coef) < 1e-9


def test_newton_direction_stays_in_the_sum_zero_space(make_data) -> None:  # type: ignore[no-untyped-def]
    """Unpenalized softmax: the Hessian is singular; the direction has zero class sums."""
    obj = _objective(make_data, 3, Penalty())
    coef = np.random.default_rng(0).normal(size=obj.n_coef)
    _, grad, hess = obj.smooth_value_gradient_hessian(coef)
    d = newton_direction(obj, coef, grad, hess)
    np.testing.assert_allclose(d.reshape(3, -1).sum(axis=0), 0.0, atol=1e-12)
    # It is a Newton direction on the identifiable subspace: H d = −g.
    np.testing.assert_allclose(hess @ d, -grad, atol=1e-12)


def test_sgd_is_reproducible_from_its_seed(make_data) -> None:  # type: ignore[no-untyped-def]
    obj = _objective(make_data)

    def path(seed: int, steps: int = 20) -> np.ndarray:
        opt = make_optimizer("sgd", learning_rate=0.3, batch_size=10, seed=seed)
        return np.array([c for c in _run_path(opt, obj, steps)])

    np.testing.assert_array_equal(path(5), path(5))
    assert not np.array_equal(path(5), path(6))
    opt = make_optimizer("sgd", learning_rate=0.3, batch_size=10, seed=5)
    first = np.array(list(_run_path(opt, obj, 20)))
    opt.reset()
    np.testing.assert_array_equal(np.array(list(_run_path(opt, obj, 20))), first)


def _run_path(opt, obj, steps):  # type: ignore[no-untyped-def]
    coef = obj.initial_coef()
    for _ in range(steps):
        coef = opt.step(obj, coef).coef
        yield coef


def test_sgd_visits_every_row_once_per_epoch(make_data) -> None:  # type: ignore[no-untyped-def]
    obj = _objective(make_data)
    opt = make_optimizer("sgd", batch_size=25, seed=0)
    seen = np.concatenate([opt._next_rows(obj.n_samples) for _ in range(5)])  # type: ignore[attr-defined]
    np.testing.assert_array_equal(np.sort(seen[:120]), np.arange(120))


@pytest.mark.parametrize("name", ["momentum", "adam"])
def test_reset_forgets_the_state(make_data, name) -> None:  # type: ignore[no-untyped-def]
    obj = _objective(make_data)
    opt = make_optimizer(name, learning_rate=0.1)
    first = list(_run_path(opt, obj, 5))
    opt.reset()
    again = list(_run_path(opt, obj, 5))
    np.testing.assert_array_equal(first[-1], again[-1])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "lbfgs"}, "unknown optimizer 'lbfgs'; choose one of gd, momentum"),
        ({"name": "gd", "learning_rate": 0.0}, "learning_rate must be a finite number > 0"),
        ({"name": "gd", "learning_rate": float("nan")}, "learning_rate must be"),
        ({"name": "sgd", "batch_size": 0}, "batch_size must be an integer >= 1"),
        ({"name": "sgd", "batch_size": 2.5}, "batch_size must be an integer >= 1"),
    ],
)
def test_bad_optimizer_settings_are_rejected(kwargs, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=message):
        make_optimizer(**kwargs)
