"""Fit time, accuracy and memory of logitlab against scikit-learn, glum and skglm.

Every workload is fitted by every method in one process; the timed fits are interleaved
(round r fits each method once, in turn) and the median is shown. Each method's
coefficients are compared with a tight reference (logitlab's solver at tol=1e-10,
computed once per workload; its largest gradient entry is printed, and its distance to
the most accurate peer) and its error ``max|Δ| / max|ref|`` printed; a peer counts as
*accurate* when that error is at most 1e-6. Peers run at tolerance 1e-8; a scikit-learn
or glum peer whose first fit misses 1e-6 is timed at 1e-10 as well from the next round
on (a row "... tol=1e-10"), so every solver that can reach 1e-6 has its accurate rung.
Times are CPU seconds of this process (``time.process_time``: the machine is shared, so
wall time mostly measures the other jobs) and, beside them, wall seconds; ratios are
CPU-time ratios against the fastest accurate peer of the same run. Peak memory:
tracemalloc over one more (untimed) fit in the first thread pass, as a multiple of X's
bytes (allocations in compiled peers' own allocators are not seen). Exact Newton ("core
newton") is skipped where its K·p square Hessian would exceed ``NEWTON_MAX_COEF``
coefficients.

Workloads (full size; ``--quick`` divides rows, and the largest widths, by 10):

- 1e6 x 2 and 1e5 x 50, unpenalized and L2 (C = 1);
- 2,000 x 2,000 and 500 x 5,000, L2;
- 50,000 x 500, L1 and elastic net (l1_ratio 0.5), C found by bisection for 25 non-zeros;
- 100,000 x 20, 5 classes, L2; 60,000 x 784, 10 classes, L2;
- 100,000 x 20,000 sparse (0.25 % non-zeros, tf-idf-like), L2 and L1;
- float32 1e6 x 10, L2.

    .venv/bin/python benchmarks/fit_speed.py [--quick] [--threads 1,2] [--repeats N]
        [--only SUBSTRING] [--first "SUBSTRING;SUBSTRING"] [--budget SECONDS]

The machine is shared: the load average is printed; numbers are noisy, and
multi-threaded BLAS slows down badly when other jobs hold the cores.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import choose_method, solve

Fit = Callable[[object, np.ndarray], np.ndarray]  # returns the flat (K, p + 1) coefficients


@dataclass
class Workload:
    name: str
    X: object
    y: np.ndarray
    K: int
    C: float
    l1_ratio: float = 0.0
    peers: list[str] = field(default_factory=list)

    @property
    def nbytes(self) -> int:
        X = self.X
        if sp.issparse(X):
            return int(X.data.nbytes + X.indices.nbytes + X.indptr.nbytes)  # type: ignore[attr-defined]
        return int(X.nbytes)  # type: ignore[attr-defined]

    def objective(self) -> Objective:
        n = self.y.shape[0]
        alpha = 0.0 if np.isinf(self.C) else 1.0 / (self.C * n)
        return Objective(
            self.X,
            self.y.astype(np.float64),
            n_classes=self.K,
            penalty=Penalty(alpha, self.l1_ratio),
        )


# ------------------------------------------------------------------ data


def dense_problem(
    n: int, p: int, K: int, seed: int, *, nonzeros: int | None = None, dtype: type = np.float64
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p), dtype=np.float64)
    if p > 1:
        X[:, 1:] += 0.3 * X[:, :1]  # some correlation
    k = p if nonzeros is None else nonzeros
    B = np.zeros((K, p))
    B[:, :k] = rng.normal(scale=1.5 / np.sqrt(k), size=(K, k))
    if K == 2:
        z = X @ B[1] + 0.3
        y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    else:
        y = np.argmax(X @ B.T + rng.gumbel(size=(n, K)), axis=1).astype(np.float64)
    return X.astype(dtype, copy=False), y


def sparse_problem(n: int, p: int, density: float, seed: int) -> tuple[sp.csr_matrix, np.ndarray]:
    rng = np.random.default_rng(seed)
    nnz_row = max(1, int(density * p))
    # tf-idf-like: word ranks from a Zipf law, values log(1 + count) scaled per row
    cols = np.minimum(rng.zipf(1.3, size=n * nnz_row) - 1, p - 1)
    rows = np.repeat(np.arange(n), nnz_row)
    vals = np.log1p(rng.poisson(1.0, size=n * nnz_row) + 1.0)
    X = sp.csr_matrix((vals, (rows, cols)), shape=(n, p))
    X.sum_duplicates()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    X = sp.csr_matrix(sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X)
    beta = np.zeros(p)
    beta[:200] = rng.normal(scale=3.0, size=200)
    z = X @ beta
    y = (rng.random(n) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return X, y


def l1_C(X: object, y: np.ndarray, fraction: float, l1_ratio: float = 1.0) -> float:
    """C whose L1 strength is ``fraction`` of the smallest that zeroes every weight."""
    n = y.shape[0]
    alpha_max = float(np.max(np.abs(X.T @ (y - y.mean())))) / n  # type: ignore[attr-defined]
    return 1.0 / (fraction * alpha_max / l1_ratio * n)


def l1_C_for(X: object, y: np.ndarray, nonzeros: int, l1_ratio: float = 1.0) -> float:
    """C giving about ``nonzeros`` non-zero weights: bisection on log C (a few loose fits)."""
    lo, hi = 0.01, 0.99  # fractions of the L1 strength that zeroes every weight
    for _ in range(12):
        mid = float(np.sqrt(lo * hi))
        C = l1_C(X, y, mid, l1_ratio)
        n = y.shape[0]
        objective = Objective(X, y, penalty=Penalty(1.0 / (C * n), l1_ratio))
        count = int(np.count_nonzero(solve(objective, tol=1e-6).coef[:-1]))
        if count == nonzeros:
            break
        lo, hi = (mid, hi) if count > nonzeros else (lo, mid)
    return C


def workloads(quick: bool) -> list[Workload]:
    q = 10 if quick else 1
    out: list[Workload] = []
    tall = ["sk newton-cholesky", "sk lbfgs", "sk newton-cg", "glum irls", "glum lbfgs"]
    X, y = dense_problem(1_000_000 // q, 2, 2, 1)
    out.append(Workload("1e6 x 2 unpenalized", X, y, 2, np.inf, peers=tall))
    out.append(Workload("1e6 x 2 L2", X, y, 2, 1.0, peers=tall))
    X, y = dense_problem(100_000 // q, 50, 2, 2)
    out.append(Workload("1e5 x 50 unpenalized", X, y, 2, np.inf, peers=tall))
    out.append(Workload("1e5 x 50 L2", X, y, 2, 1.0, peers=tall))
    wide = ["sk newton-cholesky", "sk lbfgs", "sk newton-cg", "glum lbfgs"]
    X, y = dense_problem(2_000 // (1 if not quick else 2), 2_000 // q, 2, 3)
    out.append(Workload("2,000 x 2,000 L2", X, y, 2, 1.0, peers=wide))
    X, y = dense_problem(500, 5_000 // q, 2, 4)
    out.append(
        Workload("500 x 5,000 L2", X, y, 2, 1.0, peers=["sk lbfgs", "sk newton-cg", "glum lbfgs"])
    )
    X, y = dense_problem(50_000 // q, 500, 2, 5, nonzeros=25)
    sparse_peers = ["skglm", "glum irls"]
    C1, C2 = l1_C_for(X, y, 25), l1_C_for(X, y, 25, 0.5)
    out.append(Workload("50,000 x 500 L1", X, y, 2, C1, 1.0, peers=sparse_peers))
    out.append(Workload("50,000 x 500 elastic net", X, y, 2, C2, 0.5, peers=sparse_peers))
    multi = ["sk newton-cholesky", "sk lbfgs", "sk newton-cg"]
    X, y = dense_problem(100_000 // q, 20, 5, 6)
    out.append(Workload("100,000 x 20, 5 classes", X, y, 5, 1.0, peers=multi))
    X, y = dense_problem(60_000 // q, 784, 10, 7)
    out.append(
        Workload("60,000 x 784, 10 classes", X, y, 10, 1.0, peers=["sk lbfgs", "sk newton-cg"])
    )
    X, y = sparse_problem(100_000 // q, 20_000 // q, 0.0025 * q, 8)
    out.append(
        Workload(
            "1e5 x 20,000 sparse L2", X, y, 2, 1.0, peers=["sk lbfgs", "sk newton-cg", "glum lbfgs"]
        )
    )
    out.append(
        Workload(
            "1e5 x 20,000 sparse L1", X, y, 2, l1_C(X, y, 0.1), 1.0, peers=["skglm", "glum irls"]
        )
    )
    X, y = dense_problem(1_000_000 // q, 10, 2, 9, dtype=np.float32)
    out.append(
        Workload(
            "float32 1e6 x 10 L2",
            X,
            y,
            2,
            1.0,
            peers=["sk newton-cholesky", "sk lbfgs", "glum irls"],
        )
    )
    return out


# ------------------------------------------------------------------ methods


def flat(coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    W = np.column_stack([np.atleast_2d(coef), np.ravel(intercept)])
    if W.shape[0] > 1:
        W[:, -1] -= W[:, -1].mean()
    return W.ravel()


def logitlab_estimator(w: Workload) -> np.ndarray:
    from logitlab import LogisticRegression

    model = LogisticRegression(C=w.C, l1_ratio=w.l1_ratio).fit(w.X, w.y)
    return flat(model.coef_, model.intercept_)


def core(method: str) -> Callable[[Workload], np.ndarray]:
    def fit(w: Workload) -> np.ndarray:
        return solve(w.objective(), method=method).coef

    return fit


def sklearn(solver: str, tol: float = 1e-8) -> Callable[[Workload], np.ndarray]:
    def fit(w: Workload) -> np.ndarray:
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(
            C=w.C, l1_ratio=w.l1_ratio, solver=solver, tol=tol, max_iter=2000
        ).fit(w.X, w.y)
        return flat(model.coef_, model.intercept_)

    return fit


def glum(solver: str, tol: float = 1e-8) -> Callable[[Workload], np.ndarray]:
    def fit(w: Workload) -> np.ndarray:
        from glum import GeneralizedLinearRegressor

        alpha = 0.0 if np.isinf(w.C) else 1.0 / (w.C * w.y.shape[0])
        model = GeneralizedLinearRegressor(
            family="binomial",
            alpha=alpha,
            l1_ratio=w.l1_ratio,
            solver=solver,
            gradient_tol=tol,
            max_iter=1000,
        ).fit(w.X, w.y)
        return np.r_[model.coef_, model.intercept_]

    return fit


def skglm_fit(w: Workload) -> np.ndarray:
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import Logistic
    from skglm.penalties import L1_plus_L2
    from skglm.solvers import ProxNewton

    alpha = 1.0 / (w.C * w.y.shape[0])
    model = GeneralizedLinearEstimator(
        datafit=Logistic(),
        penalty=L1_plus_L2(alpha=alpha, l1_ratio=w.l1_ratio),
        solver=ProxNewton(tol=1e-8, fit_intercept=True, max_iter=50),
    ).fit(w.X, 2.0 * w.y - 1.0)
    return np.r_[model.coef_.ravel(), np.ravel(model.intercept_)]


PEERS: dict[str, Callable[[Workload], np.ndarray]] = {
    "sk newton-cholesky": sklearn("newton-cholesky"),
    "sk lbfgs": sklearn("lbfgs"),
    "sk newton-cg": sklearn("newton-cg"),
    "glum irls": glum("irls-cd"),
    "glum lbfgs": glum("lbfgs"),
    "skglm": skglm_fit,
}

#: A peer's tighter rung (same solver, tolerance 1e-10), timed as well when the peer's
#: first fit misses 1e-6: a peer counts when *some* tolerance of it reaches 1e-6 (issue 13).
TIGHT_TOL = 1e-10
RUNGS: dict[str, tuple[str, Callable[[Workload], np.ndarray]]] = {
    "sk newton-cholesky": ("sk newton-cholesky tol=1e-10", sklearn("newton-cholesky", TIGHT_TOL)),
    "sk lbfgs": ("sk lbfgs tol=1e-10", sklearn("lbfgs", TIGHT_TOL)),
    "sk newton-cg": ("sk newton-cg tol=1e-10", sklearn("newton-cg", TIGHT_TOL)),
    "glum irls": ("glum irls tol=1e-10", glum("irls-cd", TIGHT_TOL)),
    "glum lbfgs": ("glum lbfgs tol=1e-10", glum("lbfgs", TIGHT_TOL)),
}


#: "core newton" is skipped above this many coefficients (the K·p square Hessian and its
#: Cholesky factor: minutes at 60,000 x 784 with 10 classes).
NEWTON_MAX_COEF = 3000

#: The reference coefficients of each workload (computed once, shared by the thread passes).
REFERENCES: dict[str, tuple[np.ndarray, float, float]] = {}


@dataclass
class Result:
    name: str
    times: list[float] = field(default_factory=list)
    walls: list[float] = field(default_factory=list)
    coef: np.ndarray | None = None
    peak: float = float("nan")
    failed: str = ""


def reference(w: Workload, method: str) -> tuple[np.ndarray, float, float]:
    """Tight coefficients: logitlab at tol=1e-10; with their largest gradient entry and CPU s."""
    if w.name not in REFERENCES:
        start = time.process_time()
        out = solve(w.objective(), tol=1e-10, max_iter=300, method=method)
        REFERENCES[w.name] = (out.coef, out.optimality, time.process_time() - start)
    return REFERENCES[w.name]


def run_workload(w: Workload, repeats: int, budget: float, memory: bool) -> None:
    objective = w.objective()
    auto = choose_method(objective)
    methods: dict[str, Callable[[Workload], np.ndarray]] = {
        f"logitlab (auto: {auto})": logitlab_estimator,
        "core newton": core("newton"),
        "core newton-cg": core("newton-cg"),
    }
    if not objective.penalty.is_smooth:
        del methods["core newton-cg"]  # L1 runs proximal Newton whatever the method
    elif objective.n_coef > NEWTON_MAX_COEF and auto != "newton":
        del methods["core newton"]
    for name in w.peers:
        methods[name] = PEERS[name]
    peer_names = set(w.peers)
    results = {name: Result(name) for name in methods}
    started = time.perf_counter()

    def error(r: Result) -> float:
        assert r.coef is not None
        return float(np.max(np.abs(r.coef - ref)) / np.max(np.abs(ref)))

    def add_rung(name: str) -> None:
        """Time ``name``'s tighter rung too, right after it (kept interleaved)."""
        rung, fit = RUNGS[name]
        if rung in methods:
            return
        order = list(methods.items())
        at = [n for n, _ in order].index(name) + 1
        order.insert(at, (rung, fit))
        methods.clear()
        methods.update(order)
        results[rung] = Result(rung)
        peer_names.add(rung)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a ConvergenceWarning shows up as a large error
        ref, ref_opt, ref_cpu = reference(w, auto)
        small = Workload(w.name, w.X[:300], w.y[:300], w.K, w.C, w.l1_ratio)  # type: ignore[index]
        for name, fit in methods.items():  # warm-up: JIT compilation, imports
            try:
                fit(small)
            except Exception as exc:
                results[name].failed = f"{type(exc).__name__}: {str(exc)[:60]}"
        # Rounds: each fits, in turn, every method with fewer than ``repeats`` fits and
        # within its budget. A peer whose first fit misses 1e-6 gets its tighter rung
        # (RUNGS) from the next round on.
        while True:
            due = [
                name
                for name, r in results.items()
                if not r.failed and len(r.times) < repeats and sum(r.times) <= budget
            ]
            if not due:
                break
            for name in [n for n in methods if n in due]:
                r, fit = results[name], methods[name]
                gc.collect()
                start, wall = time.process_time(), time.perf_counter()
                try:
                    r.coef = fit(w)
                except Exception as exc:
                    r.failed = f"{type(exc).__name__}: {str(exc)[:60]}"
                    continue
                r.times.append(time.process_time() - start)
                r.walls.append(time.perf_counter() - wall)
                if len(r.times) == 1 and name in RUNGS and error(r) > 1e-6:
                    add_rung(name)
        for r in results.values():
            if not memory or r.failed or float(np.median(r.times)) > 5.0:
                continue  # peak memory of slow fits is not measured (time)
            gc.collect()
            tracemalloc.start()
            methods[r.name](w)
            r.peak = tracemalloc.get_traced_memory()[1] / w.nbytes
            tracemalloc.stop()

    peers = [r for n, r in results.items() if n in peer_names and not r.failed and error(r) <= 1e-6]
    best = min(peers, key=lambda r: float(np.median(r.times)), default=None)
    n, p = w.X.shape  # type: ignore[attr-defined]
    nnz = int(np.count_nonzero(ref.reshape(max(w.K, 2) - 1 if w.K == 2 else w.K, -1)[:, :-1]))
    closest = min((error(r) for r in peers), default=float("nan"))
    print(
        f"\n{w.name}: {n:,} x {p:,}, {w.nbytes / 2**20:.1f} MiB, {nnz} non-zero weights; "
        f"fastest accurate peer: {best.name if best else 'none'} "
        f"({time.perf_counter() - started:.0f} s wall for this workload)\n"
        f"reference: logitlab tol=1e-10, largest gradient entry {ref_opt:.1e}, "
        f"{ref_cpu:.1f} s CPU; closest peer {closest:.1e} from it"
    )
    header = (
        f"{'method':28s} {'CPU s':>9s} {'/ best peer':>11s} {'wall s':>8s} {'rel err':>8s} "
        f"{'peak/X':>7s} {'fits':>4s}"
    )
    print(header)
    print("-" * len(header))
    for r in (results[name] for name in methods):
        if r.failed:
            print(f"{r.name:28s} failed: {r.failed}")
            continue
        med = float(np.median(r.times))
        ratio = f"{med / float(np.median(best.times)):11.2f}" if best else f"{'-':>11s}"
        wall = float(np.median(r.walls))
        print(
            f"{r.name:28s} {med:9.3f} {ratio} {wall:8.3f} {error(r):8.1e} {r.peak:7.2f} "
            f"{len(r.times):4d}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="timed fits per method, at most")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per method, then stop")
    parser.add_argument("--quick", action="store_true", help="a tenth of the rows")
    parser.add_argument("--threads", default="1,2", help="BLAS thread counts to run, e.g. 1,2")
    parser.add_argument("--only", default="", help="run only workloads whose name contains this")
    parser.add_argument(
        "--first", default="", help="run workloads whose name contains one of these (;) first"
    )
    args = parser.parse_args()
    print("target: logitlab <= 1.0 x the fastest accurate peer (<= 0.5 x on most), peak <= 2 x X")
    loads = workloads(args.quick)
    if args.first:
        loads.sort(key=lambda w: not any(part in w.name for part in args.first.split(";")))
    # Each workload at every thread count in turn (not one pass per thread count): a run
    # cut short on a loaded machine still has both counts for the workloads it reached.
    for w in loads:
        if args.only and args.only not in w.name:
            continue
        for i, threads in enumerate(int(t) for t in args.threads.split(",")):
            print(
                f"\n===== {w.name}, BLAS threads: {threads}; load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine: noisy)"
            )
            with threadpool_limits(threads):
                run_workload(w, args.repeats, args.budget, memory=i == 0)


if __name__ == "__main__":
    main()
