"""The default stopping rule reaches the optimum to 1e-6 relative where a gradient test alone
does not (rare events, ill-conditioning), and internal centring solves ``X + 1e6``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def standard_errors(obj: Objective, coef: np.ndarray) -> np.ndarray:
    return np.sqrt(np.diag(np.linalg.inv(obj.smooth_hessian(coef))) / obj.n_samples)


@pytest.mark.parametrize("method", ["newton", "newton-cg"])
def test_rare_events_give_standard_errors_to_1e_6(method: str) -> None:
    """200,000 rows, 20 positives: the intercept's curvature is ~1e-4, so a gradient of
    1e-8 alone still leaves an error of ~1e-4; the decrement test asks for another step."""
    rng = np.random.default_rng(1)
    n = 200_000
    X = rng.standard_normal((n, 3))
    y = np.zeros(n)
    y[rng.choice(n, 20, replace=False)] = 1.0
    obj = Objective(X, y)
    result = solve(obj, method=method)  # default tol
    reference = solve(obj, tol=1e-15, max_iter=200, method="newton")
    assert result.converged
    np.testing.assert_allclose(result.coef, reference.coef, rtol=1e-6)
    np.testing.assert_allclose(
        standard_errors(obj, result.coef), standard_errors(obj, reference.coef), rtol=1e-6
    )


def test_ill_conditioned_multinomial_reaches_1e_6() -> None:
    """Digits at C = 100 (weak penalty, near-constant pixels): was off by 1.3e-4."""
    X, y = load_digits(return_X_y=True)
    X, y = X[::3], y[::3]
    obj = Objective(X, y.astype(float), n_classes=10, penalty=Penalty(1.0 / (100 * len(y))))
    reference = solve(obj, tol=1e-12, max_iter=100, method="newton")
    for method in ("auto", "newton-cg"):
        result = solve(obj, method=method)
        assert result.converged
        err = np.max(np.abs(result.coef - reference.coef)) / np.max(np.abs(reference.coef))
        assert err <= 1e-6, (method, err)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("method", ["newton", "newton-cg"])
def test_a_huge_offset_is_centred_away(n_classes: int, method: str) -> None:
    rng = np.random.default_rng(3)
    X = rng.standard_normal((2000, 3))
    B = rng.standard_normal((n_classes, 3))
    y = np.argmax(X @ B.T + rng.gumbel(size=(2000, n_classes)), axis=1).astype(float)
    plain = solve(Objective(X, y, n_classes=n_classes), tol=1e-12, method=method)
    shifted_obj = Objective(X + 1e6, y, n_classes=n_classes)
    shifted = solve(shifted_obj, method=method)
    assert shifted.converged
    K = 1 if n_classes == 2 else n_classes
    a = plain.coef.reshape(K, 4)
    b = shifted.coef.reshape(K, 4)
    np.testing.assert_allclose(b[:, :3], a[:, :3], rtol=1e-7, atol=1e-9)
    # the intercept is shifted back: b_raw = b_centred − 1e6·Σw
    expected = a[:, 3] - 1e6 * a[:, :3].sum(axis=1)
    if n_classes > 2:
        expected -= expected.mean()
    # (to the coefficients' accuracy times the offset)
    np.testing.assert_allclose(b[:, 3], expected, rtol=0, atol=1e6 * 1e-8 * np.abs(a).max())


def test_the_estimator_fits_a_huge_offset_without_a_warning() -> None:
    from logitlab import LogisticRegression

    rng = np.random.default_rng(4)
    X = rng.standard_normal((1500, 2))
    y = (rng.random(1500) < 1 / (1 + np.exp(-(X @ [1.0, -0.5])))).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shifted = LogisticRegression(C=np.inf).fit(X + 1e6, y)
    plain = LogisticRegression(C=np.inf).fit(X, y)
    np.testing.assert_allclose(shifted.coef_, plain.coef_, rtol=1e-7)
    np.testing.assert_allclose(shifted.predict_proba(X + 1e6), plain.predict_proba(X), atol=1e-7)


def test_ordinary_data_stop_as_early_as_before() -> None:
    """Where the gradient test already implies accuracy, the decrement costs no iteration."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((5000, 5))
    y = (rng.random(5000) < 1 / (1 + np.exp(-(X @ np.ones(5))))).astype(float)
    result = solve(Objective(X, y))
    assert result.converged and result.n_iter <= 7
