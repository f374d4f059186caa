"""Seeded two-dimensional datasets for the Lab, and a small classification generator.

Presets
-------
Each preset is a recipe: a list of clusters, each with a centre, a spread, a share of the
points and a class. ``make_preset(name, n_samples, noise=, seed=)`` draws it:

- the same ``(name, n_samples, noise, seed)`` always gives the same arrays;
- ``noise`` multiplies every spread (1.0 is the recipe, 0.0 puts every point on its curve
  or centre), and only scales the random draws, so moving a noise slider moves the points
  smoothly instead of drawing new ones;
- ``n_samples`` is split over the clusters in the recipe's proportions by largest
  remainders (ties go to the earlier cluster), so the total is exactly ``n_samples``;
- every cluster draws from its own child stream of ``numpy.random.default_rng(seed)``,
  so growing ``n_samples`` keeps a cluster's earlier points where they were whenever its
  count grows (for the Gaussian presets).

Rows come out cluster by cluster (class 0 clusters first where the recipe lists them
first); shuffle them yourself if the order matters. Points are not clipped to the Lab's
[-5, 5] view: at ``noise`` far above 1 some may fall outside it.

The Gaussian recipes (blobs, balanced, overlap, imbalanced, xor, near-perfect) follow the
seed Lab's; moons and circles are logitlab's own, sized to sit well inside [-5, 5].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from logitlab.core.types import FloatArray, IntArray

PRESETS: tuple[str, ...] = (
    "blobs",
    "balanced",
    "overlap",
    "imbalanced",
    "xor",
    "near-perfect",
    "moons",
    "circles",
    "spiral",
)

MULTICLASS_PRESETS: tuple[str, ...] = ("blobs", "overlap", "spiral")
"""Presets that can be drawn with 2 to :data:`MAX_PRESET_CLASSES` classes (the others are
two-class)."""
MAX_PRESET_CLASSES = 5
# Blobs and Overlap with K > 2 classes: K Gaussian clusters whose centres sit evenly on a
# circle of this radius (two classes keep the seed Lab's recipes exactly).
MULTI_BLOB = {"blobs": (2.2, 0.7), "overlap": (1.4, 1.2)}
"""Preset -> (radius of the circle of centres, standard deviation of each cluster)."""
# Spiral: one arm per class, r from SPIRAL_RADII[0] to [1] while turning SPIRAL_TURN radians.
SPIRAL_RADII = (0.4, 4.0)
SPIRAL_TURN = 4.0
SPIRAL_JITTER = 0.2

# Moons: two half circles of radius MOON_RADIUS, the second shifted so that they interlock.
MOON_RADIUS = 2.0
MOON_JITTER = 0.25
# Circles: class 0 on the outer ring, class 1 on the inner one.
CIRCLE_RADII = (3.5, 1.5)
CIRCLE_JITTER = 0.3


@dataclass(frozen=True)
class _Blob:
    """A Gaussian cluster: isotropic normal around ``centre`` with standard deviation ``std``."""

    centre: tuple[float, float]
    std: float
    count: int
    label: int


_GAUSSIAN_RECIPES: dict[str, tuple[_Blob, ...]] = {
    "blobs": (_Blob((-1.5, -1.0), 0.7, 60, 0), _Blob((1.3, 1.0), 0.7, 60, 1)),
    "balanced": (_Blob((-2.0, -1.5), 0.8, 60, 0), _Blob((2.0, 1.5), 0.8, 60, 1)),
    "overlap": (_Blob((-1.0, -0.5), 1.2, 60, 0), _Blob((1.0, 0.5), 1.2, 60, 1)),
    "imbalanced": (_Blob((-1.5, -1.0), 0.7, 20, 0), _Blob((1.3, 1.0), 0.7, 100, 1)),
    "xor": (
        _Blob((1.5, 1.5), 0.5, 30, 0),
        _Blob((-1.5, -1.5), 0.5, 30, 0),
        _Blob((-1.5, 1.5), 0.5, 30, 1),
        _Blob((1.5, -1.5), 0.5, 30, 1),
    ),
    "near-perfect": (_Blob((-2.5, -2.5), 0.4, 60, 0), _Blob((2.5, 2.5), 0.4, 60, 1)),
}

# The curve presets split their points evenly between the two classes.
_CURVE_COUNTS: dict[str, tuple[int, int]] = {
    "moons": (60, 60),
    "circles": (60, 60),
    "spiral": (60, 60),
}


def _check_name(name: str) -> str:
    if not isinstance(name, str) or name not in PRESETS:
        raise ValueError(f"unknown dataset preset {name!r}; allowed: {', '.join(PRESETS)}")
    return name


def _recipe_counts(name: str, n_classes: int = 2) -> tuple[int, ...]:
    if n_classes > 2:
        return (1,) * n_classes
    if name in _GAUSSIAN_RECIPES:
        return tuple(blob.count for blob in _GAUSSIAN_RECIPES[name])
    return _CURVE_COUNTS[name]


def default_size(name: str) -> int:
    """Number of points the preset's recipe draws when ``n_samples`` is not given.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`.

    Returns
    -------
    int
        The recipe's total count (120 for every preset).
    """
    return sum(_recipe_counts(_check_name(name)))


def split_counts(total: int, weights: tuple[int, ...]) -> tuple[int, ...]:
    """Split ``total`` into parts proportional to ``weights``, summing exactly to ``total``.

    Largest-remainder rounding: every part gets the floor of its exact share, and the
    leftover units go to the largest fractional remainders, earlier parts first on ties.
    The arithmetic is done in integers, so the result never depends on float rounding.

    Parameters
    ----------
    total : int
        Number to split, >= 0.
    weights : tuple of int
        Positive integer proportions.

    Returns
    -------
    tuple of int
        One count per weight.
    """
    w_sum = sum(weights)
    floors = [total * w // w_sum for w in weights]
    remainders = [total * w % w_sum for w in weights]
    leftover = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return tuple(floors)


def _check_size_noise(n_samples: int, noise: float) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int | np.integer):
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    if n_samples < 1:
        raise ValueError(f"n_samples must be an integer >= 1, got {n_samples!r}")
    if isinstance(noise, bool) or not isinstance(noise, int | float | np.floating | np.integer):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if not (math.isfinite(float(noise)) and noise >= 0):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _check_seed(seed: int) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")


def _check_classes(name: str, n_classes: int) -> int:
    if isinstance(n_classes, bool) or not isinstance(n_classes, int | np.integer):
        raise ValueError(f"n_classes must be an integer from 2 to 5, got {n_classes!r}")
    if not 2 <= n_classes <= MAX_PRESET_CLASSES:
        raise ValueError(f"n_classes must be from 2 to {MAX_PRESET_CLASSES}, got {n_classes}")
    if n_classes > 2 and name not in MULTICLASS_PRESETS:
        raise ValueError(
            f"the {name!r} preset has two classes; more than two are drawn by "
            f"{', '.join(MULTICLASS_PRESETS)}"
        )
    return int(n_classes)


def make_preset(
    name: str,
    n_samples: int | None = None,
    *,
    noise: float = 1.0,
    seed: int = 0,
    shuffle: bool = True,
    n_classes: int = 2,
) -> tuple[FloatArray, IntArray]:
    """Draw a seeded two-dimensional preset.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS`: ``"blobs"``, ``"balanced"``, ``"overlap"``,
        ``"imbalanced"`` (class 0 : class 1 = 1 : 5), ``"xor"``, ``"near-perfect"``,
        ``"moons"``, ``"circles"``, ``"spiral"`` (one arm per class).
    n_samples : int, optional
        Total number of points, >= 1; defaults to :func:`default_size`.
    noise : float, default=1.0
        Finite factor >= 0 applied to every spread (1.0 = the recipe).
    seed : int, default=0
        Seed (>= 0) for ``numpy.random.default_rng``.
    shuffle : bool, default=True
        Rows in random (seeded) order. False keeps them cluster by cluster, each
        cluster's points in the order drawn: the same points, and a cluster's first
        points stay the same when ``n_samples`` grows. The Lab uses that order (its
        saved states address points by row).
    n_classes : int, default=2
        2 to 5 for ``"blobs"``, ``"overlap"`` and ``"spiral"`` (K clusters or arms evenly
        around the origin, equal shares of the points); the other presets have 2. Two
        classes give exactly the recipes above.

    Returns
    -------
    X : ndarray of shape (n_samples, 2), float64
        The points.
    y : ndarray of shape (n_samples,), intp
        The classes, 0 .. n_classes - 1.

    Raises
    ------
    ValueError
        For an unknown name, ``n_classes`` out of range for the preset,
        ``n_samples < 1``, a negative or non-finite ``noise`` or a negative seed.
    """
    _check_name(name)
    n = default_size(name) if n_samples is None else n_samples
    _check_size_noise(n, noise)
    _check_seed(seed)
    n_classes = _check_classes(name, n_classes)
    counts = split_counts(int(n), _recipe_counts(name, n_classes))
    # One stream per cluster and one for the order: a child stream depends only on its
    # position, so the points do not depend on ``shuffle``.
    *streams, order = np.random.default_rng(seed).spawn(len(counts) + 1)
    noise = float(noise)

    if name == "spiral":
        arms = enumerate(zip(counts, streams, strict=True))
        parts = [_arm(count, k, n_classes, noise, rng) for k, (count, rng) in arms]
    elif n_classes > 2:
        radius, std = MULTI_BLOB[name]
        parts = []
        for k, (count, rng) in enumerate(zip(counts, streams, strict=True)):
            angle = math.pi / 2 + 2 * math.pi * k / n_classes
            centre = radius * np.array([math.cos(angle), math.sin(angle)])
            parts.append((centre + (std * noise) * rng.standard_normal((count, 2)), k))
    elif name in _GAUSSIAN_RECIPES:
        parts = []
        for blob, count, rng in zip(_GAUSSIAN_RECIPES[name], counts, streams, strict=True):
            z = rng.standard_normal((count, 2))
            parts.append((np.asarray(blob.centre) + (blob.std * noise) * z, blob.label))
    elif name == "moons":
        parts = [_moon(counts[0], 0, noise, streams[0]), _moon(counts[1], 1, noise, streams[1])]
    else:
        parts = [
            _ring(counts[0], CIRCLE_RADII[0], 0, noise, streams[0]),
            _ring(counts[1], CIRCLE_RADII[1], 1, noise, streams[1]),
        ]

    X = np.concatenate([points for points, _ in parts], axis=0).astype(np.float64, copy=False)
    y = np.concatenate([np.full(len(points), label, dtype=np.intp) for points, label in parts])
    if shuffle:
        rows = order.permutation(len(y))
        return np.ascontiguousarray(X[rows]), y[rows]
    return X, y


def _moon(count: int, label: int, noise: float, rng: np.random.Generator) -> tuple[FloatArray, int]:
    """Half circle: class 0 arches up on the left, class 1 arches down on the right."""
    t = np.linspace(0.0, np.pi, count)
    r = MOON_RADIUS
    if label == 0:
        curve = np.column_stack([r * np.cos(t) - r / 2, r * np.sin(t) - r / 4])
    else:
        curve = np.column_stack([r / 2 - r * np.cos(t), r / 4 - r * np.sin(t)])
    jitter = rng.standard_normal((count, 2))
    return curve + (MOON_JITTER * noise) * jitter, label


def _arm(
    count: int, label: int, n_classes: int, noise: float, rng: np.random.Generator
) -> tuple[FloatArray, int]:
    """One arm of the spiral: radius grows linearly while the angle turns SPIRAL_TURN."""
    t = np.linspace(0.0, 1.0, count)
    r = SPIRAL_RADII[0] + (SPIRAL_RADII[1] - SPIRAL_RADII[0]) * t
    angle = 2 * np.pi * label / n_classes + SPIRAL_TURN * t
    curve = np.column_stack([r * np.cos(angle), r * np.sin(angle)])
    jitter = rng.standard_normal((count, 2))
    return curve + (SPIRAL_JITTER * noise) * jitter, label


def _ring(
    count: int, radius: float, label: int, noise: float, rng: np.random.Generator
) -> tuple[FloatArray, int]:
    """Circle of the given radius around the origin, evenly spaced angles."""
    t = np.linspace(0.0, 2.0 * np.pi, count, endpoint=False)
    curve = np.column_stack([radius * np.cos(t), radius * np.sin(t)])
    jitter = rng.standard_normal((count, 2))
    return curve + (CIRCLE_JITTER * noise) * jitter, label


def make_classification(
    n_samples: int = 300,
    n_features: int = 2,
    n_informative: int = 2,
    n_redundant: int = 0,
    n_clusters_per_class: int = 1,
    class_sep: float = 1.0,
    random_state: int = 2,
    *,
    n_classes: int = 2,
    flip_y: float = 0.01,
) -> tuple[FloatArray, IntArray]:
    """A classification problem in the spirit of scikit-learn's ``make_classification``.

    Each class owns ``n_clusters_per_class`` Gaussian clusters, centred on distinct
    vertices of the hypercube ``[-class_sep, class_sep]^n_informative`` and each given its
    own random linear mixing (a random covariance). Redundant features are random linear
    combinations of the informative ones; the remaining features are pure standard-normal
    noise. A fraction ``flip_y`` of the labels is then redrawn at random, and the rows are
    shuffled. Columns come in the order informative, redundant, noise (not shuffled).

    This is logitlab's own generator, so the library and ``logitlab demo`` need no
    scikit-learn at run time. It does **not** reproduce scikit-learn's numbers for the
    same ``random_state``: only the construction is alike.

    Parameters
    ----------
    n_samples : int, default=300
        Number of rows, >= 1.
    n_features : int, default=2
        Number of columns, >= n_informative + n_redundant.
    n_informative : int, default=2
        Number of informative features, 1 ... 30.
    n_redundant : int, default=0
        Number of linear combinations of the informative features.
    n_clusters_per_class : int, default=1
        Clusters per class; ``n_classes * n_clusters_per_class <= 2**n_informative``.
    class_sep : float, default=1.0
        Half the side of the hypercube; larger is easier.
    random_state : int, default=2
        Seed for ``numpy.random.default_rng``.
    n_classes : int, default=2
        Number of classes, >= 2.
    flip_y : float, default=0.01
        Fraction of labels redrawn uniformly at random, in [0, 1].

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
    y : ndarray of shape (n_samples,), intp
        Class indices 0 ... n_classes - 1.
    """
    ints = {
        "n_samples": (n_samples, 1),
        "n_features": (n_features, 1),
        "n_informative": (n_informative, 1),
        "n_redundant": (n_redundant, 0),
        "n_clusters_per_class": (n_clusters_per_class, 1),
        "n_classes": (n_classes, 2),
    }
    for key, (value, low) in ints.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{key} must be an integer >= {low}, got {value!r}")
    if n_informative > 30:
        raise ValueError(f"n_informative must be at most 30, got {n_informative}")
    if n_informative + n_redundant > n_features:
        raise ValueError(
            "n_informative + n_redundant must be <= n_features, got "
            f"{n_informative} + {n_redundant} > {n_features}"
        )
    n_clusters = n_classes * n_clusters_per_class
    if n_clusters > 2**n_informative:
        raise ValueError(
            f"n_classes * n_clusters_per_class = {n_clusters} clusters need distinct hypercube "
            f"vertices, but n_informative = {n_informative} gives only {2**n_informative}; "
            "raise n_informative or lower the cluster count"
        )
    if not (math.isfinite(class_sep) and class_sep > 0):
        raise ValueError(f"class_sep must be a finite number > 0, got {class_sep!r}")
    if not (0.0 <= flip_y <= 1.0):
        raise ValueError(f"flip_y must be in [0, 1], got {flip_y!r}")

    _check_seed(random_state)
    rng = np.random.default_rng(random_state)
    # Distinct hypercube vertices: draw random sign patterns until there are enough.
    vertices: list[tuple[int, ...]] = []
    seen: set[tuple[int, ...]] = set()
    while len(vertices) < n_clusters:
        bits = tuple(int(b) for b in rng.integers(0, 2, size=n_informative))
        if bits not in seen:
            seen.add(bits)
            vertices.append(bits)
    centroids = (2.0 * np.asarray(vertices, dtype=np.float64) - 1.0) * class_sep

    sizes = split_counts(n_samples, (1,) * n_clusters)
    X = np.empty((n_samples, n_features), dtype=np.float64)
    y = np.empty(n_samples, dtype=np.intp)
    start = 0
    for k, size in enumerate(sizes):
        stop = start + size
        mixing = rng.uniform(-1.0, 1.0, size=(n_informative, n_informative))
        z = rng.standard_normal((size, n_informative))
        X[start:stop, :n_informative] = z @ mixing + centroids[k]
        y[start:stop] = k % n_classes
        start = stop

    if n_redundant:
        combo = rng.uniform(-1.0, 1.0, size=(n_informative, n_redundant))
        X[:, n_informative : n_informative + n_redundant] = X[:, :n_informative] @ combo
    n_noise = n_features - n_informative - n_redundant
    if n_noise:
        X[:, n_features - n_noise :] = rng.standard_normal((n_samples, n_noise))

    # Always consume the same draws, so flip_y changes labels and nothing else.
    flip = rng.random(n_samples) < flip_y
    redrawn = rng.integers(0, n_classes, size=n_samples)
    y = np.where(flip, redrawn, y)

    order = rng.permutation(n_samples)
    return X[order], y[order]
