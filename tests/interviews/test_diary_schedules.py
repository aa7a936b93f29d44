"""Diary schedules against a plain reference: for any enrolment moment and time zone,
``daily`` prompts fall at the local clock time on consecutive local days, the first
after enrolment; ``offsets`` are exactly the hours after enrolment. Bad definitions
name the field."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.interviews.diaries import DiaryDefinition, DiaryError, zone

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]


def reference_daily(enrolled: datetime, tz: ZoneInfo, at: time, days: int) -> list[datetime]:
    """Walk forward one local day at a time from the enrolment's local date."""
    out: list[datetime] = []
    day = enrolled.astimezone(tz).date() - timedelta(days=1)
    while len(out) < days:
        day += timedelta(days=1)
        when = datetime(day.year, day.month, day.day, at.hour, at.minute, tzinfo=tz)
        if when.astimezone(UTC) > enrolled:
            out.append(when.astimezone(UTC))
    return out


@settings(max_examples=300, deadline=None)
@given(
    enrolled=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    tz=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    days=st.integers(1, 40),
)
def test_daily_matches_the_reference(
    enrolled: datetime, tz: str, hour: int, minute: int, days: int
) -> None:
    enrolled = enrolled.replace(tzinfo=UTC)
    definition = DiaryDefinition.from_dict(
        {
            "prompts": ["a", "b", "c"],
            "schedule": {"kind": "daily", "at": f"{hour:02d}:{minute:02d}", "days": days},
        }
    )
    got = definition.occurrences(enrolled, zone(tz))
    assert [o.due_at for o in got] == reference_daily(
        enrolled, ZoneInfo(tz), time(hour, minute), days
    )
    assert [o.prompt for o in got] == [["a", "b", "c"][i % 3] for i in range(days)]
    assert [o.seq for o in got] == list(range(days))


@given(
    enrolled=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31)),
    hours=st.lists(st.integers(0, 24 * 30), min_size=1, max_size=20).map(sorted),
)
def test_offsets_are_hours_after_enrolment(enrolled: datetime, hours: list[int]) -> None:
    enrolled = enrolled.replace(tzinfo=UTC)
    definition = DiaryDefinition.from_dict(
        {"prompts": ["p"], "schedule": {"kind": "offsets", "hours": hours}}
    )
    due = [o.due_at for o in definition.occurrences(enrolled, zone("Asia/Tokyo"))]
    assert due == [enrolled + timedelta(hours=h) for h in hours]


def test_evening_prompt_stays_in_the_evening_across_daylight_saving() -> None:
    definition = DiaryDefinition.from_dict(
        {"prompts": ["p"], "schedule": {"kind": "daily", "at": "19:00", "days": 3}}
    )
    due = definition.occurrences(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), zone("Europe/Berlin"))
    assert [o.due_at.hour for o in due] == [18, 17, 17]  # CET, then CEST


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"schedule": {"kind": "daily", "at": "19:00", "days": 1}}, "prompts: expected a list"),
        (
            {"prompts": ["ok", ""], "schedule": {"kind": "daily", "at": "19:00", "days": 1}},
            r"prompts\[1\]",
        ),
        (
            {"prompts": ["ok"], "schedule": {"kind": "weekly"}},
            "schedule.kind: expected one of daily, offsets",
        ),
        (
            {"prompts": ["ok"], "schedule": {"kind": "daily", "at": "7pm", "days": 1}},
            "schedule.at: expected a clock time",
        ),
        (
            {"prompts": ["ok"], "schedule": {"kind": "daily", "at": "19:00", "days": 0}},
            "schedule.days",
        ),
        ({"prompts": ["ok"], "schedule": {"kind": "offsets", "hours": [5, 1]}}, "increasing order"),
        (
            {"prompts": ["ok"], "schedule": {"kind": "offsets", "hours": [1, "x"]}},
            r"schedule.hours\[1\]",
        ),
        (
            {
                "prompts": ["ok"],
                "schedule": {"kind": "offsets", "hours": [1]},
                "answer_within_hours": 0,
            },
            "answer_within_hours",
        ),
        (
            {"prompts": ["ok"], "schedule": {"kind": "offsets", "hours": [1]}, "colour": "red"},
            "unknown field",
        ),
    ],
)
def test_bad_definitions_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(DiaryError, match=message):
        DiaryDefinition.from_dict(data)


def test_definition_round_trips() -> None:
    data = {
        "prompts": ["p", "q"],
        "schedule": {"kind": "offsets", "hours": [0, 1.5, 24]},
        "answer_within_hours": 6.0,
    }
    assert DiaryDefinition.from_dict(data).to_dict() == data
