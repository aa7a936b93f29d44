"""Trend-point and retention-cell segments hold exactly the persons a plain-Python
reading of the definitions picks, and their sizes equal the numbers the trend and the
retention table show for that point or cell."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics.funnels import Funnel, FunnelStep
from fieldnote.analytics.queries import TrendQuery, trend_point_segment
from fieldnote.analytics.retention import Retention
from fieldnote.analytics.segments import (
    SEGMENT_KINDS,
    RetentionCellSegment,
    SegmentDefinition,
    TrendPointSegment,
    members,
    segment_from_dict,
)
from fieldnote.analytics.trends import EventTrend, Interval, TrendOptions
from tests.analytics.reference import Ev, matches_step, period_of
from tests.analytics.test_funnels import PERSON_OF
from tests.analytics.test_segments import person_id
from tests.analytics.test_trends import START, STEPS, _range, _source, events_st

PERIODS = [START.date() + timedelta(days=d) for d in range(0, 28)]


def _who(e: Ev) -> str:
    return person_id(PERSON_OF.get(e.distinct_id, e.distinct_id))


def _ids_of(person: str, events: list[Ev]) -> list[str]:
    mapped = sorted(d for d, p in PERSON_OF.items() if p == person)
    return mapped or sorted({e.distinct_id for e in events if _who(e) == person})


def ref_trend_point(events: list[Ev], step: FunnelStep, days: int, period: date) -> set[str]:
    return {_who(e) for e in events if matches_step(e, step) and period_of(e.ts, days) == period}


def ref_retention_cell(events: list[Ev], cell: RetentionCellSegment) -> set[str]:
    days = cell.interval.days
    first: dict[str, int] = {}
    for e in events:
        if cell.start is None or matches_step(e, cell.start):
            first[_who(e)] = min(first.get(_who(e), e.ts), e.ts)
    cohort = {p for p, ts in first.items() if period_of(ts, days) == cell.cohort}
    if cell.offset is None:
        return cohort
    when = cell.cohort + timedelta(days=days * cell.offset)
    back = {
        _who(e)
        for e in events
        if (cell.returning is None or matches_step(e, cell.returning))
        and period_of(e.ts, days) == when
    }
    return cohort & back if cell.returned else cohort - back


def _period(interval: Interval, day: date) -> date:
    return interval.start_of(day)


@settings(max_examples=60, deadline=None)
@given(
    events=events_st,
    step=st.sampled_from(STEPS),
    interval=st.sampled_from(list(Interval)),
    day=st.sampled_from(PERIODS),
)
def test_trend_point_members_are_who_did_the_event_then(
    events: list[Ev], step: FunnelStep, interval: Interval, day: date
) -> None:
    period = _period(interval, day)
    definition = TrendPointSegment(step=step, interval=interval, period=period)
    source = _source(events)
    found = members(source, definition, limit=1000)
    want = ref_trend_point(events, step, interval.days, period)
    assert found.size == len(want)
    assert {m.person_id for m in found.members} == want
    for m in found.members:
        assert list(m.distinct_ids) == _ids_of(m.person_id, events)
        assert m.furthest_step is None
    # the trend of unique users shows the same number at that point
    users = EventTrend(step=step, measure="users", interval=interval, dates=_range(28))
    (series,) = users.compute(source).series
    point = {p.period: p.value for p in series.points}[period]
    assert point == found.size
    assert members(source, definition, limit=1).size == found.size


@settings(max_examples=80, deadline=None)
@given(
    events=events_st,
    start=st.sampled_from([None, *STEPS]),
    back=st.sampled_from([None, *STEPS]),
    interval=st.sampled_from(list(Interval)),
    day=st.sampled_from(PERIODS[:21]),
    offset=st.sampled_from([None, 1, 2, 3]),
    returned=st.booleans(),
)
def test_retention_cell_members_equal_the_reference_and_the_table(
    events: list[Ev],
    start: FunnelStep | None,
    back: FunnelStep | None,
    interval: Interval,
    day: date,
    offset: int | None,
    returned: bool,
) -> None:
    cohort = _period(interval, day)
    cell = RetentionCellSegment(
        start=start,
        returning=back,
        interval=interval,
        cohort=cohort,
        offset=offset,
        returned=returned or offset is None,
    )
    source = _source(events)
    found = members(source, cell, limit=1000)
    want = ref_retention_cell(events, cell)
    assert found.size == len(want)
    assert {m.person_id for m in found.members} == want
    for m in found.members:
        assert list(m.distinct_ids) == _ids_of(m.person_id, events)
    table = Retention(
        start=start, returning=back, interval=interval, periods=3, dates=_range(21)
    ).compute(source)
    row = {c.period: c for c in table.cohorts}[cohort]
    if offset is None:
        assert found.size == row.size
    elif cell.returned:
        assert found.size == row.cells[offset - 1].count
    else:
        assert found.size == row.size - row.cells[offset - 1].count


def test_definitions_round_trip_through_the_registry() -> None:
    point = TrendPointSegment(
        step=FunnelStep.parse("signup where plan=pro"),
        interval=Interval.WEEK,
        period=date(2026, 2, 2),
    )
    cell = RetentionCellSegment(
        start=None,
        returning=STEPS[2],
        interval=Interval.DAY,
        cohort=date(2026, 2, 3),
        offset=2,
        returned=False,
    )
    funnel = SegmentDefinition(funnel=Funnel.parse(["signup", "activated"]), step=1, dropped=True)
    for definition in (point, cell, funnel):
        assert segment_from_dict(definition.to_dict()) == definition
    assert set(SEGMENT_KINDS) == {"funnel", "trend-point", "retention-cell"}
    # funnel definitions stored before kinds existed carry no "kind" key
    assert "kind" not in funnel.to_dict()
    assert point.describe() == "did signup where plan=pro in the week of 2026-02-02"
    assert cell.describe() == (
        "were first seen on 2026-02-03 and did not do activated 2 days later (2026-02-05)"
    )


def test_bad_definitions_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="unknown segment kind 'cohort'"):
        segment_from_dict({"kind": "cohort"})
    with pytest.raises(ValueError, match=r"starts on a Monday .* 2026-02-02"):
        TrendPointSegment(step=STEPS[0], interval=Interval.WEEK, period=date(2026, 2, 4))
    with pytest.raises(ValueError, match="needs --offset"):
        RetentionCellSegment(
            start=None,
            returning=None,
            interval=Interval.DAY,
            cohort=date(2026, 2, 4),
            returned=False,
        )
    with pytest.raises(ValueError, match="offset 0"):
        RetentionCellSegment(
            start=None, returning=None, interval=Interval.DAY, cohort=date(2026, 2, 4), offset=0
        )


def test_members_of_several_ids_list_them_all() -> None:
    # d0 and d1 are one person: both ids are listed, and the person counts once
    events = [
        Ev("d0", "signup", int(START.timestamp()) * 1_000_000),
        Ev("d1", "signup", int(START.timestamp()) * 1_000_000 + 5),
        Ev("d5", "signup", int(START.timestamp()) * 1_000_000 + 9),
    ]
    found = members(
        _source(events),
        TrendPointSegment(step=STEPS[0], interval=Interval.DAY, period=START.date()),
    )
    by_person = defaultdict(list)
    for m in found.members:
        by_person[m.person_id] = list(m.distinct_ids)
    assert found.size == 2
    assert sorted(by_person.values()) == [["d0", "d1"], ["d5"]]


@settings(max_examples=40, deadline=None)
@given(
    events=events_st,
    metric=st.sampled_from(["conversion", "activation"]),
    interval=st.sampled_from(list(Interval)),
    within=st.sampled_from(["1d", "3d"]),
)
def test_rate_points_open_exactly_their_numerator(
    events: list[Ev], metric: str, interval: Interval, within: str
) -> None:
    """A conversion or activation point's "who" is the funnel segment over its period,
    and it holds exactly the point's converted users."""
    query = TrendQuery(
        metric=metric,
        options=TrendOptions(
            steps=("signup", "$pageview where plan=pro"),
            window=within,
            start="signup",
            target="activated",
            within=within,
            interval=interval.value,
            date_from="2026-02-02",
            date_to="2026-03-01",
        ),
    )
    source = _source(events)
    (series,) = query.trend().compute(source).series
    for point in series.points:
        definition = trend_point_segment(query, point.period.isoformat())
        assert members(source, definition, limit=0).size == point.count, point.period
