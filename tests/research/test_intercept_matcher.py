"""The intercept matcher against a plain reference: every event list, every rule."""

from __future__ import annotations

import itertools
import json
import re
from datetime import UTC, datetime, timedelta

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.events import ARROW_SCHEMA
from fieldnote.research import (
    InterceptMatcher,
    InterceptRule,
    Match,
    Offer,
    PropertyFilter,
    RuleError,
    SeenEvent,
)
from tests.research.intercept_reference import ReferenceMatcher

T0 = datetime(2026, 11, 1, tzinfo=UTC)
OFFER = Offer(title="Talk to us", why="KYC failed", minutes=15, link="https://cal.example/x")


def rule(**kw: object) -> InterceptRule:
    base: dict[str, object] = {"event": "kyc_failed", "offer": OFFER, "id": 1, "project": "p"}
    base.update(kw)
    return InterceptRule(**base)  # type: ignore[arg-type]


def ev(person: str, name: str, minute: float, **props: object) -> SeenEvent:
    return SeenEvent("p", person, name, T0 + timedelta(minutes=minute), props)


def reference(
    events: list[tuple[float, str, bool]], n: int, within: float, unless: str | None
) -> list[float]:
    """Times at which "kyc_failed (ok) ≥ n within `within` minutes, and not `unless`
    since the first of them" fires for one person; a firing starts a new run."""
    fired: list[float] = []
    last_fire = float("-inf")
    for i, (t, name, ok) in enumerate(events):
        if name != "kyc_failed" or not ok:
            continue
        hits = [
            u
            for (u, m, good) in events[: i + 1]
            if m == "kyc_failed" and good and u > last_fire and u > t - within
        ]
        if len(hits) < n:
            continue
        first = hits[-n]
        if unless and any(m == unless and u >= first for (u, m, _g) in events[: i + 1]):
            continue
        fired.append(t)
        last_fire = t
    return fired


@settings(max_examples=200, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.integers(1, 30),
            st.sampled_from(["kyc_failed", "kyc_passed", "other"]),
            st.booleans(),
        ),
        max_size=40,
    ),
    n=st.integers(1, 4),
    within=st.integers(1, 90),
    with_unless=st.booleans(),
)
def test_immediate_rule_matches_the_reference(
    steps: list[tuple[int, str, bool]], n: int, within: int, with_unless: bool
) -> None:
    events: list[tuple[float, str, bool]] = []
    t = 0.0
    for gap, name, ok in steps:
        t += gap
        events.append((t, name, ok))
    unless = "kyc_passed" if with_unless else None
    r = rule(
        min_count=n,
        within=timedelta(minutes=within),
        unless=unless,
        filters=(PropertyFilter("country", "eq", "DE"),),
    )
    m = InterceptMatcher([r])
    got = m.feed(ev("u1", name, t, country="DE" if ok else "FR") for (t, name, ok) in events)
    assert [(g.at - T0) / timedelta(minutes=1) for g in got] == reference(events, n, within, unless)
    assert all(g.distinct_id == "u1" for g in got)


def test_two_failures_within_an_hour_fire_once_and_only_for_that_person() -> None:
    m = InterceptMatcher([rule(min_count=2, within=timedelta(hours=1))])
    assert m.feed([ev("a", "kyc_failed", 0), ev("b", "kyc_failed", 1)]) == []
    got = m.feed([ev("a", "kyc_failed", 30, **{"$session_id": "s1"}), ev("b", "kyc_failed", 90)])
    assert [(g.distinct_id, g.session_id) for g in got] == [("a", "s1")]


def test_not_e2_since_blocks_the_match() -> None:
    m = InterceptMatcher([rule(min_count=2, unless="kyc_passed")])
    got = m.feed([ev("a", "kyc_failed", 0), ev("a", "kyc_passed", 1), ev("a", "kyc_failed", 2)])
    assert got == []
    assert len(m.feed([ev("a", "kyc_failed", 3)])) == 1  # a new run after the pass


def test_delayed_rule_fires_at_the_sweep_unless_the_event_came() -> None:
    r = rule(event="signup", unless="activated", delay=timedelta(days=3))
    m = InterceptMatcher([r])
    assert m.feed([ev("a", "signup", 0), ev("b", "signup", 0), ev("b", "activated", 60)]) == []
    assert m.sweep(T0 + timedelta(days=2)) == []
    due = m.sweep(T0 + timedelta(days=3, minutes=1))
    assert [d.distinct_id for d in due] == ["a"]
    assert m.sweep(T0 + timedelta(days=9)) == []  # fires once


def test_state_is_bounded() -> None:
    m = InterceptMatcher([rule(min_count=3)], max_persons=100)
    m.feed(ev(f"p{i}", "kyc_failed", i / 100) for i in range(5000))
    assert m.tracked == 100
    m.feed([ev("other", "pageview", 1)])
    assert not m.interesting("p", "pageview") and m.interesting("p", "kyc_failed")


def test_rule_definitions_are_validated_with_the_field_named() -> None:
    good = {
        "event": "kyc_failed",
        "min_count": 2,
        "within_seconds": 3600,
        "filters": [{"key": "platform", "op": "in", "value": ["ios", "android"]}],
        "offer": {"title": "Help us", "why": "KYC", "minutes": 10, "questions": ["What happened?"]},
    }
    parsed = InterceptRule.from_dict(good)
    assert InterceptRule.from_dict(parsed.to_dict()) == parsed
    for change, field in [
        ({"event": ""}, "event"),
        ({"min_count": 0}, "min_count"),
        ({"sampling_rate": 2}, "sampling_rate"),
        ({"channel": "sms"}, "channel"),
        ({"filters": [{"key": "x", "op": "regex"}]}, "filters[0].op"),
        ({"offer": {"title": "t", "why": "w", "minutes": 5}}, "offer"),
        ({"delay_seconds": 60, "min_count": 2}, "min_count"),
    ]:
        with pytest.raises(RuleError, match="^" + re.escape(field)):
            InterceptRule.from_dict({**good, **change})


# -- column-wise matching against the per-event reference ---------------------------

VALUES = st.sampled_from([None, 0, 1, 1.0, True, "x", "xy", "y"])


@st.composite
def rule_sets(draw: st.DrawFn) -> list[InterceptRule]:
    rules = []
    for i in range(draw(st.integers(1, 5))):
        delayed = draw(st.booleans())
        filters = tuple(
            PropertyFilter(
                draw(st.sampled_from(["k", "m"])),
                op,
                draw(st.lists(VALUES, max_size=3)) if op == "in" else draw(VALUES),
            )
            for op in draw(st.lists(st.sampled_from(["eq", "neq", "in", "contains"]), max_size=2))
        )
        rules.append(
            rule(
                id=i + 1,
                project=draw(st.sampled_from(["p", "p", "q"])),
                event=draw(st.sampled_from(["a", "b", "c"])),
                unless=draw(st.sampled_from([None, "a", "b", "c"])),
                min_count=1 if delayed else draw(st.integers(1, 4)),
                within=timedelta(minutes=draw(st.integers(1, 60))),
                delay=timedelta(minutes=draw(st.integers(1, 60))) if delayed else None,
                filters=filters,
            )
        )
    return rules


PROPS = st.one_of(
    st.dictionaries(st.sampled_from(["k", "m", "$session_id"]), VALUES, max_size=3),
    st.sampled_from(["not json", "[1, 2]", '"text"']),  # read as no properties
)
EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["p", "p", "p", "q"]),
        st.sampled_from(["u1", "u2", "u3"]),
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 90),  # minutes, in any order
        PROPS,
    ),
    min_size=20,
    max_size=80,
)


def arrow(rows: list[tuple[str, str, str, int, object]]) -> pa.Table:
    return pa.table(
        {
            "uuid": [str(i) for i in range(len(rows))],
            "project": [r[0] for r in rows],
            "distinct_id": [r[1] for r in rows],
            "event": [r[2] for r in rows],
            "timestamp": [T0 + timedelta(minutes=r[3]) for r in rows],
            "properties": [r[4] if isinstance(r[4], str) else json.dumps(r[4]) for r in rows],
        },
        schema=ARROW_SCHEMA,
    )


def seen(rows: list[tuple[str, str, str, int, object]]) -> list[SeenEvent]:
    return [
        SeenEvent(p, who, name, T0 + timedelta(minutes=m), props if isinstance(props, dict) else {})
        for p, who, name, m, props in rows
    ]


def plain(matches: list[Match]) -> list[tuple[int, str, datetime, str | None]]:
    return [(m.rule.id, m.distinct_id, m.at, m.session_id) for m in matches]


@settings(max_examples=500, deadline=None)
@given(
    rules=rule_sets(),
    events=EVENTS,
    cuts=st.lists(st.integers(0, 80), max_size=4),
    sweeps=st.lists(st.integers(0, 200), min_size=5, max_size=5),
    cap=st.sampled_from([2, 5, 200_000]),
    muted_for=st.integers(0, 3),
)
def test_column_wise_matching_equals_the_per_event_reference(
    rules: list[InterceptRule],
    events: list[tuple[str, str, str, int, object]],
    cuts: list[int],
    sweeps: list[int],
    cap: int,
    muted_for: int,
) -> None:
    """Random rules (counts, windows, filters, unless, delayed) over random streams
    (out-of-order times, two projects, bad properties), cut into commits at random,
    with sweeps between them and a cap small enough to evict: the Arrow path and the
    ``SeenEvent`` path give the reference's matches, in its order, with its sessions.
    The event path has person u1 of project p, and all of project q, muted for the
    first ``muted_for`` commits: exactly their matches are missing then, and afterwards everything is as
    in the reference again (muting hides matches, it does not stop the state)."""
    ref = ReferenceMatcher(rules, max_persons=cap)
    by_table = InterceptMatcher(rules, max_persons=cap)
    by_event = InterceptMatcher(rules, max_persons=cap)
    bounds = [0, *sorted(c for c in cuts if c <= len(events)), len(events)]
    for n, (lo, hi) in enumerate(itertools.pairwise(bounds)):
        muted = n < muted_for
        until = datetime.now(UTC) + timedelta(days=1 if muted else -1)
        by_event.mute("p", "u1", until)
        by_event.mute("q", None, until)  # a whole project (its daily cap reached)

        def heard(
            found: list[tuple[int, str, datetime, str | None]], muted: bool = muted
        ) -> list[object]:
            project = {r.id: r.project for r in rules}
            return [
                m
                for m in found
                if not (muted and ((project[m[0]], m[1]) == ("p", "u1") or project[m[0]] == "q"))
            ]

        chunk = events[lo:hi]
        expected = plain(ref.feed(seen(chunk)))
        assert plain(by_table.feed_table(arrow(chunk))) == expected
        assert plain(by_event.feed(seen(chunk))) == heard(expected)
        now = T0 + timedelta(minutes=sweeps[n % len(sweeps)])
        due = plain(ref.sweep(now))
        assert plain(by_table.sweep(now)) == due
        assert plain(by_event.sweep(now)) == heard(due)
        assert by_table.tracked == by_event.tracked == len(ref.states) <= cap
    later = T0 + timedelta(days=1)  # every delayed rule still due fires now
    by_event.mute("p", "u1", datetime.now(UTC) - timedelta(days=1))
    by_event.mute("q", None, datetime.now(UTC) - timedelta(days=1))
    assert plain(by_table.sweep(later)) == plain(by_event.sweep(later)) == plain(ref.sweep(later))


def test_rules_can_change_between_commits_and_keep_their_state() -> None:
    r1, r2 = rule(id=1, min_count=2), rule(id=2, min_count=2, event="other")
    m = InterceptMatcher([r1])
    assert m.feed_table(arrow([("p", "a", "kyc_failed", 0, {})])) == []
    m.set_rules([r1, r2])  # the five-second reload: same rule, same state
    got = m.feed_table(arrow([("p", "a", "kyc_failed", 1, {"$session_id": 7})]))
    assert plain(got) == [(1, "a", T0 + timedelta(minutes=1), "7")]
    m.set_rules([r2])
    assert m.tracked == 0 and m.feed_table(arrow([("p", "a", "kyc_failed", 2, {})])) == []
