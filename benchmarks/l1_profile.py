"""Where an L1 / elastic-net solve spends its time: the share of coordinate descent.

Profiles ``solve`` (working sets, proximal Newton, the inner coordinate
descent ``_lasso_cd``) on the fit_speed.py L1 workloads at BLAS 1 thread and
prints the inner coordinate descent's share of the profiled time. It decides
whether a compiled kernel (numba) for the coordinate descent would pay: it can
remove at most that share.

    .venv/bin/python benchmarks/l1_profile.py
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
from pathlib import Path

from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from fit_speed import dense_problem, l1_C, l1_C_for, sparse_problem
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def main() -> None:
    X, y = dense_problem(50_000, 500, 2, 5, nonzeros=25)
    Xs, ys = sparse_problem(100_000, 20_000, 0.0025, 8)
    cases = [
        ("50,000 x 500 L1", X, y, l1_C_for(X, y, 25), 1.0),
        ("50,000 x 500 elastic net", X, y, l1_C_for(X, y, 25, 0.5), 0.5),
        ("1e5 x 20,000 sparse L1", Xs, ys, l1_C(Xs, ys, 0.1), 1.0),
    ]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    with threadpool_limits(1):
        for name, A, b, C, ratio in cases:
            objective = Objective(A, b, penalty=Penalty(1.0 / (C * b.shape[0]), ratio))
            solve(Objective(A[:300], b[:300], penalty=objective.penalty))  # warm-up
            profile = cProfile.Profile()
            profile.enable()
            solve(objective)
            profile.disable()
            stats = pstats.Stats(profile)
            total = stats.total_tt  # type: ignore[attr-defined]
            entries = stats.stats.items()  # type: ignore[attr-defined]
            cd = sum(v[3] for k, v in entries if k[2] == "_lasso_cd")
            print(
                f"{name}: solve {total:.3f} s (profiled), coordinate descent {cd:.3f} s "
                f"= {100 * cd / total:.1f} %"
            )


if __name__ == "__main__":
    main()
