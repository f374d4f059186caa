"""Newton's method at huge weights (issue 12, item 11): it keeps making progress."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression

from logitlab.core.datasets import make_preset
from logitlab.core.objective import Objective
from logitlab.core.optimizers import Newton
from logitlab.core.penalty import Penalty


@pytest.mark.parametrize("scale", [1e3, 1e5])
@pytest.mark.parametrize("penalty", [Penalty(), Penalty(alpha=0.02, l1_ratio=1.0)])
def test_newton_from_huge_wrong_weights_reaches_the_optimum(scale: float, penalty: Penalty) -> None:
    Xp, yp = make_preset("overlap", 200, seed=3)
    X, y = np.asarray(Xp, dtype=float), np.asarray(yp, dtype=float)
    objective = Objective(X, y, penalty=penalty)
    coef = np.array([-scale, scale, 0.0])  # every sigmoid saturated, most points wrong
    start, _ = objective.smooth_value_gradient(coef)
    newton = Newton()
    values = []
    for _ in range(80):
        step = newton.step(objective, coef)
        values.append(step.value)
        coef = step.coef
    assert values[1] < 0.5 * start  # it moved at once (before: stuck, ΔLoss 0)
    assert all(b <= a + 1e-12 * abs(a) for a, b in itertools.pairwise(values))
    # ... to the minimum scikit-learn finds (C = 1 / (α N) for the L1 case).
    if penalty.alpha == 0.0:
        ref = SkLogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    else:
        C = 1.0 / (penalty.alpha * len(y))
        ref = SkLogisticRegression(
            C=C, l1_ratio=1.0, solver="saga", tol=1e-12, max_iter=100_000
        ).fit(X, y)
    np.testing.assert_allclose(coef, [*ref.coef_[0], ref.intercept_[0]], rtol=1e-4, atol=1e-5)


def test_at_the_optimum_newton_stays_put() -> None:
    Xp, yp = make_preset("overlap", 200, seed=3)
    objective = Objective(np.asarray(Xp, dtype=float), np.asarray(yp, dtype=float))
    coef = np.zeros(3)
    newton = Newton()
    for _ in range(30):
        coef = newton.step(objective, coef).coef
    again = newton.step(objective, coef).coef
    np.testing.assert_allclose(again, coef, rtol=0, atol=1e-12)
