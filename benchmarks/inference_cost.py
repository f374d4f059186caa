"""What the inference state costs at the end of a fit, against the fit itself.

``LogisticRegression.fit`` ends with one call, ``fit_state(...)``: two passes
over the data for the information matrix, the robust meats (HC0, HC2, HC3)
and the separation check. This script times the solver alone (``solve`` on the
same ``Objective``) and ``compute_fit_state`` on its result, and prints the
median of each and their ratio, with the size of the pickled fitted model.

Problems: seeded synthetic data, binary 200,000 x 20 (overlapping classes)
unpenalized and at C = 1e-4, and binary 60,000 x 6 with a 0/1 column that is 1
only on positives (quasi-separation, caught by the one-column test), and
multinomial (K = 4) 100,000 x 10.

    .venv/bin/python benchmarks/inference_cost.py [--repeats N] [--threads N]

The machine is shared and noisy: medians of a few runs, the load average is
printed; ``--threads 1`` (the default) gives steadier numbers.
"""

from __future__ import annotations

import argparse
import os
import pickle
import statistics
import sys
import time
import warnings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    os.environ["OPENBLAS_NUM_THREADS"] = str(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)

    import numpy as np

    from logitlab import LogisticRegression
    from logitlab.core.fitstate import compute_fit_state
    from logitlab.core.objective import Objective
    from logitlab.core.penalty import Penalty
    from logitlab.core.solvers import solve

    rng = np.random.default_rng(0)

    def binary(n: int, p: int) -> tuple[np.ndarray, np.ndarray]:
        X = rng.normal(size=(n, p))
        return X, (X[:, :3].sum(axis=1) + rng.logistic(size=n) > 0).astype(float)

    Xb, yb = binary(200_000, 20)
    Xs, ys = binary(60_000, 5)
    Xs = np.column_stack([Xs, ((ys == 1) & (rng.random(60_000) < 0.01)).astype(float)])
    Xm = rng.normal(size=(100_000, 10))
    ym = np.argmax(Xm[:, :4] + rng.gumbel(size=(100_000, 4)), axis=1).astype(float)
    problems = [
        ("binary 200k x 20, C=inf", Xb, yb, 2, 0.0),
        ("binary 200k x 20, C=1e-4", Xb, yb, 2, 1.0 / (1e-4 * 200_000)),
        ("binary 60k x 6, separated", Xs, ys, 2, 0.0),
        ("multinomial K=4, 100k x 10", Xm, ym, 4, 0.0),
    ]
    print(f"load average {os.getloadavg()[0]:.1f}, threads {args.threads}")
    print(f"{'problem':<30}{'fit s':>9}{'state s':>9}{'ratio':>8}  separation")
    for name, X, y, K, alpha in problems:
        objective = Objective(X, y, n_classes=K, penalty=Penalty(alpha=alpha))
        fit_times, state_times = [], []
        for _ in range(args.repeats):
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = solve(objective)
            fit_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            state = compute_fit_state(
                objective, result.coef, converged=result.converged, n_iter=result.n_iter
            )
            state_times.append(time.perf_counter() - start)
        fit_s, state_s = statistics.median(fit_times), statistics.median(state_times)
        verdict = f"{state.separation or 'none'} ({state.separation_method})"
        print(f"{name:<30}{fit_s:>9.3f}{state_s:>9.3f}{state_s / fit_s:>8.2f}  {verdict}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(C=np.inf).fit(Xb, yb)
    print(f"pickled 200k x 20 model: {len(pickle.dumps(model)):,} bytes (X is {Xb.nbytes:,})")


if __name__ == "__main__":
    sys.exit(main())
