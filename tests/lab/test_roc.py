from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    f1_score,
    matthews_corrcoef,
    precision_score,
    recall_score,
    roc_auc_score,
    roc_curve,
)
from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from logitlab.core.link import sigmoid
from logitlab.core.metrics import ScoreSweep
from logitlab.lab import roc_content
from logitlab.lab.protocol import (
    EditPoints,
    Frame,
    Hello,
    LabState,
    RunScenario,
    SetModel,
    SetView,
    ViewSpec,
)
from logitlab.lab.roc import (
    CURVE_DECIMALS,
    CURVE_RESOLUTION,
    HIST_BINS,
    RocTracker,
    at_tau,
    curves_of,
    decimate,
    grade,
    iso_cost_line,
)
from logitlab.lab.roc import (
    average_precision_score as ap_score,
)
from logitlab.lab.roc import (
    roc_auc_score as auc_score,
)
from logitlab.lab.server import create_app
from logitlab.lab.session import LabSession
from logitlab.lab.views.roc import RocView

TOL = 1e-12


def frame_of(reply: object) -> Frame:
    assert isinstance(reply, Frame), reply
    return reply


def tied_data(n: int, seed: int, prevalence: float = 0.4) -> tuple[np.ndarray, np.ndarray]:
    """Labels and probabilities rounded to 2 decimals, so many scores tie across classes."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < prevalence).astype(np.float64)
    p = np.round(sigmoid(1.5 * (2 * y - 1) + rng.normal(0, 1.5, n)), 2)
    return y, p


# ----------------------------------------------------------------- scores and metrics


@pytest.mark.parametrize(("n", "seed", "prev"), [(40, 0, 0.5), (300, 1, 0.15), (500, 2, 0.8)])
def test_scores_and_metrics_at_tau_agree_with_sklearn_with_ties(
    n: int, seed: int, prev: float
) -> None:
    y, p = tied_data(n, seed, prev)
    sweep = ScoreSweep(y, p)
    curves = curves_of(sweep, y, p, version=1)
    assert curves.roc_auc.value == pytest.approx(roc_auc_score(y, p), abs=TOL)
    assert curves.average_precision.value == pytest.approx(average_precision_score(y, p), abs=TOL)
    assert curves.prevalence == pytest.approx(y.mean(), abs=TOL)
    # τ on tied scores (p ≥ τ must include the ties), between scores, and the ends.
    for tau in [0.0, 0.2, float(p[0]), 0.5, 0.505, float(np.median(p)), 0.97, 1.0]:
        pred = (p >= tau).astype(np.float64)
        m = at_tau(sweep, tau)
        c = m.confusion
        assert (c.tn, c.fp, c.fn, c.tp) == (
            int(np.sum((y == 0) & (pred == 0))),
            int(np.sum((y == 0) & (pred == 1))),
            int(np.sum((y == 1) & (pred == 0))),
            int(np.sum((y == 1) & (pred == 1))),
        )
        assert m.accuracy == pytest.approx(accuracy_score(y, pred), abs=TOL)
        assert m.recall == pytest.approx(recall_score(y, pred), abs=TOL)
        assert m.specificity == pytest.approx(recall_score(y, pred, pos_label=0), abs=TOL)
        assert m.balanced_accuracy == pytest.approx(balanced_accuracy_score(y, pred), abs=TOL)
        if pred.any():
            assert m.precision == pytest.approx(precision_score(y, pred), abs=TOL)
            assert m.f1 == pytest.approx(f1_score(y, pred), abs=TOL)
        else:
            assert m.precision is None
            assert m.f1 == pytest.approx(0.0)
        if 0 < pred.sum() < n:
            assert m.mcc == pytest.approx(matthews_corrcoef(y, pred), abs=TOL)
        else:
            assert m.mcc is None  # sklearn reports 0 there; the formula is 0/0


def test_small_curves_are_sklearns_roc_curve_and_pr_points_lie_on_it() -> None:
    y, p = tied_data(60, 3)
    curves = curves_of(ScoreSweep(y, p), y, p, version=1)
    fpr, tpr, thr = roc_curve(y, p)
    # Coordinates travel rounded to CURVE_DECIMALS; thresholds exactly.
    np.testing.assert_allclose(curves.roc_fpr, fpr, atol=10.0**-CURVE_DECIMALS)
    np.testing.assert_allclose(curves.roc_tpr, tpr, atol=10.0**-CURVE_DECIMALS)
    assert curves.roc_tau[0] is None
    np.testing.assert_allclose(curves.roc_tau[1:], thr[1:], atol=TOL)
    # Each PR point is the (recall, precision) of "p ≥ its τ".
    for r, prec, tau in zip(curves.pr_recall, curves.pr_precision, curves.pr_tau, strict=True):
        if tau is None:
            assert (r, prec) == (0.0, 1.0)
            continue
        pred = p >= tau
        assert r == pytest.approx(recall_score(y, pred), abs=10.0**-CURVE_DECIMALS)
        assert prec == pytest.approx(precision_score(y, pred), abs=10.0**-CURVE_DECIMALS)


def test_decimation_keeps_the_ends_and_drops_only_points_within_a_cell() -> None:
    rng = np.random.default_rng(4)
    n = 20_000
    y = (rng.random(n) < 0.3).astype(np.float64)
    p = sigmoid(2 * (2 * y - 1) + rng.normal(0, 2, n))
    sweep = ScoreSweep(y, p)
    fpr, tpr, _ = sweep.roc()
    keep = decimate(fpr, tpr)
    assert keep[0] == 0 and keep[-1] == fpr.shape[0] - 1
    # A monotone curve enters at most 2/resolution cells, keeping two points in each.
    assert keep.shape[0] < fpr.shape[0] and keep.shape[0] <= 4 / CURVE_RESOLUTION + 2
    # Every dropped point shares its grid cell with the last kept point before it.
    last = np.maximum.accumulate(
        np.where(np.isin(np.arange(fpr.shape[0]), keep), np.arange(fpr.shape[0]), 0)
    )
    cell = lambda v: np.floor(v / CURVE_RESOLUTION)  # noqa: E731
    assert np.array_equal(cell(fpr[last]), cell(fpr)) and np.array_equal(cell(tpr[last]), cell(tpr))
    curves = curves_of(sweep, y, p, version=1)
    assert len(curves.roc_fpr) == keep.shape[0]
    assert len(curves.pr_recall) < 4000
    # The drawn area stays within the grid's error of the exact AUC.
    drawn = float(np.trapezoid(curves.roc_tpr, curves.roc_fpr))
    assert drawn == pytest.approx(roc_auc_score(y, p), abs=2 * CURVE_RESOLUTION)


def test_histograms_count_each_class_per_bin() -> None:
    y, p = tied_data(200, 5)
    curves = curves_of(ScoreSweep(y, p), y, p, version=1)
    edges = np.linspace(0, 1, HIST_BINS + 1)
    assert curves.hist_negative == np.histogram(p[y == 0], bins=edges)[0].tolist()
    assert curves.hist_positive == np.histogram(p[y == 1], bins=edges)[0].tolist()
    assert sum(curves.hist_negative) == curves.n_negative == int(np.sum(y == 0))


# ----------------------------------------------------------------- best thresholds


def test_best_f1_youden_and_min_cost_are_the_best_over_all_thresholds() -> None:
    y, p = tied_data(150, 6, 0.35)
    sweep = ScoreSweep(y, p)
    curves = curves_of(sweep, y, p, version=1)
    cuts = np.concatenate([np.unique(p), [1.01]])
    f1s = [f1_score(y, p >= t, zero_division=0.0) for t in cuts]
    assert curves.best_f1 is not None
    assert curves.best_f1.value == pytest.approx(max(f1s), abs=TOL)
    assert f1_score(y, p >= curves.best_f1.tau) == pytest.approx(max(f1s), abs=TOL)
    fpr, tpr, _ = roc_curve(y, p)
    assert curves.youden is not None
    assert curves.youden.value == pytest.approx(float(np.max(tpr - fpr)), abs=TOL)
    pred = p >= curves.youden.tau
    j = recall_score(y, pred) - (1 - recall_score(y, pred, pos_label=0))
    assert j == pytest.approx(curves.youden.value, abs=TOL)

    tracker = RocTracker()
    payload = tracker.payload((1, 0.0, 0.0, 0.0), y, p, 0.5, cost_fp=1.0, cost_fn=4.0)
    costs = [np.sum((y == 0) & (p >= t)) + 4.0 * np.sum((y == 1) & (p < t)) for t in cuts]
    best = payload.min_cost
    assert best is not None and best.value == pytest.approx(min(costs), abs=TOL)
    assert 0.0 <= best.tau <= 1.0
    assert "Lowest total cost" in payload.cost_text


def test_iso_cost_line_passes_the_min_cost_point_and_no_roc_point_beats_it() -> None:
    y, p = tied_data(150, 7, 0.35)
    tracker = RocTracker()
    payload = tracker.payload((1, 0.0, 0.0, 0.0), y, p, 0.5, cost_fp=2.0, cost_fn=1.0)
    best, seg = payload.min_cost, payload.iso_cost
    assert best is not None and seg is not None and best.fpr is not None and best.tpr is not None
    slope = 2.0 * np.sum(y == 0) / np.sum(y == 1)
    assert (seg.y2 - seg.y1) / (seg.x2 - seg.x1) == pytest.approx(slope, rel=1e-9)
    line = lambda x: seg.y1 + slope * (x - seg.x1)  # noqa: E731
    assert line(best.fpr) == pytest.approx(best.tpr, abs=1e-9)
    fpr, tpr, _ = roc_curve(y, p)
    assert np.all(tpr <= line(fpr) + 1e-9)
    for v in (seg.x1, seg.y1, seg.x2, seg.y2):
        assert 0.0 <= v <= 1.0


def test_iso_cost_line_edge_cases() -> None:
    assert iso_cost_line(0.3, 0.6, math.nan) is None
    vertical = iso_cost_line(0.3, 0.6, math.inf)
    assert vertical is not None and vertical.x1 == vertical.x2 == 0.3
    flat = iso_cost_line(0.3, 0.6, 0.0)
    assert flat is not None and (flat.x1, flat.y1, flat.x2, flat.y2) == (0.0, 0.6, 1.0, 0.6)


# ----------------------------------------------------------------- grades


def test_grades_use_skill_above_each_scores_own_chance_level() -> None:
    assert [grade(s) for s in (0.95, 0.7, 0.5, 0.1, 0.0, -0.2, math.nan)] == [
        "excellent", "good", "fair", "weak", "chance", "reversed", "undefined",
    ]  # fmt: skip
    assert auc_score(0.95).grade == "excellent" and auc_score(0.9449).grade == "good"
    assert auc_score(0.3).grade == "reversed"
    # A high AP is excellent when class 1 is half the data and only fair when it is 5/6.
    assert ap_score(0.95, 0.5).grade == "excellent"
    high_chance = ap_score(0.949, 100 / 120)
    assert high_chance.grade == "fair" and high_chance.chance == pytest.approx(100 / 120)
    assert high_chance.skill == pytest.approx((0.949 - 100 / 120) / (1 - 100 / 120))
    assert ap_score(0.5, 0.5).grade == "chance"
    assert ap_score(math.nan, 0.0).grade == "undefined"
    assert ap_score(1.0, 1.0).grade == "undefined"
    assert "50 %" in auc_score(0.8).text and "83.3 %" in high_chance.text


# ----------------------------------------------------------------- session


def test_only_roc_pages_get_the_analysis_and_it_matches_the_sessions_points() -> None:
    lab = LabSession()
    assert frame_of(lab.handle(Hello())).roc is None
    s = LabSession()
    f = frame_of(s.handle(Hello(page="roc")))
    assert f.roc is not None and f.roc.curves is not None
    p = sigmoid(s.X @ s.coef[:2] + s.coef[2])
    assert f.roc.curves.roc_auc.value == pytest.approx(roc_auc_score(s.y, p), abs=TOL)
    c = f.roc.at_tau.confusion
    assert (c.tn, c.fp, c.fn, c.tp) == (
        f.metrics.confusion.tn,
        f.metrics.confusion.fp,
        f.metrics.confusion.fn,
        f.metrics.confusion.tp,
    )
    assert f.roc.at_tau.f1 == pytest.approx(f.metrics.f1, abs=TOL)


def _roc_tracker(s: LabSession) -> RocTracker:
    """The session's ROC view's tracker (the view that caches the sweep)."""
    return next(v.tracker for v in s.views if isinstance(v, RocView))


def test_tau_drag_reuses_the_sweep_and_sends_curves_only_on_change() -> None:
    s = LabSession()
    first = frame_of(s.handle(Hello(page="roc"))).roc
    assert first is not None and first.curves is not None
    sweep = _roc_tracker(s)._analysis.sweep  # type: ignore[union-attr]
    f = frame_of(s.handle(SetView(tau=0.3)))
    assert f.roc is not None and f.roc.curves is None and f.roc.at_tau.tau == 0.3
    assert _roc_tracker(s)._analysis.sweep is sweep  # type: ignore[union-attr]
    pred = sigmoid(s.X @ s.coef[:2] + s.coef[2]) >= 0.3
    assert f.roc.at_tau.recall == pytest.approx(recall_score(s.y, pred), abs=TOL)
    f = frame_of(s.handle(SetModel(w1=0.5)))
    assert f.roc is not None and f.roc.curves is not None
    assert f.roc.curves.version > first.curves.version
    f = frame_of(s.handle(Hello(page="roc", state=s.state)))
    assert f.roc is not None and f.roc.curves is not None  # a new hello gets everything


def test_costs_live_in_the_state_and_both_zero_is_explained() -> None:
    s = LabSession()
    s.handle(Hello(page="roc"))
    f = frame_of(s.handle(SetView(cost_fp=1.0, cost_fn=5.0)))
    assert f.state.view.cost_fn == 5.0
    low = f.roc.min_cost  # type: ignore[union-attr]
    f = frame_of(s.handle(SetView(cost_fp=5.0, cost_fn=1.0)))
    high = f.roc.min_cost  # type: ignore[union-attr]
    assert low is not None and high is not None and low.tau < high.tau
    f = frame_of(s.handle(SetView(cost_fp=0.0, cost_fn=0.0)))
    assert f.roc is not None and f.roc.min_cost is None and f.roc.iso_cost is None
    assert "Both costs are 0" in f.roc.cost_text
    again = LabSession(LabState(view=ViewSpec(cost_fp=2.0, cost_fn=3.0)))
    assert again.state.view.cost_fp == 2.0 and again.state.view.cost_fn == 3.0
    with pytest.raises(ValueError, match="cost_fn"):
        SetView(cost_fn=-1.0)


def test_anti_classifier_scenario_is_graded_reversed() -> None:
    s = LabSession()
    s.handle(Hello(page="roc"))
    f = frame_of(s.handle(RunScenario(name="anti-classifier")))
    assert f.roc is not None and f.roc.curves is not None
    auc = f.roc.curves.roc_auc
    assert auc.value is not None and auc.value < 0.5 and auc.grade == "reversed"
    p = sigmoid(s.X @ s.coef[:2] + s.coef[2])
    assert auc.value == pytest.approx(roc_auc_score(s.y, p), abs=TOL)
    assert f.roc.curves.average_precision.value == pytest.approx(
        average_precision_score(s.y, p), abs=TOL
    )


def test_no_points_and_one_class_give_none_not_nan_in_json() -> None:
    s = LabSession()
    s.handle(Hello(page="roc"))
    # Delete every class-0 point: one class left.
    for index in sorted(np.flatnonzero(s.y == 0), reverse=True):
        s.handle(EditPoints(edit={"op": "delete", "index": int(index)}))  # type: ignore[arg-type]
    f = frame_of(s.handle(SetView(tau=0.4)))
    assert f.roc is not None
    text = s.handle_json(json.dumps({"type": "set_view", "tau": 0.45}))
    assert "NaN" not in text and "Infinity" not in text
    roc = json.loads(text)["roc"]
    assert roc["curves"] is None or roc["curves"]["roc_auc"]["value"] is None
    text = s.handle_json(json.dumps({"type": "edit", "edit": {"op": "clear"}}))
    roc = json.loads(text)["roc"]
    assert roc["curves"]["roc_auc"]["grade"] == "undefined"
    assert roc["at_tau"]["accuracy"] is None and roc["min_cost"] is None


# ----------------------------------------------------------------- page


def test_roc_page_is_served_with_its_text() -> None:
    client = TestClient(create_app())
    r = client.get("/roc")
    assert r.status_code == 200 and "slot:" not in r.text
    for slot in roc_content.SLOTS.values():
        assert slot in r.text
    for needle in (
        'data-stat="roc-auc"',
        'data-stat="average-precision"',
        'data-scenario="anti-classifier"',
        'data-cell="tp"',
        "<math",
    ):
        assert needle in r.text


def test_moving_b_moves_the_operating_point_but_not_the_curves() -> None:
    """What the "The area ignores b" card promises."""
    s = LabSession()
    s.handle(Hello(page="roc"))
    f = frame_of(s.handle(RunScenario(name="roc-overlap")))
    assert f.roc is not None and f.roc.curves is not None
    auc, ap = f.roc.curves.roc_auc.value, f.roc.curves.average_precision.value
    points = set()
    for b in (-3.0, 3.0):
        f = frame_of(s.handle(SetModel(b=b)))
        assert f.roc is not None and f.roc.curves is not None
        assert f.roc.curves.roc_auc.value == pytest.approx(auc, abs=TOL)
        assert f.roc.curves.average_precision.value == pytest.approx(ap, abs=TOL)
        points.add((f.roc.at_tau.fpr, f.roc.at_tau.recall))
    assert len(points) == 2


def test_ap_skill_words_never_cross_a_grade_cut_off() -> None:
    from logitlab.lab.roc import average_precision_score

    # Skill just under 0.7 must read below 70 % and grade "fair", not "70 %" and "fair".
    prevalence = 100 / 120
    value = prevalence + 0.6996 * (1 - prevalence)
    score = average_precision_score(value, prevalence)
    assert score.grade == "fair"
    assert "69.9 %" in score.text
    below = average_precision_score(prevalence - 0.38 * (1 - prevalence), prevalence)
    assert "below chance, by 38.0 %" in below.text
    assert "-" not in below.text.split(";")[-1]
