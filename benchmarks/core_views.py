"""Server-side cost of the math behind the Lab's optimizer and trust views, at N = 10,000.

Prints the median wall time and process CPU time of each task, its budget from
issues 15/16, and the ratio against a peer measured in the same run (the naive
way to get the same numbers). The machine is shared and noisy: read the ratios
and the CPU times rather than single wall times.

    .venv/bin/python benchmarks/core_views.py [--regpath]   (--regpath: the paths only)
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator

import numpy as np

from logitlab.core.datasets import make_preset
from logitlab.core.influence import leave_one_out, one_step_influence
from logitlab.core.landscape import landscape
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.race import OptimizerRace
from logitlab.core.regpath import intercept_only_coef, regularization_path
from logitlab.core.solvers import solve
from logitlab.lab.protocol import Hello, Inspect, LabState, Train
from logitlab.lab.session import LabSession

N = 10_000


def medians(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median (wall, CPU) seconds of ``repeat`` calls."""
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return float(np.median(walls)), float(np.median(cpus))


def row(name: str, budget_ms: float, ours: tuple[float, float], peer: tuple[float, float]) -> None:
    print(
        f"{name:<52}{ours[0] * 1e3:>9.1f}{ours[1] * 1e3:>9.1f}{budget_ms:>8.0f}"
        f"{peer[0] * 1e3:>11.1f}{ours[0] / peer[0]:>9.3g}"
    )


def data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, 2)) * [1.0, 2.0] + [0.5, -1.0]
    y = (X @ [1.5, -1.0] + 0.3 + rng.logistic(size=N) > 0).astype(np.float64)
    return X, y


def bench_landscape(X: np.ndarray, y: np.ndarray) -> None:
    obj = Objective(X, y, penalty=Penalty(0.01, 0.5))
    coef = np.array([1.2, -0.8, 0.1])
    a = np.linspace(-3.0, 3.0, 48)
    b = np.linspace(-3.0, 3.0, 48)

    def naive() -> None:  # Objective.value at every 6th grid row, scaled up below
        point = coef.copy()
        for bv in b[::6]:
            for av in a:
                point[0], point[1] = av, bv
                obj.value(point)

    ours = medians(lambda: landscape(obj, coef, a, b), 15)
    peer_w, peer_c = medians(naive, 3)
    row("landscape 48x48 (vs Objective.value per point)", 50, ours, (peer_w * 6, peer_c * 6))

    # Nearly separated classes, the window around their optimum: small losses there
    Xs, ys = make_preset("near-perfect", n_samples=N, seed=1)
    sep = Objective(Xs, ys.astype(np.float64), penalty=Penalty(0.01))
    best = solve(sep, tol=1e-10).coef
    a2 = np.linspace(best[0] - 3, best[0] + 3, 48)
    b2 = np.linspace(best[1] - 3, best[1] + 3, 48)

    def naive_sep() -> None:
        point = best.copy()
        for bv in b2[::6]:
            for av in a2:
                point[0], point[1] = av, bv
                sep.value(point)

    ours = medians(lambda: landscape(sep, best, a2, b2), 9)
    peer_w, peer_c = medians(naive_sep, 3)
    row("  near-perfect preset around its optimum", 50, ours, (peer_w * 6, peer_c * 6))


def bench_regpath(X: np.ndarray, y: np.ndarray) -> None:
    obj = Objective(X, y)
    for name, rho in [("L2", 0.0), ("L1", 1.0), ("elastic net 0.5", 0.5)]:
        alphas = regularization_path(obj, l1_ratio=rho, n_alphas=30).alphas

        def cold(alphas: np.ndarray = alphas, rho: float = rho) -> None:
            for alpha in alphas:
                solve(obj.with_penalty(Penalty(float(alpha), rho)), tol=1e-10)

        ours = medians(lambda rho=rho: regularization_path(obj, l1_ratio=rho, n_alphas=30), 7)
        row(f"regpath {name}, 30 alphas (vs cold solves)", 300, ours, medians(cold, 3))
    # Nearly separated classes: L1 paths used solve()'s coordinate descent inside each
    # Newton step, which needed hundreds of sweeps; the peer is that warm-started loop.
    Xs, ys = make_preset("near-perfect", n_samples=N, seed=1)
    sep = Objective(Xs, ys.astype(np.float64))
    for name, rho in [("L1", 1.0), ("elastic net 0.5", 0.5)]:
        alphas = regularization_path(sep, l1_ratio=rho, n_alphas=30).alphas

        def warm_solve(alphas: np.ndarray = alphas, rho: float = rho) -> None:
            start = intercept_only_coef(sep)
            for alpha in alphas:
                start = solve(sep.with_penalty(Penalty(float(alpha), rho)), start, tol=1e-10).coef

        ours = medians(lambda rho=rho: regularization_path(sep, l1_ratio=rho, n_alphas=30), 5)
        row(f"  near-perfect {name} (vs warm solve() loop)", 300, ours, medians(warm_solve, 3))


def bench_influence(X: np.ndarray, y: np.ndarray) -> None:
    obj = Objective(X, y, penalty=Penalty(1e-3))
    coef = solve(obj, tol=1e-10).coef
    points = iter(range(10**9))

    def cold() -> None:  # a refit from zeros on the data without the point
        i = next(points)
        solve(Objective(np.delete(X, i, 0), np.delete(y, i), penalty=obj.penalty), tol=1e-10)

    ours = medians(lambda: leave_one_out(obj, coef, next(points)), 15)
    row("leave-one-out refit (vs cold refit)", 50, ours, medians(cold, 7))
    ours = medians(lambda: one_step_influence(obj, coef), 15)
    one_w, one_c = medians(lambda: leave_one_out(obj, coef, 7), 7)
    row("one-step influence, all (vs N exact LOO refits)", 50, ours, (N * one_w, N * one_c))


def bench_race(X: np.ndarray, y: np.ndarray) -> None:
    obj = Objective(X, y, penalty=Penalty(1e-3))
    race = OptimizerRace(obj, np.array([1.0, -1.0, 0.0]), learning_rate=0.5, max_steps=300)
    race.run()
    print(f"race at N = {N:,}, lr 0.5, up to 300 steps: steps / ms to the optimum within 1e-6")
    for r in race.results():
        reached = "not in 300" if r.steps_to_optimum is None else str(r.steps_to_optimum)
        ms = "" if r.seconds_to_optimum is None else f"{r.seconds_to_optimum * 1e3:.1f} ms"
        per_step = r.seconds * 1e3 / race.n_steps
        print(f"  {r.name:<10}{reached:>12}{ms:>12}   ({per_step:.2f} ms/step)")


def bench_inspector() -> None:
    """The Lab's Point inspector (issue 16): the whole frame answering a selection, in process.

    Budgets: within one frame (16.7 ms) at N = 1,000; the leave-one-out refit in it
    ≤ 50 ms at N = 10,000. The peer is a frame of one Newton step at the optimum.
    """
    for n, budget in ((1_000, 16.7), (N, 50.0)):
        session = _converged_session(n)
        points = iter(range(10**9))

        def select(s: LabSession = session, it: Iterator[int] = points, n: int = n) -> None:
            s.handle(Inspect(index=next(it) % n))

        ours = medians(select, 15)
        session.handle(Inspect(index=-1))
        peer = medians(lambda s=session: s.handle(Train(steps=1)), 15)
        row(f"select a point, N = {n:,}: its frame (vs a 1-step frame)", budget, ours, peer)


def _converged_session(n: int) -> LabSession:
    session = LabSession()
    state = LabState.model_validate(
        {"data": {"preset": "overlap", "n_points": n}, "training": {"optimizer": "newton"}}
    )
    session.handle(Hello(state=state))
    session.handle(Train(steps=20))
    return session


def main() -> None:
    print(f"N = {N:,}; times in ms; medians; shared, noisy machine")
    print(f"{'task':<52}{'wall':>9}{'cpu':>9}{'budget':>8}{'peer wall':>11}{'ratio':>9}")
    X, y = data()
    if "--regpath" not in sys.argv:
        bench_landscape(X, y)
    bench_regpath(X, y)
    if "--regpath" in sys.argv:
        return
    bench_influence(X, y)
    bench_inspector()
    bench_race(X, y)


if __name__ == "__main__":
    main()
