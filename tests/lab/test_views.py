"""The view registry: every frame field has one view, and costly views are skipped."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pytest

from logitlab.lab.protocol import (
    Frame,
    Hello,
    Inspect,
    LoadPreset,
    PageName,
    SetFeatures,
    SetView,
    ShowCode,
    ShowRegPath,
    Train,
)
from logitlab.lab.session import LabSession
from logitlab.lab.views import VIEWS, FrameInputs, LabView

SESSION_FIELDS = {
    "type",
    "seq",
    "state",
    "steps",
    "start_auto",
    "scenario",
    "n_classes",
    "can_undo",
}
"""Frame fields the session fills itself (the command's answer, not a view)."""


def test_every_frame_field_has_exactly_one_view() -> None:
    fields = [cls.field for cls in VIEWS]
    assert len(fields) == len(set(fields))
    assert set(fields) == set(Frame.model_fields) - SESSION_FIELDS


def test_frames_validate_against_the_protocol() -> None:
    for page in ("lab", "roc"):
        s = LabSession()
        f = s.handle(Hello(page=page))
        assert isinstance(f, Frame)
        again = Frame.model_validate_json(f.model_dump_json())
        assert again == Frame.model_validate(f.model_dump())
        assert (f.roc is not None) == (page == "roc")


class _Counting(LabView[int]):
    """A costly view: recomputed only when τ changes."""

    field = "penalty_note"
    calls = 0

    def key(self, inputs: FrameInputs) -> Hashable:
        return inputs.experiment.view_spec.tau

    def compute(self, inputs: FrameInputs) -> int:
        type(self).calls += 1
        return type(self).calls


@pytest.mark.parametrize("incremental", [False, True])
def test_a_view_is_computed_only_when_its_key_changes(incremental: bool) -> None:
    s = LabSession()
    view: Any = type("V", (_Counting,), {"incremental": incremental, "calls": 0})()
    s.views = [v for v in s.views if v.field != "penalty_note"] + [view]
    first = s.handle(Hello())
    assert isinstance(first, Frame) and first.penalty_note == 1
    again = s.handle(Train(steps=2))
    assert isinstance(again, Frame)
    assert again.penalty_note == (None if incremental else 1)  # not recomputed
    moved = s.handle(SetView(tau=0.3))
    assert isinstance(moved, Frame) and moved.penalty_note == 2
    full = s.handle(Hello())
    assert isinstance(full, Frame) and full.penalty_note == 3  # a full frame recomputes all


def test_fit_most_keeps_one_outlier_from_squeezing_the_data() -> None:
    from logitlab.lab.protocol import AddPoint, EditPoints

    s = LabSession()
    s.handle(Hello())
    f = s.handle(EditPoints(edit=AddPoint(x=900.0, y=-850.0, cls=0)))
    assert isinstance(f, Frame) and f.view.xmax >= 900.0  # every point: a huge window
    f = s.handle(SetView(fit="most"))
    assert isinstance(f, Frame)
    assert (f.view.xmin, f.view.xmax) == (-5.0, 5.0)  # the blobs' own [-5, 5]²
    assert f.field is not None  # the field is redrawn for the new window
    assert f.state.view.fit == "most" and LabSession(f.state).state.view.fit == "most"


def test_the_step_counter_stops_where_json_is_still_exact() -> None:
    from logitlab.lab.session import STEP_LIMIT

    s = LabSession()
    s.handle(Hello(steps=2**53 - 2))
    f = s.handle(Train(steps=5))
    assert isinstance(f, Frame) and f.steps == STEP_LIMIT == 2**53 - 1
    assert Frame.model_validate_json(f.model_dump_json()).steps == STEP_LIMIT


def test_one_class_is_called_what_it_is_not_a_separating_line() -> None:
    from logitlab.lab.protocol import AddPoint as Add
    from logitlab.lab.protocol import ClearPoints, EditPoints, SetTraining

    s = LabSession()
    s.handle(EditPoints(edit=ClearPoints()))
    for k in range(6):
        s.handle(EditPoints(edit=Add(x=k - 2.5, y=0.5 * k, cls=1)))
    s.handle(SetTraining(optimizer="newton"))
    f = s.handle(Train(steps=40))
    assert isinstance(f, Frame) and f.divergence.state == "separable"
    assert "All the points are in one class" in f.divergence.message


def test_tiny_loss_values_stay_numbers_in_the_curve() -> None:
    import numpy as np

    from logitlab.lab.views.loss_curve import significant

    values = np.array([1e-303, 5e-324, 2.5e-300, 1.23456789e-10, 0.0, 3.0])
    rounded = significant(values)
    assert np.all(np.isfinite(rounded))
    np.testing.assert_allclose(rounded, values, rtol=1e-6, atol=0.0)


@pytest.mark.parametrize("view_class", VIEWS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("page", ["lab", "roc"])
def test_every_view_at_three_classes(view_class: type[LabView[Any]], page: PageName) -> None:
    """Issue 14, part 3: each view computes at K = 3 (degree 2, a split, a selection and
    every overlay on); a two-class-only view answers None instead."""
    session = LabSession()
    session.handle(LoadPreset(preset="spiral", n_classes=3))
    for command in (
        SetFeatures(degree=2, standardize=True, test_share=0.3),
        Train(steps=3),
        Inspect(index=4, show_influence=True, show_band=True),
        ShowCode(flavor="sklearn"),
        ShowRegPath(),
    ):
        assert session.handle(command).type == "frame"
    view = view_class()
    payload = view.payload(FrameInputs(session.experiment, page, 600))
    if view_class.two_class_only:
        assert payload is None
    elif view_class.field in {"multiclass", "metrics", "field", "contours", "model_math"}:
        assert payload is not None
