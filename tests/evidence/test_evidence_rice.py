"""RICE scoring: components against plain formulas, reach from a real segment on a
small store, confidence from evidence, ranking and the CSV export."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DuckDBSource, EventTables
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentDefinition, members
from fieldnote.evidence import (
    Component,
    Opportunity,
    compare_groups,
    confidence_from_evidence,
    effort_entered,
    impact_from_theme,
    rank,
    reach_from_segment,
    rice_csv,
)
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import US, Ev

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)

opportunity_st = st.builds(
    Opportunity,
    name=st.text("abcdef ,\"'", min_size=1, max_size=8),
    reach=st.builds(Component, st.floats(0, 1e6), st.just("segment")),
    impact=st.builds(Component, st.floats(0, 3), st.just('theme, "quoted"')),
    confidence=st.builds(Component, st.sampled_from([0.5, 0.8, 1.0]), st.just("n")),
    effort=st.builds(Component, st.floats(0.1, 100), st.just("entered")),
)


@settings(max_examples=100, deadline=None)
@given(items=st.lists(opportunity_st, max_size=8))
def test_scores_ranking_and_csv_match_the_reference(items: list[Opportunity]) -> None:
    want = sorted(
        (
            (o.reach.value * o.impact.value * o.confidence.value / o.effort.value, o.name)
            for o in items
        ),
        key=lambda t: (-t[0], t[1]),
    )
    got = rank(items)
    assert [(o.score, o.name) for o in got] == [(pytest.approx(s), n) for s, n in want]
    rows = list(csv.DictReader(io.StringIO(rice_csv(items))))
    assert [r["name"] for r in rows] == [o.name for o in got]
    assert [int(r["rank"]) for r in rows] == list(range(1, len(items) + 1))
    for row, o in zip(rows, got, strict=True):
        assert float(row["score"]) == pytest.approx(o.score)
        assert row["impact_source"] == o.impact.source


@settings(max_examples=100, deadline=None)
@given(
    participants=st.integers(1, 60),
    data=st.data(),
    intensity=st.floats(0, 1),
)
def test_impact_is_three_times_share_times_intensity(
    participants: int, data: st.DataObject, intensity: float
) -> None:
    citing = data.draw(st.integers(0, participants))
    got = impact_from_theme("data sync", citing, participants, intensity)
    assert got.value == pytest.approx(3 * citing / participants * intensity)
    assert f"{citing} of {participants} participants" in got.source


def test_reach_is_the_segment_size_per_quarter() -> None:
    """10 users hit the integration step in a 30-day range, 4 of them connected: the
    segment "dropped after step 1" has 6 persons, 6 x 91.25 / 30 per quarter."""
    events = []
    for i in range(10):
        at = int((MONDAY + timedelta(days=2 * i)).timestamp()) * US
        events.append(Ev(f"u{i}", "integration_step_viewed", at))
        if i < 4:
            events.append(Ev(f"u{i}", "connect_integration", at + 60 * US))
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    funnel = Funnel.parse(
        ["integration_step_viewed", "connect_integration"],
        window="1d",
        strict=False,
        date_from="2026-03-02",
        date_to="2026-03-31",
    )
    result = members(source, SegmentDefinition(funnel=funnel, step=1, dropped=True))
    reach = reach_from_segment("stuck at integration", result)
    assert reach.value == pytest.approx(6 * 91.25 / 30)
    assert "6 persons in 30 days" in reach.source
    open_range = SegmentDefinition(funnel=Funnel.parse(["integration_step_viewed", "x"]), step=1)
    with pytest.raises(ValueError, match="open date range"):
        reach_from_segment("all", members(source, open_range))


def test_confidence_rises_with_participants_and_behavioural_validation() -> None:
    lower = compare_groups("engagement", [1.0] * 6 + [2.0] * 6, [3.0] * 10 + [4.0] * 10)
    flat = compare_groups("engagement", [1.0, 2.0] * 6, [1.0, 2.0] * 10)
    assert confidence_from_evidence(3, None).value == 0.5
    assert confidence_from_evidence(5, None).value == 0.8
    high = confidence_from_evidence(12, lower)
    assert high.value == 1.0 and "behaviour confirms it" in high.source
    assert confidence_from_evidence(12, flat).value == 0.8
    assert "fewer than 5" in confidence_from_evidence(2, lower).source


def test_bad_components_are_refused() -> None:
    with pytest.raises(ValueError, match="intensity"):
        impact_from_theme("t", 1, 2, 1.5)
    with pytest.raises(ValueError, match="citing"):
        impact_from_theme("t", 3, 2, 0.5)
    with pytest.raises(ValueError, match="person-months"):
        effort_entered(0, "ana")
    assert effort_entered(2, "ana").source == "entered by ana"
