"""Separation at every size (issue 11, item 2): certificate, one column, cutting-plane LP."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.core import separation as sep
from logitlab.core.fitstate import compute_fit_state
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def _overlap(n: int, seed: int = 0, K: int = 2) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    if K == 2:
        return X, (X[:, 0] + rng.logistic(size=n) > 0).astype(float)
    return X, rng.integers(0, K, n).astype(float)


@pytest.mark.parametrize("K", [2, 3])
def test_ordinary_fits_are_certified_without_a_linear_program(
    K: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = _overlap(5_000, K=K)
    objective = Objective(X, y, n_classes=K)
    fit = solve(objective, tol=1e-10)

    def no_lp(*args: object, **kwargs: object) -> None:
        raise AssertionError("the certificate should have settled it")

    monkeypatch.setattr(sep, "detect_separation", no_lp)
    monkeypatch.setattr(sep.scipy.optimize, "linprog", no_lp)
    state = compute_fit_state(objective, fit.coef, converged=fit.converged, n_iter=fit.n_iter)
    assert state.separation is None and state.separation_method == "certificate from the fit"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_separated_fit_is_never_certified_however_long_it_ran(seed: int) -> None:
    # Late iterates leave p̂ within 1e-14 of 1 on the separated rows: the certificate
    # must see those residuals (not 1 − p̂ rounded to 0) and must not drop the
    # ill-conditioned direction (a pseudo-inverse certified iteration 30 as clean).
    X, y = _overlap(400, seed=seed)
    flag = ((y == 1) & (X[:, 1] > 0.5)).astype(float)  # 1 only on positives: quasi
    objective = Objective(np.column_stack([X, flag]), y)
    for max_iter in (3, 5, 10, 20, 30, 40, 60, 200):
        fit = solve(objective, max_iter=max_iter)
        state = compute_fit_state(objective, fit.coef, converged=fit.converged, n_iter=max_iter)
        assert state.separation == "quasi-complete"
        assert not state.converged


def test_penalized_fits_still_check_separation() -> None:
    X, y = _overlap(300, seed=1)
    y = (X[:, 0] > 0).astype(float)
    objective = Objective(X, y, penalty=Penalty(alpha=0.01))
    fit = solve(objective)
    state = compute_fit_state(objective, fit.coef, converged=True, n_iter=fit.n_iter)
    assert state.separation == "complete" and state.penalized and state.converged


def test_single_column_test_both_directions_and_without_intercept() -> None:
    x = np.array([[0.0], [0.0], [0.0], [1.0], [1.0]])
    labels = np.array([0, 0, 1, 1, 1])  # x = 1 only on positives: quasi
    assert sep.single_column_separation(x, labels, 2, True) == "quasi-complete"
    assert sep.single_column_separation(-x, labels, 2, True) == "quasi-complete"
    assert sep.single_column_separation(x, 1 - labels, 2, True) == "quasi-complete"
    mixed = np.array([0, 1, 1, 0, 1])  # x = 1 on both classes, x = 0 too
    assert sep.single_column_separation(x, mixed, 2, True) is None
    spread = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    assert sep.single_column_separation(spread, np.array([0, 0, 1, 1]), 2, False) == "complete"
    assert sep.single_column_separation(spread + 5, np.array([0, 0, 1, 1]), 2, False) is None
    const = np.ones((4, 1))
    assert sep.single_column_separation(const, np.array([0, 1, 0, 1]), 2, True) is None


def test_cutting_plane_solves_small_linear_programs_on_large_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(4)
    n = 60_000
    X = rng.normal(size=(n, 3))
    z = X[:, 0] - X[:, 1]
    y = (z > 0).astype(float)
    X[:50, :2] = 0.0  # 50 rows exactly on the boundary, of both classes: quasi only
    y[:50] = rng.integers(0, 2, 50)
    sizes: list[int] = []
    real = sep.scipy.optimize.linprog

    def counting(c: np.ndarray, A_ub: np.ndarray, **kw: object) -> object:
        sizes.append(A_ub.shape[0])
        return real(c, A_ub=A_ub, **kw)

    monkeypatch.setattr(sep.scipy.optimize, "linprog", counting)
    assert sep.detect_separation(Objective(X, y)) == "quasi-complete"
    assert sizes and max(sizes) < n / 4  # never the whole 60,000-row program
    sizes.clear()
    Xo, yo = _overlap(n, seed=5)
    assert sep.detect_separation(Objective(Xo, yo)) is None
    assert sizes and max(sizes) < n / 4


def test_strongly_penalized_fits_are_certified_after_unpenalized_newton_steps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    X, y = _overlap(3_000, seed=6)
    objective = Objective(X, y, penalty=Penalty(alpha=1.0))  # C = 1/3000: heavy shrinkage
    fit = solve(objective)

    def no_lp(*args: object, **kwargs: object) -> None:
        raise AssertionError("no linear program was needed")

    monkeypatch.setattr(sep.scipy.optimize, "linprog", no_lp)
    state = compute_fit_state(objective, fit.coef, converged=True, n_iter=fit.n_iter)
    assert state.separation is None and state.separation_method == "certificate from the fit"


def test_probabilities_and_residuals_keep_their_digits_near_one() -> None:
    from logitlab.core.covariance import Design, probabilities, residuals

    design = Design(n_classes=2, fit_intercept=False, center=np.zeros(1))
    Z = np.array([[40.0], [-40.0]])
    P = probabilities(design, np.array([1.0]), Z)
    assert P[0, 0] == pytest.approx(np.exp(-40.0), rel=1e-12)  # 1 − σ(40), not 0
    R = residuals(P, np.array([1, 0]))
    assert R[0, 0] == pytest.approx(np.exp(-40.0), rel=1e-12)
    assert R[1, 0] == pytest.approx(-np.exp(-40.0), rel=1e-12)


def test_wide_problems_say_plainly_what_was_not_computed() -> None:
    import scipy.sparse

    from logitlab.core.fitstate import MAX_DENSE_PARAMS
    from logitlab.core.inference import infer_state

    rng = np.random.default_rng(7)
    n, p = 300, MAX_DENSE_PARAMS + 10
    X = scipy.sparse.random(n, p, density=0.01, random_state=8, format="csr")
    y = rng.integers(0, 2, n).astype(float)
    objective = Objective(X.toarray(), y, penalty=Penalty(alpha=0.1))
    coef = rng.normal(size=objective.n_coef) * 0.01
    state = compute_fit_state(objective, coef, converged=True, n_iter=3)
    assert not state.separation_checked and state.separation is None
    assert state.cov_centered is None and not state.singular
    result = infer_state(state)
    assert np.all(np.isnan(result.blocks[0].std_error))
    text = str(result)
    assert "not checked" in text and f"more than the {MAX_DENSE_PARAMS:,}" in text
    assert "singular" not in text
    assert result.log_likelihood == pytest.approx(-n * objective.cross_entropy(coef))
    dense_sd = X.toarray().std(axis=0, ddof=1)
    np.testing.assert_allclose(state.feature_sd, dense_sd, rtol=1e-10, atol=1e-15)


def test_feature_sd_of_sparse_and_dense_columns_agree() -> None:
    import scipy.sparse

    from logitlab.core.fitstate import _feature_sd

    X = scipy.sparse.random(200, 30, density=0.1, random_state=9, format="csr")
    w = np.random.default_rng(10).uniform(0.5, 2.0, 200)
    dense = _feature_sd(X.toarray(), w, float(w.sum()))
    np.testing.assert_allclose(_feature_sd(X, w, float(w.sum())), dense, rtol=1e-12)
    mean = w @ X.toarray() / w.sum()
    ref = np.sqrt(w @ (X.toarray() - mean) ** 2 / (w.sum() - 1))
    np.testing.assert_allclose(dense, ref, rtol=1e-10)


def test_data_too_large_for_the_linear_program_are_reported_unchecked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from logitlab.core import fitstate
    from logitlab.core.inference import infer_state

    X, y = _overlap(400, seed=11)
    y = (X[:, 0] + X[:, 1] > 0).astype(float)  # separated: the certificate cannot settle it
    objective = Objective(X, y, penalty=Penalty(alpha=0.05))
    fit = solve(objective)
    monkeypatch.setattr(fitstate, "MAX_LP_ENTRIES", 100)
    state = compute_fit_state(objective, fit.coef, converged=True, n_iter=fit.n_iter)
    assert not state.separation_checked and state.separation is None
    text = str(infer_state(state))
    assert "Separation:" in text and "not checked" in text
    assert "would need 1,600 dense entries" in text
    assert "assume the classes are not separated" in text


def test_one_feature_separation_is_caught_even_above_the_linear_program_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from logitlab.core import fitstate

    X, y = _overlap(2_000, seed=12)
    flag = ((y == 1) & (X[:, 2] > 1.0)).astype(float)  # 1 only on positives
    Xf = np.column_stack([X, flag])
    zero_row = int(np.flatnonzero(y == 0)[0])
    Xf[zero_row, 3] = 1.0  # this negative row would break the separation ...
    weights = np.ones(2_000)
    weights[zero_row] = 0.0  # ... but it weighs nothing
    objective = Objective(Xf, y, sample_weight=weights)
    fit = solve(objective, max_iter=40)
    monkeypatch.setattr(fitstate, "MAX_LP_ENTRIES", 100)
    monkeypatch.setattr(sep.scipy.optimize, "linprog", _no_linear_program)
    state = compute_fit_state(objective, fit.coef, converged=fit.converged, n_iter=40)
    assert state.separation == "quasi-complete" and state.separation_checked
    assert "several features not checked" in state.separation_method


def _no_linear_program(*args: object, **kwargs: object) -> None:
    raise AssertionError("no linear program above the limit")


def _subset_cases() -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray | None]]:
    """(name, X, y, sample_weight) with enough rows for the certificate's row subset."""
    rng = np.random.default_rng(13)
    n = 20_000
    X = rng.normal(size=(n, 4)) + np.array([0.0, 3.0, -1e3, 0.0])  # an offset column
    noisy = (X[:, 0] + rng.logistic(size=n) > 0).astype(float)
    complete = (X[:, 0] - X[:, 3] > 0).astype(float)
    flag = ((noisy == 1) & (X[:, 1] > 5.5)).astype(float)  # ~1 % of rows, positives only
    rare = (rng.random(n) < 0.01).astype(float)  # 200 positives: the subset keeps them all
    weights = rng.uniform(0.5, 2.0, n)
    weights[::3] = 0.0
    return [
        ("overlap", X, noisy, None),
        ("overlap, weighted", X, noisy, weights),
        ("rare positives", X, rare, None),
        ("complete", X, complete, None),
        ("quasi-complete", np.column_stack([X, flag]), noisy, None),
        ("quasi-complete, weighted", np.column_stack([X, flag]), noisy, weights),
    ]


@pytest.mark.parametrize("case", range(6))
@pytest.mark.parametrize("l1_ratio", [1.0, 0.0])
def test_the_row_subset_certificate_agrees_with_the_linear_program(
    case: int, l1_ratio: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    from logitlab.core import fitstate

    name, X, y, sw = _subset_cases()[case]
    objective = Objective(X, y, sample_weight=sw, penalty=Penalty(alpha=0.02, l1_ratio=l1_ratio))
    subset = fitstate._row_subset(objective)
    assert subset is not None and 4 * subset.n_samples <= X.shape[0]
    labels = y.astype(np.intp) if sw is None else y[sw > 0].astype(np.intp)
    counts = np.bincount(subset.y.astype(np.intp), minlength=2)
    assert np.array_equal(counts, np.minimum(np.bincount(labels, minlength=2), 2_000))
    if sw is not None:
        assert np.all(subset.sample_weight > 0)
    fit = solve(objective)
    full_rows: list[int] = []
    real = fitstate._certified_by_newton

    def spy(obj: Objective, coef: np.ndarray, design: object) -> bool:
        if obj is not subset_seen[0]:
            full_rows.append(obj.n_samples)
        return real(obj, coef, design)  # type: ignore[arg-type]

    subset_seen: list[Objective] = []
    real_subset = fitstate._row_subset

    def remember(obj: Objective) -> Objective | None:
        out = real_subset(obj)
        assert out is not None
        subset_seen.append(out)
        return out

    monkeypatch.setattr(fitstate, "_row_subset", remember)
    monkeypatch.setattr(fitstate, "_certified_by_newton", spy)
    state = compute_fit_state(objective, fit.coef, converged=fit.converged, n_iter=fit.n_iter)
    expected = sep.detect_separation(objective)  # the linear programs on every row
    assert state.separation == expected, name
    if expected is None:  # certified on the subset: the rows all need no second look
        assert state.separation_method == "certificate from the fit"
        assert full_rows == [], name
    else:  # no subset of separated rows can be certified: all rows were tried, then the LP
        assert full_rows == [X.shape[0]], name
        assert expected == ("complete" if name == "complete" else "quasi-complete")
