"""The Lab's regularization path view and "Fit exactly" (issue 15, parts 4 and 5).

References: an independent cold exact fit at every λ of the path (core's
``solve``, whose L1 inner solver is coordinate descent, not the path's
feature-sign search), and scikit-learn for the L2 path.
"""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from logitlab.core.objective import Objective
from logitlab.core.solvers import solve
from logitlab.lab.protocol import (
    AddPoint,
    ClearPoints,
    DataSpec,
    EditPoints,
    ErrorFrame,
    FitExact,
    Frame,
    Hello,
    LabState,
    LoadPreset,
    RegPathPayload,
    SetTraining,
    ShowRegPath,
    Train,
    TrainingSpec,
)
from logitlab.lab.session import LabSession
from logitlab.lab.training import lab_penalty
from logitlab.lab.views import regpath as regpath_view


def frame_of(reply: object) -> Frame:
    assert isinstance(reply, Frame), reply
    return reply


def session(preset: str = "blobs", **training: object) -> tuple[LabSession, Frame]:
    state = LabState(data=DataSpec(preset=preset, seed=2), training=TrainingSpec(**training))  # type: ignore[arg-type]
    lab = LabSession()
    frame_of(lab.handle(Hello(state=state)))
    return lab, frame_of(lab.handle(ShowRegPath()))  # the page shows the panel


def path_of(frame: Frame) -> RegPathPayload:
    assert frame.regpath is not None
    return frame.regpath


@pytest.mark.parametrize(
    ("preset", "training"),
    [
        ("blobs", {"penalty": "l2", "lam": 0.05}),
        ("near-perfect", {"penalty": "l1", "lam": 0.01}),
        ("overlap", {"penalty": "elasticnet", "lam": 0.1, "l1_ratio": 0.3}),
    ],
)
def test_path_equals_independent_exact_fits_at_each_lambda(preset: str, training: dict) -> None:  # type: ignore[type-arg]
    lab, frame = session(preset, **training)
    path = path_of(frame)
    assert len(path.lams) == regpath_view.N_LAMS and np.all(np.diff(path.lams) > 0)
    assert path.names == ["w₀", "w₁", "b"]
    X, y = lab.X, lab.y
    for lam, coef, nonzero in zip(path.lams, path.coefs, path.n_nonzero, strict=True):
        spec = TrainingSpec(**{**training, "lam": lam})  # type: ignore[arg-type]
        ref = solve(Objective(X, y, penalty=lab_penalty(spec)), tol=1e-12).coef
        assert np.max(np.abs(np.array(coef) - ref)) <= 1e-6 * np.max(np.abs(ref))
        assert nonzero == np.count_nonzero(np.array(coef)[:2])
    # The current λ's marker sits on the exact optimum there, where Fit exactly jumps.
    spec = TrainingSpec(**training)  # type: ignore[arg-type]
    ref = solve(Objective(X, y, penalty=lab_penalty(spec)), tol=1e-12).coef
    assert path.lam == training["lam"]
    np.testing.assert_allclose(path.current, ref, rtol=1e-7, atol=1e-9)
    fitted = frame_of(lab.handle(FitExact()))
    assert fitted.exact_fit
    np.testing.assert_allclose(lab.coef, path.current, rtol=1e-8, atol=1e-10)


def test_l2_path_matches_sklearn_at_the_largest_and_smallest_lambda() -> None:
    lab, frame = session("overlap", penalty="l2", lam=0.1)
    path = path_of(frame)
    n = lab.X.shape[0]
    for k in (0, -1):
        model = LogisticRegression(
            C=1 / (2 * path.lams[k] * n), solver="newton-cholesky", tol=1e-12
        )
        model.fit(lab.X, lab.y)
        ref = np.append(model.coef_.ravel(), model.intercept_)
        assert np.max(np.abs(np.array(path.coefs[k]) - ref)) <= 1e-6 * np.max(np.abs(ref))


def test_l1_weights_reach_exactly_zero_and_stay_there() -> None:
    _, frame = session("overlap", penalty="l1", lam=0.05)
    path = path_of(frame)
    weights = np.array(path.coefs)[:, :2]
    assert path.n_nonzero[-1] == 0 and np.all(weights[-1] == 0.0)  # at λ_max all weights 0
    assert path.n_nonzero[0] == 2
    for col in weights.T:
        zero = col == 0.0
        first = int(np.argmax(zero))  # from the first exact 0 (growing λ) on, 0 for good
        assert zero.any() and zero[first:].all()
    assert path.current_nonzero is not None
    assert f"{path.current_nonzero} of 2 weights non-zero" in path.text


def test_path_is_computed_once_per_data_or_penalty_change(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = regpath_view.lab_lams_and_path

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(regpath_view, "lab_lams_and_path", counting)
    lab, frame = session("blobs", penalty="l2", lam=0.05)
    assert frame.regpath is not None and len(calls) == 1
    assert frame_of(lab.handle(Train(steps=5))).regpath is None  # unchanged: not resent
    moved = path_of(frame_of(lab.handle(SetTraining(lam=0.2))))
    assert moved.lam == 0.2 and len(calls) == 1  # λ moves the marker only
    assert frame_of(lab.handle(Train(steps=1))).regpath is None
    frame_of(lab.handle(SetTraining(penalty="l1")))
    assert len(calls) == 2
    frame_of(lab.handle(EditPoints(edit=AddPoint(x=1.0, y=1.0, cls=0))))
    assert len(calls) == 3


def test_nothing_is_computed_until_the_page_shows_the_panel(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("the path was computed")

    monkeypatch.setattr(regpath_view, "lab_lams_and_path", fail)
    lab = LabSession()
    first = path_of(frame_of(lab.handle(Hello())))
    assert not first.computed and first.lams == [] and "on screen" in first.message
    frame_of(lab.handle(SetTraining(penalty="l1", lam=0.1)))  # still nothing to compute


def test_many_points_use_every_kth_point_and_say_so() -> None:
    lab, _ = session("overlap", penalty="l2", lam=0.1)
    n = 2 * regpath_view.MAX_PATH_POINTS + 1
    frame = frame_of(lab.handle(LoadPreset(preset="overlap", n_points=n)))
    path = path_of(frame)
    assert "every 3rd point (6,667 of 20,001)" in path.text
    X, y = lab.X[::3], lab.y[::3]
    spec = TrainingSpec(penalty="l2", lam=path.lams[4])
    ref = solve(Objective(X, y, penalty=lab_penalty(spec)), tol=1e-12).coef
    assert np.max(np.abs(np.array(path.coefs[4]) - ref)) <= 1e-6 * np.max(np.abs(ref))


def test_no_penalty_shows_the_l2_path_and_no_points_a_message() -> None:
    lab, frame = session("blobs")
    path = path_of(frame)
    assert path.family == "l2" and path.lam is None and path.current is None
    assert "switch to L2" in path.text
    empty = path_of(frame_of(lab.handle(EditPoints(edit=ClearPoints()))))
    assert empty.lams == [] and "Add points" in empty.message


def test_fit_exactly_sets_the_optimum_and_the_steps_stat_says_so() -> None:
    lab, _ = session("overlap", penalty="l2", lam=0.02)
    lab.handle(Train(steps=7))
    frame = frame_of(lab.handle(FitExact()))
    assert frame.exact_fit and frame.steps == 7  # the count stays; the stat reads "exact fit"
    obj = lab.experiment.objective()
    assert obj.optimality(lab.coef) <= 1e-9
    assert frame.true_weights.w0 == lab.coef[0]
    assert not frame_of(lab.handle(Train(steps=1))).exact_fit  # a step leaves the optimum
    assert frame_of(lab.handle(FitExact())).exact_fit
    assert not frame_of(lab.handle(SetTraining(lam=0.5))).exact_fit  # another objective


@pytest.mark.parametrize(
    ("preset", "edit", "needle"),
    [
        ("near-perfect", None, "a line separates the classes"),
        ("blobs", ClearPoints(), "no points"),
    ],
)
def test_fit_exactly_without_a_finite_optimum_says_why_and_keeps_the_weights(
    preset: str, edit: ClearPoints | None, needle: str
) -> None:
    lab, _ = session(preset)
    if edit is not None:
        lab.handle(EditPoints(edit=edit))
    lab.handle(Train(steps=3))
    before, steps = lab.coef, lab.steps
    reply = lab.handle(FitExact(seq=9))
    assert isinstance(reply, ErrorFrame) and reply.seq == 9 and needle in reply.message
    np.testing.assert_array_equal(lab.coef, before)
    assert lab.steps == steps


def test_fit_exactly_with_one_class_says_the_intercept_grows() -> None:
    lab, _ = session("blobs", penalty="l2", lam=0.1)
    lab.handle(EditPoints(edit=ClearPoints()))
    sent = [frame_of(lab.handle(EditPoints(edit=AddPoint(x=x, y=x, cls=1)))) for x in (0, 1, 2)]
    assert "one class" in path_of(sent[0]).message
    assert sent[2].regpath is None  # the same message is not sent again
    reply = lab.handle(FitExact())
    assert isinstance(reply, ErrorFrame) and "one class" in reply.message
