"""Change decomposition: exact shift-share arithmetic, and the planted causes found."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics.explain import Counts, decompose, explain, rate_metric
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import US, Ev

counts_st = st.dictionaries(
    st.sampled_from(["ads", "organic", "referral", None]),
    st.integers(0, 200).flatmap(lambda n: st.builds(Counts, st.just(n), st.integers(0, n))),
    max_size=4,
)


def reference_kitagawa(
    before: dict[str | None, Counts], after: dict[str | None, Counts]
) -> dict[str | None, tuple[float, float]]:
    """Textbook formula, written out per segment (one-period segments: all mix), the mix
    term centred on the mean overall rate."""
    n0 = sum(c.n for c in before.values())
    n1 = sum(c.n for c in after.values())
    centre = 0.0
    if n0 and n1:
        centre = (
            sum(c.x for c in before.values()) / n0 + sum(c.x for c in after.values()) / n1
        ) / 2
    out = {}
    for v in set(before) | set(after):
        b, a = before.get(v, Counts(0, 0)), after.get(v, Counts(0, 0))
        r0 = b.x / b.n if b.n else None
        r1 = a.x / a.n if a.n else None
        r0, r1 = (r0 if r0 is not None else r1 or 0.0), (r1 if r1 is not None else r0 or 0.0)
        w0, w1 = (b.n / n0 if n0 else 0.0), (a.n / n1 if n1 else 0.0)
        out[v] = ((w1 - w0) * ((r0 + r1) / 2 - centre), (r1 - r0) * (w0 + w1) / 2)
    return out


@settings(max_examples=300, deadline=None)
@given(before=counts_st, after=counts_st)
def test_mix_and_rate_sum_exactly_to_the_change(
    before: dict[str | None, Counts], after: dict[str | None, Counts]
) -> None:
    result = decompose("channel", before, after)
    want = reference_kitagawa(before, after)
    got = {s.value: (s.mix, s.rate_effect) for s in result.segments}
    assert got.keys() == want.keys()
    for value, (mix, rate) in want.items():
        assert got[value] == (pytest.approx(mix), pytest.approx(rate))
    assert result.mix + result.rate_effect == pytest.approx(result.change, abs=1e-12)
    contributions = [abs(s.contribution) for s in result.segments]
    assert contributions == sorted(contributions, reverse=True)
    if sum(c.n for c in before.values()) and sum(c.n for c in after.values()):
        r0 = sum(c.x for c in before.values()) / sum(c.n for c in before.values())
        r1 = sum(c.x for c in after.values()) / sum(c.n for c in after.values())
        assert result.change == pytest.approx(r1 - r0)


def test_simpsons_paradox_is_flagged() -> None:
    """Both segments improve, yet the overall rate falls: users moved to the weak one."""
    before = {"a": Counts(100, 80), "b": Counts(100, 20)}
    after = {"a": Counts(20, 17), "b": Counts(180, 45)}
    result = decompose("segment", before, after)
    assert result.simpson
    assert result.change == pytest.approx(0.31 - 0.5)
    assert result.mix < 0 < result.rate_effect
    assert not decompose("segment", before, before).simpson


MONDAY = datetime(2026, 3, 2, tzinfo=UTC)


def _cohort(week: int, channel: str, platform: str, users: int, converted: int) -> list[Ev]:
    """``users`` signups that week; the first ``converted`` activate an hour later."""
    out = []
    for i in range(users):
        who = f"{channel}-{platform}-{week}-{i}"
        at = int((MONDAY + timedelta(weeks=week, minutes=7 * i)).timestamp()) * US
        props = {"channel": channel, "platform": platform}
        out.append(Ev(who, "signup", at, props))
        if i < converted:
            out.append(Ev(who, "activated", at + 3600 * US, props))
    return out


def test_explain_finds_the_mobile_drop_and_the_channel_mix_shift() -> None:
    # before (week 0): channels 50/50, ads converts 30 %, organic 60 %, on both platforms
    # after (week 2): ads grows to 80 % of signups; on iOS conversion falls to a third
    events = [
        *_cohort(0, "ads", "web", 100, 30),
        *_cohort(0, "ads", "ios", 100, 30),
        *_cohort(0, "organic", "web", 100, 60),
        *_cohort(0, "organic", "ios", 100, 60),
        *_cohort(2, "ads", "web", 160, 48),
        *_cohort(2, "ads", "ios", 160, 16),
        *_cohort(2, "organic", "web", 40, 24),
        *_cohort(2, "organic", "ios", 40, 8),
    ]
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    week = timedelta(weeks=1)
    result = explain(
        source,
        rate_metric("activation", {"start": "signup", "target": "activated", "within": "1d"}),
        before=DateRange(MONDAY, MONDAY + week),
        after=DateRange(MONDAY + 2 * week, MONDAY + 3 * week),
        by=["channel", "platform"],
    )
    assert (result.before.entered, result.before.converted) == (400, 180)
    assert (result.after.entered, result.after.converted) == (400, 96)
    assert result.test.p_value is not None and result.test.p_value < 1e-6
    channel, platform = result.dimensions
    assert platform.dimension == "event.platform"
    ios, web = platform.segments
    assert ios.value == "ios" and ios.significant
    assert (ios.rate_before, ios.rate_after) == pytest.approx((0.45, 0.12))
    assert ios.rate_effect == pytest.approx(-0.165) and ios.mix == pytest.approx(0)
    assert abs(web.contribution) < abs(ios.contribution)
    # the channel dimension: a third of the drop is the shift towards ads (mix)
    assert channel.mix == pytest.approx(-0.075)
    assert channel.rate_effect == pytest.approx(-0.135)
    assert channel.mix + channel.rate_effect == pytest.approx(result.test.difference)
    ads = next(s for s in channel.segments if s.value == "ads")
    assert (ads.share_before, ads.share_after) == pytest.approx((0.5, 0.8))
    # ads grew while converting below the average (34.5 %): its mix share lowers the rate
    assert ads.mix == pytest.approx(0.3 * (0.25 - 0.345))
    assert not channel.simpson and not platform.simpson
