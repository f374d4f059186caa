"""logitlab's Dask fit against dask-ml's on a dataset larger than a worker's memory.

A ``LocalCluster`` of 2 worker processes (1 thread each, ``--worker-memory``
each, 512 MB by default) fits a binary logistic regression to about 2 GB of
float64 X (``--rows`` x ``--features``, in row chunks). X and y are generated
on the workers from a seed (``dask.array.random``) and never persisted: every
pass over the data regenerates its chunks there, so the dataset is larger
than one worker's memory and than the whole cluster's. The client only ever
holds p-sized vectors and p x p matrices; its peak RSS is printed.

Compared, interleaved in one process, medians of ``--repeats`` runs:

* ``logitlab``: ``LogisticRegression(C=inf).fit(X, y)`` (Newton blockwise; the
  fit also records the inference state, so ``summary()`` works);
* ``dask-ml <solver>`` for each of ``--dask-ml-solvers`` (default ``newton``):
  ``dask_ml.linear_model.LogisticRegression(solver=...)``, ``tol=1e-8`` on the
  change of the coefficients, ``max_iter=100``. ``newton`` is its exact method
  for an unpenalized fit (dask-glm's Newton ignores ``C``); ``lbfgs``,
  ``admm``, ``gradient_descent`` and ``proximal_grad`` penalize every column,
  the added intercept column too, so they get ``C=1e12``.

Each fit runs under ``--budget`` seconds (then the workers are restarted and
the fit is reported as not finished); an exception (such as distributed's
``KilledWorker`` after workers died for memory) is reported, not raised.

Printed: wall time of each fit, with the MB the workers spilled to disk and
the worker processes that were killed and replaced meanwhile; the ratio
logitlab / peer; the largest coefficient difference; the peak RSS of the
client and of the workers; and a check on a smaller version of the same data
(``--small-rows``): logitlab's Dask fit against its in-memory fit of the
computed arrays (relative difference, should be below 1e-8), and its Dask
``summary()`` standard errors against the in-memory ones.

    .venv/bin/python benchmarks/dask_fit.py [--rows N] [--repeats N] [--budget S]
        [--dask-ml-solvers newton,lbfgs,admm]

The machine is shared and noisy: medians, same-run ratios; the load average
is printed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import sys
import time
import warnings
from typing import Any


def make_data(da: Any, n: int, p: int, chunk_rows: int, seed: int) -> tuple[Any, Any]:
    """Seeded X (n, p) and y (n,) as lazy Dask arrays: generated on whichever worker reads them."""
    import numpy as np

    rng = da.random.RandomState(seed)
    X = rng.standard_normal((n, p), chunks=(chunk_rows, p))
    X = X + np.linspace(0.0, 3.0, p)  # uncentered columns, as real data
    beta = np.linspace(-0.6, 0.6, p)
    eta = (X - np.linspace(0.0, 3.0, p)) @ beta + 0.4
    y = (eta + rng.logistic(size=n, chunks=chunk_rows) > 0).astype(np.int8)
    return X, y


def peak_rss_mb() -> float:
    """This process's peak resident set size (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def spilled_mb(dask_worker: Any) -> float:
    """MB this worker has written to disk (spilled) since it started."""
    total = sum(
        value
        for key, value in dask_worker.digests_total.items()
        if "disk-write" in key and key[-1] == "bytes"
    )
    return float(total) / 1e6


def worker_addresses(client: Any) -> set[str]:
    return set(client.scheduler_info()["workers"])


def run_with_budget(client: Any, fit: Any, budget: float) -> dict[str, Any]:
    """``fit()`` in a thread, at most ``budget`` seconds (then the cluster is restarted,
    which ends its computation). Returns seconds, coef or failure, MB spilled, and how
    many worker processes were replaced meanwhile (killed for memory, seen by polling)."""
    import threading

    spilled_before = sum(client.run(spilled_mb).values())
    seen = worker_addresses(client)
    first = set(seen)
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["coef"] = fit()
        except Exception as exc:  # reported, not hidden
            result["failure"] = f"{type(exc).__name__}: {str(exc)[:200]}"

    start = time.perf_counter()
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    while thread.is_alive() and time.perf_counter() - start < budget:
        thread.join(1.0)
        with contextlib.suppress(Exception):  # the scheduler is busy: poll again
            seen |= worker_addresses(client)
    seconds = time.perf_counter() - start
    if thread.is_alive():
        # Restarting the workers ends the fit's tasks; a worker the nanny is just
        # replacing (killed for memory) may take long to come back: wait for it.
        with contextlib.suppress(Exception):
            client.restart(wait_for_workers=False)
        with contextlib.suppress(Exception):
            client.wait_for_workers(2, timeout=300)
        thread.join(120.0)
        result.pop("coef", None)
        result["failure"] = f"still running after the budget of {budget:.0f} s (stopped)"
    seen |= worker_addresses(client)
    spilled = sum(client.run(spilled_mb).values()) - spilled_before
    return {
        **result,
        "seconds": seconds,
        "spilled": max(spilled, 0.0),
        "restarts": len(seen - first),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=12_500_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--chunk-rows", type=int, default=250_000)
    parser.add_argument("--small-rows", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--worker-memory", default="512MB")
    parser.add_argument(
        "--budget", type=float, default=900.0, help="seconds a fit may run before it is stopped"
    )
    parser.add_argument(
        "--dask-ml-solvers",
        default="newton",
        help="comma-separated dask-ml solvers (newton, lbfgs, admm, gradient_descent, "
        "proximal_grad); all but newton get C=1e12 (they penalize the intercept column too)",
    )
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = "1"  # inherited by the worker processes
    os.environ["OMP_NUM_THREADS"] = "1"

    import dask
    import dask.array as da
    import distributed
    import numpy as np

    from logitlab import LogisticRegression

    try:
        from dask_ml.linear_model import LogisticRegression as DaskMLLogisticRegression
    except ImportError as exc:  # pragma: no cover - printed, not hidden
        sys.exit(f"dask-ml is not importable ({exc}); pip install dask-ml")

    import dask_ml

    n, p = args.rows, args.features
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, dask {dask.__version__}"
        f", distributed {distributed.__version__}, dask-ml {dask_ml.__version__}"
    )
    print(f"load average at start: {os.getloadavg()}")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        memory_limit=args.worker_memory,
        processes=True,
        dashboard_address=":0",
    )
    client = distributed.Client(cluster)
    limit = cluster.workers[next(iter(cluster.workers))].memory_manager.memory_limit
    started = sorted(client.scheduler_info()["workers"])
    X, y = make_data(da, n, p, args.chunk_rows, seed=0)
    gb = n * p * 8 / 1e9
    print(
        f"X: {n:,} x {p} float64 = {gb:.2f} GB in {X.numblocks[0]} chunks of "
        f"{args.chunk_rows:,} rows; 2 workers of {limit / 1e6:.0f} MB each "
        f"(X is {gb * 1e9 / limit:.1f}x one worker's limit)"
    )

    # ---- a smaller version: the Dask fit against the in-memory fit of the same numbers
    Xs, ys = make_data(da, args.small_rows, p, args.chunk_rows // 4, seed=1)
    dask_model = LogisticRegression(C=np.inf).fit(Xs, ys)
    Xm, ym = (np.asarray(v) for v in da.compute(Xs, ys))
    mem_model = LogisticRegression(C=np.inf).fit(Xm, ym)
    ours = np.r_[dask_model.intercept_, dask_model.coef_.ravel()]
    ref = np.r_[mem_model.intercept_, mem_model.coef_.ravel()]
    se_dask = dask_model.summary().to_frame()["std_error"].to_numpy()
    se_mem = mem_model.summary().to_frame()["std_error"].to_numpy()
    print(
        f"small version {args.small_rows:,} x {p}: Dask fit vs in-memory fit, largest relative "
        f"coefficient difference {np.max(np.abs(ours - ref) / np.abs(ref)):.1e}, summary() "
        f"std err {np.max(np.abs(se_dask - se_mem) / se_mem):.1e}"
    )

    def fit_logitlab() -> np.ndarray:
        model = LogisticRegression(C=np.inf).fit(X, y)
        return np.r_[model.intercept_, model.coef_.ravel()]

    def dask_ml_fit(solver: str) -> Any:
        def fit() -> np.ndarray:
            # dask-glm's Newton ignores C (unpenalized); the others penalize every column,
            # the intercept's too: C=1e12 makes that negligible.
            extra = {} if solver == "newton" else {"C": 1e12}
            model = DaskMLLogisticRegression(solver=solver, tol=1e-8, max_iter=100, **extra)
            model.fit(X, y)
            return np.r_[model.intercept_, np.asarray(model.coef_).ravel()]

        return fit

    methods: dict[str, Any] = {"logitlab": fit_logitlab}
    for solver in args.dask_ml_solvers.split(","):
        methods[f"dask-ml {solver}"] = dask_ml_fit(solver)
    times: dict[str, list[float]] = {name: [] for name in methods}
    coefs: dict[str, np.ndarray] = {}
    failures: dict[str, list[str]] = {name: [] for name in methods}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dask-ml's FutureWarnings, distributed's key notes
        for rep in range(args.repeats):
            order = list(methods) if rep % 2 == 0 else list(reversed(methods))
            for name in order:
                if failures[name]:
                    continue  # it failed or ran out of time once: not again
                outcome = run_with_budget(client, methods[name], args.budget)
                verdict = f"{outcome['seconds']:.1f} s"
                if "coef" in outcome:
                    times[name].append(outcome["seconds"])
                    coefs[name] = outcome["coef"]
                else:
                    failures[name].append(outcome["failure"])
                    verdict = f"NOT FINISHED after {verdict}: {outcome['failure']}"
                print(
                    f"  run {rep + 1} {name}: {verdict}; workers spilled "
                    f"{outcome['spilled']:.0f} MB to disk, worker processes killed and "
                    f"restarted: {outcome['restarts']}",
                    flush=True,
                )

    worker_peaks = client.run(peak_rss_mb)
    spilled = client.run(spilled_mb)
    now = sorted(client.scheduler_info()["workers"])
    n_workers = f"{len(now)}, {'the same' if now == started else 'NOT the same'} addresses"
    finished = [name for name in methods if times[name]]
    med = {name: statistics.median(times[name]) for name in finished}
    peers = [name for name in finished if name != "logitlab"]
    print()
    print(f"{'method':<24} {'median s':>9} {'runs':>20}   ratio logitlab / this")
    for name in methods:
        if name not in med:
            print(f"{name:<24} {'-':>9} {'-':>20}   (did not finish: {failures[name][0]})")
            continue
        runs = ", ".join(f"{v:.1f}" for v in times[name])
        ratio = f"{med['logitlab'] / med[name]:.3f}" if "logitlab" in med else "-"
        print(f"{name:<24} {med[name]:9.1f} {runs:>20}   {ratio}")
    for name in peers:
        if "logitlab" not in coefs:
            break
        a, b = coefs["logitlab"], coefs[name]
        gap = np.max(np.abs(a - b))
        print(
            f"coefficients (intercept, w): largest |logitlab - {name}| = "
            f"{gap:.2e} (relative to the largest {gap / np.max(np.abs(a)):.2e})"
        )
    print(
        f"peak RSS: client {peak_rss_mb():.0f} MB, workers "
        + ", ".join(f"{v:.0f} MB" for v in worker_peaks.values())
    )

    print(
        f"workers at the end: {n_workers} (2 started; a worker killed for memory would be "
        "restarted under a new address), spilled to disk in all: "
        + ", ".join(f"{v:.0f} MB" for v in spilled.values())
    )
    print(f"load average at end: {os.getloadavg()}")
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
