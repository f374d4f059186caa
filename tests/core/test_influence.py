"""Point inspector math: loss terms, gradient contributions, leave-one-out, one-step influence.

References: the loss pass on the single row, the objective's own gradient, a cold
refit on the data without the point, and statsmodels' Cook's distance.
"""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from logitlab.core.influence import (
    boundary_pull,
    gradient_contributions,
    inspect_point,
    leave_one_out,
    loss_terms,
    one_step_influence,
    without_point,
)
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve

PENALTIES = {
    "none": Penalty(0.0, 0.0),
    "l2": Penalty(0.05, 0.0),
    "l1": Penalty(0.02, 1.0),
    "elasticnet": Penalty(0.03, 0.5),
}


def fitted(make_data, n=150, n_classes=2, weighted=False, penalty="none", seed=0):  # type: ignore[no-untyped-def]
    X, y, sw = make_data(n, 3, n_classes, weighted=weighted, seed=seed)
    # plus a feature that carries no signal: L1 holds its weight at exactly 0
    X = np.column_stack([X, np.random.default_rng(9).standard_normal(n)])
    obj = Objective(X, y, n_classes=n_classes, sample_weight=sw, penalty=PENALTIES[penalty])
    result = solve(obj, tol=1e-12)
    assert result.converged
    return obj, result.coef


def relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(ours - reference)) / np.max(np.abs(reference)))


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_terms_shares_and_gradients_add_up(make_data, n_classes, weighted) -> None:  # type: ignore[no-untyped-def]
    obj, _ = fitted(make_data, n_classes=n_classes, weighted=weighted)
    coef = np.random.default_rng(1).normal(size=obj.n_coef)  # not the optimum: gradients ≠ 0
    terms = loss_terms(obj, coef)
    sw = np.ones(obj.n_samples) if obj.sample_weight is None else obj.sample_weight
    assert float(sw @ terms) / sw.sum() == pytest.approx(obj.cross_entropy(coef), rel=1e-13)
    grads = gradient_contributions(obj, coef)
    _, reference = obj.with_penalty(Penalty()).smooth_value_gradient(coef)
    np.testing.assert_allclose(grads.sum(axis=0), reference, rtol=1e-12, atol=1e-15)
    shares = []
    for i in (0, 7, obj.n_samples - 1):
        report = inspect_point(obj, coef, i)
        row = slice(i, i + 1)
        # the loss pass on the single row is that row's term and gradient
        value, grad = obj.model.loss_gradient(coef, obj.X[row], obj.y[row])
        assert report.loss == pytest.approx(value, rel=1e-13)
        assert terms[i] == pytest.approx(value, rel=1e-13)
        np.testing.assert_allclose(report.gradient, grad * sw[i] / sw.sum(), rtol=1e-13)
        np.testing.assert_allclose(report.gradient, grads[i], rtol=1e-12, atol=1e-16)
        p = obj.model.probabilities(coef, obj.X[row])[0]
        np.testing.assert_allclose(report.probability, np.atleast_1d(p), rtol=1e-15)
        label = int(obj.y[i])
        p_own = (p if label == 1 else 1 - p) if n_classes == 2 else p[label]
        assert report.loss == pytest.approx(-np.log(p_own), rel=1e-12)
        shares.append(report.share)
    all_shares = sw * terms / float(sw @ terms)
    np.testing.assert_allclose(shares, all_shares[[0, 7, obj.n_samples - 1]], rtol=1e-13)


@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("n_classes", [2, 3])
def test_leave_one_out_equals_a_cold_refit_without_the_point(make_data, penalty, n_classes) -> None:  # type: ignore[no-untyped-def]
    obj, coef = fitted(make_data, n_classes=n_classes, penalty=penalty, seed=2)
    for i in (0, 33, 149):
        loo = leave_one_out(obj, coef, i, tol=1e-12)
        assert loo.converged
        X, y = np.delete(obj.X, i, axis=0), np.delete(obj.y, i)
        cold = solve(Objective(X, y, n_classes=n_classes, penalty=obj.penalty), tol=1e-12).coef
        assert relative_error(loo.coef, cold) <= 1e-8
        np.testing.assert_allclose(loo.delta, loo.coef - coef, rtol=0, atol=0)
        assert np.max(np.abs(loo.delta)) > 0.0


def test_leave_one_out_with_weights_drops_exactly_that_point(make_data) -> None:  # type: ignore[no-untyped-def]
    obj, coef = fitted(make_data, weighted=True, penalty="l2", seed=3)
    loo = leave_one_out(obj, coef, 10, tol=1e-12)
    assert obj.sample_weight is not None
    keep = np.arange(obj.n_samples) != 10
    cold = solve(
        Objective(
            obj.X[keep], obj.y[keep], sample_weight=obj.sample_weight[keep], penalty=obj.penalty
        ),
        tol=1e-12,
    ).coef
    assert relative_error(loo.coef, cold) <= 1e-8
    reduced = without_point(obj, 10)
    assert reduced.value(cold) == pytest.approx(
        Objective(
            obj.X[keep], obj.y[keep], sample_weight=obj.sample_weight[keep], penalty=obj.penalty
        ).value(cold),
        rel=1e-13,
    )


def test_cook_distance_matches_statsmodels_without_penalty(make_data) -> None:  # type: ignore[no-untyped-def]
    obj, coef = fitted(make_data, n=200, seed=4)
    influence = one_step_influence(obj, coef)
    design = np.column_stack([obj.X, np.ones(obj.n_samples)])
    glm = sm.GLM(obj.y, design, family=sm.families.Binomial()).fit(tol=1e-12)
    reference = glm.get_influence().cooks_distance[0]
    np.testing.assert_allclose(influence.cook, reference, rtol=1e-8)


@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("weighted", [False, True])
def test_one_step_is_close_to_the_exact_refit(make_data, penalty, weighted) -> None:  # type: ignore[no-untyped-def]
    obj, coef = fitted(make_data, n=300, weighted=weighted, penalty=penalty, seed=5)
    influence = one_step_influence(obj, coef)
    assert influence.delta.shape == (300, obj.n_coef)
    exact = np.array([leave_one_out(obj, coef, i, tol=1e-12).delta for i in range(0, 300, 7)])
    approx = influence.delta[::7]
    scale = np.max(np.abs(exact), axis=1)
    err = np.max(np.abs(approx - exact), axis=1) / scale
    assert np.median(err) < 0.02  # ordinary data: a Newton step from the full fit is nearly exact
    assert np.max(err) < 0.15
    # the ranking that marker sizes show agrees with the exact shifts
    corr = np.corrcoef(np.linalg.norm(approx, axis=1), np.linalg.norm(exact, axis=1))[0, 1]
    assert corr > 0.99
    if penalty == "l1":
        zero = coef[obj.penalized] == 0.0
        assert zero.any()  # the test exercises an L1 zero: it stays put in the step
        assert np.all(influence.delta[:, obj.penalized][:, zero] == 0.0)


def test_the_lab_budget_case_refits_in_a_few_newton_steps() -> None:
    rng = np.random.default_rng(0)
    n = 10_000
    X = rng.standard_normal((n, 2))
    y = (X @ [1.5, -1.0] + rng.logistic(size=n) > 0).astype(np.float64)
    obj = Objective(X, y, penalty=Penalty(1e-3))
    coef = solve(obj, tol=1e-10).coef
    loo = leave_one_out(obj, coef, 123)
    assert loo.converged and loo.n_iter <= 3


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda o, c: inspect_point(o, c, 40), r"index must be a point index in 0 \.\. 39"),
        (lambda o, c: leave_one_out(o, c, -1), "index must be"),
        (lambda o, c: loss_terms(o, c[:2]), "coef must have shape"),
        (
            lambda o, c: one_step_influence(
                Objective(o.X, np.arange(40) % 3.0, n_classes=3), np.zeros(9)
            ),
            "binary",
        ),
    ],
)
def test_bad_input_is_refused(make_data, call, message) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(40, 2)
    with pytest.raises(ValueError, match=message):
        call(Objective(X, y), np.zeros(3))


def test_a_single_weighted_point_cannot_be_left_out() -> None:
    X = np.arange(6.0).reshape(3, 2)
    obj = Objective(X, np.array([0.0, 1.0, 1.0]), sample_weight=np.array([1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="no weight"):
        without_point(obj, 0)


@pytest.mark.parametrize("tau", [0.5, 0.2])
def test_boundary_pull_matches_moving_the_coefficients(tau: float) -> None:
    coef = np.array([1.5, -0.7, 0.3])
    direction = np.array([-0.2, 0.5, 0.4])
    x = np.array([0.8, -1.1])
    pull = boundary_pull(coef, direction, x, tau=tau)
    level = np.log(tau / (1 - tau))
    w, b = coef[:2], coef[2]
    assert w @ pull.foot + b == pytest.approx(level, abs=1e-14)  # on the boundary
    d = pull.foot - x
    assert d[0] * w[1] - d[1] * w[0] == pytest.approx(0.0, abs=1e-14)  # along the normal
    # finite differences: where the moved boundary crosses the normal line through the foot
    n = w / np.linalg.norm(w)
    h = 1e-6

    def crossing(t: float) -> np.ndarray:
        c = coef + t * direction
        s = (level - c[:2] @ pull.foot - c[2]) / (c[:2] @ n)
        return pull.foot + s * n

    numeric = (crossing(h) - crossing(-h)) / (2 * h)
    np.testing.assert_allclose(pull.velocity, numeric, rtol=1e-7, atol=1e-12)


def test_a_point_pulls_the_boundary_toward_its_own_class(make_data) -> None:  # type: ignore[no-untyped-def]
    """A misclassified point's own gradient step moves the boundary past it."""
    X, y, _ = make_data(100, 2, seed=7)
    obj2 = Objective(X, y)
    coef = solve(obj2, tol=1e-12).coef
    p = obj2.model.probabilities(coef, obj2.X)
    wrong = np.flatnonzero((p >= 0.5) != (obj2.y == 1))
    assert wrong.size
    for i in wrong[:5]:
        report = inspect_point(obj2, coef, int(i))
        pull = boundary_pull(coef, -report.gradient, obj2.X[i])
        # the boundary moves toward the point: the motion has a positive component along x − foot
        assert float(pull.velocity @ (obj2.X[i] - pull.foot)) > 0.0


def test_boundary_pull_refuses_a_boundary_that_is_not_there() -> None:
    with pytest.raises(ValueError, match="no boundary"):
        boundary_pull(np.array([0.0, 0.0, 1.0]), np.ones(3), np.zeros(2))
    with pytest.raises(ValueError, match="shape"):
        boundary_pull(np.ones(3), np.ones(2), np.zeros(2))
