"""Trends on DuckDB equal plain-Python counts over the same random events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics.funnels import Breakdown, Funnel, FunnelStep
from fieldnote.analytics.trends import (
    ActivationTrend,
    ChurnTrend,
    EventTrend,
    Interval,
    StickinessTrend,
)
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import (
    US,
    Ev,
    reference_churn,
    reference_event_series,
    reference_funnel,
    reference_stickiness,
)
from tests.analytics.test_funnels import PERSON_OF

START = datetime(2026, 2, 2, tzinfo=UTC)  # a Monday
HOUR = 3600 * US
NAMES = ["signup", "activated", "$pageview"]

events_st = st.lists(
    st.builds(
        lambda d, name, hours, props: Ev(
            f"d{d}", name, int(START.timestamp()) * US + hours * HOUR, props
        ),
        st.integers(0, 6),
        st.sampled_from(NAMES),
        st.integers(-24 * 10, 24 * 40),  # from 10 days before the range to 40 days into it
        st.fixed_dictionaries(
            {},
            optional={
                "amount": st.sampled_from([1, 2.5, "4", "x", 10]),
                "plan": st.sampled_from(["free", "pro"]),
            },
        ),
    ),
    max_size=40,
)
STEPS = [FunnelStep.parse(s) for s in ["signup", "$pageview where plan=pro", "activated"]]


def _source(events: list[Ev]) -> DuckDBSource:
    return DuckDBSource(store_like_duckdb(events, PERSON_OF), EventTables(project="p"))


def _range(days: int) -> DateRange:
    return DateRange(start=START, end=START + timedelta(days=days))


@settings(max_examples=60, deadline=None)
@given(
    events=events_st,
    step=st.sampled_from(STEPS),
    measure=st.sampled_from(["count", "users", "sum:amount"]),
    interval=st.sampled_from(list(Interval)),
)
def test_event_series_equal_plain_counts(
    events: list[Ev], step: FunnelStep, measure: str, interval: Interval
) -> None:
    trend = EventTrend(step=step, measure=measure, interval=interval, dates=_range(28))
    (series,) = trend.compute(_source(events)).series
    periods = [p.period for p in series.points]
    assert periods[0] == START.date() and len(periods) == 28 // interval.days
    want = reference_event_series(events, step, measure, periods, interval.days, PERSON_OF)
    assert [p.value for p in series.points] == want


@settings(max_examples=60, deadline=None)
@given(events=events_st, step=st.sampled_from([None, *STEPS]))
def test_stickiness_counts_users_active_in_trailing_windows(
    events: list[Ev], step: FunnelStep | None
) -> None:
    result = StickinessTrend(event=step, dates=_range(21)).compute(_source(events))
    got = {s.name: [p.count for p in s.points] for s in result.series}
    days = [p.period for p in result.series[0].points]
    want = reference_stickiness(events, step, days, PERSON_OF)
    for name in ("dau", "wau", "mau"):
        assert got[name] == want[name], name
    ratio = {p.period: p for p in next(s for s in result.series if s.name == "dau/mau").points}
    for day, dau, mau in zip(days, want["dau"], want["mau"], strict=True):
        assert ratio[day].value == (dau / mau if mau else None)


@settings(max_examples=60, deadline=None)
@given(
    events=events_st, step=st.sampled_from([None, *STEPS]), interval=st.sampled_from(list(Interval))
)
def test_churn_is_the_share_of_active_users_not_back_next_period(
    events: list[Ev], step: FunnelStep | None, interval: Interval
) -> None:
    (series,) = (
        ChurnTrend(event=step, interval=interval, dates=_range(28)).compute(_source(events)).series
    )
    periods = [p.period for p in series.points]
    want = reference_churn(events, step, periods, interval.days, PERSON_OF)
    assert [(p.count, p.base) for p in series.points] == want


@settings(max_examples=40, deadline=None)
@given(events=events_st, within=st.integers(1, 10), interval=st.sampled_from(list(Interval)))
def test_activation_is_the_two_step_funnel_per_start_period(
    events: list[Ev], within: int, interval: Interval
) -> None:
    trend = ActivationTrend(
        start=FunnelStep.parse("signup"),
        target=FunnelStep.parse("activated"),
        within=timedelta(days=within),
        interval=interval,
        dates=_range(28),
    )
    (series,) = trend.compute(_source(events)).series
    funnel = Funnel(
        steps=(trend.start, trend.target),
        window=trend.within,
        breakdown=Breakdown.parse(f"time.{interval.value}"),
        dates=_range(28),
    )
    want = reference_funnel(funnel, events, person_of=PERSON_OF)
    for p in series.points:
        group = want.get((False, p.period.isoformat()))
        entered, reached = group.counts if group else (0, 0)
        assert (p.count, p.base) == (reached, entered), p.period
        assert p.value == (reached / entered if entered else None)
    assert isinstance(series.points[0].period, date)


def test_users_are_persons_not_distinct_ids() -> None:
    """d0 (anonymous) and d1 (after login) are one person: one user, two events."""
    t = int(START.timestamp()) * US
    events = [Ev("d0", "signup", t + HOUR, {}), Ev("d1", "signup", t + 2 * HOUR, {})]
    source = _source(events)
    for measure, want in (("users", 1.0), ("count", 2.0)):
        trend = EventTrend(step=STEPS[0], measure=measure, dates=_range(1))
        assert [p.value for p in trend.compute(source).series[0].points] == [want]
