"""Invariants of LogisticRegression, checked by hypothesis on random small problems."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from logitlab import LogisticRegression
from logitlab.core.inference import detect_separation
from logitlab.core.objective import Objective

SETTINGS = settings(max_examples=20, deadline=None)


@st.composite
def problems(draw: st.DrawFn, n_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Overlapping classes on features of mixed scales; seeded so examples shrink well."""
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(30, 80))
    p = draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    scales = 10.0 ** rng.uniform(-1, 1, size=p)
    X = rng.normal(size=(n, p)) * scales
    if n_classes == 2:
        z = (X / scales) @ rng.uniform(-1.5, 1.5, size=p)
        y = (z + rng.logistic(size=n) > 0).astype(int)
    else:
        W = rng.uniform(-1, 1, size=(n_classes, p))
        scores = (X / scales) @ W.T + rng.gumbel(size=(n, n_classes))
        y = np.argmax(scores, axis=1)
    assume(np.unique(y).size == n_classes and np.min(np.bincount(y)) >= 3)
    return X, y


def _not_separated(X: np.ndarray, y: np.ndarray, n_classes: int = 2) -> bool:
    return detect_separation(Objective(X, y.astype(float), n_classes=n_classes)) is None


@SETTINGS
@given(problems(), st.sampled_from([np.inf, 1.0]), st.integers(0, 2**31))
def test_row_order_changes_nothing(
    problem: tuple[np.ndarray, np.ndarray], C: float, order_seed: int
) -> None:
    X, y = problem
    if np.isinf(C):
        assume(_not_separated(X, y))
    order = np.random.default_rng(order_seed).permutation(len(y))
    a = LogisticRegression(C=C, tol=1e-10).fit(X, y)
    b = LogisticRegression(C=C, tol=1e-10).fit(X[order], y[order])
    assert_allclose(b.coef_, a.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(b.intercept_, a.intercept_, rtol=1e-7, atol=1e-10)


@SETTINGS
@given(problems(n_classes=3))
def test_row_order_changes_nothing_multinomial(problem: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = problem
    order = np.arange(len(y))[::-1]
    a = LogisticRegression(C=1.0, tol=1e-10).fit(X, y)
    b = LogisticRegression(C=1.0, tol=1e-10).fit(X[order], y[order])
    assert_allclose(b.coef_, a.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(b.intercept_, a.intercept_, rtol=1e-7, atol=1e-10)


@SETTINGS
@given(problems(), st.sampled_from([np.inf, 1.0, 0.1]))
def test_swapping_the_labels_negates_binary_coefficients(
    problem: tuple[np.ndarray, np.ndarray], C: float
) -> None:
    X, y = problem
    if np.isinf(C):
        assume(_not_separated(X, y))
    a = LogisticRegression(C=C, tol=1e-10).fit(X, y)
    b = LogisticRegression(C=C, tol=1e-10).fit(X, 1 - y)
    assert_allclose(b.coef_, -a.coef_, rtol=1e-7, atol=1e-10)
    assert_allclose(b.intercept_, -a.intercept_, rtol=1e-7, atol=1e-10)


@SETTINGS
@given(problems(), st.floats(0.01, 100.0), st.integers(0, 2))
def test_scaling_a_feature_scales_its_unpenalized_coefficient_inversely(
    problem: tuple[np.ndarray, np.ndarray], factor: float, column: int
) -> None:
    X, y = problem
    j = column % X.shape[1]
    assume(_not_separated(X, y))
    scaled = X.copy()
    scaled[:, j] *= factor
    a = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    b = LogisticRegression(C=np.inf, tol=1e-10).fit(scaled, y)
    expected = a.coef_.copy()
    expected[:, j] /= factor
    assert_allclose(b.coef_, expected, rtol=1e-6)
    assert_allclose(b.intercept_, a.intercept_, rtol=1e-6, atol=1e-9)
