"""Runnable Python that rebuilds the Lab's points and fits them as "Fit exactly" does.

:func:`snippet` writes one of two programs ("Copy as scikit-learn code", "Copy as
logitlab code"); the Lab shows it in a read-only text box named "code". Decisions:

- **The points.** An unedited preset is rebuilt by its generator: the logitlab snippet
  calls ``make_preset(..., shuffle=False)`` (the Lab's order); the scikit-learn snippet
  may use only NumPy, so it carries the generator's few lines (the same seeded streams
  and arithmetic, so the points are bit for bit the Lab's). Edited presets and CSV data
  are embedded as arrays (``repr`` of every float: exact).
- **The penalty.** The Lab minimizes the mean cross-entropy + λ·(ρ‖w‖₁ + (1 − ρ)‖w‖²);
  scikit-learn minimizes C·Σ cross-entropy + l1_ratio‖w‖₁ + (1 − l1_ratio)/2·‖w‖².
  Dividing by C·N gives the same optimum at C = 1/((2 − ρ)λN), l1_ratio = ρ/(2 − ρ)
  (:func:`~logitlab.lab.training.lab_penalty`); no penalty is C = inf.
- **The solver.** L2 and no penalty use scikit-learn's "newton-cholesky", L1 and
  elastic-net "saga" (the only ones with an L1 term and an unpenalized intercept), with
  tolerances tight enough that the printed coefficients match the Lab's exact fit to
  1e-6; the snippet ends with the Lab's own numbers as a comment.
"""

from __future__ import annotations

from logitlab.core import datasets
from logitlab.core.datasets import _GAUSSIAN_RECIPES, split_counts
from logitlab.lab.exact import exact_optimum
from logitlab.lab.experiment import Experiment
from logitlab.lab.points import CommandError
from logitlab.lab.protocol import CodeFlavor, DataSpec
from logitlab.lab.training import lab_penalty

_SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
ROW_CHARS = 88
"""Longest line of the embedded label list."""


def snippet(experiment: Experiment, flavor: CodeFlavor) -> str:
    """The program for ``flavor`` ("sklearn" or "logitlab") on the experiment's points."""
    exp = experiment
    preset = exp.data.custom is None and not exp.edits and not exp.has_split()
    lines = ["# The logitlab Lab's points, fitted exactly"]
    if flavor == "sklearn":
        lines[0] += " with NumPy and scikit-learn alone."
        lines += ["import numpy as np", "from sklearn.linear_model import LogisticRegression", ""]
        lines += _numpy_preset(exp.data) if preset else _arrays(exp)
    else:
        lines[0] += " with logitlab."
        lines += ["import numpy as np", "from logitlab import LogisticRegression"]
        if preset:
            d = exp.data
            lines += [
                "from logitlab.core.datasets import make_preset",
                "",
                f'# The "{d.preset}" preset as the Lab draws it (shuffle=False keeps its order).',
                f'X, y = make_preset("{d.preset}", {d.n_points}, noise={float(d.noise)!r}, '
                f"seed={d.seed}, shuffle=False)",
            ]
        else:
            lines += ["", *_arrays(exp)]
    lines += ["", *_fit(exp, flavor), *_expected(exp)]
    return "\n".join(lines) + "\n"


def _numpy_preset(data: DataSpec) -> list[str]:
    """NumPy lines drawing the preset as ``make_preset(..., shuffle=False)`` does."""
    name, noise, seed = data.preset, float(data.noise), data.seed
    head = [
        f'# The "{name}" preset as the Lab draws it: {data.n_points} points, noise {noise:g}, '
        f"seed {seed}",
        "# (logitlab.core.datasets.make_preset with shuffle=False, in NumPy alone).",
        f"noise = {noise!r}",
    ]
    if name in _GAUSSIAN_RECIPES:
        recipe = _GAUSSIAN_RECIPES[name]
        counts = split_counts(data.n_points, tuple(b.count for b in recipe))
        rows = [
            f"    ({b.centre!r}, {b.std!r}, {n}, {b.label}),"
            for b, n in zip(recipe, counts, strict=True)
        ]
        return [
            *head,
            "clusters = [  # centre, spread, points, class",
            *rows,
            "]",
            f"streams = np.random.default_rng({seed}).spawn(len(clusters) + 1)",
            "X = np.concatenate([",
            "    np.asarray(centre) + (spread * noise) * rng.standard_normal((n, 2))",
            "    for (centre, spread, n, _), rng in zip(clusters, streams)",
            "])",
            "y = np.concatenate([np.full(n, label) for _, _, n, label in clusters])",
        ]
    n0, n1 = split_counts(data.n_points, (60, 60))
    lines = [*head, f"n0, n1 = {n0}, {n1}", f"streams = np.random.default_rng({seed}).spawn(3)"]
    if name == "moons":
        jitter = datasets.MOON_JITTER
        lines += [
            f"r = {datasets.MOON_RADIUS!r}  # both half circles",
            "t0, t1 = np.linspace(0.0, np.pi, n0), np.linspace(0.0, np.pi, n1)",
            "curve0 = np.column_stack([r * np.cos(t0) - r / 2, r * np.sin(t0) - r / 4])",
            "curve1 = np.column_stack([r / 2 - r * np.cos(t1), r / 4 - r * np.sin(t1)])",
        ]
    elif name == "spiral":  # issue 14, part 3 (two arms; K > 2 classes have no snippet)
        jitter = datasets.SPIRAL_JITTER
        r0, r1 = datasets.SPIRAL_RADII
        lines += [
            "def arm(n, k):  # class k's arm: the radius grows as the angle turns",
            "    t = np.linspace(0.0, 1.0, n)",
            f"    r = {r0!r} + ({r1!r} - {r0!r}) * t",
            f"    a = 2 * np.pi * k / 2 + {datasets.SPIRAL_TURN!r} * t",
            "    return np.column_stack([r * np.cos(a), r * np.sin(a)])",
            "curve0, curve1 = arm(n0, 0), arm(n1, 1)",
        ]
    else:
        jitter = datasets.CIRCLE_JITTER
        outer, inner = datasets.CIRCLE_RADII
        lines += [
            "t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)",
            "t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)",
            f"curve0 = np.column_stack([{outer!r} * np.cos(t0), {outer!r} * np.sin(t0)])",
            f"curve1 = np.column_stack([{inner!r} * np.cos(t1), {inner!r} * np.sin(t1)])",
        ]
    return [
        *lines,
        "X = np.concatenate([",
        f"    curve0 + ({jitter!r} * noise) * streams[0].standard_normal((n0, 2)),",
        f"    curve1 + ({jitter!r} * noise) * streams[1].standard_normal((n1, 2)),",
        "])",
        "y = np.concatenate([np.zeros(n0, dtype=int), np.ones(n1, dtype=int)])",
    ]


def _clean(text: str) -> str:
    """A user-given name on one line (it goes into a comment)."""
    return " ".join(text.split())


def _arrays(exp: Experiment) -> list[str]:
    """The points as literal arrays, with a comment saying where they came from."""
    n = exp.points.n
    custom = exp.data.custom
    if custom is not None:
        source = _clean(custom.source) or "your CSV data"
        where = (
            f"# The Lab's {n} points from {source} (x = {_clean(custom.x_name)!r}, "
            f"y = {_clean(custom.y_name)!r}; class 1 = {_clean(custom.class_names[1])!r})"
        )
        if exp.edits:
            where += f", with {len(exp.edits)} edits"
    else:
        d = exp.data
        where = f'# The Lab\'s {n} points: the "{d.preset}" preset (seed {d.seed}) after edits'
    X, y = exp.points.X, exp.points.y
    if exp.has_split():  # the fit sees the training points only (issue 14's split)
        train = exp.rows("train")
        X, y = X[train], y[train]
        where += (
            f"; only its {int(train.sum())} training points "
            f"(test share {float(exp.data.test_share)!r}: the test points are not fitted)"
        )
    rows = [f"    [{float(a)!r}, {float(b)!r}]," for a, b in X]
    labels = [str(int(c)) for c in y]
    label_lines: list[str] = []
    line = "   "
    for text in labels:
        if len(line) + len(text) + 2 > ROW_CHARS:
            label_lines.append(line)
            line = "   "
        line += f" {text},"
    if labels:
        label_lines.append(line)
    return [
        where + ".",
        "X = np.array([",
        *rows,
        "], dtype=float).reshape(-1, 2)",
        "y = np.array([",
        *label_lines,
        "], dtype=int)",
    ]


def _penalty_terms(exp: Experiment) -> tuple[str, str, float, float]:
    """The Lab's penalty in words, C in terms of λ and N, scikit-learn's C and l1_ratio."""
    t = exp.training
    penalty = lab_penalty(t)
    n = exp.objective().n_samples
    if penalty.alpha == 0.0 or n == 0:
        return "", "C = inf", float("inf"), 0.0
    lam = f"λ = {t.lam!r}"
    words, c_rule = {
        "l2": (f"L2 penalty λ·‖w‖², {lam}", "C = 1/(2λN)"),
        "l1": (f"L1 penalty λ·‖w‖₁, {lam}", "C = 1/(λN)"),
        "elasticnet": (
            f"elastic-net penalty λ·(ρ‖w‖₁ + (1 − ρ)‖w‖²), {lam}, ρ = {t.l1_ratio!r}",
            "C = 1/((2 − ρ)λN), l1_ratio = ρ/(2 − ρ)",
        ),
    }[t.penalty]
    return words, c_rule, 1.0 / (penalty.alpha * n), penalty.l1_ratio


def _fit(exp: Experiment, flavor: CodeFlavor) -> list[str]:
    words, c_rule, c, l1_ratio = _penalty_terms(exp)
    c_text = "np.inf" if c == float("inf") else repr(c)
    names = [name.translate(_SUBSCRIPTS) for name in exp.coef_names()]
    if flavor == "logitlab":
        args = [f"C={c_text}, l1_ratio={l1_ratio!r}, tol=1e-10, max_iter=1000,"]
    elif l1_ratio > 0.0:
        args = [
            f'C={c_text}, l1_ratio={l1_ratio!r}, solver="saga", tol=1e-12,',
            "max_iter=1_000_000, random_state=0,",
        ]
    else:
        args = [f'C={c_text}, l1_ratio=0.0, solver="newton-cholesky", tol=1e-12, max_iter=1000,']
    objective = f"+ {words}" if words else "alone (no penalty)"
    n = exp.objective().n_samples
    steps = _feature_steps(exp)
    if steps:
        head = [
            "from sklearn.pipeline import make_pipeline",
            "from sklearn.preprocessing import PolynomialFeatures, StandardScaler",
            "",
            "# The Lab's feature map: " + ", then ".join(steps) + ".",
            "model = make_pipeline(",
            *(f"    {step}," for step in steps),
            "    LogisticRegression(",
            *(f"        {a}" for a in args),
            "    ),",
            ")",
            "model.fit(X, y)",
            "fitted = model[-1]",
        ]
    else:
        head = ["model = LogisticRegression(", *(f"    {a}" for a in args), ")", "model.fit(X, y)"]
        head += ["fitted = model"]
    return [
        f"# The Lab minimizes the mean cross-entropy {objective} (N = {n}).",
        "# LogisticRegression minimizes C·Σ cross-entropy + l1_ratio·‖w‖₁ + (1 − l1_ratio)/2·‖w‖²:",
        f"# the same optimum at {c_rule}.",
        *head,
        "coef = np.append(fitted.coef_.ravel(), fitted.intercept_)",
        f"for name, value in zip({names!r}, coef):",
        '    print(f"{name} = {value:.12g}")',
    ]


def _feature_steps(exp: Experiment) -> list[str]:
    """scikit-learn steps that build the Lab's feature columns (empty at degree 1, raw)."""
    steps = []
    if exp.degree > 1:
        steps.append(f"PolynomialFeatures(degree={exp.degree}, include_bias=False)")
    if exp.standardize:
        steps.append("StandardScaler()")
    return steps


def _expected(exp: Experiment) -> list[str]:
    names = [name.translate(_SUBSCRIPTS) for name in exp.coef_names()]
    try:
        coef = exact_optimum(exp.objective())
    except CommandError as exc:
        return ["", f"# The Lab finds no exact fit here: {_clean(str(exc))}"]
    values = ", ".join(f"{name} = {float(v):.12g}" for name, v in zip(names, coef, strict=True))
    return ["", f"# The Lab's exact fit: {values}"]
