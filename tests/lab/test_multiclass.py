"""More than two classes in the Lab (issue 14, part 3).

Numbers are checked against scikit-learn on the same points: coefficients after an exact
fit, training / test accuracy and log loss, the K × K confusion matrix, per-class and
macro F1, and the one-vs-rest macro AUC.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import PolynomialFeatures as SkPoly
from sklearn.preprocessing import StandardScaler

from logitlab.core.datasets import PRESETS, make_preset
from logitlab.core.multiclass_metrics import confusion_matrix as lab_confusion
from logitlab.core.multiclass_metrics import one_vs_rest_roc, per_class_scores
from logitlab.lab.protocol import COMMAND_ADAPTER, ErrorFrame, Frame, LabState
from logitlab.lab.session import LabSession


def handle(session: LabSession, message: dict[str, object]) -> Frame:
    reply = session.handle(COMMAND_ADAPTER.validate_python(message))
    assert isinstance(reply, Frame), reply
    return reply


def error(session: LabSession, message: dict[str, object]) -> str:
    reply = session.handle(COMMAND_ADAPTER.validate_python(message))
    assert isinstance(reply, ErrorFrame), reply
    return reply.message


# ----------------------------------------------------------------- data and state


def test_two_classes_keep_every_preset_exactly() -> None:
    for name in PRESETS:
        a = make_preset(name, 120, seed=3, shuffle=False)
        b = make_preset(name, 120, seed=3, shuffle=False, n_classes=2)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])


@pytest.mark.parametrize("name", ["blobs", "overlap", "spiral"])
@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_multiclass_presets_draw_k_equal_classes(name: str, k: int) -> None:
    X, y = make_preset(name, 120, seed=1, n_classes=k)
    assert X.shape == (120, 2)
    counts = np.bincount(y, minlength=k)
    assert counts.size == k and counts.max() - counts.min() <= 1
    assert np.all(np.abs(X) < 5.5)


def test_two_class_presets_refuse_more_classes() -> None:
    with pytest.raises(ValueError, match=r"two classes.*blobs, overlap, spiral"):
        make_preset("xor", n_classes=3)
    with pytest.raises(ValueError, match="two classes"):
        LabState.model_validate({"data": {"preset": "moons", "n_classes": 3}})
    session = LabSession()
    msg = error(session, {"type": "load_preset", "preset": "circles", "n_classes": 4})
    assert "circles has two classes" in msg


def test_old_states_load_as_two_classes_and_k_round_trips() -> None:
    assert LabState.model_validate({"data": {"preset": "blobs"}}).data.n_classes == 2
    session = LabSession()
    handle(session, {"type": "load_preset", "preset": "spiral", "n_classes": 4})
    handle(session, {"type": "set_features", "degree": 2})
    handle(session, {"type": "train", "steps": 5})
    state = session.state
    assert state.data.n_classes == 4
    assert state.model.coef is not None and len(state.model.coef) == 4 * 6
    again = LabSession(LabState.model_validate_json(state.model_dump_json()))
    np.testing.assert_array_equal(again.coef, session.coef)
    with pytest.raises(ValueError, match="3 classes at degree 1 need 9"):
        LabState.model_validate({"data": {"n_classes": 3}, "model": {"coef": [0.0] * 12}})


def test_adding_points_cycles_classes_and_checks_them() -> None:
    session = LabSession()
    handle(session, {"type": "load_preset", "preset": "blobs", "n_classes": 3})
    frame = handle(session, {"type": "edit", "edit": {"op": "add", "x": 0, "y": 0, "cls": 2}})
    assert frame.metrics.n_points == 121 and session.y[-1] == 2.0
    msg = error(session, {"type": "edit", "edit": {"op": "add", "x": 0, "y": 0, "cls": 3}})
    assert "3 classes (0 to 2)" in msg
    handle(session, {"type": "set_view", "active_class": 2})
    # A two-class preset brings the active class back into range.
    frame = handle(session, {"type": "load_preset", "preset": "xor"})
    assert frame.n_classes == 2 and frame.state.view.active_class == 1
    assert session.coef.size == 3


# ----------------------------------------------------------------- the model


def test_training_pins_the_shift_and_keeps_the_model() -> None:
    session = LabSession()
    handle(session, {"type": "load_preset", "preset": "overlap", "n_classes": 3})
    # A hand-typed coefficient shifts class 0's row: training first centres the block
    # (the probabilities are unchanged), and every step keeps the class sums at zero.
    handle(session, {"type": "set_coef", "index": 2, "value": 5.0})
    for optimizer in ("gd", "adam", "sgd", "newton"):
        handle(session, {"type": "set_training", "optimizer": optimizer})
        handle(session, {"type": "train", "steps": 7})
        block = session.coef.reshape(3, -1)
        np.testing.assert_allclose(block.sum(axis=0), 0.0, atol=1e-9)


@pytest.mark.parametrize(
    ("preset", "k", "degree", "share"), [("overlap", 3, 1, 0.3), ("spiral", 4, 3, 0.0)]
)
def test_exact_fit_and_metrics_equal_scikit_learn(
    preset: str, k: int, degree: int, share: float
) -> None:
    lam = 0.02
    lab = LabState.model_validate(
        {
            "data": {"preset": preset, "n_points": 160, "n_classes": k, "test_share": share},
            "model": {"degree": degree, "standardize": degree > 1},
            "training": {"penalty": "l2", "lam": lam},
        }
    )
    session = LabSession(lab)
    frame = handle(session, {"type": "fit_exact"})
    coef = session.coef.reshape(k, -1)
    X, y = make_preset(preset, 160, seed=1, shuffle=False, n_classes=k)
    test = session.experiment.test_mask()
    train = ~test
    n_train = int(train.sum())
    steps = [SkPoly(degree, include_bias=False), StandardScaler()] if degree > 1 else []
    sk = make_pipeline(
        *steps, SkLogisticRegression(C=1.0 / (2 * lam * n_train), tol=1e-12, max_iter=20_000)
    ).fit(X[train], y[train])
    lr = sk[-1]
    np.testing.assert_allclose(coef[:, :-1], lr.coef_, rtol=1e-4, atol=1e-6)
    b = lr.intercept_ - lr.intercept_.mean()  # the Lab's intercepts sum to zero
    np.testing.assert_allclose(coef[:, -1], b, rtol=1e-4, atol=1e-6)
    m = frame.metrics
    P = sk.predict_proba(X[train])
    assert m.log_loss == pytest.approx(log_loss(y[train], P), rel=1e-6)
    assert m.accuracy == pytest.approx(accuracy_score(y[train], P.argmax(axis=1)))
    mc = frame.multiclass
    assert mc is not None and mc.n_classes == k
    pred = P.argmax(axis=1)
    assert mc.matrix == confusion_matrix(y[train], pred, labels=list(range(k))).tolist()
    assert sum(map(sum, mc.matrix)) == n_train
    np.testing.assert_allclose(mc.f1, f1_score(y[train], pred, average=None), rtol=1e-12)
    assert mc.macro_f1 == pytest.approx(f1_score(y[train], pred, average="macro"))
    assert mc.macro_precision == pytest.approx(precision_score(y[train], pred, average="macro"))
    assert mc.macro_recall == pytest.approx(recall_score(y[train], pred, average="macro"))
    assert m.f1 == mc.macro_f1
    if share:
        Pt = sk.predict_proba(X[test])
        assert m.test_log_loss == pytest.approx(log_loss(y[test], Pt), rel=1e-6)
        assert m.test_accuracy == pytest.approx(accuracy_score(y[test], Pt.argmax(axis=1)))
        frame = handle(session, {"type": "set_view", "confusion_of": "test"})
        assert frame.multiclass is not None and frame.multiclass.rows == "test"
        want = confusion_matrix(y[test], Pt.argmax(axis=1), labels=list(range(k)))
        assert frame.multiclass.matrix == want.tolist()


def test_one_vs_rest_auc_equals_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 300)
    P = rng.dirichlet(np.ones(4), 300) + 0.3 * np.eye(4)[y]
    P /= P.sum(axis=1, keepdims=True)
    ovr = one_vs_rest_roc(y, P)
    assert ovr.macro_auc == pytest.approx(roc_auc_score(y, P, multi_class="ovr"))
    m = lab_confusion(y, P.argmax(axis=1), 4)
    s = per_class_scores(m)
    assert s.macro_f1 == pytest.approx(f1_score(y, P.argmax(axis=1), average="macro"))
    with pytest.raises(ValueError, match="class indices 0 to 3"):
        lab_confusion([0, 4], [0, 1], 4)


# ----------------------------------------------------------------- views at K = 3

TWO_CLASS_ONLY = (
    "boundary",
    "half_line",
    "calibration",
    "inspector",
    "influence",
    "inference",
    "band",
    "regpath",
    "code",
)


def three_class_session(page: str = "lab") -> LabSession:
    session = LabSession()
    handle(session, {"type": "hello", "state": None, "page": page})
    handle(session, {"type": "load_preset", "preset": "blobs", "n_classes": 3})
    handle(session, {"type": "set_training", "optimizer": "newton", "penalty": "l2", "lam": 0.01})
    handle(session, {"type": "train", "steps": 10})
    return session


def test_every_view_at_three_classes() -> None:
    session = three_class_session()
    # Switch on everything the two-class views could draw: they answer None, never crash.
    handle(session, {"type": "inspect", "index": 3, "show_influence": True, "show_band": True})
    handle(session, {"type": "show_code", "flavor": "sklearn"})
    handle(session, {"type": "show_regpath"})
    handle(session, {"type": "set_view", "tau": 0.3})
    frame = session.frame(full=True)
    Frame.model_validate_json(frame.model_dump_json())  # the frame is valid protocol
    for name in TWO_CLASS_ONLY:
        assert getattr(frame, name) is None, name
    assert frame.n_classes == 3
    assert frame.metrics.accuracy is not None and frame.metrics.accuracy >= 0.9
    assert frame.field is not None and frame.field.classes is not None
    assert frame.contours is not None and frame.contours.half is None and frame.contours.tau
    assert "formula-softmax" in frame.model_math and "msub" in frame.model_math
    assert frame.coefficients is not None
    assert len(frame.coefficients.names) == 9 and frame.coefficients.names[0] == "w₀ (class 0)"
    assert frame.divergence.state == "ok"
    mc = frame.multiclass
    assert mc is not None and len(mc.matrix) == 3 and sum(map(sum, mc.matrix)) == 120
    assert mc.roc is None  # curves only on the ROC page
    probe = session.handle(COMMAND_ADAPTER.validate_python({"type": "probe", "x": 0, "y": 2}))
    assert probe.type == "probe" and probe.probs is not None
    assert sum(probe.probs) == pytest.approx(1.0) and probe.p == max(probe.probs)
    # Fit exactly and the scenario card work at K = 3 too.
    handle(session, {"type": "fit_exact"})
    frame = handle(session, {"type": "scenario", "name": "three-classes"})
    assert frame.n_classes == 3 and frame.start_auto


def test_roc_page_shows_one_vs_rest_curves() -> None:
    session = three_class_session("roc")
    frame = handle(session, {"type": "set_view", "tau": 0.5})
    assert frame.roc is None
    mc = frame.multiclass
    assert mc is not None and mc.roc is not None and len(mc.roc) == 3
    y = session.y.astype(int)
    P = session.experiment.objective().model.probabilities(
        session.coef, session.experiment.design()
    )
    assert mc.macro_auc == pytest.approx(roc_auc_score(y, P, multi_class="ovr"))
    for curve in mc.roc:
        assert curve.fpr[0] == 0.0 and curve.tpr[-1] == 1.0


def test_field_is_the_most_probable_class() -> None:
    import base64

    session = three_class_session()
    frame = session.frame(full=True)
    assert frame.field is not None and frame.field.classes is not None
    size = frame.field.size
    cls = np.frombuffer(base64.b64decode(frame.field.classes), np.uint8).reshape(size, size)
    top = np.frombuffer(base64.b64decode(frame.field.data), np.uint8).reshape(size, size)
    v = frame.view
    r, c = 5, 40
    x = v.xmin + (c + 0.5) * (v.xmax - v.xmin) / size
    yv = v.ymax - (r + 0.5) * (v.ymax - v.ymin) / size
    probe = session.experiment.probe(x, yv)
    assert probe.probs is not None
    assert cls[r, c] == int(np.argmax(probe.probs))
    assert abs(int(top[r, c]) - round(255 * max(probe.probs))) <= 1
    assert set(np.unique(cls)) == {0, 1, 2}


# ----------------------------------------------------------------- issue 14's other gaps


def test_feature_changes_are_undone_in_order_with_point_edits() -> None:
    session = LabSession()
    handle(session, {"type": "load_preset", "preset": "xor"})
    frame = handle(session, {"type": "train", "steps": 3})
    assert not frame.can_undo
    start = session.coef
    handle(session, {"type": "set_features", "degree": 3})
    handle(session, {"type": "edit", "edit": {"op": "add", "x": 1, "y": 1, "cls": 0}})
    at_3 = session.coef
    handle(session, {"type": "set_features", "standardize": True, "test_share": 0.3})
    frame = handle(session, {"type": "set_features", "degree": 2})
    assert frame.can_undo and frame.state.model.degree == 2
    frame = handle(session, {"type": "undo"})  # degree 2 -> 3
    assert frame.state.model.degree == 3 and frame.state.model.standardize
    frame = handle(session, {"type": "undo"})  # standardize and test share off again
    assert not frame.state.model.standardize and frame.state.data.test_share == 0.0
    np.testing.assert_array_equal(session.coef, at_3)
    frame = handle(session, {"type": "undo"})  # the added point
    assert frame.metrics.n_points == 120 and frame.state.model.degree == 3
    frame = handle(session, {"type": "undo"})  # degree 3 -> 1, the weights as they were
    assert frame.state.model.degree == 1 and not frame.can_undo
    np.testing.assert_array_equal(session.coef, start)
    assert "feature changes" in error(session, {"type": "undo"})


def test_the_banner_says_curve_above_degree_1() -> None:
    session = LabSession()
    handle(session, {"type": "load_preset", "preset": "circles", "noise": 0.2})
    handle(session, {"type": "set_features", "degree": 2, "standardize": True})
    handle(session, {"type": "set_training", "optimizer": "newton"})
    frame = handle(session, {"type": "train", "steps": 60})
    assert frame.divergence.state == "separable"
    assert frame.divergence.message.startswith("A curve (the boundary z = 0) separates")
    assert "A line" not in frame.divergence.message


def test_no_points_and_missing_classes_at_three_classes() -> None:
    session = LabSession()
    handle(session, {"type": "load_preset", "preset": "blobs", "n_classes": 3})
    frame = handle(session, {"type": "edit", "edit": {"op": "clear"}})
    assert frame.metrics.accuracy is None and frame.multiclass is not None
    assert frame.multiclass.matrix == [[0, 0, 0]] * 3
    assert "no points to train on" in error(session, {"type": "train", "steps": 1})
    frame = handle(session, {"type": "edit", "edit": {"op": "add", "x": 0, "y": 0, "cls": 2}})
    assert frame.multiclass is not None and frame.multiclass.matrix[2] == [1, 0, 0]
    handle(session, {"type": "train", "steps": 5})
    handle(session, {"type": "set_training", "penalty": "l2", "lam": 0.1})
    assert "classes 0, 1 have no training points" in error(session, {"type": "fit_exact"})


def test_an_active_class_the_session_lacks_is_refused() -> None:
    """Found by the K-class fuzz: set_view took class 2 with two classes, and the state broke."""
    lab = LabSession()
    handle(lab, {"type": "hello"})
    message = error(lab, {"type": "set_view", "active_class": 2})
    assert "the active class is 2 but there are 2 classes (0 to 1)" in message
    assert lab.state.view.active_class == 1
    handle(lab, {"type": "load_preset", "preset": "blobs", "n_classes": 3})
    assert handle(lab, {"type": "set_view", "active_class": 2}).state.view.active_class == 2
