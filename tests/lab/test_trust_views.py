"""The trust views (issue 16) against references on the same points and weights."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import statsmodels.api as sm
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss

from logitlab import LogisticRegression
from logitlab.core.band import boundary_band
from logitlab.core.inference import coefficient_cells
from logitlab.core.link import sigmoid
from logitlab.core.objective import Objective
from logitlab.core.solvers import solve
from logitlab.lab import trust
from logitlab.lab.geometry import grid_points, window_contour
from logitlab.lab.protocol import (
    AddPoint,
    DeletePoint,
    EditPoints,
    Frame,
    Hello,
    Inspect,
    LabState,
    RunScenario,
    SetFeatures,
    SetModel,
    SetTraining,
    Train,
    Undo,
    View,
)
from logitlab.lab.session import LabSession


def session(preset: str = "overlap", n: int = 120, **training: object) -> LabSession:
    s = LabSession()
    state = LabState.model_validate(
        {"data": {"preset": preset, "n_points": n}, "training": {"optimizer": "newton", **training}}
    )
    s.handle(Hello(state=state))
    return s


def frame(s: LabSession, command: object) -> Frame:
    f = s.handle(command)  # type: ignore[arg-type]
    assert isinstance(f, Frame), f
    return f


def number(text: str) -> float:
    return float(text.replace("−", "-"))


def test_brier_ece_and_bins_match_scikit_learn_and_a_direct_computation() -> None:
    s = session()
    f = frame(s, SetModel(w0=1.3, w1=-0.4, b=0.2))  # any weights: the view uses the current ones
    X, y = s.X, s.y
    p = sigmoid(X @ s.coef[:2] + s.coef[2])
    cal = f.calibration
    assert cal is not None and cal.rows == "training" and cal.n == 120
    assert cal.brier == pytest.approx(brier_score_loss(y, p), rel=1e-12)
    assert cal.brier == pytest.approx(float(np.mean((p - y) ** 2)), rel=1e-12)
    true, pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    filled = [b for b in cal.bins if b.count]
    assert [b.mean_p for b in filled] == pytest.approx(pred, rel=1e-12)
    assert [b.observed for b in filled] == pytest.approx(true, rel=1e-12)
    ids = np.clip(np.ceil(p * 10).astype(int) - 1, 0, 9)  # (e_k, e_k+1] bins
    direct = sum(
        np.sum(ids == k) / y.size * abs(p[ids == k].mean() - y[ids == k].mean())
        for k in range(10)
        if np.any(ids == k)
    )
    assert cal.ece == pytest.approx(direct, rel=1e-12)
    assert "mean p̂" in cal.text


def test_inspector_reports_the_point_and_its_exact_leave_one_out_refit() -> None:
    s = session()
    frame(s, Train(steps=30))
    i = 17
    f = frame(s, Inspect(index=i))
    ins = f.inspector
    assert ins is not None and ins.index == i
    X, y, coef = s.X, s.y, s.coef
    p = float(sigmoid(X[i] @ coef[:2] + coef[2]))
    assert ins.p == pytest.approx(p, rel=1e-12)
    own = p if y[i] == 1 else 1 - p
    assert ins.loss == pytest.approx(-math.log(own), rel=1e-10)
    terms = np.logaddexp(0, X @ coef[:2] + coef[2]) - y * (X @ coef[:2] + coef[2])
    assert ins.share == pytest.approx(terms[i] / terms.sum(), rel=1e-9)
    grad = (p - y[i]) * np.append(X[i], 1.0) / y.size
    assert [number(g.value) for g in ins.gradient] == pytest.approx(grad, rel=1e-3)
    # Leave-one-out against an independent full refit on the other points.
    full = solve(Objective(X, y), tol=1e-12).coef
    refit = solve(Objective(np.delete(X, i, 0), np.delete(y, i)), tol=1e-12).coef
    assert [number(d.value) for d in ins.loo] == pytest.approx(refit - full, rel=2e-3, abs=1e-9)
    # The ghost boundary lies on the refit's line z = 0.
    assert ins.ghost is not None
    seg = np.asarray(ins.ghost.xy).reshape(-1, 2)
    assert np.abs(seg @ refit[:2] + refit[2]).max() < 1e-5
    assert ins.arrow is not None  # the foot of the point on the current boundary
    assert ins.arrow.x1 * coef[0] + ins.arrow.y1 * coef[1] + coef[2] == pytest.approx(0, abs=1e-9)


def test_with_a_split_the_refit_note_names_the_inspected_point() -> None:
    """The note counted training rows ("without point 82" for point 117) under a split."""
    s = session()
    frame(s, SetFeatures(test_share=0.3))
    rows = [s.experiment.train_index(k) for k in range(s.X.shape[0])]
    i = max(k for k, row in enumerate(rows) if row is not None and row != k)  # a training point
    ins = frame(s, Inspect(index=i)).inspector
    assert ins is not None and ins.index == i
    assert f"without point {i + 1} minus" in ins.loo_note


def test_selection_follows_deletes_and_undo_selects_the_point_again() -> None:
    s = session()
    frame(s, Inspect(index=5))
    assert frame(s, EditPoints(edit=DeletePoint(index=2))).inspector.index == 4  # type: ignore[union-attr]
    assert frame(s, EditPoints(edit=DeletePoint(index=4))).inspector is None
    assert frame(s, Undo()).inspector.index == 4  # type: ignore[union-attr]
    error = s.handle(Inspect(index=500))
    assert error.type == "error" and "there are 119 points" in error.message  # type: ignore[union-attr]
    assert frame(s, Inspect(index=-1)).inspector is None


def _statsmodels(X: np.ndarray, y: np.ndarray) -> object:
    return sm.Logit(y, sm.add_constant(X)).fit(disp=0, method="newton", tol=1e-12)


def test_inference_matches_summary_and_statsmodels_at_the_optimum() -> None:
    s = session()
    f = frame(s, SetModel(w0=0.5, w1=0.5, b=0.0))
    assert f.inference is not None and f.inference.state == "not-optimal"
    f = frame(s, Train(steps=20))
    inf = f.inference
    assert inf is not None and inf.state == "ok"
    X, y = s.X, s.y
    summary = LogisticRegression(C=np.inf).fit(X, y).summary()
    block = summary.blocks[0]
    names = {"w₀": 1, "w₁": 2, "b": 0}
    for row in inf.rows:
        assert row.cells == coefficient_cells(block, names[row.name])[:6]
    stats = {c.name: c.value for c in inf.stats}
    assert stats["AIC"] == f"{summary.aic:.4f}" and stats["BIC"] == f"{summary.bic:.4f}"
    res = _statsmodels(X, y)
    ours = trust.inference(s.experiment).blocks[0]
    np.testing.assert_allclose(ours.std_error, res.bse, rtol=1e-6)  # type: ignore[attr-defined]
    ci = res.conf_int()  # type: ignore[attr-defined]
    np.testing.assert_allclose(ours.ci_low, ci[:, 0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(ours.ci_high, ci[:, 1], rtol=1e-6, atol=1e-9)
    assert trust.inference(s.experiment).log_likelihood == pytest.approx(res.llf, rel=1e-9)  # type: ignore[attr-defined]
    # The kind of standard error, in summary()'s own name for it (its Covariance line).
    assert summary.cov_type == "nonrobust" and "Covariance:                   nonrobust" in str(
        summary
    )
    assert inf.se_kind.startswith("Standard errors: nonrobust, as summary() names them")
    assert "inverse Fisher information" in inf.se_kind and inf.notes == list(summary.notes)


def test_separated_points_without_penalty_get_summarys_words() -> None:
    s = session("blobs")
    f = frame(s, Train(steps=100))
    assert f.inference is not None and f.inference.state == "separated"
    X, y = s.X, s.y
    with pytest.warns(Warning):
        notes = LogisticRegression(C=np.inf).fit(X, y).summary().notes
    assert f.inference.message in notes
    assert f.inference.rows == []


@pytest.mark.parametrize(
    ("preset", "edit"),
    [
        ("near-perfect", None),  # completely separated, at the starting weights
        ("blobs", AddPoint(x=0.0, y=0.0, cls=0)),  # two classes on one spot
    ],
)
def test_separation_off_the_optimum_gets_summarys_words_too(
    preset: str, edit: AddPoint | None
) -> None:
    """The current line need not separate the points: the view finds it as summary() does."""
    s = session(preset)
    if edit is not None:
        frame(s, EditPoints(edit=edit))
        f = frame(s, EditPoints(edit=edit.model_copy(update={"cls": 1})))
    else:
        f = frame(s, SetModel(w0=0.3, w1=-0.2, b=0.1))
    assert not trust.separates(s.experiment, s.coef)
    inf = f.inference
    assert inf is not None and inf.state == "separated" and inf.rows == []
    with pytest.warns(Warning):
        summary = LogisticRegression(C=np.inf).fit(s.X, s.y).summary()
    assert inf.message in summary.notes
    kind = trust.separation(s.experiment)
    assert kind is not None and inf.message.startswith(f"The classes are {kind}ly separated")
    f = frame(s, Inspect(show_band=True))
    assert f.band is not None and "no finite optimum" in f.band.note


def test_separation_is_none_when_a_finite_optimum_exists_or_a_penalty_is_on() -> None:
    for preset in ("overlap", "moons", "xor"):
        assert trust.separation(session(preset).experiment) is None  # the quick certificate
    assert trust.separation(session("near-perfect", penalty="l2", lam=0.01).experiment) is None
    many = session("near-perfect", n=trust.SEPARATION_CHECK_MAX + 1)
    assert trust.separation(many.experiment) is None  # no linear programs above the cap


def test_l2_shows_the_penalized_standard_errors_and_says_what_they_mean() -> None:
    s = session(penalty="l2", lam=0.05)
    f = frame(s, Train(steps=20))
    inf = f.inference
    assert inf is not None and inf.state == "ok"
    assert inf.se_kind.startswith("Standard errors under L2: nonrobust, as summary() names them")
    assert "penalized information" in inf.se_kind and "not the sampling spread" in inf.se_kind
    X, y = s.X, s.y
    C = 1.0 / (2 * 0.05 * y.size)  # λ‖w‖² is core's α = 2λ, and C = 1/(αN)
    summary = LogisticRegression(C=C).fit(X, y).summary()
    cells = {r.name: r.cells for r in inf.rows}
    assert cells["w₀"] == coefficient_cells(summary.blocks[0], 1)[:6]
    # summary()'s own note under L2 (with the same C), word for word.
    assert summary.cov_type == "nonrobust"
    assert inf.notes == list(summary.notes) and inf.notes[0].startswith(
        f"Penalized fit (L2, C={C:g})"
    )


def test_band_edges_are_the_finite_difference_delta_method_band() -> None:
    s = session()
    f = frame(s, Train(steps=20))
    f = frame(s, Inspect(show_band=True))
    band = f.band
    assert band is not None and band.size > 0 and band.lower.xy and band.upper.xy
    X, y = s.X, s.y
    res = _statsmodels(X, y)
    order = [1, 2, 0]
    cov = np.asarray(res.cov_params())[np.ix_(order, order)]  # type: ignore[attr-defined]
    beta = s.coef

    def z(b: np.ndarray, x: np.ndarray) -> np.ndarray:
        out: np.ndarray = x @ b[:2] + b[2]
        return out

    def se_fd(x: np.ndarray) -> np.ndarray:
        h = 1e-6
        grads = np.stack(
            [(z(beta + h * e, x) - z(beta - h * e, x)) / (2 * h) for e in np.eye(3)], axis=1
        )
        return np.sqrt(np.einsum("ij,jk,ik->i", grads, cov, grads))

    for edge, sign in ((band.lower, -1.0), (band.upper, 1.0)):
        pts = np.asarray(edge.xy).reshape(-1, 2)
        gap = z(beta, pts) + sign * 1.959963984540054 * se_fd(pts)
        assert np.abs(gap).max() < 5e-3  # linear interpolation of a curved edge on a 64² grid
    # On the grid itself the core band equals the finite-difference one to 1e-6.
    _, _, pts = grid_points(View(xmin=-5, xmax=5, ymin=-5, ymax=5), 9)
    core = boundary_band(beta, cov, pts)
    np.testing.assert_allclose(core.se, se_fd(pts), rtol=1e-6)
    assert frame(s, Inspect(show_band=False)).band is None


def test_contours_of_a_plane_are_exact_on_the_window_grid() -> None:
    view = View(xmin=-2, xmax=2, ymin=-1, ymax=3)
    xs, ys, pts = grid_points(view, 5)
    assert ys[0] == 3 and xs[0] == -2  # row 0 at ymax
    plane = (pts @ [1.0, 2.0] - 0.3).reshape(5, 5)
    seg = window_contour(plane, view, 0.0)
    assert seg.size and np.abs(seg.reshape(-1, 2) @ [1.0, 2.0] - 0.3).max() < 1e-12


def test_influence_sizes_follow_cooks_distance() -> None:
    s = session()
    frame(s, Train(steps=20))
    f = frame(s, Inspect(show_influence=True))
    assert f.influence is not None and f.influence.size
    import base64

    sizes = np.frombuffer(base64.b64decode(f.influence.size), dtype=np.uint8)
    res = _statsmodels(s.X, s.y)
    cook = res.get_influence().cooks_distance[0]  # type: ignore[attr-defined]
    assert int(np.argmax(sizes)) == int(np.argmax(cook))
    assert re.search(r"point \d+", f.influence.note)


def _sig(v: float | None, digits: int = 2) -> str:
    assert v is not None
    return f"{v:.{digits}g}"


def test_confident_and_wrong_card_quotes_true_numbers() -> None:
    """Every number of the card (try-this.md), on the scenario's test points."""
    s = LabSession()
    frame(s, RunScenario(name="confident-wrong"))
    f = frame(s, Train(steps=100))
    exp = s.experiment
    assert exp.has_split()
    assert int(exp.rows("train").sum()) == 84 and int(exp.rows("test").sum()) == 36
    assert round(f.metrics.weight_norm) == 157
    cal = f.calibration
    assert cal is not None and cal.rows == "test" and cal.n == 36
    test = exp.rows("test")
    p = sigmoid(exp.design()[test] @ exp.coef[:-1] + exp.coef[-1])
    assert bool(np.all((p < 0.01) | (p > 0.99)))
    top = cal.bins[-1]
    assert top.mean_p is not None and f"{top.mean_p:.2f}" == "1.00"
    assert top.observed is not None and f"{top.observed:.0%}" == "95%"
    assert _sig(cal.brier) == "0.027" and _sig(cal.ece) == "0.028"
    assert _sig(f.metrics.test_log_loss) == "0.13"
    inspected = frame(s, Inspect(index=40)).inspector  # point 41 as the page numbers it
    assert inspected is not None and inspected.cls == 0 and exp.train_index(40) is None
    assert f"{inspected.p:.2f}" == "0.99" and f"{inspected.loss:.1f}" == "4.7"
    assert f.metrics.test_log_loss == pytest.approx(inspected.loss / 36, rel=0.01)  # "alone"
    frame(s, Inspect(index=-1))
    frame(s, RunScenario(name="confident-wrong"))
    frame(s, SetTraining(penalty="l2", lam=0.001))
    f = frame(s, Train(steps=100))
    assert f"{f.metrics.weight_norm:.1f}" == "3.9"
    inspected = frame(s, Inspect(index=40)).inspector
    assert inspected is not None and f"{inspected.p:.2f}" == "0.42"  # class 0's side now
    cal = f.calibration
    assert cal is not None and cal.rows == "test"
    assert _sig(cal.brier) == "0.0058" and _sig(cal.ece) == "0.019"
    assert _sig(f.metrics.test_log_loss) == "0.023"
