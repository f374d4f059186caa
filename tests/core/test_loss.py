"""LogisticLoss: values against scikit-learn's log_loss, derivatives against finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from sklearn.metrics import log_loss

from logitlab.core import loss as loss_module
from logitlab.core.loss import LogisticLoss

CASES = [
    (n_classes, fit_intercept, weighted)
    for n_classes in (2, 3, 4)
    for fit_intercept in (True, False)
    for weighted in (False, True)
]


def numeric_gradient(
    f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    """Central differences, one coordinate at a time."""
    out = np.empty_like(x)
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        out[j] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def numeric_jacobian(
    g: Callable[[np.ndarray], np.ndarray], x: np.ndarray, h: float = 1e-6
) -> np.ndarray:
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((g(x + e) - g(x - e)) / (2 * h))
    return np.column_stack(cols)


def _setup(make_data, n_classes: int, fit_intercept: bool, weighted: bool):  # type: ignore[no-untyped-def]
    X, y, sw = make_data(30, 3, n_classes, weighted=weighted, seed=n_classes)
    model = LogisticLoss(n_classes=n_classes, fit_intercept=fit_intercept)
    coef = np.random.default_rng(7).normal(scale=0.7, size=model.n_coef(X.shape[1]))
    return model, X, y, sw, coef


@pytest.mark.parametrize(("n_classes", "fit_intercept", "weighted"), CASES)
def test_loss_matches_sklearn_log_loss(make_data, n_classes, fit_intercept, weighted) -> None:  # type: ignore[no-untyped-def]
    model, X, y, sw, coef = _setup(make_data, n_classes, fit_intercept, weighted)
    proba = model.probabilities(coef, X)
    if model.is_binary:
        proba = np.column_stack([1 - proba, proba])
    expected = log_loss(y, proba, sample_weight=sw, labels=np.arange(n_classes))
    np.testing.assert_allclose(model.loss(coef, X, y, sw), expected, rtol=1e-13)


@pytest.mark.parametrize(("n_classes", "fit_intercept", "weighted"), CASES)
def test_gradient_matches_finite_differences(make_data, n_classes, fit_intercept, weighted) -> None:  # type: ignore[no-untyped-def]
    model, X, y, sw, coef = _setup(make_data, n_classes, fit_intercept, weighted)
    value, grad = model.loss_gradient(coef, X, y, sw)
    assert value == pytest.approx(model.loss(coef, X, y, sw), rel=1e-14)
    expected = numeric_gradient(lambda c: model.loss(c, X, y, sw), coef)
    np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("n_classes", "fit_intercept", "weighted"), CASES)
def test_hessian_matches_finite_differences(make_data, n_classes, fit_intercept, weighted) -> None:  # type: ignore[no-untyped-def]
    model, X, y, sw, coef = _setup(make_data, n_classes, fit_intercept, weighted)
    value, grad, hess = model.loss_gradient_hessian(coef, X, y, sw)
    np.testing.assert_allclose(hess, hess.T, rtol=0, atol=1e-15)
    expected = numeric_jacobian(lambda c: model.loss_gradient(c, X, y, sw)[1], coef)
    np.testing.assert_allclose(hess, expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(model.hessian(coef, X, y, sw), hess, rtol=1e-14, atol=1e-16)
    g2, _ = model.gradient_hessian(coef, X, y, sw)
    np.testing.assert_array_equal(g2, grad)
    assert value == pytest.approx(model.loss(coef, X, y, sw), rel=1e-14)
    # The Hessian is positive semi-definite; the multinomial one is singular along
    # "add the same vector to every class".
    assert np.min(np.linalg.eigvalsh(hess)) > -1e-12
    if n_classes > 2:
        shift = np.tile(np.ones(X.shape[1] + int(fit_intercept)), n_classes)
        np.testing.assert_allclose(hess @ shift, 0.0, atol=1e-12)
        np.testing.assert_allclose(grad @ shift, 0.0, atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_row_blocks_do_not_change_results(make_data, monkeypatch, n_classes) -> None:  # type: ignore[no-untyped-def]
    model, X, y, sw, coef = _setup(make_data, n_classes, True, True)
    whole = model.loss_gradient_hessian(coef, X, y, sw)
    monkeypatch.setattr(loss_module, "CHUNK_ROWS", 7)
    blocked = model.loss_gradient_hessian(coef, X, y, sw)
    assert blocked[0] == pytest.approx(whole[0], rel=1e-14)
    np.testing.assert_allclose(blocked[1], whole[1], rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(blocked[2], whole[2], rtol=1e-12, atol=1e-15)


def test_unit_weights_equal_no_weights(make_data) -> None:  # type: ignore[no-untyped-def]
    model, X, y, _, coef = _setup(make_data, 3, True, False)
    a = model.loss_gradient_hessian(coef, X, y, None)
    b = model.loss_gradient_hessian(coef, X, y, np.full(len(y), 2.5))
    assert a[0] == pytest.approx(b[0], rel=1e-14)
    np.testing.assert_allclose(a[1], b[1], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(a[2], b[2], rtol=1e-13, atol=1e-16)


def test_integer_weights_equal_repeated_rows(make_data) -> None:  # type: ignore[no-untyped-def]
    model, X, y, _, coef = _setup(make_data, 2, True, False)
    counts = np.arange(len(y)) % 3 + 1
    weighted = model.loss_gradient(coef, X, y, counts.astype(float))
    repeated = model.loss_gradient(coef, np.repeat(X, counts, axis=0), np.repeat(y, counts))
    assert weighted[0] == pytest.approx(repeated[0], rel=1e-13)
    np.testing.assert_allclose(weighted[1], repeated[1], rtol=1e-12)


def test_extreme_scores_are_finite_and_exact() -> None:
    """At |z| = 1e4 the loss is 0 for a right answer and |z| for a wrong one; no warnings."""
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([1.0, 0.0, 0.0, 1.0])
    model = LogisticLoss(fit_intercept=False)
    coef = np.array([1e4])
    value, grad, hess = model.loss_gradient_hessian(coef, X, y)
    assert value == pytest.approx((0 + 0 + 1e4 + 1e4) / 4, rel=1e-15)
    np.testing.assert_allclose(grad, [(0 + 0 + 1 + 1) / 4])  # Σ (p − y) x / n
    assert np.all(np.isfinite(hess)) and hess[0, 0] == 0.0
    multi = LogisticLoss(n_classes=3, fit_intercept=False)
    W = np.array([1e4, 0.0, -1e4])
    labels = np.array([0.0, 2.0, 1.0, 1.0])
    value = multi.loss(W, X, labels)
    assert value == pytest.approx((0 + 0 + 1e4 + 1e4) / 4, rel=1e-15)
    assert np.all(np.isfinite(multi.loss_gradient_hessian(W, X, labels)[2]))


def test_split_and_weights_mask_follow_the_layout() -> None:
    model = LogisticLoss(n_classes=3, fit_intercept=True)
    coef = np.arange(9.0)  # (3 classes) x (2 features + intercept)
    weights, intercepts = model.split(coef, 2)
    np.testing.assert_array_equal(weights, [[0, 1], [3, 4], [6, 7]])
    np.testing.assert_array_equal(intercepts, [2, 5, 8])
    np.testing.assert_array_equal(model.weights_mask(2), [1, 1, 0] * 3)
    binary = LogisticLoss(fit_intercept=False)
    w, b = binary.split(np.array([1.0, 2.0]), 2)
    np.testing.assert_array_equal(w, [1, 2])
    assert b == 0.0


@pytest.mark.parametrize("n_classes", [2, 3])
def test_fortran_ordered_and_strided_features_give_the_same_result(make_data, n_classes) -> None:  # type: ignore[no-untyped-def]
    model, X, y, sw, coef = _setup(make_data, n_classes, True, True)
    reference = model.loss_gradient_hessian(coef, X, y, sw)
    wide = np.repeat(X, 2, axis=1)[:, ::2]  # a strided view
    for variant in (np.asfortranarray(X), wide):
        result = model.loss_gradient_hessian(coef, variant, y, sw)
        assert result[0] == pytest.approx(reference[0], rel=1e-14)
        np.testing.assert_allclose(result[1], reference[1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(result[2], reference[2], rtol=1e-12, atol=1e-15)


def test_tiny_losses_keep_their_relative_precision() -> None:
    """Well-separated rows: ℓ = log1p(e^{-|z|}), not a difference of two large numbers."""
    X = np.array([[40.0], [-40.0], [30.0], [-35.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    model = LogisticLoss(fit_intercept=True)
    coef = np.array([1.0, 0.5])
    z = X[:, 0] + 0.5
    expected = np.mean(np.log1p(np.exp(-np.abs(z))))
    assert model.loss(coef, X, y) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_intercept_only_model(n_classes: int) -> None:
    """No features: the pass still works (the Hessian is the intercept block alone)."""
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0]) if n_classes == 2 else np.array([0.0, 1, 2, 2, 1])
    model = LogisticLoss(n_classes=n_classes)
    coef = np.linspace(-0.5, 0.5, model.n_coef(0))
    X = np.empty((5, 0))
    _, grad, hess = model.loss_gradient_hessian(coef, X, y)
    expected = numeric_jacobian(lambda c: model.loss_gradient(c, X, y)[1], coef)
    np.testing.assert_allclose(hess, expected, rtol=1e-6, atol=1e-9)
    assert grad.shape == (model.n_coef(0),)


def test_multinomial_hessian_is_accurate_when_one_class_is_nearly_certain() -> None:
    """p_k(1 − p_k) with p_k = 1 − 1e-12: the curvature keeps its relative precision."""
    rng = np.random.default_rng(4)
    X = rng.uniform(0.9, 1.1, size=(20, 1))
    model = LogisticLoss(n_classes=3, fit_intercept=False)
    coef = np.array([30.0, 0.0, 0.0])  # z = (30x, 0, 0): class 0 almost sure
    hess = model.hessian(coef, X, np.zeros(20))
    z = 30.0 * X[:, 0]
    others = 2.0 * np.exp(-z) / (1.0 + 2.0 * np.exp(-z))  # 1 − p_0, computed directly
    p0 = 1.0 / (1.0 + 2.0 * np.exp(-z))
    expected = np.mean(p0 * others * X[:, 0] ** 2)
    assert hess[0, 0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [True, False])
def test_narrow_pass_matches_the_general_pass(
    monkeypatch: pytest.MonkeyPatch, fit_intercept: bool, weighted: bool
) -> None:
    """Few features take the transposed-block path; it must agree with the row-block path,
    also for extreme scores where residuals are tiny (kept exactly, not rounded to 0)."""
    import logitlab.core.loss as loss_module

    rng = np.random.default_rng(5)
    n = loss_module.CHUNK_ROWS + 1234  # more than one block
    X = rng.normal(size=(n, 3)) * [1.0, 30.0, 0.01]
    y = (rng.random(n) < 0.4).astype(float)
    sw = rng.random(n) if weighted else None
    model = LogisticLoss(fit_intercept=fit_intercept)
    coefs = [rng.normal(size=model.n_coef(3)), np.r_[0.0, 40.0, 0.0, 1.0][: model.n_coef(3)]]
    for coef in coefs:
        narrow = model.loss_gradient_hessian(coef, X, y, sw)
        monkeypatch.setattr(loss_module, "NARROW_MAX_FEATURES", 0)
        general = model.loss_gradient_hessian(coef, X, y, sw)
        monkeypatch.undo()
        assert narrow[0] == pytest.approx(general[0], rel=1e-13)
        np.testing.assert_allclose(narrow[1], general[1], rtol=1e-11, atol=1e-300)
        np.testing.assert_allclose(narrow[2], general[2], rtol=1e-11, atol=1e-300)
    # a residual far below rounding of 1 survives: σ(-40) - 0 for a well-classified row
    one = model.loss_gradient(
        np.r_[-40.0, 0.0, 0.0, 0.0][: model.n_coef(3)], X[:1] * 0 + [1, 0, 0], y[:1] * 0
    )
    assert one[1][0] == pytest.approx(np.exp(-40.0) / (1 + np.exp(-40.0)), rel=1e-14)


@pytest.mark.parametrize("p", [3, 30])  # the transposed (narrow) and the row-block pass
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_score_sums_equal_their_definition(p: int, fit_intercept: bool, weighted: bool) -> None:
    """Issue 13: the pass's HC0 meat Σ sᵢ(yᵢ − p̂ᵢ)² x̃x̃ᵀ / Σs and Σ|sᵢ(yᵢ − p̂ᵢ)|, in the
    centred coordinates of the Hessian; value, gradient and Hessian unchanged."""
    import logitlab.core.loss as loss_module

    rng = np.random.default_rng(p + 2 * int(weighted))
    n = loss_module.CHUNK_ROWS + 777  # more than one block either way
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 0.4).astype(float)
    sw = rng.uniform(0.0, 2.0, n) if weighted else None
    model = LogisticLoss(fit_intercept=fit_intercept)
    coef = 0.3 * rng.normal(size=model.n_coef(p))
    offset = rng.normal(size=p)
    value, grad, hess, sums = model.loss_gradient_hessian_sums(coef, X, y, sw, offset=offset)
    expected = model.loss_gradient_hessian(coef, X, y, sw, offset=offset)
    assert value == expected[0]
    np.testing.assert_array_equal(grad, expected[1])
    np.testing.assert_array_equal(hess, expected[2])
    Xt = X - offset
    if fit_intercept:
        Xt = np.column_stack([Xt, np.ones(n)])
    prob = 1.0 / (1.0 + np.exp(-(Xt @ coef)))
    s = np.ones(n) if sw is None else sw
    meat = (Xt * (s * (y - prob) ** 2)[:, None]).T @ Xt / s.sum()
    np.testing.assert_allclose(sums.meat, meat, rtol=1e-12, atol=1e-15)
    assert sums.score_abs == pytest.approx(float(np.sum(np.abs(s * (y - prob)))), rel=1e-12)


@pytest.mark.parametrize(("K", "p", "fit_intercept"), [(5, 20, True), (3, 10, False)])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_gram_form_of_the_multinomial_hessian_equals_the_accurate_kernel(
    monkeypatch: pytest.MonkeyPatch, K: int, p: int, fit_intercept: bool, weighted: bool
) -> None:
    """Issue 13: larger multinomial Hessians are summed as Σ s diag(p) ⊗ x̃x̃ᵀ − GᵀG (two
    large products a block); they equal the kernel that keeps pₖ(1 − pₖ) accurate, over
    several blocks, and are symmetric."""
    import logitlab.core.loss as loss_module

    rng = np.random.default_rng(K + p)
    n = 9_000  # several blocks
    X = rng.normal(size=(n, p))
    y = rng.integers(0, K, n).astype(float)
    sw = rng.uniform(0.0, 2.0, n) if weighted else None
    model = LogisticLoss(n_classes=K, fit_intercept=fit_intercept)
    coef = 0.5 * rng.normal(size=model.n_coef(p))
    assert model.n_coef(p) > loss_module.GRAM_HESSIAN_MIN_COEF
    gram = model.hessian(coef, X, y, sw)
    monkeypatch.setattr(loss_module, "GRAM_HESSIAN_MIN_COEF", 10**9)
    accurate = model.hessian(coef, X, y, sw)
    np.testing.assert_allclose(gram, accurate, rtol=1e-12, atol=1e-14 * np.max(np.abs(accurate)))
    np.testing.assert_array_equal(gram, gram.T)
