from __future__ import annotations

import numpy as np
import pytest

from logitlab.core.datasets import (
    PRESETS,
    default_size,
    make_classification,
    make_preset,
    split_counts,
)

# (centre, std, count, class) of the seed's Gaussian recipes.
GAUSSIAN = {
    "blobs": [((-1.5, -1.0), 0.7, 60, 0), ((1.3, 1.0), 0.7, 60, 1)],
    "balanced": [((-2.0, -1.5), 0.8, 60, 0), ((2.0, 1.5), 0.8, 60, 1)],
    "overlap": [((-1.0, -0.5), 1.2, 60, 0), ((1.0, 0.5), 1.2, 60, 1)],
    "imbalanced": [((-1.5, -1.0), 0.7, 20, 0), ((1.3, 1.0), 0.7, 100, 1)],
    "xor": [
        ((1.5, 1.5), 0.5, 30, 0),
        ((-1.5, -1.5), 0.5, 30, 0),
        ((-1.5, 1.5), 0.5, 30, 1),
        ((1.5, -1.5), 0.5, 30, 1),
    ],
    "near-perfect": [((-2.5, -2.5), 0.4, 60, 0), ((2.5, 2.5), 0.4, 60, 1)],
}


@pytest.mark.parametrize("name", PRESETS)
def test_shapes_types_and_default_size(name: str) -> None:
    X, y = make_preset(name)
    assert default_size(name) == 120
    assert X.shape == (120, 2) and X.dtype == np.float64
    assert y.shape == (120,) and np.issubdtype(y.dtype, np.integer)
    assert set(np.unique(y)) == {0, 1}
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("name", PRESETS)
def test_same_seed_same_points_other_seed_other_points(name: str) -> None:
    X1, y1 = make_preset(name, 77, noise=0.6, seed=5)
    X2, y2 = make_preset(name, 77, noise=0.6, seed=5)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = make_preset(name, 77, noise=0.6, seed=6)
    assert not np.array_equal(X1, X3)


@pytest.mark.parametrize("name", list(GAUSSIAN))
def test_gaussian_recipe_counts_centres_and_spread(name: str) -> None:
    n_per_unit = 50  # enlarge every cluster so the sample moments are tight
    n = default_size(name) * n_per_unit
    X, y = make_preset(name, n, seed=1, shuffle=False)  # cluster by cluster
    start = 0
    for centre, std, count, label in GAUSSIAN[name]:
        size = count * n_per_unit
        block = X[start : start + size]
        assert np.all(y[start : start + size] == label)
        se = std / np.sqrt(size)
        np.testing.assert_allclose(block.mean(axis=0), centre, atol=5 * se)
        np.testing.assert_allclose(block.std(axis=0), std, rtol=0.1)
        start += size
    assert start == n


def test_imbalanced_is_one_to_five() -> None:
    for n in (6, 120, 121, 500, 1000):
        _, y = make_preset("imbalanced", n)
        assert len(y) == n
        n0 = int(np.sum(y == 0))
        assert abs(n0 - n / 6) <= 0.5 + 1e-12


@pytest.mark.parametrize("name", list(GAUSSIAN))
def test_zero_noise_puts_points_on_centres(name: str) -> None:
    X, y = make_preset(name, noise=0.0)
    centres = {(tuple(c), label) for c, _, _, label in GAUSSIAN[name]}
    assert {(tuple(row), int(label)) for row, label in zip(X, y, strict=True)} == centres


def test_noise_scales_the_same_draws() -> None:
    X1, _ = make_preset("overlap", 90, noise=1.0, seed=3)
    X2, _ = make_preset("overlap", 90, noise=2.5, seed=3)
    X0, _ = make_preset("overlap", 90, noise=0.0, seed=3)
    np.testing.assert_allclose(X2 - X0, 2.5 * (X1 - X0), rtol=1e-12, atol=1e-12)


def test_growing_n_keeps_earlier_points_of_each_cluster() -> None:
    X_small, _ = make_preset("blobs", 40, seed=9, shuffle=False)
    X_big, _ = make_preset("blobs", 60, seed=9, shuffle=False)
    np.testing.assert_array_equal(X_small[:20], X_big[:20])
    np.testing.assert_array_equal(X_small[20:], X_big[30:50])


@pytest.mark.parametrize("name", ["moons", "circles"])
def test_curves_fit_in_the_view_and_are_balanced(name: str) -> None:
    X, y = make_preset(name, 400, seed=2)
    assert np.sum(y == 0) == np.sum(y == 1) == 200
    assert np.all(np.abs(X) < 5.0)


def test_circles_radii_and_moons_shape_at_zero_noise() -> None:
    X, y = make_preset("circles", 80, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 3.5)
    np.testing.assert_allclose(r[y == 1], 1.5)
    X, y = make_preset("moons", 80, noise=0.0)
    # Each moon is a half circle of radius 2 around its own centre.
    np.testing.assert_allclose(np.hypot(X[y == 0, 0] + 1.0, X[y == 0, 1] + 0.5), 2.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5), 2.0)
    assert np.all(X[y == 0, 1] >= -0.5 - 1e-12) and np.all(X[y == 1, 1] <= 0.5 + 1e-12)


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (120, (20, 100), (20, 100)),
        (7, (1, 5), (1, 6)),
        (1, (60, 60), (1, 0)),
        (5, (30, 30, 30, 30), (2, 1, 1, 1)),
        (0, (1, 1), (0, 0)),
    ],
)
def test_split_counts(total: int, weights: tuple[int, ...], expected: tuple[int, ...]) -> None:
    assert split_counts(total, weights) == expected


@pytest.mark.parametrize("n", [1, 2, 3, 119, 241])
def test_total_is_exact(n: int) -> None:
    for name in PRESETS:
        X, y = make_preset(name, n)
        assert X.shape == (n, 2) and y.shape == (n,)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "swirl"}, "allowed: blobs, balanced"),
        ({"name": "blobs", "n_samples": 0}, "n_samples must be an integer >= 1"),
        ({"name": "blobs", "n_samples": 2.5}, "n_samples must be an integer >= 1"),
        ({"name": "blobs", "noise": -0.1}, "noise must be a finite number >= 0"),
        ({"name": "blobs", "noise": float("nan")}, "noise must be a finite number >= 0"),
        ({"name": "blobs", "noise": float("inf")}, "noise must be a finite number >= 0"),
        ({"name": "blobs", "seed": -1}, "seed must be an integer >= 0"),
    ],
)
def test_bad_input_says_what_is_allowed(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_preset(**kwargs)  # type: ignore[arg-type]


def test_default_size_rejects_unknown_name() -> None:
    with pytest.raises(ValueError, match="unknown dataset preset"):
        default_size("nope")


def test_make_classification_default_matches_the_tutorial_setting() -> None:
    X, y = make_classification()
    assert X.shape == (300, 2) and y.shape == (300,)
    assert set(np.unique(y)) == {0, 1}
    X2, y2 = make_classification()
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    # Two clusters on distinct vertices of [-1, 1]^2: the class means differ clearly.
    gap = np.linalg.norm(X[y == 0].mean(axis=0) - X[y == 1].mean(axis=0))
    assert gap > 1.0


def test_make_classification_structure() -> None:
    X, y = make_classification(
        n_samples=400,
        n_features=6,
        n_informative=3,
        n_redundant=2,
        n_clusters_per_class=2,
        n_classes=3,
        class_sep=2.0,
        random_state=0,
        flip_y=0.0,
    )
    assert X.shape == (400, 6)
    assert np.bincount(y).tolist() == [134, 133, 133]
    # Redundant columns are exact linear combinations of the informative ones.
    coef, *_ = np.linalg.lstsq(X[:, :3], X[:, 3:5], rcond=None)
    np.testing.assert_allclose(X[:, :3] @ coef, X[:, 3:5], atol=1e-10)
    assert np.linalg.matrix_rank(X) == 4


def test_make_classification_flip_y_changes_some_labels() -> None:
    X_clean, y_clean = make_classification(n_samples=2000, flip_y=0.0, random_state=4)
    X_noisy, y_noisy = make_classification(n_samples=2000, flip_y=0.4, random_state=4)
    np.testing.assert_array_equal(X_clean, X_noisy)
    # A redrawn label keeps its class half of the time: about 0.4 / 2 of them change.
    assert abs(np.mean(y_clean != y_noisy) - 0.2) < 0.03


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_informative": 1, "n_clusters_per_class": 2}, "distinct hypercube vertices"),
        ({"n_features": 2, "n_redundant": 1}, "n_informative \\+ n_redundant"),
        ({"n_samples": 0}, "n_samples must be an integer >= 1"),
        ({"class_sep": 0.0}, "class_sep must be"),
        ({"flip_y": 2.0}, "flip_y must be in"),
        ({"random_state": -3}, "seed must be an integer >= 0"),
    ],
)
def test_make_classification_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make_classification(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", PRESETS)
def test_rows_are_shuffled_and_the_same_points_as_unshuffled(name: str) -> None:
    X, y = make_preset(name, 200, noise=0.8, seed=4)
    Xu, yu = make_preset(name, 200, noise=0.8, seed=4, shuffle=False)
    # The same (point, class) rows, in another order.
    rows = sorted(map(tuple, np.column_stack([X, y]).tolist()))
    assert rows == sorted(map(tuple, np.column_stack([Xu, yu]).tolist()))
    assert not np.array_equal(X, Xu)
    # Unshuffled rows come class by class; shuffled ones mix the classes along the rows.
    assert np.count_nonzero(np.diff(yu)) <= 3 < np.count_nonzero(np.diff(y))
    # The first half holds both classes in about their overall shares.
    assert abs(np.mean(y[:100]) - np.mean(y)) < 0.15
    again, _ = make_preset(name, 200, noise=0.8, seed=4)
    np.testing.assert_array_equal(again, X)  # seeded
