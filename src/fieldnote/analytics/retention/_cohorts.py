"""Cohort tables in one SQL query, the same on every engine (in its dialect).

A user's cohort is the period (UTC day or ISO week) of their *first ever* START event;
only cohorts inside the date range are shown. Cell ``k`` (``k >= 1``) counts the
cohort's users who did RETURN at any time in the ``k``-th period after the cohort's
(calendar periods, so week 1 is the next Monday-to-Sunday). Period 0 is the cohort
itself. A cell whose period has not ended by the latest event is incomplete.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, ClassVar

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._sql import period_start_day
from fieldnote.analytics._stats import wilson_interval
from fieldnote.analytics._time import DateRange, parse_date
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.funnels._common import step_match
from fieldnote.analytics.trends._common import fetch, latest_event, params_for, resolve_periods
from fieldnote.analytics.trends._model import Interval, day_number, day_of_number

__all__ = ["Cohort", "Retention", "RetentionCell", "RetentionResult"]


@dataclass(frozen=True)
class RetentionCell:
    offset: int
    """Periods after the cohort's."""
    count: int
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    complete: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "offset": self.offset,
            "count": self.count,
            "rate": self.rate,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "complete": self.complete,
        }


@dataclass(frozen=True)
class Cohort:
    period: date
    size: int
    cells: tuple[RetentionCell, ...]
    """Offsets 1..periods."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.isoformat(),
            "size": self.size,
            "retained": [c.to_dict() for c in self.cells],
        }


@dataclass(frozen=True)
class RetentionResult:
    retention: Retention
    cohorts: tuple[Cohort, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "retention": self.retention.describe(),
            "cohorts": [c.to_dict() for c in self.cohorts],
        }


@dataclass(frozen=True)
class Retention:
    name: ClassVar[str] = "retention"
    start: FunnelStep | None = None
    """The cohort event (None: any event, so cohorts are by first seen)."""
    returning: FunnelStep | None = None
    """The return event (None: any event)."""
    interval: Interval = Interval.WEEK
    periods: int = 8
    dates: DateRange = field(default_factory=DateRange)

    def __post_init__(self) -> None:
        if not 1 <= self.periods <= 366:
            raise ValueError("periods must be between 1 and 366")

    @classmethod
    def parse(
        cls,
        *,
        start: str | None = None,
        returning: str | None = None,
        interval: str = "week",
        periods: int = 8,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Retention:
        """From the CLI's options / the API's query parameters (ValueError if unreadable)."""
        return cls(
            start=FunnelStep.parse(start) if start else None,
            returning=FunnelStep.parse(returning) if returning else None,
            interval=Interval(interval),
            periods=periods,
            dates=DateRange(
                start=parse_date(date_from) if date_from else None,
                end=parse_date(date_to, end=True) if date_to else None,
            ),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "start": None if self.start is None else str(self.start),
            "return": None if self.returning is None else str(self.returning),
            "interval": self.interval.value,
            "periods": self.periods,
            "dates": self.dates.to_dict(),
        }

    def compute(self, source: EventSource) -> RetentionResult:
        span = resolve_periods(source, self.interval, self.dates)
        step = self.interval.days
        params = params_for(source)
        first = events_from(params, source.tables, names=_names(self.start))
        match_first = "" if self.start is None else f" AND {step_match(params, self.start)}"
        later = span.end_time + timedelta(days=step * self.periods)
        back = events_from(
            params, source.tables, names=_names(self.returning), start=span.start_time, end=later
        )
        match_back = "" if self.returning is None else f" AND {step_match(params, self.returning)}"
        period = period_start_day(params.dialect, "e.timestamp", self.interval.value)
        lo, hi = day_number(span.first), day_number(span.last)
        where_first = first.from_where + ("" if " WHERE " in first.from_where else " WHERE true")
        where_back = back.from_where
        sql = f"""
            WITH firsts AS (
                SELECT {first.actor} AS a, min({period}) AS c {where_first}{match_first}
                GROUP BY a
            ),
            cohort AS (SELECT a, c FROM firsts WHERE c BETWEEN {params.add(lo)} AND {params.add(hi)}),
            back AS (SELECT DISTINCT {back.actor} AS a, {period} AS p {where_back}{match_back})
            SELECT c.c AS c, 0 AS k, count(*) AS n FROM cohort c GROUP BY c.c
            UNION ALL
            SELECT c.c, CAST(floor((b.p - c.c) / {step}) AS BIGINT), count(*)
            FROM cohort c JOIN back b
              ON b.a = c.a AND b.p > c.c AND b.p <= c.c + {step * self.periods}
            GROUP BY c.c, b.p
        """
        cols = fetch(source, sql, params)
        counts = {
            (int(c), int(k)): int(n)
            for c, k, n in zip(cols["c"], cols["k"], cols["n"], strict=True)
        }
        data_end = latest_event(source)
        cohorts = []
        for start in span.starts():
            c = day_number(start)
            size = counts.get((c, 0), 0)
            cells = []
            for k in range(1, self.periods + 1):
                n = counts.get((c, k), 0)
                ci = wilson_interval(n, size)
                ends = day_of_number(c + step * (k + 1))
                cells.append(
                    RetentionCell(
                        offset=k,
                        count=n,
                        rate=n / size if size else None,
                        ci_low=ci.low if ci else None,
                        ci_high=ci.high if ci else None,
                        complete=_ended(ends, data_end),
                    )
                )
            cohorts.append(Cohort(period=start, size=size, cells=tuple(cells)))
        return RetentionResult(retention=self, cohorts=tuple(cohorts))


def _names(step: FunnelStep | None) -> list[str] | None:
    return None if step is None else [step.event]


def _ended(day: date, data_end: datetime | None) -> bool:
    if data_end is None:
        return False
    return datetime(day.year, day.month, day.day, tzinfo=data_end.tzinfo) <= data_end
