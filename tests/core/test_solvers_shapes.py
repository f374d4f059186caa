"""Every method and data shape reaches scikit-learn's optimum; derivatives checked numerically.

Methods: exact Newton (primal, and dual when rows < features), truncated Newton
(CG on Hessian–vector products). Data: dense float64 / float32 (any memory
order), scipy CSR / CSC matrices and arrays, never densified.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from logitlab.core import solvers
from logitlab.core.loss import LogisticLoss
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import choose_method, solve


def make(n: int, p: int, K: int, seed: int = 0, density: float | None = None):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    if density is None:
        X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, p)
    else:
        X = sp.random(n, p, density=density, format="csr", random_state=seed).toarray()
        X[np.arange(n), rng.integers(0, p, n)] += 1.0  # no empty rows
    B = rng.standard_normal((K, p)) * 2.0 / np.sqrt(p * (density or 1.0))
    y = np.argmax(X @ B.T + rng.gumbel(size=(n, K)), axis=1)
    y[:K] = np.arange(K)
    sw = rng.uniform(0.3, 2.0, n)
    return X, y, sw


def sklearn_coef(X, y, sw, C: float, fit_intercept: bool = True) -> np.ndarray:  # type: ignore[no-untyped-def]
    model = LogisticRegression(
        C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000, fit_intercept=fit_intercept
    ).fit(X, y, sample_weight=sw)
    W = np.column_stack([model.coef_, model.intercept_]) if fit_intercept else model.coef_.copy()
    if W.shape[0] > 1:
        if np.isinf(C):
            W -= W.mean(axis=0)
        elif fit_intercept:
            W[:, -1] -= W[:, -1].mean()
    return W.ravel()


def ours(X, y, sw, K: int, C: float, method: str, fit_intercept: bool = True, **kw):  # type: ignore[no-untyped-def]
    alpha = 0.0 if np.isinf(C) else 1.0 / (C * float(np.sum(sw)))
    obj = Objective(
        X,
        y.astype(np.float64),
        n_classes=K,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        penalty=Penalty(alpha),
    )
    return solve(obj, method=method, **kw), obj


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


@pytest.mark.parametrize("method", ["newton", "newton-cg"])
@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("C", [np.inf, 0.5])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_methods_agree_with_sklearn(method: str, K: int, C: float, fit_intercept: bool) -> None:
    X, y, sw = make(300, 12, K, seed=K)
    result, obj = ours(X, y, sw, K, C, method, fit_intercept)
    assert result.converged
    assert rel_err(result.coef, sklearn_coef(X, y, sw, C, fit_intercept)) <= 1e-6
    assert result.value == pytest.approx(obj.value(result.coef), rel=1e-13)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dual_newton_for_wide_data_agrees_with_sklearn(
    fit_intercept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows < features (binary, L2): Newton in the rows' space; the p x p Hessian is never made."""
    X, y, sw = make(60, 150, 2, seed=4)
    X[:, :5] += 40.0  # offsets that the solver centres internally
    called: list[bool] = []
    original = solvers.newton_dual

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        called.append(True)
        return original(*args, **kwargs)

    monkeypatch.setattr(solvers, "newton_dual", spy)
    result, obj = ours(X, y, sw, 2, 0.3, "newton", fit_intercept)
    assert called and result.converged

    def no_hessian(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the dual form must not build the p x p Hessian")

    monkeypatch.setattr(obj, "smooth_hessian", no_hessian)
    again = solve(obj, method="newton")
    np.testing.assert_array_equal(again.coef, result.coef)
    assert rel_err(result.coef, sklearn_coef(X, y, sw, 0.3, fit_intercept)) <= 1e-6


def sparse_kinds(X: np.ndarray) -> list[object]:
    return [
        sp.csr_matrix(X),
        sp.csc_matrix(X),
        sp.csr_array(X),
        sp.csc_array(X),
        sp.csr_matrix(X.astype(np.float32)),
        sp.csc_array(X.astype(np.float32)),
    ]


@pytest.mark.parametrize("method", ["newton", "newton-cg"])
@pytest.mark.parametrize("K", [2, 4])
def test_sparse_input_gives_the_dense_optimum_without_densifying(
    method: str, K: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    X, y, sw = make(400, 30, K, seed=7, density=0.1)
    reference = sklearn_coef(X, y, sw, 2.0)

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("sparse X was densified")

    for Xs in sparse_kinds(X):
        exact = np.asarray(Xs.toarray(), dtype=np.float64)  # type: ignore[attr-defined]
        ref = reference if Xs.dtype == np.float64 else sklearn_coef(exact, y, sw, 2.0)  # type: ignore[attr-defined]
        with monkeypatch.context() as m:
            m.setattr(Xs, "toarray", refuse)
            m.setattr(Xs, "todense", refuse)
            m.setattr(Xs, "__array__", refuse, raising=False)
            result, _ = ours(Xs, y, sw, K, 2.0, method)
        assert result.converged
        assert rel_err(result.coef, ref) <= 1e-6, type(Xs)


@pytest.mark.parametrize("method", ["newton", "newton-cg"])
@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("order", ["C", "F"])
def test_float32_input_is_used_as_is(method: str, K: int, order: str) -> None:
    X, y, sw = make(500, 10, K, seed=3)
    X32 = np.asarray(X, dtype=np.float32, order=order)  # type: ignore[call-overload]
    exact = X32.astype(np.float64)
    result, obj = ours(X32, y, sw, K, 1.0, method)
    assert obj.X is X32  # no copy
    assert result.converged
    assert rel_err(result.coef, sklearn_coef(exact, y, sw, 1.0)) <= 1e-6


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("kind", ["dense", "float32", "offset", "csr", "csc"])
def test_hessian_vector_products_and_diagonal_match_the_hessian(K: int, kind: str) -> None:
    X, y, sw = make(80, 5, K, seed=11)
    model = LogisticLoss(n_classes=K)
    coef = np.random.default_rng(2).normal(scale=0.5, size=model.n_coef(5))
    offset = None
    Xin: object = X
    if kind == "float32":
        Xin = X.astype(np.float32)
        X = Xin.astype(np.float64)  # type: ignore[attr-defined]
    elif kind == "offset":
        offset = np.array([0.5, -1.0, 0.0, 2.0, 0.25])
    elif kind == "csr":
        Xin = sp.csr_array(X)
    elif kind == "csc":
        Xin = sp.csc_matrix(X)
    Xd = X if offset is None else X - offset
    hess = model.hessian(coef, Xd, y.astype(float), sw)
    value, grad, curv = model.loss_gradient_curvature(coef, Xin, y.astype(float), sw, offset=offset)
    ref_value, ref_grad = model.loss_gradient(coef, Xd, y.astype(float), sw)
    assert value == pytest.approx(ref_value, rel=1e-13)
    np.testing.assert_allclose(grad, ref_grad, rtol=1e-12, atol=1e-15)
    rng = np.random.default_rng(5)
    for _ in range(3):
        v = rng.standard_normal(coef.size)
        np.testing.assert_allclose(
            model.hessian_vector(curv, v, Xin, offset), hess @ v, rtol=1e-11, atol=1e-13
        )
    np.testing.assert_allclose(
        model.hessian_diagonal(curv, Xin, offset), np.diag(hess), rtol=1e-11, atol=1e-15
    )
    # and the Hessian itself against finite differences of the gradient
    h = 1e-6
    for j in range(coef.size):
        e = np.zeros_like(coef)
        e[j] = h
        up = model.loss_gradient(coef + e, Xd, y.astype(float), sw)[1]
        down = model.loss_gradient(coef - e, Xd, y.astype(float), sw)[1]
        np.testing.assert_allclose((up - down) / (2 * h), hess[:, j], rtol=1e-6, atol=1e-9)


def test_the_hessian_of_many_features_is_symmetric_and_exact() -> None:
    """The Hessian built by syrk and mirrored in strips equals Xᵀ diag(h) X."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((700, 600))
    y = (rng.random(700) < 0.5).astype(float)
    model = LogisticLoss()
    coef = rng.normal(scale=0.05, size=601)
    hess = model.hessian(coef, X, y)
    z = X @ coef[:600] + coef[600]
    s = 1.0 / (1.0 + np.exp(-z))
    Xa = np.column_stack([X, np.ones(700)])
    np.testing.assert_allclose(hess, (Xa.T * (s * (1 - s))) @ Xa / 700, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(hess, hess.T)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sparse_hessian_diagonal_over_many_blocks(
    fmt: str, dtype: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Σᵢ hᵢ xᵢⱼ² read block by block (views of X's arrays), unsorted indices too."""
    from logitlab.core import design

    rng = np.random.default_rng(8)
    dense = sp.random(500, 90, density=0.2, format="csr", random_state=3).toarray().astype(dtype)
    h = rng.uniform(0.0, 1.0, 500)
    ref = (dense.astype(np.float64) ** 2).T @ h
    monkeypatch.setattr(design, "SPARSE_BLOCK_ENTRIES", 500)  # about 50 blocks
    X = sp.csr_matrix(dense) if fmt == "csr" else sp.csc_matrix(dense)
    shuffled = X.copy()
    for i in range(shuffled.shape[0] if fmt == "csr" else shuffled.shape[1]):
        lo, hi = shuffled.indptr[i], shuffled.indptr[i + 1]
        order = rng.permutation(hi - lo)
        shuffled.indices[lo:hi] = shuffled.indices[lo:hi][order]
        shuffled.data[lo:hi] = shuffled.data[lo:hi][order]
    shuffled.has_sorted_indices = False
    for Xs in (X, shuffled):
        out = design.sparse_weighted_square_sums(Xs, h)
        np.testing.assert_allclose(out, ref, rtol=1e-12, atol=1e-14)


def test_auto_picks_by_shape() -> None:
    rng = np.random.default_rng(0)
    y2 = (rng.random(50) < 0.5).astype(float)
    y5 = rng.integers(0, 5, 50).astype(float)
    pen = Penalty(0.1)
    assert choose_method(Objective(rng.standard_normal((50, 20)), y2, penalty=pen)) == "newton"
    assert choose_method(Objective(sp.csr_matrix((50, 20)), y2, penalty=pen)) == "newton-cg"
    # L1 always: proximal Newton
    l1 = Penalty(0.1, 1.0)
    assert choose_method(Objective(sp.csr_matrix((50, 20)), y2, penalty=l1)) == "newton"
    wide = rng.standard_normal((50, 1500))
    assert choose_method(Objective(wide, y2, penalty=pen)) == "newton"  # dual form
    assert choose_method(Objective(wide, y2)) == "newton-cg"  # no penalty: no dual form
    assert choose_method(Objective(wide, y5, n_classes=5, penalty=pen)) == "newton-cg"
    # rows' space while p >= 2n and n² <= 1,000 p (zeros: the shape is all that counts)
    y6 = np.tile([0.0, 1.0], 300)
    assert choose_method(Objective(np.zeros((600, 1200)), y6, penalty=pen)) == "newton"
    assert choose_method(Objective(np.zeros((600, 1199)), y6, penalty=pen)) == "newton-cg"
    y25 = np.tile([0.0, 1.0], 1250)  # above 2,000 rows n² <= 1,000 p is the binding one
    assert choose_method(Objective(np.zeros((2500, 6250)), y25, penalty=pen)) == "newton"
    assert choose_method(Objective(np.zeros((2500, 6249)), y25, penalty=pen)) == "newton-cg"
    tall = rng.standard_normal((50, 60))
    assert choose_method(Objective(tall, y5, n_classes=5, penalty=pen)) == "newton-cg"
    assert choose_method(Objective(tall[:, :30], y5, n_classes=5, penalty=pen)) == "newton"


def test_unknown_method_is_rejected() -> None:
    obj = Objective(np.eye(3), np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="method must be one of 'auto', 'newton', 'newton-cg'"):
        solve(obj, method="lbfgs")


def test_bad_design_types_are_refused_with_a_clear_message() -> None:
    from logitlab.core.design import check_design

    with pytest.raises(TypeError, match="CSR or CSC"):
        check_design(sp.coo_matrix(np.eye(3)))
    with pytest.raises(TypeError, match="float64 or float32"):
        check_design(np.eye(3, dtype=np.int64))
    with pytest.raises(ValueError, match="sparse X cannot be centred"):
        Objective(sp.csr_matrix(np.eye(3)), np.array([0.0, 1.0, 1.0]), offset=np.zeros(3))


@pytest.mark.parametrize("K", [2, 3])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("kind", ["dense", "csr", "float32"])
def test_l1_working_sets_reach_the_full_proximal_newton_optimum(
    K: int, l1_ratio: float, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(K)
    n, p = 600, 120
    X = rng.standard_normal((n, p))
    B = np.zeros((K, p))
    B[:, :6] = rng.normal(scale=1.5, size=(K, 6))
    y = np.argmax(X @ B.T + rng.gumbel(size=(n, K)), axis=1).astype(float)
    Xin: object = {"dense": X, "csr": sp.csr_matrix(X), "float32": X.astype(np.float32)}[kind]
    Xref = np.asarray(X.astype(np.float32), dtype=np.float64) if kind == "float32" else X
    pen = Penalty(0.05, l1_ratio)
    restricted: list[int] = []
    original = solvers._newton

    def spy(obj, coef, tol, max_iter, **kwargs):  # type: ignore[no-untyped-def]
        restricted.append(obj.n_features)
        return original(obj, coef, tol, max_iter, **kwargs)

    monkeypatch.setattr(solvers, "_newton", spy)
    result = solve(Objective(Xin, y, n_classes=K, penalty=pen))
    assert result.converged and result.optimality <= 1e-8
    assert max(restricted) < p  # only working sets were solved
    monkeypatch.setattr(solvers, "WORKING_SET_MIN_FEATURES", 10**9)
    full = solve(Objective(Xref, y, n_classes=K, penalty=pen), tol=1e-11)
    assert rel_err(result.coef, full.coef) <= 1e-6
    np.testing.assert_array_equal(result.coef == 0.0, full.coef == 0.0)


def test_many_class_truncated_newton_uses_the_kronecker_preconditioner(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Correlated features, 6 classes, offsets: the M ⊗ G preconditioner reaches the same
    optimum as scikit-learn with fewer Hessian–vector products than Jacobi."""
    X, y, sw = make(400, 30, 6, seed=5)
    X[:, 1:] += 0.8 * X[:, :1]  # strongly correlated columns
    X[:, :3] += 30.0  # centred inside the solver
    count = {"hv": 0}
    original = Objective.hessian_vector

    def counting(self, curv, v):  # type: ignore[no-untyped-def]
        count["hv"] += 1
        return original(self, curv, v)

    monkeypatch.setattr(Objective, "hessian_vector", counting)
    result, _ = ours(X, y, sw, 6, 0.7, "newton-cg")
    with_kron = count["hv"]
    assert result.converged
    assert rel_err(result.coef, sklearn_coef(X, y, sw, 0.7)) <= 1e-6
    count["hv"] = 0
    monkeypatch.setattr(solvers._KroneckerPreconditioner, "gram", lambda objective: None)
    jacobi, _ = ours(X, y, sw, 6, 0.7, "newton-cg")
    assert jacobi.converged
    assert with_kron < 0.4 * count["hv"], (with_kron, count["hv"])
