from __future__ import annotations

import warnings

import numpy as np
import pytest

import logitlab


def test_public_names_resolve() -> None:
    for name in logitlab.__all__:
        assert getattr(logitlab, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = logitlab.nope  # type: ignore[attr-defined]


def test_convergence_warning_is_catchable_from_the_package() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1, 100, 1000]
    y = (X[:, 0] + rng.normal(size=200) > 0).astype(int)
    model = logitlab.LogisticRegression(solver="gd", max_iter=3)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X, y)
    assert any(issubclass(w.category, logitlab.ConvergenceWarning) for w in caught)
