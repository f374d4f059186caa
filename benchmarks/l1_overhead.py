"""Where the estimator's time goes outside the solve: L1, elastic net, sparse L1, 1e6 x 2.

For each workload (built by fit_speed.py's own functions) this times, at BLAS 1
thread and as medians of a few fits, the estimator's ``fit``, the core
``solve`` alone, and the fit-state phases inside ``fit`` (``compute_fit_state``,
its first pass, the unpenalized certificate of a penalized fit), so the
overhead the estimator adds for summary() is visible phase by phase (issue 13).

    .venv/bin/python benchmarks/l1_overhead.py [--only SUBSTRING] [--repeats 3]
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from fit_speed import dense_problem, l1_C, l1_C_for, sparse_problem
from logitlab import LogisticRegression, _inference_api
from logitlab.core import fitstate
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve

PHASES = ("compute_fit_state", "binary_first_pass", "_certified_after_newton")


def _timed(totals: dict[str, float], name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            totals[name] = totals.get(name, 0.0) + time.process_time() - start

    return wrapper


def workloads(only: str) -> list[tuple[str, Any, np.ndarray, float, float]]:
    """(name, X, y, C, l1_ratio) of the workloads whose name contains ``only``."""

    def wanted(*names: str) -> bool:
        return any(only in name for name in names)

    out: list[tuple[str, Any, np.ndarray, float, float]] = []
    if wanted("50,000 x 500 L1", "50,000 x 500 elastic net"):
        X, y = dense_problem(50_000, 500, 2, 5, nonzeros=25)
        out.append(("50,000 x 500 L1", X, y, l1_C_for(X, y, 25), 1.0))
        out.append(("50,000 x 500 elastic net", X, y, l1_C_for(X, y, 25, 0.5), 0.5))
    if wanted("1e5 x 20,000 sparse L1"):
        Xs, ys = sparse_problem(100_000, 20_000, 0.0025, 8)
        out.append(("1e5 x 20,000 sparse L1", Xs, ys, l1_C(Xs, ys, 0.1), 1.0))
    if wanted("1e6 x 2 unpenalized", "1e6 x 2 L2"):
        Xt, yt = dense_problem(1_000_000, 2, 2, 1)
        out.append(("1e6 x 2 unpenalized", Xt, yt, np.inf, 0.0))
        out.append(("1e6 x 2 L2", Xt, yt, 1.0, 0.0))
    return [w for w in out if only in w[0]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="workloads whose name contains this")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    totals: dict[str, float] = {}
    for name in PHASES:
        module: Any = _inference_api if name == "compute_fit_state" else fitstate
        setattr(module, name, _timed(totals, name, getattr(module, name)))
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs, BLAS 1 thread")
    with threadpool_limits(1):
        for label, X, y, C, l1_ratio in workloads(args.only):
            alpha = 0.0 if np.isinf(C) else 1.0 / (C * y.shape[0])
            LogisticRegression(C=C, l1_ratio=l1_ratio).fit(X[:300], y[:300])  # warm-up
            fits, solves, phases = [], [], []
            for _ in range(args.repeats):
                start = time.process_time()
                solve(Objective(X, y, penalty=Penalty(alpha, l1_ratio)))
                solves.append(time.process_time() - start)
                totals.clear()
                start = time.process_time()
                LogisticRegression(C=C, l1_ratio=l1_ratio).fit(X, y)
                fits.append(time.process_time() - start)
                phases.append(dict(totals))
            fit, core = statistics.median(fits), statistics.median(solves)
            parts = ", ".join(
                f"{name} {statistics.median(p.get(name, 0.0) for p in phases):.3f}"
                for name in PHASES
            )
            print(
                f"{label}: estimator {fit:.3f} s, core solve {core:.3f} s, "
                f"overhead {fit - core:.3f} s ({parts})"
            )


if __name__ == "__main__":
    main()
