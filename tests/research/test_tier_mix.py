"""A study's tier mix: each person's usage tier from all their ids' events equals a
plain-Python reading of the tier rules, and the proposed mix fills each tier as far
as the people allow, handing unfilled slots to tiers with people to spare."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DuckDBSource, EventTables
from fieldnote.research import DEFAULT_MIX, MIX_TIERS, propose_mix, tier_mix
from fieldnote.research._mix import person_tiers
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import US, Ev

TODAY = date(2026, 3, 31)
PERSON = str(uuid.UUID(int=0xBEEF))
PERSON_OF = {"a1": PERSON, "a2": PERSON}  # one person, two ids


def _person(did: str) -> str:
    if did in PERSON_OF:
        return PERSON_OF[did]
    return str(uuid.UUID(hex=hashlib.md5(f"p\0{did}".encode()).hexdigest()))


def _ts(day_offset: int, hour: int) -> int:
    when = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC) + timedelta(
        days=day_offset, hours=hour
    )
    return int(when.timestamp()) * US


events_st = st.lists(
    st.builds(
        lambda d, days, hour: Ev(d, "$pageview", _ts(days, hour)),
        st.sampled_from(["a1", "a2", "b", "c", "e"]),
        st.integers(-60, 2),  # up to 60 days back, and a little after "today"
        st.integers(0, 23),
    ),
    max_size=60,
)


def ref_tier(events: list[Ev], person: str) -> str | None:
    days = {
        datetime.fromtimestamp(e.ts / US, UTC).date()
        for e in events
        if _person(e.distinct_id) == person
    }
    days = {d for d in days if d <= TODAY}
    if not days:
        return None
    recent = sum(1 for d in days if TODAY - timedelta(days=14) < d)
    if recent >= 7:
        return "daily"
    return "occasional" if TODAY - max(days) < timedelta(days=30) else "churned"


@settings(max_examples=80, deadline=None)
@given(events=events_st)
def test_person_tiers_equal_the_plain_rules(events: list[Ev]) -> None:
    source = DuckDBSource(store_like_duckdb(events, PERSON_OF), EventTables(project="p"))
    people = {_person(d) for d in ["a1", "b", "c", "e"]}
    got = person_tiers(source, people, TODAY)
    want = {p: t for p in people if (t := ref_tier(events, p)) is not None}
    assert got == want


def ref_mix(available: dict[str, int]) -> dict[str, int]:
    """Hand out DEFAULT_MIX's slots one by one: first each tier up to its target,
    then the rest round-robin to tiers with people left."""
    give = dict.fromkeys(MIX_TIERS, 0)
    for tier in MIX_TIERS:
        while give[tier] < DEFAULT_MIX[tier] and give[tier] < available[tier]:
            give[tier] += 1
    left = sum(DEFAULT_MIX.values()) - sum(give.values())
    while left:
        progressed = False
        for tier in MIX_TIERS:
            if left and give[tier] < available[tier]:
                give[tier] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return give


@given(st.fixed_dictionaries({t: st.integers(0, 9) for t in MIX_TIERS}))
def test_proposed_mix_equals_the_reference(available: dict[str, int]) -> None:
    mix = propose_mix(available)
    assert mix == ref_mix(available)
    assert sum(mix.values()) == min(6, sum(available.values()))
    assert all(mix[t] <= available[t] for t in MIX_TIERS)


def test_tier_mix_explains_a_short_segment() -> None:
    events = [Ev("b", "$pageview", _ts(-d, 9)) for d in range(10)]  # daily
    events += [Ev("c", "$pageview", _ts(-45, 9))]  # churned
    source = DuckDBSource(store_like_duckdb(events, PERSON_OF), EventTables(project="p"))
    mix = tier_mix(source, [_person("b"), _person("c")], TODAY)
    assert mix.available == {"daily": 1, "occasional": 0, "churned": 1}
    assert mix.proposed == {"daily": 1, "occasional": 0, "churned": 1}
    assert mix.note == "only 2 people to recruit, below the quota's 5"
    nobody = tier_mix(source, [], TODAY)
    assert nobody.proposed == dict.fromkeys(MIX_TIERS, 0) and "nobody" in (nobody.note or "")
    many = [Ev(f"u{i}", "$pageview", _ts(-d, 9)) for i in range(4) for d in range(8)]
    many += [Ev(f"o{i}", "$pageview", _ts(-3, 9)) for i in range(5)]
    source = DuckDBSource(store_like_duckdb(many, PERSON_OF), EventTables(project="p"))
    ids = [_person(f"u{i}") for i in range(4)] + [_person(f"o{i}") for i in range(5)]
    full = tier_mix(source, ids, TODAY)
    assert full.available == {"daily": 4, "occasional": 5, "churned": 0}
    assert full.proposed == {"daily": 3, "occasional": 3, "churned": 0}
    assert full.note == "too few churned users: their slots go to the other tiers"
