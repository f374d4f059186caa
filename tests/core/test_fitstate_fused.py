"""The fit state's fused passes (issue 13): the same state with fewer passes over X."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

from logitlab.core import fitstate, fitstate_passes
from logitlab.core import separation as sep
from logitlab.core.fitstate import FitState, compute_fit_state
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def _data(n: int, p: int, K: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 3.0  # an offset: centering matters
    B = 0.4 * rng.normal(size=(K, p))
    y = np.argmax(X @ B.T + rng.gumbel(size=(n, K)), axis=1)
    if K == 2:
        y = (y == 1).astype(int)
    return X, y.astype(np.float64)


def _states(
    X: np.ndarray, y: np.ndarray, K: int, sw: np.ndarray | None, penalty: Penalty
) -> tuple[FitState, FitState]:
    """(state after solve, whose column means the fused pass reuses; state of a fresh
    objective without them: the separate design pass)."""
    solved = Objective(X, y, n_classes=K, sample_weight=sw, penalty=penalty)
    fit = solve(solved, tol=1e-10)
    assert solved.column_means is not None
    fresh = Objective(X, y, n_classes=K, sample_weight=sw, penalty=penalty)
    kw = {"converged": fit.converged, "n_iter": fit.n_iter}
    return compute_fit_state(solved, fit.coef, **kw), compute_fit_state(fresh, fit.coef, **kw)


def assert_same_sums(fused: FitState, separate: FitState) -> None:
    """The sums a fused state shares with the separately summed one: reach, covariances,
    log-likelihood, moments and feature spreads."""
    assert fused.design.reach is not None and separate.design.reach is not None
    np.testing.assert_allclose(fused.design.reach, separate.design.reach, rtol=1e-13)
    for cov_type in ("nonrobust", "HC0", "HC1"):
        a, b = fused.covariance(cov_type), separate.covariance(cov_type)
        assert a is not None and b is not None
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)
    assert fused.log_likelihood == pytest.approx(separate.log_likelihood, rel=1e-13)
    np.testing.assert_allclose(fused.moments, separate.moments, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(fused.feature_sd, separate.feature_sd, rtol=1e-12)


@pytest.mark.parametrize(
    ("K", "weighted", "alpha"), [(2, False, 0.0), (2, True, 1e-3), (3, False, 0.0), (3, True, 1e-3)]
)
def test_fused_state_equals_the_separate_passes(K: int, weighted: bool, alpha: float) -> None:
    X, y = _data(3_000, 4, K, seed=K + int(weighted))
    sw = np.random.default_rng(9).uniform(0.2, 3.0, y.shape[0]) if weighted else None
    fused, separate = _states(X, y, K, sw, Penalty(alpha))
    np.testing.assert_allclose(fused.design.center, separate.design.center, rtol=1e-13)
    assert_same_sums(fused, separate)
    assert fused.n_obs == separate.n_obs and fused.n_rows == separate.n_rows
    assert fused.separation == separate.separation is None
    assert fused.separation_method == separate.separation_method == "certificate from the fit"


@pytest.mark.parametrize("K", [2, 4])
def test_a_converged_fit_is_certified_from_the_reach_without_a_row_pass(
    K: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y = _data(4_000, 3, K, seed=5)
    objective = Objective(X, y, n_classes=K)
    fit = solve(objective, tol=1e-10)

    def no_rows(*args: object, **kwargs: object) -> bool:
        raise AssertionError("the reach bound should have settled it")

    monkeypatch.setattr(fitstate, "_certify_rows", no_rows)
    state = compute_fit_state(objective, fit.coef, converged=fit.converged, n_iter=fit.n_iter)
    assert state.separation is None and state.separation_method == "certificate from the fit"


def test_the_reach_bound_refuses_what_it_cannot_prove() -> None:
    design = fitstate.Design(
        n_classes=2, fit_intercept=True, center=np.zeros(2), reach=np.array([1.0, 5.0, 5.0])
    )
    theta = np.array([0.1, 0.2, -0.3])
    small, v_err = np.full((1, 3), 1e-9), np.zeros(1)
    assert fitstate_passes.certified_by_reach(design, theta, small, v_err)
    assert not fitstate_passes.certified_by_reach(design, theta, np.full((1, 3), 0.05), v_err)
    assert not fitstate_passes.certified_by_reach(
        design, theta * 1e3, small, v_err
    )  # exp underflows
    assert not fitstate_passes.certified_by_reach(design, theta, small, np.array([np.inf]))
    no_reach = fitstate.Design(n_classes=2, fit_intercept=True, center=np.zeros(2))
    assert not fitstate_passes.certified_by_reach(no_reach, theta, small, v_err)


def test_the_separation_lp_holds_one_copy_of_x() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20_000, 60))
    y = (X[:, 0] + rng.logistic(size=20_000) > 0).astype(np.float64)
    tracemalloc.start()
    try:
        found = sep.detect_separation(Objective(X, y))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found is None
    assert peak <= 2.0 * X.nbytes  # was 3x: centred, stacked, scaled copies and the signs


def test_column_extreme_rows_match_argmin_and_argmax() -> None:
    rng = np.random.default_rng(4)
    A = np.round(rng.normal(size=(70_000, 40)), 1)  # many ties: the first row wins
    expected = set(np.argmin(A, axis=0).tolist()) | set(np.argmax(A, axis=0).tolist())
    assert sep._column_extreme_rows(A) == expected


@pytest.mark.parametrize(
    ("K", "weighted", "alpha", "offset"),
    [
        (2, False, 0.0, 0.0),
        (2, True, 1e-3, 1e6),
        (3, False, 0.0, 0.0),
        (3, True, 1e-3, 50.0),
        (2, False, 1e-3, -1.0),  # float32 X: float64 blocks in the solver and the state
    ],
)
def test_the_information_from_the_solvers_hessian_equals_the_summed_one(
    K: int, weighted: bool, alpha: float, offset: float
) -> None:
    X, y = _data(2_000, 3, K, seed=7)
    X = X.astype(np.float32) if offset < 0 else X + offset  # a large offset: the solver
    # centres that column, the state all of them
    sw = np.random.default_rng(2).uniform(0.2, 3.0, y.shape[0]) if weighted else None
    objective = Objective(X, y, n_classes=K, sample_weight=sw, penalty=Penalty(alpha))
    fit = solve(objective, tol=1e-10, method="newton")
    assert fit.hessian is not None  # few coefficients: the fused Newton pass
    kw = {"converged": fit.converged, "n_iter": fit.n_iter}
    reused = compute_fit_state(
        objective, fit.coef, hessian=fit.hessian, hessian_offset=fit.hessian_offset, **kw
    )
    summed = compute_fit_state(objective, fit.coef, **kw)
    for cov_type in ("nonrobust", "HC0", "HC1"):
        a, b = reused.covariance(cov_type), summed.covariance(cov_type)
        assert a is not None and b is not None
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-14 * np.max(np.abs(b)))
    assert reused.separation_method == summed.separation_method == "certificate from the fit"


def test_no_hessian_is_kept_for_sparse_or_l1() -> None:
    X, y = _data(1_000, 3, 2, seed=8)
    assert solve(Objective(X, y, penalty=Penalty(1e-3, 1.0)), method="newton").hessian is None
    import scipy.sparse

    assert solve(Objective(scipy.sparse.csr_matrix(X), y), method="newton").hessian is None


@pytest.mark.parametrize("K", [2, 3])
def test_an_l1_state_skips_the_information_and_keeps_every_number(K: int) -> None:
    X, y = _data(3_000, 6, K, seed=11)
    fused, separate = _states(X, y, K, None, Penalty(2e-2, 1.0))
    assert fused.cov_centered is None and separate.cov_centered is None
    assert fused.n_params == separate.n_params < fused.theta.size  # some weights are 0
    assert fused.log_likelihood == pytest.approx(separate.log_likelihood, rel=1e-13)
    np.testing.assert_allclose(fused.feature_sd, separate.feature_sd, rtol=1e-12)
    assert fused.separation == separate.separation is None
    assert fused.separation_method == separate.separation_method == "certificate from the fit"


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "dense", "float32"])
def test_column_sums_in_pieces_equal_the_whole_and_leave_x_alone(
    fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import scipy.sparse

    rng = np.random.default_rng(6)
    dense = rng.normal(size=(3_000, 40)) * (rng.random((3_000, 40)) < 0.1)
    w = rng.uniform(0.2, 3.0, 3_000)
    expected = (w @ dense, w @ dense**2)
    X: object = (
        dense
        if fmt == "dense"
        else dense.astype(np.float32)
        if fmt == "float32"
        else scipy.sparse.csr_matrix(dense).asformat(fmt)
    )
    before = dense.copy()
    monkeypatch.setattr(fitstate_passes, "SUM_NONZEROS", 500)  # many pieces
    if fmt == "csr":  # unsorted indices and duplicates (halves of one entry): not canonical
        base = scipy.sparse.csr_matrix(dense)
        lengths = np.diff(base.indptr)
        indices = np.concatenate(
            [np.r_[r, r][::-1] for r in np.split(base.indices, base.indptr[1:-1])]
        )
        data = np.concatenate(
            [np.r_[d, d][::-1] / 2.0 for d in np.split(base.data, base.indptr[1:-1])]
        )
        X = scipy.sparse.csr_matrix(
            (data, indices, np.r_[0, np.cumsum(2 * lengths)]), shape=dense.shape
        )
        assert not X.has_canonical_format and X.nnz == 2 * base.nnz
    first, second = fitstate_passes.column_sums(X, w)
    tol = 1e-6 if fmt == "float32" else 1e-12
    np.testing.assert_allclose(first, expected[0], rtol=tol, atol=tol)
    np.testing.assert_allclose(second, expected[1], rtol=tol, atol=tol)
    np.testing.assert_array_equal(dense, before)


def test_the_wide_state_of_sparse_x_makes_no_copy_of_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.sparse

    monkeypatch.setattr(fitstate_passes, "SUM_NONZEROS", 1 << 14)  # pieces small beside this X

    X = scipy.sparse.random(20_000, 3_000, density=0.01, format="csr", random_state=1)
    y = (np.asarray(X.sum(axis=1)).ravel() > np.median(np.asarray(X.sum(axis=1)))).astype(float)
    nbytes = X.data.nbytes + X.indices.nbytes + X.indptr.nbytes
    objective = Objective(X, y, penalty=Penalty(1e-3))
    coef = np.zeros(objective.n_coef)
    tracemalloc.start()
    try:
        state = compute_fit_state(objective, coef, converged=True, n_iter=0)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert state.cov_centered is None and not state.separation_checked
    assert peak < 0.5 * nbytes  # was 2.0 x X (X.multiply(X) and its transpose)


@pytest.mark.parametrize(("weighted", "alpha"), [(False, 0.0), (True, 1e-3)])
def test_the_narrow_state_pass_in_short_blocks_equals_the_general_pass(
    monkeypatch: pytest.MonkeyPatch, weighted: bool, alpha: float
) -> None:
    """Issue 13: few terms take short transposed blocks (here 7 blocks and a partial
    one); every sum equals the general per-block pass's."""
    X, y = _data(3_000, 9, 2, seed=21)
    sw = np.random.default_rng(4).uniform(0.0, 3.0, y.shape[0]) if weighted else None
    monkeypatch.setattr(fitstate_passes, "NARROW_BLOCK_ROWS", 417)
    monkeypatch.setattr(fitstate_passes, "NARROW_BLOCK_ENTRIES", 0)
    fused, separate = _states(X, y, 2, sw, Penalty(alpha))
    assert_same_sums(fused, separate)
    assert fused.separation_method == separate.separation_method == "certificate from the fit"


def test_a_float32_fit_has_the_state_of_the_same_data_in_float64() -> None:
    """Issue 13: float32 X is read as float32 (short float64 blocks in the solver and the
    state); the covariances equal those of a float64 copy of the same values."""
    X, y = _data(20_000, 10, 2, seed=22)
    X32 = X.astype(np.float32)
    states = []
    for data in (X32, X32.astype(np.float64)):
        objective = Objective(data, y, penalty=Penalty(1e-4))
        fit = solve(objective, tol=1e-10)
        assert fit.hessian is not None
        kw = {"converged": fit.converged, "n_iter": fit.n_iter}
        states.append(
            compute_fit_state(
                objective, fit.coef, hessian=fit.hessian, hessian_offset=fit.hessian_offset, **kw
            )
        )
    np.testing.assert_allclose(states[0].theta, states[1].theta, rtol=1e-9, atol=1e-12)
    for cov_type in ("nonrobust", "HC0"):
        a, b = states[0].covariance(cov_type), states[1].covariance(cov_type)
        assert a is not None and b is not None
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-14 * np.max(np.abs(b)))


@pytest.mark.parametrize(
    ("p", "weighted", "alpha"),
    [(50, False, 0.0), (50, True, 1e-3), (5, False, 0.0), (10, True, 1e-3)],
)
def test_the_state_from_the_solvers_last_pass_equals_the_summed_one(
    p: int, weighted: bool, alpha: float
) -> None:
    """Issue 13: Newton's last pass sums the Hessian and the score sums at the fit (also at
    51 coefficients, where its passes are otherwise separate), and the state built from
    them and the centring's column sums, without a pass of its own, is the summed state."""
    rng = np.random.default_rng(p)
    n = 12_000
    X = rng.normal(size=(n, p)) + 0.4
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-0.3 * (X @ rng.normal(size=p))))).astype(float)
    sw = rng.uniform(0.0, 2.0, n) if weighted else None
    objective = Objective(X, y, sample_weight=sw, penalty=Penalty(alpha))
    fit = solve(objective, score_sums=True)
    assert fit.converged and fit.hessian is not None and fit.sums is not None
    assert solve(objective).sums is None  # only on request (the estimator's)
    # the kept Hessian is the one at the fit: a fresh pass there gives it to 1e-10
    work = Objective(X, y, sample_weight=sw, penalty=Penalty(alpha), offset=fit.hessian_offset)
    fresh = work.smooth_value_gradient_hessian(objective.to_centered(fit.coef, work))[2]
    np.testing.assert_allclose(fit.hessian, fresh, rtol=1e-10, atol=1e-14)
    kw = {"converged": fit.converged, "n_iter": fit.n_iter}
    calls: list[str] = []
    original = fitstate_passes.binary_first_pass

    def counted(*args: object, **kwargs: object) -> object:
        calls.append("pass")
        return original(*args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(fitstate, "binary_first_pass", counted)
        reused = compute_fit_state(
            objective,
            fit.coef,
            hessian=fit.hessian,
            hessian_offset=fit.hessian_offset,
            sums=fit.sums,
            **kw,
        )
    assert calls == []  # no pass over X
    summed = compute_fit_state(
        Objective(X, y, sample_weight=sw, penalty=Penalty(alpha)), fit.coef, **kw
    )
    for cov_type in ("nonrobust", "HC0", "HC1"):
        a, b = reused.covariance(cov_type), summed.covariance(cov_type)
        assert a is not None and b is not None
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14 * np.max(np.abs(b)))
    assert reused.log_likelihood == pytest.approx(summed.log_likelihood, rel=1e-12)
    np.testing.assert_allclose(reused.moments, summed.moments, rtol=1e-11, atol=1e-9)
    np.testing.assert_allclose(reused.feature_sd, summed.feature_sd, rtol=1e-12)
    assert reused.design.reach is not None and summed.design.reach is not None
    np.testing.assert_allclose(reused.design.reach, summed.design.reach, rtol=1e-13)
    assert reused.separation_method == summed.separation_method == "certificate from the fit"


def test_a_column_far_from_the_origin_makes_the_state_sum_its_own_pass() -> None:
    """The class sums about block means may differ from the moments' check beyond its
    tolerance when a column's mean exceeds its spread: then the state reads X itself."""
    X, y = _data(6_000, 3, 2, seed=23)
    X[:, 1] = 1e6 + 1e-3 * X[:, 1]
    objective = Objective(X, y)
    fit = solve(objective, score_sums=True)
    assert fit.sums is not None
    from logitlab.core.fitstate_passes import binary_sums_from_solver

    assert binary_sums_from_solver(objective, fit.hessian, fit.hessian_offset, fit.sums) is None


@pytest.mark.parametrize(
    ("fit_intercept", "dtype", "weighted", "p", "grams"),
    [
        (True, np.float64, False, 3, True),
        (True, np.float32, True, 3, True),
        (False, np.float64, True, 3, True),
        (True, np.float64, False, 40, False),  # wide, an L1 state's pass: small blocks
        (True, np.float32, True, 40, True),
    ],
)
def test_the_binary_pass_equals_the_general_one(
    fit_intercept: bool, dtype: type, weighted: bool, p: int, grams: bool
) -> None:
    # The binary pass fills transposed blocks when narrow, selects by 0/1 products
    # instead of np.where, and reads smaller blocks when it sums no Gram (issue 13):
    # the sums of the general per-block pass.
    X, y = _data(40_000, p, 2, seed=12)
    X = X.astype(dtype)
    sw = np.random.default_rng(3).uniform(0.0, 2.0, y.shape[0]) if weighted else None
    center = X.astype(np.float64).mean(axis=0) if fit_intercept else np.zeros(p)
    design = fitstate.Design(n_classes=2, fit_intercept=fit_intercept, center=center)
    theta = np.random.default_rng(4).normal(scale=0.3, size=design.n_terms)
    binary = fitstate_passes.binary_first_pass(
        design, theta, X, y, sw, with_info=grams, with_meat=grams
    )
    general = fitstate._first_pass(design, theta, X, y, sw, symmetric=False)
    for i in (0, 1, 4, 5, 6, 7, 8, 9, 10, 11, 12):  # all but the K > 2 certificate parts
        if i in (0, 1) and not grams:
            assert not np.any(binary[i])
            continue
        np.testing.assert_allclose(binary[i], general[i], rtol=1e-12, atol=1e-9, err_msg=str(i))
