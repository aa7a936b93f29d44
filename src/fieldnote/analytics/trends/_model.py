"""Series over time: what a trend answers, as typed points.

Every point is a period (a UTC day, or an ISO week starting Monday) with a value.
Rates also carry their numerator, denominator and 95 % Wilson interval, and a point
whose outcome cannot be known yet (an activation window still open, a next week not
over) is marked ``complete=False`` rather than shown as a drop.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from fieldnote.analytics._stats import wilson_interval

if TYPE_CHECKING:
    from fieldnote.analytics._sources import EventSource

__all__ = ["Interval", "Period", "Point", "Series", "Trend", "TrendResult", "rate_point"]

EPOCH_DAY = date(1970, 1, 1)


class Interval(StrEnum):
    DAY = "day"
    WEEK = "week"

    @property
    def days(self) -> int:
        return _DAYS[self]

    def start_of(self, day: date) -> date:
        """The period that holds ``day`` (weeks start on Monday)."""
        return day - timedelta(days=day.weekday()) if self is Interval.WEEK else day


_DAYS = {Interval.DAY: 1, Interval.WEEK: 7}


@dataclass(frozen=True)
class Period:
    """A run of whole periods ``[first, last]`` (both period starts)."""

    interval: Interval
    first: date
    last: date

    @classmethod
    def covering(cls, interval: Interval, start: datetime, end: datetime) -> Period:
        """The periods that overlap ``[start, end)``."""
        last_day = (end - timedelta(microseconds=1)).astimezone(UTC).date()
        return cls(
            interval, interval.start_of(start.astimezone(UTC).date()), interval.start_of(last_day)
        )

    def starts(self) -> list[date]:
        step = timedelta(days=self.interval.days)
        out, day = [], self.first
        while day <= self.last:
            out.append(day)
            day += step
        return out

    @property
    def start_time(self) -> datetime:
        return datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)

    @property
    def end_time(self) -> datetime:
        """End (exclusive) of the last period."""
        end = self.last + timedelta(days=self.interval.days)
        return datetime(end.year, end.month, end.day, tzinfo=UTC)


def day_number(day: date) -> int:
    return (day - EPOCH_DAY).days


def day_of_number(number: int) -> date:
    return EPOCH_DAY + timedelta(days=number)


@dataclass(frozen=True)
class Point:
    period: date
    value: float | None
    count: float | None = None
    """The numerator of a rate (or the measure itself)."""
    base: int | None = None
    """The denominator of a rate."""
    ci_low: float | None = None
    ci_high: float | None = None
    complete: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.isoformat(),
            "value": self.value,
            "count": self.count,
            "base": self.base,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "complete": self.complete,
        }


def rate_point(period: date, successes: int, trials: int, *, complete: bool = True) -> Point:
    ci = wilson_interval(successes, trials)
    return Point(
        period=period,
        value=successes / trials if trials else None,
        count=successes,
        base=trials,
        ci_low=ci.low if ci else None,
        ci_high=ci.high if ci else None,
        complete=complete,
    )


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[Point, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "points": [p.to_dict() for p in self.points]}


@dataclass(frozen=True)
class TrendResult:
    metric: str
    interval: Interval
    definition: dict[str, Any]
    """The question as asked (echoed so a saved result explains itself)."""
    series: tuple[Series, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "interval": self.interval.value,
            "definition": self.definition,
            "series": [s.to_dict() for s in self.series],
        }


class Trend(Protocol):
    """Any trend: the question as a frozen dataclass that computes its answer."""

    @property
    def name(self) -> str: ...

    def compute(self, source: EventSource) -> TrendResult: ...
