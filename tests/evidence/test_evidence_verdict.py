"""Release verdicts end to end on a small synthetic event store: a planted channel-mix
shift must come out ``confounded``, a planted rate change ``improved`` / ``worse``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics._stats import ProportionTest
from fieldnote.analytics.explain import Counts, decompose, rate_metric
from fieldnote.analytics.explain._explain import ExplainResult, PeriodRate
from fieldnote.evidence import MIX_SHARE, Verdict, judge, release_verdict
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import US, Ev

RELEASE = datetime(2026, 3, 16, tzinfo=UTC)
WINDOW = timedelta(days=14)
ACTIVATION = rate_metric("activation", {"start": "signup", "target": "activated", "within": "1d"})


def _cohort(after: bool, channel: str, users: int, converted: int) -> list[Ev]:
    """``users`` signups spread over the window; the first ``converted`` activate."""
    start = RELEASE if after else RELEASE - WINDOW
    out = []
    for i in range(users):
        who = f"{channel}-{after}-{i}"
        at = int((start + WINDOW * (i + 0.5) / users).timestamp() * US)
        out.append(Ev(who, "signup", at, {"channel": channel}))
        if i < converted:
            out.append(Ev(who, "activated", at + 3600 * US, {"channel": channel}))
    return out


CONVERSION = rate_metric("conversion", {"steps": ["signup", "activated"], "window": "1d"})


def _verdict(cohorts: list[tuple[bool, str, int, int]]) -> Verdict:
    events = [e for c in cohorts for e in _cohort(*c)]
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    result = release_verdict(source, ACTIVATION, RELEASE, WINDOW, ["channel"])
    assert result.before == DateRange(RELEASE - WINDOW, RELEASE)
    # the same funnel named by its affected steps gives the same verdict
    steps = release_verdict(source, CONVERSION, RELEASE, WINDOW, ["channel"])
    assert steps.verdict is result.verdict
    return result.verdict


def test_lift_from_channel_mix_is_confounded() -> None:
    """ads converts 20 %, organic 60 %, both unchanged; organic grows from 20 % to 80 %
    of signups: the overall rate jumps 28 % → 52 %, and none of it is the product."""
    events = [
        *_cohort(False, "ads", 320, 64),
        *_cohort(False, "organic", 80, 48),
        *_cohort(True, "ads", 80, 16),
        *_cohort(True, "organic", 320, 192),
    ]
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    result = release_verdict(source, ACTIVATION, RELEASE, WINDOW, ["channel"])
    assert result.verdict is Verdict.CONFOUNDED
    assert result.result.test.difference == pytest.approx(0.52 - 0.28)
    (channel,) = result.result.dimensions
    assert channel.mix == pytest.approx(0.24) and channel.rate_effect == pytest.approx(0)
    data = result.to_dict()
    assert data["verdict"] == "confounded" and "mix +24.0 pts" in data["reason"]
    assert data["before"]["users"] == 400 and data["notes"] == []


def test_real_rate_changes_are_improved_or_worse() -> None:
    better = [(False, "ads", 200, 40), (False, "organic", 200, 120)]
    better += [(True, "ads", 200, 70), (True, "organic", 200, 150)]
    assert _verdict(better) is Verdict.IMPROVED
    worse = [(not a, c, n, x) for a, c, n, x in better]
    assert _verdict(worse) is Verdict.WORSE


def test_no_change_is_no_effect_and_small_windows_get_a_note() -> None:
    same = [(a, c, 200, 80) for a in (False, True) for c in ("ads", "organic")]
    assert _verdict(same) is Verdict.NO_EFFECT
    events = [e for a in (False, True) for e in _cohort(a, "ads", 12, 3 + 6 * a)]
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    result = release_verdict(source, ACTIVATION, RELEASE, WINDOW, ["channel"])
    assert len(result.notes) == 2 and "fewer than 30" in result.notes[0]
    with pytest.raises(ValueError, match="at least one dimension"):
        release_verdict(source, ACTIVATION, RELEASE, WINDOW, [])


def reference_verdict(
    before: dict[str | None, Counts], after: dict[str | None, Counts], p: float | None
) -> Verdict:
    """The rules written out plainly from the totals and the per-segment counts."""
    n0, x0 = sum(c.n for c in before.values()), sum(c.x for c in before.values())
    n1, x1 = sum(c.n for c in after.values()), sum(c.x for c in after.values())
    if p is None or p >= 0.05:
        return Verdict.NO_EFFECT
    change = x1 / n1 - x0 / n0
    dim = decompose("channel", before, after)
    moved_that_way = any(
        s.significant and (s.rate_after - s.rate_before) * change > 0
        for s in dim.segments
        if s.rate_before is not None and s.rate_after is not None
    )
    if dim.simpson or (dim.mix / change >= MIX_SHARE and not moved_that_way):
        return Verdict.CONFOUNDED
    return Verdict.IMPROVED if change > 0 else Verdict.WORSE


counts_st = st.dictionaries(
    st.sampled_from(["ads", "organic", "referral"]),
    st.integers(1, 300).flatmap(lambda n: st.builds(Counts, st.just(n), st.integers(0, n))),
    min_size=1,
    max_size=3,
)


@settings(max_examples=200, deadline=None)
@given(before=counts_st, after=counts_st, p=st.one_of(st.none(), st.floats(0, 1)))
def test_judge_matches_the_reference_rules(
    before: dict[str | None, Counts], after: dict[str | None, Counts], p: float | None
) -> None:
    n0, x0 = sum(c.n for c in before.values()), sum(c.x for c in before.values())
    n1, x1 = sum(c.n for c in after.values()), sum(c.x for c in after.values())
    change = x1 / n1 - x0 / n0
    if change == 0 and p is not None and p < 0.05:
        p = 0.5  # a significant test of no change cannot happen
    whole = DateRange(RELEASE - WINDOW, RELEASE)
    result = ExplainResult(
        metric=ACTIVATION,
        before=PeriodRate(whole, n0, x0),
        after=PeriodRate(whole, n1, x1),
        test=ProportionTest(change, None, p),
        dimensions=(decompose("channel", before, after),),
    )
    assert judge(result)[0] is reference_verdict(before, after, p)
