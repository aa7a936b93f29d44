"""``explain`` reads the metric's events once (``_narrow``): funnels over the narrowed
source must equal funnels over the source itself, for any events, steps, breakdowns
(event, person, time) and periods."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics.explain._narrow import narrowed
from fieldnote.analytics.funnels import Funnel, FunnelOrder, FunnelStep, compute_funnel
from tests.analytics._data import T0_US, store_like_duckdb
from tests.analytics.reference import US, Ev
from tests.analytics.test_funnels import PERSON_OF, PLANS, events_st, funnels_st


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events=events_st, funnel=funnels_st, shift=st.integers(0, 30))
def test_funnels_on_the_narrowed_source_equal_the_source(
    events: list[Ev], funnel: Funnel, shift: int
) -> None:
    con = store_like_duckdb(events, PERSON_OF, PLANS)
    source = DuckDBSource(con, EventTables(project="p"))
    first = funnel.dates
    second = (
        DateRange()
        if first.start is None or first.end is None
        else DateRange(first.start + timedelta(seconds=shift), first.end + timedelta(seconds=shift))
    )
    with narrowed(source, funnel, (first, second)) as events_once:
        if funnel.order is FunnelOrder.STRICT:
            assert events_once is source  # strict funnels need every event: untouched
        for dates in (first, second):
            f = replace(funnel, dates=dates)
            assert compute_funnel(events_once, f) == compute_funnel(source, f)
    tables = con.execute("SHOW ALL TABLES").fetchall()
    assert not any("fieldnote_explain" in str(t) for t in tables)  # unregistered again


def test_a_chain_may_finish_after_the_period_within_the_window() -> None:
    """The narrowed events reach past the last period's end by the window."""
    t0 = datetime.fromtimestamp(T0_US / US, UTC)
    events = [Ev("d5", "signup", T0_US + 5 * US, {}), Ev("d5", "activated", T0_US + 12 * US, {})]
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    funnel = Funnel(
        steps=(FunnelStep(event="signup"), FunnelStep(event="activated")),
        window=timedelta(seconds=20),
        dates=DateRange(t0, t0 + timedelta(seconds=10)),
    )
    with narrowed(source, funnel, (funnel.dates,)) as events_once:
        assert [s.count for s in compute_funnel(events_once, funnel).steps] == [1, 1]
