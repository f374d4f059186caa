"""Time `logitlab fit` on a 1,000,000-row CSV file (10 feature columns + the target).

Writes the file into a temporary directory, runs the real command (a new
process, imports included) with progress on stderr, and prints the wall time
next to the same work done by hand with pandas + statsmodels' ``Logit``.

    .venv/bin/python benchmarks/cli_fit.py [--rows N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def write_data(path: Path, n_rows: int, n_features: int = 10, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_rows, n_features))
    coef = rng.normal(scale=0.5, size=n_features)
    y = (rng.random(n_rows) < 1.0 / (1.0 + np.exp(-(X @ coef - 0.3)))).astype(int)
    header = ",".join([*(f"x{j + 1}" for j in range(n_features)), "y"])
    table = np.column_stack([X, y])
    fmt = ["%.6f"] * n_features + ["%d"]
    np.savetxt(path, table, fmt=fmt, delimiter=",", header=header, comments="")


def time_cli(path: Path) -> float:
    command = [sys.executable, "-m", "logitlab.cli", "fit", str(path), "--target", "y"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    print(done.stderr, end="")
    print("\n".join(done.stdout.splitlines()[:8]))
    return seconds


def time_statsmodels(path: Path) -> float:
    import pandas as pd
    import statsmodels.api as sm

    start = time.perf_counter()
    frame = pd.read_csv(path)
    X = sm.add_constant(frame.drop(columns="y").to_numpy())
    result = sm.Logit(frame["y"].to_numpy(), X).fit(method="newton", disp=0)
    str(result.summary())
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.csv"
        start = time.perf_counter()
        write_data(path, args.rows)
        size = os.path.getsize(path) / 1e6
        print(f"wrote {args.rows:,} rows, {size:.0f} MB in {time.perf_counter() - start:.1f} s")
        ours = time_cli(path)
        reference = time_statsmodels(path)
    print(f"logitlab fit (whole command):        {ours:6.2f} s")
    print(f"pandas.read_csv + statsmodels Logit: {reference:6.2f} s")
    print(f"ratio logitlab / statsmodels:        {ours / reference:6.2f}")


if __name__ == "__main__":
    main()
