"""Time-to-diagnosis: how long a question stays open, and whether that is improving.

The loop's promise is speed from "a metric moved" to "we know why". Each diagnosed
question gives one duration (opened → diagnosed); grouping them by the ISO week the
question was *diagnosed* in shows the trend. Medians, not means: one question that
sat for a month must not hide ten answered in a day. Every week carries its count, and
weeks with few questions are flagged, because a median of two says little.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

__all__ = ["SMALL_WEEK", "DiagnosisWeek", "QuestionTimes", "diagnosis_trend", "time_to_diagnosis"]

SMALL_WEEK = 3
"""Fewer diagnosed questions than this in a week: the median is flagged as unreliable."""


@dataclass(frozen=True, kw_only=True)
class QuestionTimes:
    """The two loop timestamps of one question (diagnosed is None while it is open)."""

    question_id: int
    opened_at: datetime
    diagnosed_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class DiagnosisWeek:
    week_start: date
    """Monday of the ISO week (UTC) in which the questions were diagnosed."""
    count: int
    median_hours: float
    min_hours: float
    max_hours: float
    small_sample: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "week_start": self.week_start.isoformat(),
            "count": self.count,
            "median_hours": self.median_hours,
            "min_hours": self.min_hours,
            "max_hours": self.max_hours,
            "small_sample": self.small_sample,
        }


def time_to_diagnosis(times: QuestionTimes) -> timedelta | None:
    """Opened → diagnosed, or None for a question not diagnosed yet."""
    if times.diagnosed_at is None:
        return None
    if times.diagnosed_at < times.opened_at:
        raise ValueError(f"question {times.question_id} is diagnosed before it was opened")
    return times.diagnosed_at - times.opened_at


def _monday(at: datetime) -> date:
    day = at.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


def diagnosis_trend(questions: Iterable[QuestionTimes]) -> list[DiagnosisWeek]:
    """Median time-to-diagnosis per week of diagnosis, oldest week first.

    Open questions are skipped (they have no duration yet); weeks with no diagnosed
    question are absent rather than zero, so a gap is not read as "instant".
    """
    by_week: dict[date, list[float]] = {}
    for q in questions:
        ttd = time_to_diagnosis(q)
        if ttd is None or q.diagnosed_at is None:
            continue
        by_week.setdefault(_monday(q.diagnosed_at), []).append(ttd.total_seconds() / 3600)
    return [
        DiagnosisWeek(
            week_start=week,
            count=len(hours),
            median_hours=statistics.median(hours),
            min_hours=min(hours),
            max_hours=max(hours),
            small_sample=len(hours) < SMALL_WEEK,
        )
        for week, hours in sorted(by_week.items())
    ]
