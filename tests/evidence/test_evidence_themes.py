"""Per-person metrics read from a DuckDB store shaped like the event store, and the
theme x behaviour comparison built on them, against a plain Python reference."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.evidence import person_metric, person_values, theme_behaviour, theme_participants
from fieldnote.synthesis import Assignment, Note, Synthesis, Theme
from tests.analytics._data import store_like_duckdb
from tests.analytics.reference import US, Ev

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
FOUR_WEEKS = DateRange(MONDAY, MONDAY + timedelta(weeks=4))


def _at(day: int, hour: int) -> int:
    return int((MONDAY + timedelta(days=day, hours=hour)).timestamp()) * US


# user -> list of (day, hour, event); days outside 0..27 fall outside the range
activity_st = st.dictionaries(
    st.sampled_from([f"u{i}" for i in range(12)]),
    st.lists(
        st.tuples(st.integers(-3, 30), st.integers(0, 23), st.sampled_from(["view", "connect"])),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(activity=activity_st, group=st.sets(st.sampled_from([f"u{i}" for i in range(12)])))
def test_person_values_match_the_reference(
    activity: dict[str, list[tuple[int, int, str]]], group: set[str]
) -> None:
    events = [Ev(u, ev, _at(d, h)) for u, acts in activity.items() for d, h, ev in acts]
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    for name, options in (("engagement", {}), ("conversion", {"event": "connect"})):
        got = person_values(source, person_metric(name, options), FOUR_WEEKS, group, group)
        want = {}
        for u, acts in activity.items():
            inside = [(d, ev) for d, _, ev in acts if 0 <= d < 28]
            if not inside:
                continue
            if name == "engagement":
                want[u] = len({d for d, _ in inside}) / 4
            else:
                want[u] = float(any(ev == "connect" for _, ev in inside))
        assert sorted(got.values.tolist()) == pytest.approx(sorted(want.values()))
        assert sorted(got.values[got.in_group].tolist()) == pytest.approx(
            sorted(v for u, v in want.items() if u in group)
        )
        assert got.matched_ids == frozenset(group & set(want))


def test_anonymous_and_logged_in_ids_count_as_one_person() -> None:
    person = str(uuid.uuid4())
    events = [Ev("anon-1", "view", _at(0, 1)), Ev("alice", "view", _at(1, 1))]
    con = store_like_duckdb(events, person_of={"anon-1": person, "alice": person})
    got = person_values(
        DuckDBSource(con, EventTables(project="p")),
        person_metric("engagement"),
        FOUR_WEEKS,
        {"alice"},
        {"alice"},
    )
    assert got.values.tolist() == [pytest.approx(0.5)] and got.in_group.tolist() == [True]


def test_theme_people_with_lower_engagement_come_out_lower() -> None:
    """Planted: 15 participants who mention sync are active 1 day a week, 25 others 3,
    and 100 non-participants 2; one participant never appears in the store."""
    events = []
    for i in range(140):
        user = f"p{i}" if i < 40 else f"x{i}"
        days_per_week = 1 if i < 15 else 3 if i < 40 else 2
        for week in range(4):
            for d in range(days_per_week):
                events.append(Ev(user, "view", _at(7 * week + d, 9 + i % 5)))
    source = DuckDBSource(store_like_duckdb(events), EventTables(project="p"))
    notes = [
        Note(f"n{i}", "sync keeps failing", "interview", participant=f"P-{i}") for i in range(15)
    ]
    notes.append(Note("n99", "sync lost my data", "interview", participant="ghost"))
    notes.append(Note("n100", "love the charts", "interview", participant="P-20"))
    theme = Theme("t1", "data sync", ["sync"], 16, 16, 0.4, -0.6, 0.7, "pain point", [], 11.2)
    synthesis = Synthesis(
        themes=[theme],
        assignments=[Assignment(n.id, "t1" if "sync" in n.text else None) for n in notes],
        notes=notes,
        model=None,  # type: ignore[arg-type]  # not used: no notes are assigned later
        embedder="tfidf",
        clusterer="agglomerative",
    )
    people = theme_participants(synthesis)["t1"]
    assert people == frozenset({f"P-{i}" for i in range(15)} | {"ghost"})
    ids_of = {f"P-{i}": [f"p{i}"] for i in range(40)} | {"ghost": ["nobody"]}
    result = theme_behaviour(
        source,
        person_metric("engagement"),
        FOUR_WEEKS,
        "data sync",
        people,
        set(ids_of),
        ids_of,
    )
    vs = result.vs_participants
    assert (vs.group.n, vs.other.n) == (15, 25)
    assert vs.difference == pytest.approx(1.0 - 3.0)
    assert vs.relative == pytest.approx(-2 / 3)
    assert vs.difference_ci is not None and vs.difference_ci.contains(-2.0)
    assert vs.p_value is not None and vs.p_value < 1e-6
    assert result.vs_everyone.other.n == 125
    assert result.unmatched == ("ghost",)
    text = result.summary()
    assert text.startswith("Participants who talk about data sync have 67% lower weekly")
    assert "n = 15 vs 25" in text
    assert result.to_dict()["vs_everyone"]["n_group"] == 15


def test_unknown_metric_and_open_range_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown person metric"):
        person_metric("happiness")
    with pytest.raises(ValueError, match="needs the step's event"):
        person_metric("conversion")
    source = DuckDBSource(store_like_duckdb([Ev("a", "v", _at(0, 0))]), EventTables(project="p"))
    with pytest.raises(ValueError, match="bounded date range"):
        person_values(source, person_metric("engagement"), DateRange(MONDAY, None), set(), set())
