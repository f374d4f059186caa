"""Dask arrays on a 2-worker LocalCluster: Newton blockwise gives the in-memory coefficients
(unpenalized, L2, L1, elastic-net, multinomial), and summary() after it the in-memory one."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from logitlab import LogisticRegression  # noqa: E402


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    # ":0": the scheduler's HTTP server takes a free port; the default 8787 may be held by
    # another cluster on the machine, and its warning would fail the start.
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with distributed.Client(cluster) as c:
        yield c
    cluster.close()


def data(n: int, p: int, K: int, seed: int = 0):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 0] += 50.0  # an offset the solver centres
    B = rng.normal(size=(K, p))
    y = np.argmax((X - X.mean(0)) @ B.T + rng.gumbel(size=(n, K)), axis=1)
    return X, y


@pytest.mark.parametrize(
    ("K", "params"),
    [
        (2, {"C": np.inf}),
        (2, {"C": 0.5, "class_weight": "balanced"}),
        (3, {"C": 1.0}),
        (2, {"C": 0.05, "l1_ratio": 1.0}),
        (3, {"C": 0.2, "l1_ratio": 0.5}),  # multinomial elastic-net: proximal Newton too
    ],
)
def test_dask_fit_matches_the_in_memory_fit(client, K: int, params: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    X, y = data(3000, 6, K, seed=K)
    sw = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    Xd = da.from_array(X, chunks=(700, 3))  # uneven row chunks, split columns
    yd = da.from_array(y, chunks=500)
    swd = da.from_array(sw, chunks=900)
    ours = LogisticRegression(**params).fit(Xd, yd, sample_weight=swd)
    ref = LogisticRegression(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=1e-10)
    np.testing.assert_array_equal(ours.classes_, ref.classes_)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-10)


def benchmark_like(n: int, p: int = 20, seed: int = 0):  # type: ignore[no-untyped-def]
    """As benchmarks/dask_fit.py's data: uncentered columns (means 0 .. 3), 20 features."""
    rng = np.random.default_rng(seed)
    shift = np.linspace(0.0, 3.0, p)
    X = rng.standard_normal((n, p)) + shift
    eta = (X - shift) @ np.linspace(-0.6, 0.6, p) + 0.4
    return X, (eta + rng.logistic(size=n) > 0).astype(np.int8)


@pytest.mark.parametrize(
    "params",
    [{"C": np.inf}, {"C": 0.01, "class_weight": "balanced"}],
)
def test_dask_fit_matches_the_in_memory_fit_with_sketched_hessians(client, params) -> None:  # type: ignore[no-untyped-def]
    # 21 coefficients: no fused Hessian pass; 40,000 rows: the solver's first steps use
    # Hessians sketched from every 9th row. The Dask objective's sketch has the same rows
    # (its chunks are uneven), so both fits take the same steps and stop at the same point
    # (a different path stops elsewhere within tol: 2.3e-8 apart on the smallest weight).
    from logitlab.core.objective import Objective
    from logitlab.core.solvers import sketch_stride
    from logitlab.dask_fit import DaskObjective

    X, y = benchmark_like(40_000)
    sw = np.random.default_rng(3).uniform(0.5, 2.0, X.shape[0])
    assert sketch_stride(X.shape[0], 21) == 9
    Xd = da.from_array(X, chunks=(7_001, 20))
    yd, swd = da.from_array(y, chunks=7_001), da.from_array(sw, chunks=7_001)
    ours = LogisticRegression(**params).fit(Xd, yd, sample_weight=swd)
    ref = LogisticRegression(**params).fit(X, y, sample_weight=sw)
    tight = LogisticRegression(**params, tol=1e-13, max_iter=200).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-8, atol=0)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, rtol=1e-8, atol=0)
    np.testing.assert_array_equal(ours.n_iter_, ref.n_iter_)
    np.testing.assert_allclose(ours.coef_, tight.coef_, rtol=1e-6)  # both at the optimum
    # The sketch itself: every 9th row of X, as Objective.smooth_hessian takes them.
    coef = np.r_[np.linspace(-0.5, 0.5, 20), 0.3]
    dask_obj = DaskObjective(
        Xd,
        yd,
        classes=np.array([0, 1]),
        class_weight=None,
        fit_intercept=True,
        sample_weight=swd,
        penalty=ref_penalty(),
        total_weight=float(sw.sum()),
    )
    mem_obj = Objective(X, y.astype(np.float64), sample_weight=sw, penalty=ref_penalty())
    for stride in (1, 9):
        np.testing.assert_allclose(
            dask_obj.smooth_hessian(coef, stride=stride),
            mem_obj.smooth_hessian(coef, stride=stride),
            rtol=1e-12,
        )


def ref_penalty():  # type: ignore[no-untyped-def]
    from logitlab.core.penalty import Penalty

    return Penalty(alpha=0.01, l1_ratio=0.0)


def test_dask_fit_never_computes_x_on_the_client(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    X, y = data(2000, 4, 2)
    Xd = da.from_array(X, chunks=(400, 4))

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("X was materialized on the client")

    monkeypatch.setattr(type(Xd), "compute", refuse)
    monkeypatch.setattr(type(Xd), "__array__", refuse)
    model = LogisticRegression(C=np.inf).fit(Xd, da.from_array(y, chunks=400))
    monkeypatch.undo()
    ref = LogisticRegression(C=np.inf).fit(X, y)
    np.testing.assert_allclose(model.coef_, ref.coef_, rtol=1e-8)


def test_dask_fit_rejects_step_solvers(client) -> None:  # type: ignore[no-untyped-def]
    X, y = data(100, 2, 2)
    with pytest.raises(ValueError, match="Dask arrays are fitted by Newton"):
        LogisticRegression(solver="gd").fit(da.from_array(X), da.from_array(y))


def _frame_columns(model):  # type: ignore[no-untyped-def]
    return model.summary().to_frame().to_numpy()


def test_summary_after_a_dask_fit_matches_the_in_memory_one_and_statsmodels(client) -> None:  # type: ignore[no-untyped-def]
    import statsmodels.api as sm

    X, y = data(2500, 4, 2, seed=5)
    ours = LogisticRegression(C=np.inf).fit(da.from_array(X, chunks=(600, 4)), da.from_array(y))
    ref = LogisticRegression(C=np.inf).fit(X, y)
    np.testing.assert_allclose(_frame_columns(ours), _frame_columns(ref), rtol=1e-8, atol=1e-12)
    sm_fit = sm.Logit(y, sm.add_constant(X)).fit(method="newton", tol=1e-12, disp=0)
    table = ours.summary().to_frame()
    np.testing.assert_allclose(table["estimate"], sm_fit.params, rtol=1e-8)
    np.testing.assert_allclose(table["std_error"], sm_fit.bse, rtol=1e-8)
    state, ref_state = ours._inference_state, ref._inference_state
    assert state.log_likelihood == pytest.approx(sm_fit.llf, rel=1e-10)
    assert state.null_log_likelihood == pytest.approx(sm_fit.llnull, rel=1e-10)
    assert (state.n_obs, state.n_rows) == (2500.0, 2500)
    assert state.separation is None and state.separation_method == ref_state.separation_method
    np.testing.assert_allclose(ours.cov_params("HC1"), ref.cov_params("HC1"), rtol=1e-8)
    np.testing.assert_allclose(state.moments, ref_state.moments, rtol=1e-10)
    # The training data again (in memory) gives the leverage-based covariances too.
    np.testing.assert_allclose(
        ours.cov_params("HC3", X=X, y=y), ref.cov_params("HC3", X=X, y=y), rtol=1e-8
    )


def test_weighted_multinomial_summary_after_a_dask_fit(client) -> None:  # type: ignore[no-untyped-def]
    X, y = data(2400, 3, 3, seed=6)
    sw = np.random.default_rng(2).uniform(0.0, 2.0, X.shape[0])
    sw[:40] = 0.0  # rows of weight 0 count in neither n_obs nor n_rows
    params = {"C": 2.0, "class_weight": "balanced"}
    Xd, yd, swd = (
        da.from_array(X, chunks=(500, 3)),
        da.from_array(y, chunks=500),
        da.from_array(sw, chunks=500),
    )
    ours = LogisticRegression(**params).fit(Xd, yd, sample_weight=swd)
    ref = LogisticRegression(**params).fit(X, y, sample_weight=sw)
    np.testing.assert_allclose(_frame_columns(ours), _frame_columns(ref), rtol=1e-8, atol=1e-12)
    a, b = ours._inference_state, ref._inference_state
    for name in ("n_obs", "n_rows", "log_likelihood", "null_log_likelihood", "C"):
        assert getattr(a, name) == pytest.approx(getattr(b, name), rel=1e-10), name
    np.testing.assert_allclose(a.feature_sd, b.feature_sd, rtol=1e-10)
    np.testing.assert_allclose(ours.cov_params("HC1"), ref.cov_params("HC1"), rtol=1e-8)


def test_separation_is_found_after_a_dask_fit(client) -> None:  # type: ignore[no-untyped-def]
    from logitlab._inference_api import PerfectSeparationWarning

    X, y = data(1200, 3, 2, seed=7)
    X[:, 2] = np.where(y == 1, 1.0, -1.0) + 0.1 * X[:, 1]  # one column separates the classes
    with warnings.catch_warnings(record=True) as caught:  # it also did not converge
        warnings.simplefilter("always")
        model = LogisticRegression(C=np.inf, max_iter=30).fit(
            da.from_array(X, chunks=(300, 3)), da.from_array(y, chunks=300)
        )
    assert any(
        isinstance(w.message, PerfectSeparationWarning) and "completely separated" in str(w.message)
        for w in caught
    )
    state = model._inference_state
    assert state.separation == "complete"
    assert state.separation_method == "one feature separates the classes"
    assert "separat" in str(model.summary()).lower()


def test_the_base_install_never_imports_dask() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from logitlab import LogisticRegression\n"
        "rng = np.random.default_rng(0)\n"
        "X = rng.standard_normal((300, 3)); y = (X[:, 0] + rng.logistic(size=300) > 0)\n"
        "m = LogisticRegression(C=np.inf).fit(X, y); str(m.summary()); m.predict_proba(X)\n"
        "LogisticRegression(C=1.0, l1_ratio=0.5).fit(X, (X[:, 1] > 0) + (X[:, 2] > 0))\n"
        "loaded = sorted(n for n in sys.modules if n.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=600)


def test_dask_is_an_optional_extra() -> None:
    import tomllib
    from pathlib import Path

    meta = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    assert any(dep.startswith("dask[") for dep in meta["optional-dependencies"]["dask"])
    assert not any(dep.startswith(("dask", "distributed")) for dep in meta["dependencies"])
