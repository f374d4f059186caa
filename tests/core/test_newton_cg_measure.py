"""Truncated Newton's cheap proof of the stopping rule (issue 13): for binary L2 fits a loose
CG solve bounds the Newton decrement from above through a certified curvature floor.

The floor must lie below the Hessian's spectrum and the bound above the exact decrement for any
trial direction, or the stopping rule would be weakened: both are checked against the explicit
Hessian. The fits must still reach a tight optimum."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.core import solvers
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty
from logitlab.core.solvers import solve


def problem(
    seed: int,
    *,
    n: int = 400,
    p: int = 30,
    intercept: bool = True,
    weights: bool = False,
    alpha: float = 1e-2,
    offset: bool = False,
    rare: bool = False,
) -> Objective:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.2, 3.0, p) + rng.uniform(-2.0, 4.0, p)
    eta = (X - X.mean(axis=0)) @ rng.normal(0.0, 0.5, p) + (-4.0 if rare else 0.3)
    y = (eta + rng.logistic(size=n) > 0).astype(float)
    sw = rng.uniform(0.1, 3.0, n) if weights else None
    return Objective(
        X,
        y,
        sample_weight=sw,
        fit_intercept=intercept,
        penalty=Penalty(alpha),
        offset=X.mean(axis=0) if offset else None,
    )


def newton_cg_with_forcings(
    obj: Objective, monkeypatch: pytest.MonkeyPatch
) -> tuple[solvers.SolveResult, list[float]]:
    """``solve(obj, method="newton-cg")`` and the forcing of each of its CG solves, in order."""
    forcings: list[float] = []
    cg = solvers._cg

    def spy(*args: object, **kwargs: object) -> np.ndarray:
        forcings.append(float(args[3]))  # type: ignore[arg-type]
        return cg(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(solvers, "_cg", spy)
    return solve(obj, method="newton-cg"), forcings


CASES = [
    dict(),
    dict(weights=True),
    dict(intercept=False),
    dict(offset=True),
    dict(rare=True, alpha=1e-4),
    dict(alpha=10.0),
    dict(n=60, p=200),
]


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_the_curvature_floor_lies_below_the_hessians_spectrum(case: dict[str, object]) -> None:
    obj = problem(11, **case)  # type: ignore[arg-type]
    rng = np.random.default_rng(5)
    for coef in (np.zeros(obj.n_coef), rng.normal(0.0, 0.3, obj.n_coef)):
        _, _, curv = obj.smooth_value_gradient_curvature(coef)
        floor = solvers._curvature_floor(obj, curv)
        assert floor is not None and floor > 0.0
        _, _, H = obj.smooth_value_gradient_hessian(coef)
        smallest = float(np.linalg.eigvalsh(H)[0])
        assert floor <= smallest * (1.0 + 1e-10), (floor, smallest)
        assert floor <= obj.penalty.l2


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_the_decrement_bound_is_above_the_decrement_for_any_trial(case: dict[str, object]) -> None:
    obj = problem(12, **case)  # type: ignore[arg-type]
    rng = np.random.default_rng(6)
    coef = rng.normal(0.0, 0.3, obj.n_coef)
    _, grad, curv = obj.smooth_value_gradient_curvature(coef)
    _, _, H = obj.smooth_value_gradient_hessian(coef)
    exact = -np.linalg.solve(H, grad)
    lam = float(np.sqrt(-grad @ exact))
    floor = solvers._curvature_floor(obj, curv)
    assert floor is not None
    for forcing in (0.5, 0.1, 1e-2, 1e-6):
        d = solvers._cg(obj, curv, grad, forcing)
        bound = solvers._decrement_bound(obj, curv, grad, d, floor)
        assert bound >= lam * (1.0 - 1e-9), (forcing, bound, lam)
    for scale in (0.0, 0.5, 1.3):  # any d, not only CG's
        bound = solvers._decrement_bound(obj, curv, grad, scale * exact, floor)
        assert bound >= lam * (1.0 - 1e-9)
    assert solvers._decrement_bound(obj, curv, grad, exact, floor) == pytest.approx(lam, rel=1e-6)


def test_no_floor_without_an_l2_term_or_with_many_classes() -> None:
    rng = np.random.default_rng(2)
    X = rng.standard_normal((200, 4))
    y2 = (X[:, 0] + rng.logistic(size=200) > 0).astype(float)
    y3 = np.argmax(X[:, :3] + rng.gumbel(size=(200, 3)), axis=1).astype(float)
    for obj in (
        Objective(X, y2),
        Objective(X, y3, n_classes=3, penalty=Penalty(0.1)),
    ):
        _, _, curv = obj.smooth_value_gradient_curvature(np.zeros(obj.n_coef))
        assert solvers._curvature_floor(obj, curv) is None


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_newton_cg_with_the_cheap_proof_reaches_the_optimum(
    case: dict[str, object], monkeypatch: pytest.MonkeyPatch
) -> None:
    obj = problem(13, **case)  # type: ignore[arg-type]
    reference = solve(obj, tol=1e-13, max_iter=100, method="newton")
    result, forcings = newton_cg_with_forcings(obj, monkeypatch)
    assert result.converged
    err = np.max(np.abs(result.coef - reference.coef)) / np.max(np.abs(reference.coef))
    assert err <= 1e-6
    if forcings[-1] == solvers._MEASURE_FORCING and obj.offset is None:
        # proved by the bound: then λ at the returned point is below tol indeed (solve reports
        # coefficients for the raw columns, so this is checked where those are obj's own)
        H = obj.smooth_hessian(result.coef)
        _, grad = obj.smooth_value_gradient(result.coef)
        assert float(np.sqrt(grad @ np.linalg.solve(H, grad))) <= 1e-8


def test_the_cheap_proof_is_taken_on_a_wide_l2_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a 2,000-column L2 fit (the benchmark's shape, smaller) the last solve is the loose one:
    no tight measuring solve follows it, and the fit still matches a tight exact Newton."""
    obj = problem(14, n=500, p=600, alpha=1.0 / 500)
    reference = solve(obj, tol=1e-13, max_iter=100, method="newton")
    result, forcings = newton_cg_with_forcings(obj, monkeypatch)
    assert result.converged
    assert forcings[-1] == solvers._MEASURE_FORCING
    err = np.max(np.abs(result.coef - reference.coef)) / np.max(np.abs(reference.coef))
    assert err <= 1e-6
