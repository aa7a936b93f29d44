"""Retention cohorts on DuckDB equal a plain-Python count over the same events."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.retention import Retention
from fieldnote.analytics.trends import Interval
from tests.analytics.reference import Ev, reference_retention
from tests.analytics.test_funnels import PERSON_OF
from tests.analytics.test_trends import STEPS, _range, _source, events_st


@settings(max_examples=80, deadline=None)
@given(
    events=events_st,
    start=st.sampled_from([None, *STEPS]),
    back=st.sampled_from([None, *STEPS]),
    interval=st.sampled_from(list(Interval)),
    periods=st.integers(1, 5),
)
def test_cohort_table_equals_plain_sets(
    events: list[Ev],
    start: FunnelStep | None,
    back: FunnelStep | None,
    interval: Interval,
    periods: int,
) -> None:
    result = Retention(
        start=start, returning=back, interval=interval, periods=periods, dates=_range(21)
    ).compute(_source(events))
    cohorts = [c.period for c in result.cohorts]
    want = reference_retention(events, start, back, cohorts, interval.days, periods, PERSON_OF)
    got = {c.period: [c.size, *(cell.count for cell in c.cells)] for c in result.cohorts}
    assert got == want
    for cohort in result.cohorts:
        for cell in cohort.cells:
            assert cell.rate == (cell.count / cohort.size if cohort.size else None)
