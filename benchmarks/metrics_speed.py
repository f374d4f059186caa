"""Speed of logitlab's metrics against scikit-learn's; prints a table of times and ratios.

The ROC page drags τ at N = 10,000 and needs the confusion matrix at τ well under a
millisecond: ``ScoreSweep.at`` answers it by binary search over scores sorted once.

    .venv/bin/python benchmarks/metrics_speed.py
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

import numpy as np
import sklearn.metrics as skm

from logitlab.core import metrics as lm


def best_of(fn: Callable[[], object], number: int, repeat: int = 5) -> float:
    """Best mean time per call, in seconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def run(n: int, rng: np.random.Generator) -> None:
    """Time every task at size ``n`` and print one row each."""
    p = np.round(rng.random(n), 3)  # ties, as probabilities shown to 3 digits have
    y = (rng.random(n) < p).astype(int)
    sweep = lm.ScoreSweep(y, p)
    taus = rng.random(200)
    rows = [
        (
            "confusion at one τ (ScoreSweep.at)",
            lambda: [sweep.at(t) for t in taus],
            lambda: [skm.confusion_matrix(y, p >= t, labels=[0, 1]) for t in taus],
            len(taus),
        ),
        (
            "sort once (ScoreSweep) vs roc_curve",
            lambda: lm.ScoreSweep(y, p),
            lambda: skm.roc_curve(y, p),
            1,
        ),
        ("ROC AUC", lambda: lm.roc_auc(y, p), lambda: skm.roc_auc_score(y, p), 1),
        (
            "average precision",
            lambda: lm.average_precision(y, p),
            lambda: skm.average_precision_score(y, p),
            1,
        ),
    ]
    for name, ours, theirs, per in rows:
        number = max(1, 20_000 // n)
        t_ours = best_of(ours, number) / per
        t_theirs = best_of(theirs, number) / per
        print(
            f"{name:<44}{n:>9}{t_ours * 1e6:>10.1f}µs{t_theirs * 1e6:>10.1f}µs"
            f"{t_ours / t_theirs:>8.3f}"
        )


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"{'task':<44}{'N':>9}{'logitlab':>12}{'sklearn':>12}{'ratio':>8}")
    for n in (1_000, 10_000, 100_000):
        run(n, rng)


if __name__ == "__main__":
    main()
