"""Figures of logitlab.plots, checked by what they contain (and saved as PNGs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib
import matplotlib.colors
import matplotlib.lines

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet
from matplotlib.markers import MarkerStyle
from sklearn.metrics import average_precision_score, roc_auc_score

from logitlab import LogisticRegression, plots
from logitlab.core.datasets import make_classification, make_preset
from logitlab.core.features import PolynomialFeatures
from logitlab.plots import (
    plot_calibration,
    plot_decision_boundary,
    plot_loss_curve,
    plot_precision_recall,
    plot_roc,
)


@pytest.fixture(autouse=True)
def _close_figures(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def no_show(*args: object, **kwargs: object) -> None:
        raise AssertionError("plots must never call plt.show()")

    monkeypatch.setattr(plt, "show", no_show)
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    return make_classification(n_samples=120, random_state=2)


def contour_sets(ax: plt.Axes) -> tuple[ContourSet, ContourSet]:
    """(filled bands, boundary line) drawn on ``ax``."""
    sets = [c for c in ax.collections if isinstance(c, ContourSet)]
    filled = [c for c in sets if c.filled]
    lines = [c for c in sets if not c.filled]
    assert len(filled) == 1 and len(lines) == 1
    return filled[0], lines[0]


def scatters(ax: plt.Axes) -> list[PathCollection]:
    return [c for c in ax.collections if type(c) is PathCollection]


def boundary_points(line: ContourSet) -> np.ndarray:
    return np.vstack([p.vertices for p in line.get_paths() if len(p.vertices)])


def marker_vertices(marker: str) -> np.ndarray:
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform()).vertices


def test_decision_boundary_has_the_seed_figure_parts(blobs, tmp_path: Path) -> None:
    X, y = blobs
    model = LogisticRegression().fit(X, y)
    ax = plot_decision_boundary(model, X, y)
    filled, line = contour_sets(ax)

    np.testing.assert_allclose(filled.levels, np.linspace(0, 1, 21))
    assert list(line.levels) == [0.5]
    # The drawn boundary is where the model says 0.5: w·x + b = 0 up to the grid spacing.
    z = boundary_points(line) @ model.coef_[0] + model.intercept_[0]
    assert np.max(np.abs(z)) < 0.05 * np.linalg.norm(model.coef_)

    points = scatters(ax)
    assert len(points) == 2
    for collection, label in zip(points, (0, 1), strict=True):
        np.testing.assert_allclose(collection.get_offsets(), X[y == label])
    np.testing.assert_allclose(points[0].get_paths()[0].vertices, marker_vertices("o"))
    np.testing.assert_allclose(points[1].get_paths()[0].vertices, marker_vertices("^"))
    assert not np.allclose(points[0].get_facecolor(), points[1].get_facecolor())

    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["decision boundary (p̂ = 0.5)", "class 0", "class 1"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("feature 1", "feature 2")
    colorbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert [a.get_ylabel() for a in colorbar_axes] == ["P(class = 1)"]
    ax.figure.savefig(tmp_path / "boundary.png")
    assert (tmp_path / "boundary.png").read_bytes()[:4] == b"\x89PNG"


def test_decision_boundary_from_a_scikit_learn_pipeline_is_curved(tmp_path: Path) -> None:
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import PolynomialFeatures as SkPolynomialFeatures

    X, y = make_preset("circles", 120, seed=3)
    model = make_pipeline(SkPolynomialFeatures(2), SkLogisticRegression(C=10.0)).fit(X, y)
    ax = plot_decision_boundary(model, X, y)
    _, line = contour_sets(ax)
    boundary = boundary_points(line)
    np.testing.assert_allclose(model.predict_proba(boundary)[:, 1], 0.5, atol=0.02)
    # A closed curve around the inner ring, not a straight line.
    radius = np.linalg.norm(boundary, axis=1)
    assert radius.min() > 1.0 and radius.max() < 4.0
    ax.figure.savefig(tmp_path / "circles.png")


def test_features_argument_draws_a_model_fitted_on_a_feature_map() -> None:
    X, y = make_preset("xor", 120, seed=1)
    poly = PolynomialFeatures(2).fit(X)
    model = LogisticRegression(C=10.0).fit(poly.transform(X), y)
    ax = plot_decision_boundary(model, X, y, features=poly.transform, threshold=0.3)
    _, line = contour_sets(ax)
    assert list(line.levels) == [0.3]
    boundary = boundary_points(line)
    np.testing.assert_allclose(model.predict_proba(poly.transform(boundary))[:, 1], 0.3, atol=0.02)
    with pytest.raises(ValueError, match="X must have shape"):
        plot_decision_boundary(model, poly.transform(X), y)


def test_dataframe_names_and_string_classes_label_the_axes() -> None:
    pd = pytest.importorskip("pandas")
    X, y = make_classification(n_samples=80, random_state=5)
    frame = pd.DataFrame(X, columns=["height", "weight"])
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegression().fit(frame, labels)  # remembers feature_names_in_
    ax = plot_decision_boundary(model, frame, labels)  # no "feature names" warning
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("height", "weight")
    assert ax.figure.axes[-1].get_ylabel() == "P(class = yes)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[1:] == ["class no", "class yes"]


def test_decision_boundary_draws_into_a_given_axes_and_rejects_multiclass(blobs) -> None:
    X, y = blobs
    fig, (left, right) = plt.subplots(1, 2)
    model = LogisticRegression().fit(X, y)
    assert plot_decision_boundary(model, X, y, ax=right, colorbar=False) is right
    assert not left.collections and len(fig.axes) == 2
    X3, y3 = make_classification(n_samples=90, n_classes=3, random_state=0)
    three = LogisticRegression().fit(X3, y3)
    with pytest.raises(ValueError, match="binary classifier, got 3 classes"):
        plot_decision_boundary(three, X3, y3)


def test_roc_and_precision_recall_curves_match_scikit_learn(blobs) -> None:
    X, y = blobs
    model = LogisticRegression(C=0.05).fit(X, y)
    p1 = model.predict_proba(X)[:, 1]
    labels = np.where(y == 1, "pos", "neg")

    ax = plot_roc(labels, p1, pos_label="pos")
    curve, chance = ax.get_lines()
    assert curve.get_xdata()[0] == 0 and curve.get_ydata()[-1] == 1
    auc = roc_auc_score(y, p1)
    np.testing.assert_allclose(np.trapezoid(curve.get_ydata(), curve.get_xdata()), auc)
    assert ax.get_legend().get_texts()[0].get_text() == f"model (AUC = {auc:.3f})"
    np.testing.assert_allclose(chance.get_xydata(), [[0, 0], [1, 1]])

    ax = plot_precision_recall(y, p1)
    ap = average_precision_score(y, p1)
    assert ax.get_legend().get_texts()[0].get_text() == f"model (AP = {ap:.3f})"
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), np.mean(y))


def test_calibration_points_match_scikit_learn(blobs) -> None:
    from sklearn.calibration import calibration_curve

    X, y = blobs
    p1 = LogisticRegression().fit(X, y).predict_proba(X)[:, 1]
    ax = plot_calibration(y, p1, n_bins=5)
    frac, mean = calibration_curve(y, p1, n_bins=5)
    model_line = ax.get_lines()[1]
    np.testing.assert_allclose(model_line.get_xdata(), mean)
    np.testing.assert_allclose(model_line.get_ydata(), frac)
    assert len(ax.patches) == 5  # one count bar per bin


def test_loss_curve_draws_one_labelled_line_per_run() -> None:
    ax = plot_loss_curve({"gd": [0.7, 0.5, 0.4], "adam": [0.7, 0.3, 0.2, 0.1]}, log_scale=True)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["gd", "adam"]
    np.testing.assert_allclose(lines[1].get_ydata(), [0.7, 0.3, 0.2, 0.1])
    assert ax.get_yscale() == "log"
    single = plot_loss_curve(np.linspace(1, 0.1, 80))
    assert single.get_legend() is None and len(single.get_lines()) == 1


# ------------------------------------------------------------------ styling, overlays, displays


def model_lines(ax: plt.Axes) -> list[matplotlib.lines.Line2D]:
    return [line for line in ax.get_lines() if line.get_gid() == "logitlab-curve"]


def chance_lines(ax: plt.Axes) -> list[matplotlib.lines.Line2D]:
    return [line for line in ax.get_lines() if str(line.get_gid()).startswith("logitlab-chance")]


@pytest.fixture(scope="module")
def three_models() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    X, y = make_classification(n_samples=300, n_features=4, random_state=5)
    scores = {
        f"C={C:g}": LogisticRegression(C=C).fit(X, y).predict_proba(X)[:, 1]
        for C in (0.01, 1.0)
    }
    scores["first feature"] = 1.0 / (1.0 + np.exp(-X[:, 0]))
    return y, scores


@pytest.mark.parametrize("plot", [plot_roc, plot_precision_recall, plot_calibration])
def test_matplotlib_styling_passes_through(plot, blobs) -> None:
    X, y = blobs
    p1 = LogisticRegression().fit(X, y).predict_proba(X)[:, 1]
    ax = plot(y, p1, color="crimson", linestyle=":", linewidth=3.5, alpha=0.6, label="mine")
    (line,) = model_lines(ax)
    assert matplotlib.colors.same_color(line.get_color(), "crimson")
    assert line.get_linestyle() == ":" and line.get_linewidth() == 3.5
    assert line.get_alpha() == 0.6
    assert line.get_label().startswith("mine")


@pytest.mark.parametrize("plot", [plot_roc, plot_precision_recall, plot_calibration])
def test_overlaid_models_get_distinct_colours_and_one_chance_line(plot, three_models) -> None:
    y, scores = three_models
    _, ax = plt.subplots()
    for name, p in scores.items():
        assert plot(y, p, ax=ax, label=name) is ax
    lines = model_lines(ax)
    assert [line.get_label().split(" (")[0] for line in lines] == list(scores)
    colours = {matplotlib.colors.to_hex(line.get_color()) for line in lines}
    assert len(colours) == 3
    assert len(chance_lines(ax)) == 1
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sum(name in " ".join(legend) for name in scores) == 3


def test_roc_display_matches_scikit_learn() -> None:
    from sklearn.metrics import RocCurveDisplay as SkRoc
    from sklearn.metrics import roc_curve

    X, y = make_classification(n_samples=200, n_features=3, random_state=8)
    labels = np.where(y == 1, "yes", "no")
    model = LogisticRegression(C=0.5).fit(X, labels)
    ours = plots.RocCurveDisplay.from_estimator(model, X, labels)
    theirs = SkRoc.from_estimator(model, X, labels, drop_intermediate=False)
    assert ours.roc_auc == pytest.approx(theirs.roc_auc, rel=1e-12)
    # Every corner of scikit-learn's curve lies on ours.
    fpr, tpr, _ = roc_curve(labels, model.predict_proba(X)[:, 1], pos_label="yes")
    ours_points = set(zip(ours.fpr.round(12), ours.tpr.round(12), strict=True))
    assert set(zip(fpr.round(12), tpr.round(12), strict=True)) <= ours_points
    assert ours.name == "LogisticRegression" and ours.pos_label == "yes"
    assert ours.line_ in ours.ax_.get_lines() and ours.figure_ is ours.ax_.figure
    assert ours.chance_level_ is not None
    # .plot(ax=...) draws the same numbers again, on another Axes, styled.
    _, ax = plt.subplots()
    again = ours.plot(ax=ax, name="again", color="k")
    np.testing.assert_array_equal(again.line_.get_xdata(), ours.fpr)
    assert again.line_.get_label() == f"again (AUC = {ours.roc_auc:.3f})"
    # from_predictions with the other class as positive mirrors the curve
    flipped = plots.RocCurveDisplay.from_predictions(
        labels, model.decision_function(X), pos_label="no"
    )
    assert flipped.roc_auc == pytest.approx(1.0 - ours.roc_auc, rel=1e-12)


def test_precision_recall_and_calibration_displays_match_scikit_learn() -> None:
    from sklearn.calibration import CalibrationDisplay as SkCalibration
    from sklearn.metrics import PrecisionRecallDisplay as SkPR

    X, y = make_classification(n_samples=250, n_features=3, random_state=9)
    model = LogisticRegression().fit(X, y)
    ours = plots.PrecisionRecallDisplay.from_estimator(model, X, y, name="L2")
    theirs = SkPR.from_estimator(model, X, y, drop_intermediate=False)
    assert ours.average_precision == pytest.approx(theirs.average_precision, rel=1e-12)
    assert ours.prevalence_pos_label == pytest.approx(np.mean(y))
    assert ours.line_.get_label() == f"L2 (AP = {theirs.average_precision:.3f})"

    cal = plots.CalibrationDisplay.from_estimator(model, X, y, n_bins=6)
    sk = SkCalibration.from_estimator(model, X, y, n_bins=6)
    np.testing.assert_allclose(cal.prob_true, sk.prob_true)
    np.testing.assert_allclose(cal.prob_pred, sk.prob_pred)
    np.testing.assert_allclose(cal.line_.get_xdata(), sk.prob_pred)


def test_displays_say_what_they_need() -> None:
    with pytest.raises(ValueError, match="pass pos_label="):
        plot_roc(["a", "b", "a"], [0.1, 0.9, 0.2])
    X = np.random.default_rng(1).normal(size=(60, 2))
    y = np.arange(60) % 3
    three = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match="binary classifiers, got 3 classes"):
        plots.RocCurveDisplay.from_estimator(three, X, y)
    two = LogisticRegression().fit(X, y > 0)
    with pytest.raises(ValueError, match="response_method must be"):
        plots.RocCurveDisplay.from_estimator(two, X, y > 0, response_method="predict")


def test_decision_boundary_takes_colours(blobs) -> None:
    X, y = blobs
    model = LogisticRegression().fit(X, y)
    ax = plot_decision_boundary(
        model, X, y, boundary_color="crimson", boundary_width=3.0, class_colors=["k", "w"]
    )
    _, line = contour_sets(ax)
    assert matplotlib.colors.same_color(line.get_edgecolor()[0], "crimson")
    assert line.get_linewidths()[0] == 3.0
    handle = ax.get_legend().legend_handles[0]
    assert matplotlib.colors.same_color(handle.get_color(), "crimson")
    first, second = scatters(ax)
    assert matplotlib.colors.same_color(first.get_facecolor()[0], "k")
    assert matplotlib.colors.same_color(second.get_facecolor()[0], "w")
    with pytest.raises(ValueError, match="two colours"):
        plot_decision_boundary(model, X, y, class_colors=["k"])


def test_decision_boundary_of_a_formula_model_uses_its_terms() -> None:
    import pandas as pd

    from logitlab.formula import logit

    X, y = make_preset("xor", 200, seed=2)
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y})
    model = logit("y ~ a * b", frame, C=1.0)  # the product term bends the boundary
    ax = plot_decision_boundary(model, frame[["a", "b"]], y)
    _, line = contour_sets(ax)
    points = boundary_points(line)
    on_line = pd.DataFrame({"a": points[:, 0], "b": points[:, 1]})
    np.testing.assert_allclose(model.predict_proba(on_line)[:, 1], 0.5, atol=0.02)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("a", "b")


def test_weighted_curves_match_scikit_learn() -> None:
    from sklearn.metrics import PrecisionRecallDisplay as SkPR
    from sklearn.metrics import RocCurveDisplay as SkRoc

    X, y = make_classification(n_samples=180, n_features=3, random_state=3)
    weights = np.random.default_rng(3).uniform(0.1, 3.0, size=y.size)
    model = LogisticRegression(C=0.3).fit(X, y)
    roc = plots.RocCurveDisplay.from_estimator(model, X, y, sample_weight=weights)
    sk_roc = SkRoc.from_estimator(model, X, y, sample_weight=weights)
    assert roc.roc_auc == pytest.approx(sk_roc.roc_auc, rel=1e-12)
    pr = plots.PrecisionRecallDisplay.from_estimator(model, X, y, sample_weight=weights)
    sk_pr = SkPR.from_estimator(model, X, y, sample_weight=weights)
    assert pr.average_precision == pytest.approx(sk_pr.average_precision, rel=1e-12)
    assert pr.prevalence_pos_label == pytest.approx(np.average(y, weights=weights))
    unweighted = plots.RocCurveDisplay.from_estimator(model, X, y)
    assert abs(unweighted.roc_auc - roc.roc_auc) > 1e-4  # the weights matter here
