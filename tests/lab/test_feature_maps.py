"""Feature maps and the train/test split in the Lab (issue 14, parts 1 and 2).

Numbers are checked against scikit-learn on the same points: coefficients after an
exact fit (PolynomialFeatures + StandardScaler + LogisticRegression with the matching C),
and training / test accuracy and log loss.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import accuracy_score, log_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures as SkPoly
from sklearn.preprocessing import StandardScaler

from logitlab.core.contour import contour_segments
from logitlab.core.datasets import make_preset
from logitlab.core.solvers import solve
from logitlab.lab.experiment import Experiment
from logitlab.lab.protocol import (
    COMMAND_ADAPTER,
    ErrorFrame,
    Frame,
    LabState,
    ModelSpec,
    n_coefficients,
)
from logitlab.lab.session import LabSession
from logitlab.lab.split import start_flags


def handle(session: LabSession, message: dict[str, object]) -> Frame:
    reply = session.handle(COMMAND_ADAPTER.validate_python(message))
    assert isinstance(reply, Frame), reply
    return reply


def state(**parts: dict[str, object]) -> LabState:
    return LabState.model_validate(parts)


# ----------------------------------------------------------------- state


def test_old_states_with_w0_w1_b_still_load() -> None:
    exp = Experiment(state(model={"w0": 0.5, "w1": -2.0, "b": 0.25}))
    assert exp.coef.tolist() == [0.5, -2.0, 0.25]
    assert exp.coef_names() == ("w₀", "w₁", "b")
    spec = exp.model_spec()
    assert (spec.degree, spec.standardize, spec.coef) == (1, False, None)
    # Degree 3 named without coef: x, y from w0, w1, the rest 0, b last.
    exp = Experiment(state(model={"w0": 0.5, "w1": -2.0, "b": 0.25, "degree": 3}))
    assert exp.coef.tolist() == [0.5, -2.0] + [0.0] * 7 + [0.25]
    assert exp.coef_names()[:6] == ("x", "y", "x²", "x·y", "y²", "x³")
    assert exp.coef_names()[-1] == "b"


def test_coef_length_must_match_the_degree() -> None:
    with pytest.raises(ValueError, match="degree 2 has 6 coefficients"):
        ModelSpec.model_validate({"degree": 2, "coef": [1.0, 2.0, 3.0]})
    assert n_coefficients(6) == 28


def test_state_round_trip_keeps_every_coefficient() -> None:
    session = LabSession()
    handle(session, {"type": "hello"})
    handle(session, {"type": "set_features", "degree": 3, "standardize": True, "test_share": 0.3})
    frame = handle(session, {"type": "set_coef", "index": 4, "value": -1.5})
    model = frame.state.model
    assert model.degree == 3 and model.standardize and model.coef is not None
    assert model.coef[4] == -1.5 and len(model.coef) == 10
    again = LabSession(LabState.model_validate_json(frame.state.model_dump_json()))
    np.testing.assert_array_equal(again.coef, session.coef)
    np.testing.assert_array_equal(again.experiment.test_mask(), session.experiment.test_mask())
    bad = {"type": "set_coef", "index": 20, "value": 1}
    error = session.handle(COMMAND_ADAPTER.validate_python(bad))
    assert isinstance(error, ErrorFrame) and "indices 0–9" in error.message


def test_degree_and_standardize_changes_keep_the_model() -> None:
    session = LabSession()
    handle(session, {"type": "hello", "state": {"data": {"preset": "overlap"}}})
    handle(session, {"type": "train", "steps": 50})
    exp = session.experiment
    xy = np.array([[0.3, -1.2], [2.0, 1.0], [-3.0, 0.5]])

    def z() -> np.ndarray:
        return exp.features(xy) @ exp.coef[:-1] + exp.coef[-1]

    before = z()
    handle(session, {"type": "set_features", "degree": 4})
    np.testing.assert_allclose(z(), before, rtol=1e-12)
    handle(session, {"type": "set_features", "standardize": True})
    np.testing.assert_allclose(z(), before, rtol=1e-9)
    handle(session, {"type": "set_features", "standardize": False, "degree": 1})
    np.testing.assert_allclose(z(), before, rtol=1e-9)


# ----------------------------------------------------------------- exact fit vs scikit-learn


@pytest.mark.parametrize(("preset", "degree", "share"), [("circles", 3, 0.3), ("xor", 2, 0.0)])
def test_exact_fit_and_metrics_equal_scikit_learn(preset: str, degree: int, share: float) -> None:
    lam = 0.05
    lab = state(
        data={"preset": preset, "n_points": 150, "test_share": share},
        model={"degree": degree, "standardize": True},
        training={"penalty": "l2", "lam": lam},
    )
    session = LabSession(lab)
    exp = session.experiment
    coef = solve(exp.objective()).coef
    X, y = make_preset(preset, 150, seed=1, shuffle=False)
    test = exp.test_mask()
    assert test.sum() == (round(share * 75) * 2 if share else 0)
    train = ~test
    n_train = int(train.sum())
    # The Lab's λ‖w‖² with the mean loss is scikit-learn's C = 1 / (2 λ N).
    sk = make_pipeline(
        SkPoly(degree, include_bias=False),
        StandardScaler(),
        SkLogisticRegression(C=1.0 / (2 * lam * n_train), tol=1e-12, max_iter=10_000),
    ).fit(X[train], y[train])
    lr = sk[-1]
    np.testing.assert_allclose(coef[:-1], lr.coef_[0], rtol=1e-5, atol=1e-7)
    assert coef[-1] == pytest.approx(lr.intercept_[0], rel=1e-5, abs=1e-7)
    # Put the exact fit into the state (as a shared link would) and read the frame's numbers.
    fitted = lab.model_copy(
        update={"model": ModelSpec(degree=degree, standardize=True, coef=coef.tolist())}
    )
    frame = handle(session, {"type": "import_state", "state": fitted.model_dump()})
    m = frame.metrics
    p_train = sk.predict_proba(X[train])[:, 1]
    assert m.log_loss == pytest.approx(log_loss(y[train], p_train), rel=1e-8)
    assert m.accuracy == pytest.approx(accuracy_score(y[train], p_train >= 0.5))
    if share:
        p_test = sk.predict_proba(X[test])[:, 1]
        assert m.test_log_loss == pytest.approx(log_loss(y[test], p_test), rel=1e-6)
        assert m.test_accuracy == pytest.approx(accuracy_score(y[test], p_test >= 0.5))
        assert m.n_test == int(test.sum())
        assert "N = " + f"{n_train:,}" in frame.penalty_note
    else:
        assert m.test_log_loss is None and m.test_accuracy is None
    assert m.accuracy is not None and m.accuracy >= 0.95  # the map does what the cards say


def test_newton_at_degree_6_stays_stable() -> None:
    for standardize in (True, False):
        session = LabSession()
        lab = {
            "data": {"preset": "overlap", "n_points": 300},
            "model": {"degree": 6, "standardize": standardize},
            "training": {"optimizer": "newton"},
        }
        handle(session, {"type": "hello", "state": lab})
        values = []
        for _ in range(8):
            frame = handle(session, {"type": "train", "steps": 2})
            assert frame.metrics.objective is not None
            values.append(frame.metrics.objective)
        assert session.experiment.halted is None
        assert all(b <= a + 1e-9 for a, b in itertools.pairwise(values))
        assert frame.divergence.state != "diverging"


# ----------------------------------------------------------------- split


def test_split_is_seeded_stratified_and_stable_under_edits() -> None:
    cls = np.array([0.0] * 30 + [1.0] * 10)
    flags = start_flags(cls, 0.5, 7)
    assert flags[:30].sum() == 15 and flags[30:].sum() == 5
    np.testing.assert_array_equal(flags, start_flags(cls, 0.5, 7))
    assert not np.array_equal(flags, start_flags(cls, 0.5, 8))
    assert not start_flags(cls, 0.0, 7).any()

    session = LabSession()
    handle(session, {"type": "hello", "state": {"data": {"n_points": 40, "test_share": 0.5}}})
    exp = session.experiment
    before = exp.test_mask().copy()
    first_test = int(np.flatnonzero(before)[0])
    handle(session, {"type": "edit", "edit": {"op": "add", "x": 1.0, "y": 1.0, "cls": 1}})
    assert not exp.test_mask()[-1]  # a new point trains
    handle(session, {"type": "edit", "edit": {"op": "move", "index": first_test, "x": 0, "y": 0}})
    assert exp.test_mask()[first_test]  # a moved test point stays a test point
    handle(session, {"type": "edit", "edit": {"op": "delete", "index": 0}})
    np.testing.assert_array_equal(exp.test_mask()[:39], np.delete(before, 0))
    handle(session, {"type": "undo"})
    handle(session, {"type": "undo"})
    handle(session, {"type": "edit", "edit": {"op": "clear"}})
    frame = handle(session, {"type": "undo"})
    np.testing.assert_array_equal(exp.test_mask()[:40], before)
    assert frame.metrics.n_test == 20
    assert exp.evaluation_rows() == "test"
    handle(session, {"type": "set_features", "test_share": 0.0})
    assert exp.evaluation_rows() == "train" and not exp.has_split()


def test_confusion_of_test_points_and_the_test_curve() -> None:
    session = LabSession()
    lab = {"data": {"preset": "overlap", "n_points": 60, "test_share": 0.5}}
    handle(session, {"type": "hello", "state": lab})
    frame = handle(session, {"type": "train", "steps": 30})
    c = frame.metrics.confusion
    assert c.tn + c.fp + c.fn + c.tp == 30
    curve = frame.curve  # sent with the frame that changed it
    assert curve is not None and curve.test is not None
    assert len(curve.test) == len(curve.steps)
    assert curve.test[-1] == pytest.approx(frame.metrics.test_log_loss)
    assert all(v is not None and math.isfinite(v) for v in curve.test)
    frame = handle(session, {"type": "set_view", "confusion_of": "test"})
    exp = session.experiment
    test = exp.rows("test")
    z = exp.design()[test] @ exp.coef[:-1] + exp.coef[-1]
    y = exp.points.y[test]
    c = frame.metrics.confusion
    assert (c.tp, c.fp) == (int(np.sum((z >= 0) & (y == 1))), int(np.sum((z >= 0) & (y == 0))))
    assert c.tn + c.fp + c.fn + c.tp == 30


def test_roc_page_works_at_any_degree() -> None:
    session = LabSession()
    lab = {"data": {"preset": "circles"}, "model": {"degree": 2, "standardize": True}}
    handle(session, {"type": "hello", "state": lab, "page": "roc"})
    frame = handle(session, {"type": "train", "steps": 100})
    assert frame.roc is not None
    handle(session, {"type": "set_coef", "index": 2, "value": 3.0})
    frame = handle(session, {"type": "set_coef", "index": 4, "value": 3.0})
    assert frame.roc is not None and frame.roc.curves is not None  # the model changed


# ----------------------------------------------------------------- the boundary's curves


def test_contours_trace_every_piece() -> None:
    n = 129
    xs = np.linspace(-5, 5, n)
    ys = np.linspace(5, -5, n)  # row 0 at the top
    gx, gy = np.meshgrid(xs, ys)
    segs = contour_segments(gx**2 + gy**2, 4.0, (-5, 5), (5, -5))
    radius = np.hypot(segs[:, [0, 2]], segs[:, [1, 3]])
    np.testing.assert_allclose(radius, 2.0, atol=0.01)
    assert np.ptp(np.arctan2(segs[:, 1], segs[:, 0])) > 6.2  # all the way round
    # x·y = 1: two branches, one in each of quadrants I and III; none elsewhere.
    segs = contour_segments(gx * gy, 1.0, (-5, 5), (5, -5))
    mid = (segs[:, :2] + segs[:, 2:]) / 2
    assert np.all(mid[:, 0] * mid[:, 1] > 0)
    assert (mid[:, 0] > 0).any() and (mid[:, 0] < 0).any()
    np.testing.assert_allclose(mid[:, 0] * mid[:, 1], 1.0, atol=0.05)
    assert contour_segments(gx, 9.0, (-5, 5), (5, -5)).shape == (0, 4)


def test_frames_carry_curves_above_degree_1_and_lines_at_it() -> None:
    session = LabSession()
    frame = handle(session, {"type": "hello"})
    assert frame.boundary is not None and frame.contours is None
    assert frame.coefficients is not None and frame.coefficients.names == ["w₀", "w₁", "b"]
    frame = handle(session, {"type": "set_features", "degree": 2})
    assert frame.boundary is None and frame.contours is not None
    assert frame.contours.half is None
    frame = handle(session, {"type": "set_view", "tau": 0.8})
    assert frame.contours is not None and frame.contours.half is not None
    assert frame.coefficients is not None
    assert frame.coefficients.names == ["x", "y", "x²", "x·y", "y²", "b"]
    assert "x²" in frame.model_math or "<msup><mi>x</mi><mn>2</mn></msup>" in frame.model_math


# ----------------------------------------------------------------- the overfitting card


def test_overfit_card_numbers() -> None:
    """The numbers the "Overfit on purpose" card quotes."""
    session = LabSession()
    handle(session, {"type": "hello"})
    frame = handle(session, {"type": "scenario", "name": "overfit-on-purpose"})
    assert frame.start_auto and frame.metrics.n_points == 40 and frame.metrics.n_test == 20
    seen = {}
    done = 0
    for steps in (10, 100, 300):
        frame = handle(session, {"type": "train", "steps": steps - done})
        done = steps
        m = frame.metrics
        seen[steps] = (m.accuracy, m.test_accuracy, m.test_log_loss)
    assert seen[10][:2] == (0.85, 0.85) and round(seen[10][2], 2) == 0.46
    assert seen[100][:2] == (0.95, 0.65) and round(seen[100][2], 1) == 2.1
    assert seen[300][:2] == (1.0, 0.55)
    # L2 with λ = 0.05, trained on to its optimum: scikit-learn's numbers.
    handle(session, {"type": "set_training", "penalty": "l2", "lam": 0.05})
    frame = handle(session, {"type": "train", "steps": 3000})
    exp = session.experiment
    X, y = exp.points.X, exp.points.y
    test = exp.test_mask()
    sk = make_pipeline(
        SkPoly(6, include_bias=False),
        StandardScaler(),
        SkLogisticRegression(C=1.0 / (2 * 0.05 * 20), tol=1e-12, max_iter=10_000),
    ).fit(X[~test], y[~test])
    p_test = sk.predict_proba(X[test])[:, 1]
    m = frame.metrics
    assert m.test_log_loss == pytest.approx(log_loss(y[test], p_test), rel=1e-3)
    assert round(log_loss(y[test], p_test), 2) == 0.49
    assert m.accuracy == 0.85 and m.test_accuracy == 0.85
    assert accuracy_score(y[test], p_test >= 0.5) == 0.85


def test_field_above_degree_1_is_the_models_probability() -> None:
    import base64

    from logitlab.core.link import sigmoid
    from logitlab.lab.geometry import FIELD_SIZE

    session = LabSession()
    lab = {"data": {"preset": "moons"}, "model": {"degree": 4, "standardize": True}}
    handle(session, {"type": "hello", "state": lab})
    frame = handle(session, {"type": "train", "steps": 20})
    assert frame.field is not None
    got = np.frombuffer(base64.b64decode(frame.field.data), dtype=np.uint8)
    v, n = frame.view, FIELD_SIZE
    xs = v.xmin + (np.arange(n) + 0.5) * (v.xmax - v.xmin) / n
    ys = v.ymax - (np.arange(n) + 0.5) * (v.ymax - v.ymin) / n
    xy = np.column_stack([np.tile(xs, n), np.repeat(ys, n)])
    exp = session.experiment
    p = sigmoid(exp.features(xy) @ exp.coef[:-1] + exp.coef[-1])
    assert np.max(np.abs(got.astype(float) - np.rint(255 * p))) <= 1
