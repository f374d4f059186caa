"""Small seeded data sets shared by the core tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

DataFactory = Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]]


def _make_data(
    n_samples: int = 40,
    n_features: int = 3,
    n_classes: int = 2,
    *,
    weighted: bool = False,
    scale: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Overlapping classes from a random linear model; labels 0/1 floats or 0..K-1."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, n_features)) * scale
    coef = rng.standard_normal((n_classes, n_features)) / scale
    scores = X @ coef.T + rng.gumbel(size=(n_samples, n_classes))
    y = np.argmax(scores, axis=1).astype(np.float64)
    y[:n_classes] = np.arange(n_classes)  # every class present
    sw = rng.uniform(0.2, 3.0, n_samples) if weighted else None
    return X, y, sw


@pytest.fixture
def make_data() -> DataFactory:
    """Factory ``make_data(n_samples, n_features, n_classes, weighted=, scale=, seed=)``."""
    return _make_data
