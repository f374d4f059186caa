"""landscape(): the objective over two coefficients equals Objective.value point by point."""

from __future__ import annotations

import numpy as np
import pytest

from logitlab.core import landscape as landscape_module
from logitlab.core.landscape import contour_levels, landscape, subsample_rows
from logitlab.core.objective import Objective
from logitlab.core.penalty import Penalty

PENALTIES = {
    "none": Penalty(0.0, 0.0),
    "l2": Penalty(0.3, 0.0),
    "l1": Penalty(0.05, 1.0),
    "elasticnet": Penalty(0.1, 0.4),
}


def _reference(obj: Objective, coef: np.ndarray, land: landscape_module.Landscape) -> np.ndarray:
    """Objective.value at every grid point, one call each."""
    i, j = land.axes
    out = np.empty_like(land.values)
    for r, bv in enumerate(land.b):
        for c, av in enumerate(land.a):
            point = coef.copy()
            point[i], point[j] = av, bv
            out[r, c] = obj.value(point)
    return out


@pytest.mark.parametrize("penalty", list(PENALTIES))
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_values_equal_objective_value(  # type: ignore[no-untyped-def]
    make_data, penalty, n_classes, fit_intercept, weighted
) -> None:
    X, y, sw = make_data(300, 3, n_classes, weighted=weighted, seed=5)
    obj = Objective(
        X,
        y,
        n_classes=n_classes,
        fit_intercept=fit_intercept,
        sample_weight=sw,
        penalty=PENALTIES[penalty],
    )
    rng = np.random.default_rng(1)
    coef = rng.normal(size=obj.n_coef)
    a = np.linspace(-2.5, 3.0, 7)
    b = np.linspace(-1.0, 2.0, 5)
    for axes in [(0, 1), (obj.n_coef - 1, 0), (obj.n_coef - 2, obj.n_coef - 1)]:
        land = landscape(obj, coef, a, b, axes=axes)
        assert land.values.shape == (b.size, a.size)
        np.testing.assert_allclose(land.values, _reference(obj, coef, land), rtol=1e-12, atol=0)
        assert not land.subsampled and land.n_used == land.n_samples == 300


def test_large_grid_against_sampled_points_and_the_fast_route_is_taken(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(0)
    n = 5000  # not a multiple of the block or chunk sizes: padding is exercised
    X = rng.standard_normal((n, 2)) * [1.0, 3.0] + [0.5, -2.0]
    y = (X @ [1.5, -1.0] + rng.logistic(size=n) > 0).astype(float)
    obj = Objective(X, y, penalty=Penalty(0.02, 0.5))
    coef = np.array([1.2, -0.8, 0.3])
    exact_rows = []
    original = landscape_module._binary_rows_log1p
    monkeypatch.setattr(
        landscape_module,
        "_binary_rows_log1p",
        lambda *args: exact_rows.append(1) or original(*args),
    )
    a = np.linspace(-4, 4, 48)
    b = np.linspace(-4, 4, 48)
    equal_weights = Objective(X, y, sample_weight=np.full(n, 2.5), penalty=obj.penalty)
    for objective in (obj, equal_weights):
        land = landscape(objective, coef, a, b)
        assert not exact_rows  # ordinary losses: every row by the factorized route
        picks = rng.integers(0, 48, size=(40, 2))
        for r, c in picks:
            point = coef.copy()
            point[0], point[1] = a[c], b[r]
            assert land.values[r, c] == pytest.approx(objective.value(point), rel=1e-12, abs=0)


def test_tiny_losses_and_huge_margins_stay_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    """Separated classes with large weights: rows of tiny loss leave the product route."""
    rng = np.random.default_rng(2)
    n = 400
    X = rng.standard_normal((n, 2))
    y = (X[:, 0] > 0).astype(float)
    X[:, 0] += np.where(y == 1, 1.0, -1.0)  # a gap of 2 around x0 = 0
    calls: dict[str, int] = {"log1p": 0, "exact": 0}

    def counting(name, original):  # type: ignore[no-untyped-def]
        def wrapped(*args):  # type: ignore[no-untyped-def]
            calls[name] += 1
            return original(*args)

        return wrapped

    for name, attr in [("log1p", "_binary_rows_log1p"), ("exact", "_binary_row_exact")]:
        monkeypatch.setattr(landscape_module, attr, counting(name, getattr(landscape_module, attr)))
    coef = np.array([0.0, 0.0, 0.0])
    for weighted in (False, True):
        sw = rng.uniform(0.5, 2.0, n) if weighted else None
        obj = Objective(X, y, sample_weight=sw)
        for a in (np.linspace(5, 40, 6), np.linspace(100, 900, 5)):
            land = landscape(obj, coef, a, np.linspace(-1, 1, 3))
            ref = _reference(obj, coef, land)
            assert np.min(ref) < 1e-6  # the regime where rounding would show
            np.testing.assert_allclose(land.values, ref, rtol=1e-12, atol=0)
    assert calls["log1p"] and calls["exact"]


@pytest.mark.parametrize(
    "a",
    [np.linspace(-900, -100, 5), np.linspace(-700, 700, 5), np.linspace(-30, 30, 7)],
    ids=["misclassified-by-far", "crossing-with-huge-slopes", "wide"],
)
def test_every_margin_regime_matches_objective_value(a: np.ndarray) -> None:
    """Terms that are exactly m, exactly 0, series, products and the loss formula itself."""
    rng = np.random.default_rng(7)
    X = rng.standard_normal((300, 2))
    y = (X[:, 0] + 0.3 * rng.standard_normal(300) > 0).astype(float)
    obj = Objective(X, y, penalty=Penalty(0.01, 0.3))
    coef = np.array([0.0, 0.5, -0.2])
    land = landscape(obj, coef, a, np.linspace(-2, 3, 4))
    np.testing.assert_allclose(land.values, _reference(obj, coef, land), rtol=1e-12, atol=0)


@pytest.mark.parametrize("preset", ["balanced", "near-perfect", "overlap"])
@pytest.mark.parametrize("alpha", [0.0, 0.01])
def test_presets_at_lab_size_around_their_optimum(preset: str, alpha: float) -> None:
    """N = 10,000, the window a view draws: (nearly) separated classes have tiny losses there."""
    from logitlab.core.datasets import make_preset
    from logitlab.core.solvers import solve

    X, y = make_preset(preset, n_samples=10_000, seed=1)
    obj = Objective(X, y.astype(np.float64), penalty=Penalty(alpha))
    best = solve(obj, tol=1e-10).coef
    a = np.linspace(best[0] - 3, best[0] + 3, 48)
    b = np.linspace(best[1] - 3, best[1] + 3, 48)
    land = landscape(obj, best, a, b)
    rng = np.random.default_rng(0)
    for r, c in rng.integers(0, 48, size=(25, 2)):
        point = best.copy()
        point[0], point[1] = a[c], b[r]
        assert land.values[r, c] == pytest.approx(obj.value(point), rel=1e-12, abs=0)


def test_subsample_is_deterministic_reported_and_exact_on_its_rows(make_data) -> None:  # type: ignore[no-untyped-def]
    X, y, sw = make_data(1000, 2, weighted=True, seed=3)
    obj = Objective(X, y, sample_weight=sw, penalty=Penalty(0.1, 0.0))
    coef = np.array([0.4, -0.2, 0.1])
    a, b = np.linspace(-1, 1, 4), np.linspace(-2, 2, 3)
    land = landscape(obj, coef, a, b, max_samples=250, seed=9)
    again = landscape(obj, coef, a, b, max_samples=250, seed=9)
    np.testing.assert_array_equal(land.values, again.values)
    assert land.subsampled and land.n_used == 250 and land.n_samples == 1000
    rows = subsample_rows(1000, 250, seed=9)
    assert rows.size == 250 and np.all(np.diff(rows) > 0)
    sub = Objective(X[rows], y[rows], sample_weight=sw[rows], penalty=obj.penalty)
    np.testing.assert_allclose(land.values, _reference(sub, coef, land), rtol=1e-12, atol=0)
    full = landscape(obj, coef, a, b, max_samples=5000)
    assert not full.subsampled and full.n_used == 1000


def test_contour_levels_are_log_spaced_above_the_minimum() -> None:
    values = np.array([[0.3, 0.5], [2.0, np.inf], [1.0, 7.3]])
    levels = contour_levels(values, n_levels=6)
    assert levels.shape == (6,)
    assert levels[-1] == 7.3
    offsets = levels - 0.3
    assert offsets[0] == pytest.approx(7.0e-3)
    ratios = offsets[1:] / offsets[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)
    assert np.all(np.diff(levels) > 0)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda o: landscape(o, np.zeros(2), [0.0], [0.0]), "coef must have shape"),
        (lambda o: landscape(o, np.zeros(3), [0.0], [0.0], axes=(0, 0)), "two different"),
        (lambda o: landscape(o, np.zeros(3), [0.0], [0.0], axes=(0, 3)), "indices in 0 .. 2"),
        (lambda o: landscape(o, np.zeros(3), [], [0.0]), "non-empty"),
        (lambda o: landscape(o, np.zeros(3), [np.nan], [0.0]), "finite"),
        (lambda o: landscape(o, np.zeros(3), [0.0], [0.0], max_samples=0), "max_samples"),
        (lambda o: contour_levels(np.ones((2, 2))), "constant"),
        (lambda o: contour_levels(np.array([np.nan])), "no finite"),
        (lambda o: contour_levels(np.arange(3.0), n_levels=1), "n_levels"),
    ],
)
def test_bad_input_is_refused(make_data, call, message) -> None:  # type: ignore[no-untyped-def]
    X, y, _ = make_data(20, 2)
    with pytest.raises(ValueError, match=message):
        call(Objective(X, y))


def test_labels_other_than_0_and_1_are_refused() -> None:
    X = np.arange(6.0).reshape(3, 2)
    obj = Objective(X, np.array([0.0, 0.5, 1.0]))
    with pytest.raises(ValueError, match="labels 0 and 1"):
        landscape(obj, np.zeros(3), [0.0], [0.0])
