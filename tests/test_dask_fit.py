"""Dask arrays: Newton blockwise on a 2-worker LocalCluster gives the in-memory coefficients."""

from __future__ import annotations

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from logitlab import LogisticRegression  # noqa: E402


@pytest.fixture(scope="module")
def client():  # type: ignore[no-untyped-def]
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
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
