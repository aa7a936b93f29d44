"""Themes over time and per segment: shares of participants per theme per group, with n,
a Wilson interval and a small-sample flag; checked against a plain recount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.synthesis import UNKNOWN, TableError, TrendInput, TrendNote, theme_trend
from fieldnote.synthesis._trend import iso_week, read_people

MONDAY = datetime(2026, 11, 2, 10, tzinfo=UTC)  # ISO week 2026-W45


def _notes() -> TrendInput:
    rows = [
        # (participant, theme, days after MONDAY)
        ("ana", "t1", 0),
        ("ana", "t1", 1),
        ("ben", "t1", 2),
        ("ben", "t2", 2),
        ("cho", "t2", 3),
        ("dev", None, 8),
        ("eve", "t1", 9),
        (None, "t2", 9),
    ]
    return TrendInput(
        notes=[
            TrendNote(note=f"n{i}", theme=t, participant=p, recorded_at=MONDAY + timedelta(days=d))
            for i, (p, t, d) in enumerate(rows)
        ],
        themes={"t1": "Admin access", "t2": "Excel export"},
        attributes={"ana": {"platform": "ios"}, "ben": {"platform": "ios"}, "eve": {"tier": "pro"}},
    )


def test_share_of_participants_per_week_with_n_and_flag() -> None:
    trend = theme_trend(_notes(), "week", min_n=3)
    assert trend.groups == ["2026-W45", "2026-W46"]
    first = trend.cell("t1", "2026-W45")
    assert (first.participants, first.group_participants, first.notes, first.group_notes) == (
        2,
        3,
        3,
        5,
    )
    assert first.participant_share == pytest.approx(2 / 3)
    assert first.low is not None and first.high is not None
    assert first.low < 2 / 3 < first.high
    assert not first.small_sample
    later = trend.cell("t2", "2026-W46")  # dev, eve and one anonymous note
    assert (later.participants, later.group_participants) == (1, 3)
    assert trend.attributes == ["platform", "tier"]


def test_per_attribute_unknowns_are_a_group_not_dropped() -> None:
    trend = theme_trend(_notes(), "platform", min_n=3)
    assert trend.groups == ["ios", UNKNOWN]
    ios = trend.cell("t1", "ios")
    assert (ios.participants, ios.group_participants, ios.small_sample) == (2, 2, True)
    unknown = trend.cell("t2", UNKNOWN)
    assert (unknown.participants, unknown.group_participants) == (2, 4)  # cho + anonymous
    total = sum(trend.cell("t1", g).group_notes for g in trend.groups)
    assert total == len(_notes().notes)


def test_unknown_attribute_is_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match=r"--by 'persona'.*\(week, platform, tier\)"):
        theme_trend(_notes(), "persona")


def _reference(data: TrendInput, by: str) -> dict[tuple[str, str], tuple[int, int, int, int]]:
    """Plain recount: for every theme and group, (k people, n people, k notes, n notes)."""

    def group(n: TrendNote) -> str:
        if by == "week":
            return iso_week(n.recorded_at) if n.recorded_at else UNKNOWN
        value = data.attributes.get(n.participant or "", {}).get(by) if n.participant else None
        return value or UNKNOWN

    def person(n: TrendNote) -> str:
        return n.participant or f"note:{n.note}"

    out = {}
    for theme in data.themes:
        for g in {group(n) for n in data.notes}:
            members = [n for n in data.notes if group(n) == g]
            hits = [n for n in members if n.theme == theme]
            out[(theme, g)] = (
                len({person(n) for n in hits}),
                len({person(n) for n in members}),
                len(hits),
                len(members),
            )
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p3", "p4", None]),
            st.sampled_from(["a", "b", None]),
            st.one_of(st.none(), st.integers(0, 40)),
        ),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from(["week", "plan"]),
)
def test_matches_a_plain_recount(
    rows: list[tuple[str | None, str | None, int | None]], by: str
) -> None:
    data = TrendInput(
        notes=[
            TrendNote(
                note=f"n{i}",
                theme=t,
                participant=p,
                recorded_at=None if d is None else MONDAY + timedelta(days=d),
            )
            for i, (p, t, d) in enumerate(rows)
        ],
        themes={"a": "A", "b": "B"},
        attributes={"p1": {"plan": "free"}, "p2": {"plan": "pro"}, "p3": {"plan": "pro"}},
    )
    trend = theme_trend(data, by, min_n=2)
    expected = _reference(data, by)
    got = {
        (c.theme, c.group): (c.participants, c.group_participants, c.notes, c.group_notes)
        for c in trend.cells
    }
    assert got == expected
    for c in trend.cells:
        assert c.small_sample == (c.group_participants < 2)


def test_people_file(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("participant,platform,tier\nAnna,ios,pro\nBen,android,\n")
    assert read_people(path) == {
        "Anna": {"platform": "ios", "tier": "pro"},
        "Ben": {"platform": "android"},
    }
    path.write_text("who,platform\nAnna,ios\n")
    with pytest.raises(
        TableError, match="no participant column 'participant'; columns are: platform, who"
    ):
        read_people(path)
    path.write_text("participant,platform\nAnna,ios\nAnna,web\n")
    with pytest.raises(TableError, match="line 3: participant 'Anna' repeats line 2"):
        read_people(path)
