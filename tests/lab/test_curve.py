from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logitlab.lab.curve import LossHistory


def brute_envelope(values: list[float], span: int, width: int) -> tuple[list[int], ...]:
    """Reference: bucket by ``span`` steps, then group buckets for ``width`` columns."""
    buckets = [values[i : i + span] for i in range(0, len(values), span)]
    steps = [min(i + span, len(values)) - 1 for i in range(0, len(values), span)]
    group = max(1, -(-len(buckets) // width))
    out: tuple[list, ...] = ([], [], [], [])
    for g in range(0, len(buckets), group):
        chunk = [v for b in buckets[g : g + group] for v in b]
        out[0].append(steps[min(g + group, len(buckets)) - 1])
        out[1].append(min(chunk))
        out[2].append(max(chunk))
        out[3].append(chunk[-1])
    return out


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=300),
    capacity=st.sampled_from([2, 4, 8, 16]),
    width=st.integers(1, 20),
)
def test_envelope_matches_a_brute_force_reference(
    values: list[float], capacity: int, width: int
) -> None:
    h = LossHistory(capacity)
    for step, v in enumerate(values):
        h.append(step, v)
    assert len(h) <= capacity
    steps, low, high, last = h.envelope(width)
    ref = brute_envelope(values, h.span, width)
    assert steps.tolist() == ref[0]
    np.testing.assert_array_equal(low, ref[1])
    np.testing.assert_array_equal(high, ref[2])
    np.testing.assert_array_equal(last, ref[3])
    assert len(steps) <= width


def test_memory_stays_bounded_over_a_long_run() -> None:
    h = LossHistory(16)
    for step in range(20_000):
        h.append(step, 1.0 / (step + 1))
    assert len(h) <= 16 and h.span >= 20_000 // 16
    steps, low, high, _ = h.envelope(600)
    assert steps[-1] == 19_999 and low.min() == pytest.approx(5e-5) and high.max() == 1.0
    # Merging keeps where the history began, though no column's step says it any more.
    assert h.first_step == 0 and steps[0] > 0


def test_non_finite_values_are_skipped_and_clear_resets() -> None:
    h = LossHistory(8)
    h.append(0, 1.0)
    v = h.version
    h.append(1, float("nan"))
    h.append(2, float("inf"))
    assert len(h) == 1 and h.version == v and h.last_step == 0
    h.clear()
    assert len(h) == 0 and h.last_step is None and h.version > v
    assert h.first_step is None
    h.append(5, 1.0)
    assert h.first_step == 5


@pytest.mark.parametrize("capacity", [0, 1, 3])
def test_capacity_must_be_even_and_at_least_two(capacity: int) -> None:
    with pytest.raises(ValueError, match="even"):
        LossHistory(capacity)
