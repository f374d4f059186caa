"""Scale-invariant covariance (issue 11, item 1): column scales 1e-6 … 1e6 and offsets of 1e6."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import statsmodels.api as sm
from numpy.testing import assert_allclose

from logitlab.core.covariance import equilibrated_inverse
from logitlab.core.inference import infer
from logitlab.core.objective import Objective
from logitlab.core.solvers import solve


def _data(seed: int = 0, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = (X @ [0.9, -0.7, 0.5] + 0.2 + rng.logistic(size=n) > 0).astype(float)
    return X, y


def _statsmodels(y: np.ndarray, X: np.ndarray, start: np.ndarray) -> Any:
    # statsmodels' Newton from zero does not reach the optimum on these columns
    # (it stops on an absolute change of the parameters, which a coefficient of 1e6
    # never meets), so it starts from ours; its score there must vanish (checked).
    model = sm.Logit(y, sm.add_constant(X, has_constant="add"))
    score = model.score(start) / np.sqrt(np.diag(-model.hessian(start)))
    assert np.max(np.abs(score)) < 1e-6  # ours is statsmodels' optimum too
    return model.fit(start_params=start, method="newton", maxiter=5, disp=0, warn_convergence=False)


def _ours(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    objective = Objective(X, y)
    fit = solve(objective, tol=1e-13, max_iter=200)
    block = infer(objective, fit.coef).blocks[0]
    return block.estimate, block.std_error


@pytest.mark.parametrize("scale", [1e-6, 1e-3, 1.0, 1e3, 1e6])
def test_standard_errors_at_every_column_scale_match_statsmodels(scale: float) -> None:
    X, y = _data()
    Xs = X * [scale, 1.0, 1.0 / scale]  # two columns rescaled in opposite directions
    est, se = _ours(Xs, y)
    ref = _statsmodels(y, Xs, est)
    assert np.all(np.isfinite(se))
    assert_allclose(est, ref.params, rtol=1e-6)
    assert_allclose(se, ref.bse, rtol=1e-6)
    # The estimates scale exactly as the columns do; so do their standard errors.
    est1, se1 = _ours(X, y)
    assert_allclose(est[1:] * [scale, 1.0, 1.0 / scale], est1[1:], rtol=1e-7)
    assert_allclose(se[1:] * [scale, 1.0, 1.0 / scale], se1[1:], rtol=1e-7)


@pytest.mark.parametrize("offset", [6e4, 1e6])
def test_offset_columns_match_statsmodels_on_the_same_data(offset: float) -> None:
    X, y = _data(1)
    Xo = X + offset  # a feature in dollars: mean 6e4, or 1e6
    est, se = _ours(Xo, y)
    assert np.all(np.isfinite(se))
    # statsmodels fits the shifted data itself; its Hessian loses ~cond·eps, so the
    # reference is its fit of the centered data mapped back exactly (b = b_c − w·offset).
    ref = _statsmodels(y, Xo, est)
    start_c = est.copy()
    start_c[0] += est[1:] @ Xo.mean(axis=0)
    centered = _statsmodels(y, Xo - Xo.mean(axis=0), start_c)
    T = np.eye(4)
    T[0, 1:] = -Xo.mean(axis=0)
    cov = T @ centered.cov_params() @ T.T
    assert_allclose(est, ref.params, rtol=1e-6)
    assert_allclose(se, np.sqrt(np.diag(cov)), rtol=1e-6)
    # statsmodels' own inverse of the raw Hessian (condition ~(offset/sd)²) keeps only
    # a few digits here; the centered computation above is the exact reference.
    assert_allclose(se, ref.bse, rtol=1e-2)


def test_collinear_columns_are_still_singular_at_any_scale() -> None:
    X, y = _data(2)
    for scale in (1e-6, 1.0, 1e6):
        Xc = np.column_stack([X, (X[:, 0] + X[:, 1]) * scale])
        objective = Objective(Xc, y)
        fit = solve(objective, tol=1e-9)
        result = infer(objective, fit.coef)
        assert np.all(np.isnan(result.blocks[0].std_error))
        assert any("singular" in note for note in result.notes)


def test_equilibrated_inverse_is_exact_for_badly_scaled_matrices() -> None:
    rng = np.random.default_rng(3)
    A = rng.normal(size=(50, 4))
    H = A.T @ A
    D = np.diag([1e-6, 1.0, 1e3, 1e6])
    inv = equilibrated_inverse(D @ H @ D)
    assert inv is not None
    assert_allclose(D @ inv @ D, np.linalg.inv(H), rtol=1e-9)
    # The old relative eigenvalue cut-off on the unscaled matrix called this singular.
    eig = np.linalg.eigvalsh(D @ H @ D)
    assert eig[0] <= 1e-10 * eig[-1]


def test_sparse_and_float32_data_give_the_same_inference() -> None:
    import scipy.sparse

    from logitlab.core.fitstate import compute_fit_state
    from logitlab.core.inference import infer_state

    X, y = _data(4)
    X[np.abs(X) < 0.5] = 0.0
    fit = solve(Objective(X, y), tol=1e-12)
    dense = infer_state(compute_fit_state(Objective(X, y), fit.coef, converged=True, n_iter=1))
    for other in (scipy.sparse.csr_matrix(X), scipy.sparse.csc_array(X)):
        state = compute_fit_state(Objective(other, y), fit.coef, converged=True, n_iter=1)
        result = infer_state(state)
        assert_allclose(result.blocks[0].std_error, dense.blocks[0].std_error, rtol=1e-12)
        assert result.log_likelihood == pytest.approx(dense.log_likelihood, rel=1e-12)
    single = compute_fit_state(
        Objective(X.astype(np.float32), y), fit.coef, converged=True, n_iter=1
    )
    assert_allclose(infer_state(single).blocks[0].std_error, dense.blocks[0].std_error, rtol=1e-5)
