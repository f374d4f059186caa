from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitlab.lab.points import CommandError, PointStore
from logitlab.lab.protocol import AddPoint, ClearPoints, DeletePoint, Edit, MovePoint

coords = st.floats(-10, 10, allow_nan=False)
edits = st.one_of(
    st.builds(AddPoint, x=coords, y=coords, cls=st.sampled_from([0, 1])),
    st.builds(MovePoint, index=st.integers(0, 12), x=coords, y=coords),
    st.builds(DeletePoint, index=st.integers(0, 12)),
    st.just(ClearPoints()),
)


def as_list(store: PointStore) -> list[tuple[float, float, float]]:
    return [(float(x), float(y), float(c)) for (x, y), c in zip(store.X, store.y, strict=True)]


@settings(max_examples=60, deadline=None)
@given(st.lists(edits, max_size=25))
def test_edits_match_a_list_model_and_undo_walks_back(sequence: list[Edit]) -> None:
    start = [(float(i), -float(i), float(i % 2)) for i in range(6)]
    xy = np.array([p[:2] for p in start])
    store = PointStore(xy, np.array([p[2] for p in start]))
    model = list(start)
    history = [list(model)]
    applied = 0
    for edit in sequence:
        versions = store.version
        if isinstance(edit, (MovePoint, DeletePoint)) and edit.index >= len(model):
            with pytest.raises(CommandError, match=r"cannot (move|delete) point"):
                store.apply(edit)
            assert as_list(store) == model and store.version == versions
            continue
        store.apply(edit)
        applied += 1
        if isinstance(edit, AddPoint):
            model.append((edit.x, edit.y, float(edit.cls)))
        elif isinstance(edit, MovePoint):
            model[edit.index] = (edit.x, edit.y, model[edit.index][2])
        elif isinstance(edit, DeletePoint):
            del model[edit.index]
        else:
            model = []
        assert as_list(store) == model and store.version > versions
        history.append(list(model))
    for k in range(applied):
        store.undo()
        assert as_list(store) == history[applied - k - 1]


def test_buffer_grows_past_its_first_capacity() -> None:
    store = PointStore(np.zeros((0, 2)), np.zeros(0))
    for i in range(100):
        store.apply(AddPoint(x=i, y=0.0, cls=1))
    assert store.n == 100 and store.X[99, 0] == 99.0


def test_payload_is_float32_pairs_and_uint8_classes() -> None:
    import base64

    store = PointStore(np.array([[1.5, -2.0], [0.25, 3.0]]), np.array([0.0, 1.0]))
    p = store.payload()
    assert p.n == 2
    np.testing.assert_array_equal(
        np.frombuffer(base64.b64decode(p.xy), "<f4"), [1.5, -2.0, 0.25, 3.0]
    )
    assert base64.b64decode(p.cls) == b"\x00\x01"
