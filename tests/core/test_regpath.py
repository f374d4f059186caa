"""regularization_path(): every point is the exact optimum at its strength.

References: an independent cold solve at each α, and scikit-learn's LogisticRegression
at C = 1 / (α·Σsᵢ) (it minimizes C·Σsᵢℓᵢ + r(w); dividing by C·Σsᵢ gives our objective).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.regpath import (
    alpha_grid,
    alpha_max,
    intercept_only_coef,
    regularization_path,
)
from logitlab.core.solvers import solve


def relative_error(ours: np.ndarray, reference: np.ndarray) -> float:
    return float(np.max(np.abs(ours - reference)) / max(np.max(np.abs(reference)), 1e-300))


def standardized(make_data, n: int, n_classes: int = 2, weighted: bool = False, seed: int = 4):  # type: ignore[no-untyped-def]
    X, y, sw = make_data(n, 3, n_classes, weighted=weighted, seed=seed)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    return X, y, sw


@pytest.mark.parametrize("l1_ratio", [0.0, 1.0, 0.5])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_each_point_equals_a_cold_exact_fit(make_data, l1_ratio, n_classes, weighted) -> None:  # type: ignore[no-untyped-def]
    X, y, sw = make_data(200, 3, n_classes, weighted=weighted, seed=8)
    obj = Objective(X, y, n_classes=n_classes, sample_weight=sw)
    path = regularization_path(obj, l1_ratio=l1_ratio, n_alphas=12)
    assert path.converged.all()
    assert np.all(np.diff(path.alphas) < 0)
    assert path.alphas[0] == pytest.approx(alpha_max(obj, l1_ratio), rel=1e-15)
    assert path.alphas[-1] == pytest.approx(1e-3 * path.alphas[0], rel=1e-12)
    for alpha, coef, value in zip(path.alphas, path.coefs, path.values, strict=True):
        cold_obj = obj.with_penalty(Penalty(alpha, l1_ratio))
        cold = solve(cold_obj, tol=1e-12)
        assert cold.converged
        assert relative_error(coef, cold.coef) <= 1e-6
        assert value == pytest.approx(cold_obj.value(coef), rel=1e-14)
        # Ours is exactly 0 wherever the cold fit is 0 up to rounding (a cold multinomial
        # fit can leave a stray 1e-16 where its coordinate descent crossed zero).
        cold_zero = np.abs(cold.coef) <= 1e-12 * np.max(np.abs(cold.coef))
        np.testing.assert_array_equal(coef == 0.0, cold_zero)
    expected = [np.count_nonzero(c[obj.penalized]) for c in path.coefs]
    np.testing.assert_array_equal(path.n_nonzero, expected)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_zeros_are_exact_above_alpha_max_and_weights_open_below(make_data, l1_ratio) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(300, 3, seed=2)
    obj = Objective(X, y)
    top = alpha_max(obj, l1_ratio)
    path = regularization_path(
        obj, [4.0 * top, 2.0 * top, top, 0.97 * top, 0.3 * top], l1_ratio=l1_ratio
    )
    weights = path.coefs[:, obj.penalized]
    assert np.all(weights[:3] == 0.0)  # exactly 0 at and above α_max ...
    np.testing.assert_array_equal(path.n_nonzero[:3], 0)
    np.testing.assert_allclose(
        path.coefs[:3], intercept_only_coef(obj)[None, :].repeat(3, 0), rtol=1e-9
    )
    assert path.n_nonzero[3] >= 1  # ... and α_max is tight: just below it a weight opens
    assert path.n_nonzero[4] >= path.n_nonzero[3]
    # a weight that is 0 at some α stays 0 at every larger α of the path
    for col in range(weights.shape[1]):
        zero = weights[:, col] == 0.0
        first_open = int(np.argmin(zero)) if not zero.all() else zero.size
        assert zero[:first_open].all()


def test_intercept_only_coef_is_the_optimum_with_zero_weights(make_data) -> None:  # type: ignore[no-untyped-def]
    for n_classes in (2, 4):
        X, y, sw = make_data(120, 2, n_classes, weighted=True, seed=6)
        obj = Objective(X, y, n_classes=n_classes, sample_weight=sw)
        coef = intercept_only_coef(obj)
        np.testing.assert_array_equal(coef[obj.penalized], 0.0)
        _, grad = obj.smooth_value_gradient(coef)
        np.testing.assert_allclose(grad[~obj.penalized], 0.0, atol=1e-14)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_l2_path_matches_sklearn(make_data, n_classes: int) -> None:  # type: ignore[no-untyped-def]
    X, y, sw = make_data(250, 3, n_classes, weighted=True, seed=3)
    obj = Objective(X, y, n_classes=n_classes, sample_weight=sw)
    path = regularization_path(obj, l1_ratio=0.0, n_alphas=6, ratio=1e-2)
    for alpha, coef in zip(path.alphas, path.coefs, strict=True):
        C = 1.0 / (alpha * np.sum(sw))
        model = LogisticRegression(C=C, l1_ratio=0.0, solver="newton-cholesky", tol=1e-12)
        model.fit(X, y, sample_weight=sw)
        W = np.column_stack([model.coef_, model.intercept_])
        if n_classes > 2:
            W[:, -1] -= W[:, -1].mean()
        assert relative_error(coef, W.ravel()) <= 1e-6


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_and_elastic_net_path_match_sklearn_saga(make_data, l1_ratio: float) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = standardized(make_data, 120)
    obj = Objective(X, y)
    top = alpha_max(obj, l1_ratio)
    path = regularization_path(obj, top * np.array([0.8, 0.3, 0.05]), l1_ratio=l1_ratio)
    for alpha, coef in zip(path.alphas, path.coefs, strict=True):
        model = LogisticRegression(
            C=1.0 / (alpha * X.shape[0]),
            l1_ratio=l1_ratio,
            solver="saga",
            tol=1e-12,
            max_iter=200_000,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            model.fit(X, y)
        reference = np.append(model.coef_.ravel(), model.intercept_)
        assert relative_error(coef, reference) <= 1e-6
        np.testing.assert_array_equal(coef == 0.0, reference == 0.0)


def test_the_lab_budget_case_converges_in_few_steps_per_point() -> None:
    rng = np.random.default_rng(0)
    n = 10_000
    X = rng.standard_normal((n, 2)) * [1.0, 2.0] + [0.5, -1.0]
    y = (X @ [1.5, -1.0] + 0.3 + rng.logistic(size=n) > 0).astype(np.float64)
    for rho in (0.0, 1.0, 0.5):
        path = regularization_path(Objective(X, y), l1_ratio=rho, n_alphas=30)
        assert path.converged.all()
        assert path.n_iter.max() <= 8  # warm starts: a few Newton steps per point


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda o: alpha_max(o, 1.5), "l1_ratio must be in"),
        (lambda o: alpha_grid(o, 1.0, n_alphas=0), "n_alphas"),
        (lambda o: alpha_grid(o, 1.0, ratio=1.0), "ratio must be in"),
        (lambda o: regularization_path(o, np.array([]), l1_ratio=1.0), "non-empty"),
        (lambda o: regularization_path(o, np.array([-1.0]), l1_ratio=1.0), ">= 0"),
    ],
)
def test_bad_input_is_refused(make_data, call, message) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(30, 2)
    with pytest.raises(ValueError, match=message):
        call(Objective(X, y))


def test_a_class_without_weight_is_refused() -> None:
    X = np.arange(8.0).reshape(4, 2)
    with pytest.raises(ValueError, match="every class needs a positive weight"):
        intercept_only_coef(Objective(X, np.zeros(4)))
