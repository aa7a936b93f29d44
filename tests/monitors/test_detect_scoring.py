"""The window scoring and our NAB-style scorer, against plain references."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.monitors import alarm_indices
from fieldnote.monitors._evaluation import (
    nab_normalized,
    nab_score,
    probation_length,
    scaled_sigmoid,
    window_counts,
)


def test_scaled_sigmoid_matches_the_published_values() -> None:
    assert math.isclose(scaled_sigmoid(-1.0), 0.98661, abs_tol=1e-5)
    assert math.isclose(scaled_sigmoid(-0.5), 0.84828, abs_tol=1e-5)
    assert scaled_sigmoid(0.0) == 0.0
    assert math.isclose(scaled_sigmoid(1.0), -0.98661, abs_tol=1e-5)
    assert scaled_sigmoid(3.0) == -1.0


def test_perfect_null_and_one_false_positive() -> None:
    windows = [(400, 449), (700, 749)]
    perfect = nab_score([400, 700], windows, 1000)
    assert math.isclose(nab_normalized(perfect), 100.0)
    assert nab_normalized(nab_score([], windows, 1000)) == 0.0
    # a false positive before any window costs the full 0.11
    lone = nab_score([300], windows, 1000)
    assert math.isclose(lone.raw, -2.11)
    # alarms in the probationary period are ignored
    assert probation_length(1000) == 150
    assert nab_score([10], windows, 1000).raw == -2.0


def test_only_the_earliest_alarm_in_a_window_counts() -> None:
    windows = [(400, 449)]
    early = nab_score([400, 440], windows, 1000).raw
    assert math.isclose(early, 1.0)
    late = nab_score([440], windows, 1000).raw
    assert 0 < late < early


def _counts_reference(alarms, windows, points):  # type: ignore[no-untyped-def]
    probation = probation_length(points)
    scored = [w for w in windows if w[0] >= probation]
    found = {w for w in scored for a in alarms if a >= probation and w[0] <= a <= w[1]}
    false = sum(
        1 for a in alarms if a >= probation and not any(lo <= a <= hi for lo, hi in windows)
    )
    return len(scored), len(found), false


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 999), max_size=30), st.lists(st.integers(0, 950), max_size=4))
def test_window_counts_match_reference(alarms: list[int], starts: list[int]) -> None:
    windows = sorted({(s, s + 40) for s in starts})
    c = window_counts(alarms, windows, 1000)
    assert (c.windows, c.found, c.false_alarms) == _counts_reference(alarms, windows, 1000)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.booleans(), max_size=60), st.integers(1, 5))
def test_alarm_indices_match_reference(flags: list[bool], cooldown: int) -> None:
    want, last = [], None
    for i, f in enumerate(flags):
        if f:
            if last is None or i - last > cooldown:
                want.append(i)
            last = i
    assert alarm_indices(np.asarray(flags, dtype=bool), cooldown) == want
