"""Fit the same logistic regressions with logitlab, scikit-learn and statsmodels.

Problems: seeded synthetic data of 1,000,000 x 2 and 100,000 x 50 (overlapping
classes, so the optimum is finite), **unpenalized** (scikit-learn ``C=inf``,
statsmodels ``Logit`` is unpenalized anyway), with an intercept. Every method
fits the same problem:

- logitlab: ``logitlab.LogisticRegression(C=inf)`` with its *default* settings
  (``tol=1e-8``), or ``solve()`` on an ``Objective`` if the estimator is missing;
- scikit-learn ``newton-cholesky`` and ``lbfgs`` at ``tol=1e-8``, large ``max_iter``;
- statsmodels ``Logit(...).fit(method="newton", tol=1e-8)`` (``add_constant`` counts).

Printed per method: median wall time of several fits (up to ``--repeats``,
fewer once a method has used ``--budget`` seconds), time ratio to
scikit-learn's newton-cholesky and lbfgs, max relative coefficient error
(max|Δ| / max|ref|) against the most accurate result (the one with the smallest
largest gradient entry of the mean log-loss), that gradient entry, and the
peak memory allocated during one fit (tracemalloc, in a separate untimed fit) as
a multiple of ``X.nbytes``. Targets: logitlab no slower than newton-cholesky,
at most 0.3 x lbfgs, peak memory at most 2 x X.

    .venv/bin/python benchmarks/fit_speed.py [--repeats N] [--quick] [--threads N]

The machine is shared: the load average is printed, and under heavy load
multi-threaded BLAS can slow everybody down by a large factor (``--threads 1``
gives steadier numbers).
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from logitlab.core.objective import Objective
from logitlab.core.solvers import solve

Fit = Callable[[np.ndarray, np.ndarray], np.ndarray]  # returns [w_1..w_p, b]


def make_problem(n_samples: int, n_features: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features))
    X[:, 1:] += 0.3 * X[:, :1]  # some correlation between the features
    coef = rng.normal(scale=1.0 / np.sqrt(n_features), size=n_features)
    p = 1.0 / (1.0 + np.exp(-(X @ coef + 0.3)))
    y = (rng.random(n_samples) < p).astype(np.float64)
    return X, y


def core_fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The engine alone: ``solve()`` on an ``Objective`` (default tol), no input checks."""
    return solve(Objective(X, y)).coef


def logitlab_fit() -> tuple[str, Fit]:
    try:
        from logitlab import LogisticRegression

        LogisticRegression(C=np.inf).fit(np.array([[0.0], [1.0], [2.0], [3.0]]), [0, 1, 0, 1])
    except Exception as exc:  # the estimator is not there yet: the core solver
        print(f"(logitlab.LogisticRegression unavailable: {exc!r}; timing solve())")

        return "logitlab solve()", core_fit

    def fit_estimator(X: np.ndarray, y: np.ndarray) -> np.ndarray:
        model = LogisticRegression(C=np.inf).fit(X, y)
        return np.r_[np.ravel(model.coef_), np.ravel(model.intercept_)]

    return "logitlab", fit_estimator


def sklearn_fit(solver: str) -> Fit:
    from sklearn.linear_model import LogisticRegression

    def fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
        model = LogisticRegression(C=np.inf, solver=solver, tol=1e-8, max_iter=10_000).fit(X, y)
        return np.r_[model.coef_.ravel(), model.intercept_]

    return fit


def statsmodels_fit(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    import statsmodels.api as sm

    result = sm.Logit(y, sm.add_constant(X, prepend=False)).fit(
        method="newton", tol=1e-8, maxiter=100, disp=0
    )
    return np.asarray(result.params)


@dataclass
class Row:
    name: str
    seconds: float
    coef: np.ndarray
    optimality: float
    peak: float


def measure(name: str, fit: Fit, X: np.ndarray, y: np.ndarray, repeats: int, budget: float) -> Row:
    """Median of up to ``repeats`` timed fits (fewer once ``budget`` seconds are spent)."""
    times: list[float] = []
    coef = np.empty(0)
    while len(times) < repeats and sum(times) < budget:
        gc.collect()
        start = time.perf_counter()
        coef = fit(X, y)
        times.append(time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    fit(X, y)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    optimality = Objective(X, y).optimality(np.asarray(coef, dtype=np.float64))
    return Row(name, float(np.median(times)), coef, optimality, peak / X.nbytes)


def run(n_samples: int, n_features: int, repeats: int, budget: float) -> None:
    X, y = make_problem(n_samples, n_features, seed=n_features)
    label, ours = logitlab_fit()
    methods: list[tuple[str, Fit, int]] = [
        (label, ours, repeats),
        ("logitlab solve() (core)", core_fit, repeats),
        ("sklearn newton-cholesky", sklearn_fit("newton-cholesky"), repeats),
        ("sklearn lbfgs", sklearn_fit("lbfgs"), repeats),
        ("statsmodels Logit newton", statsmodels_fit, repeats),
    ]
    rows = []
    for name, fit, k in methods:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a ConvergenceWarning shows up as a large error
            rows.append(measure(name, fit, X, y, k, budget))
    ref = min(rows, key=lambda r: r.optimality)
    by_name = {r.name: r for r in rows}
    newton, lbfgs = by_name["sklearn newton-cholesky"], by_name["sklearn lbfgs"]
    print(
        f"\n{n_samples:,} x {n_features}, unpenalized, with intercept; X is "
        f"{X.nbytes / 2**20:.1f} MiB; reference = {ref.name}; "
        f"up to {repeats} timed fits per method ({budget:g} s budget each)"
    )
    header = (
        f"{'method':26s} {'median s':>9s} {'/ newton-ch':>11s} {'/ lbfgs':>8s} "
        f"{'max rel err':>11s} {'max |grad|':>10s} {'peak / X':>9s}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        err = float(np.max(np.abs(r.coef - ref.coef)) / np.max(np.abs(ref.coef)))
        print(
            f"{r.name:26s} {r.seconds:9.3f} {r.seconds / newton.seconds:11.2f} "
            f"{r.seconds / lbfgs.seconds:8.2f} {err:11.1e} {r.optimality:10.1e} {r.peak:9.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed fits per method, at most")
    parser.add_argument(
        "--budget", type=float, default=3.0, help="stop repeating a method after this many seconds"
    )
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument(
        "--threads", type=int, default=None, help="limit BLAS/OpenMP threads (default: as is)"
    )
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    print("targets: logitlab <= 1.0 x newton-cholesky, <= 0.3 x lbfgs, peak <= 2 x X")
    print(
        f"load average before the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"BLAS threads: {args.threads or 'default'}"
    )
    with threadpool_limits(args.threads):
        for n_samples, n_features in [(1_000_000, 2), (100_000, 50)]:
            run(n_samples // scale, n_features, args.repeats, args.budget)


if __name__ == "__main__":
    main()
