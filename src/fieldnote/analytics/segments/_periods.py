"""Segments behind a trend point and a retention cell: "who are these users" for them.

* **trend-point**: the persons who did event E (with the trend's property filters)
  in one period P (a UTC day, or an ISO week starting Monday). For a trend of unique
  users its size is the point's value; for counts and sums it is who did them.
* **retention-cell**: the persons whose *first ever* start event fell in cohort
  period C (exactly as ``retention`` builds cohorts), and with ``offset`` k those
  who did the return event in the k-th period after C (``returned``) or those who
  did not (``returned=False``). Without ``offset`` the whole cohort.

Both are generated SQL in the source's dialect, the same text on DuckDB and Spark,
wrapped by ``_model.page_sql``; definitions are fixed periods, so a saved one names
the same persons tomorrow unless older events arrive late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._sql import period_start_day
from fieldnote.analytics._time import DateRange
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.funnels._common import step_match
from fieldnote.analytics.segments._model import SegmentMembers, collect, page_sql, run_rows
from fieldnote.analytics.trends._common import params_for
from fieldnote.analytics.trends._model import Interval, day_number

__all__ = ["RetentionCellSegment", "TrendPointSegment", "period_range"]

#: ``person`` as text: DuckDB's actor is a UUID, Spark's already text.
_PERSON = "CAST({actor} AS STRING)"


def _check_period(interval: Interval, day: date, what: str) -> None:
    if interval is Interval.WEEK and day.weekday() != 0:
        monday = day - timedelta(days=day.weekday())
        raise ValueError(
            f"{what} {day.isoformat()}: a week starts on a Monday (that week's is "
            f"{monday.isoformat()})"
        )


def period_range(interval: Interval, day: date) -> DateRange:
    """The period starting on ``day`` as a half-open UTC range."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return DateRange(start=start, end=start + timedelta(days=interval.days))


def _when(interval: Interval, day: date) -> str:
    return f"on {day.isoformat()}" if interval is Interval.DAY else f"in the week of {day}"


@dataclass(frozen=True)
class TrendPointSegment:
    kind: ClassVar[str] = "trend-point"
    step: FunnelStep
    """The trend's event with its property filters."""
    interval: Interval
    period: date
    """The period's first day (a Monday for weeks)."""

    def __post_init__(self) -> None:
        _check_period(self.interval, self.period, "period")

    @property
    def dates(self) -> DateRange:
        return period_range(self.interval, self.period)

    def describe(self) -> str:
        return f"did {self.step} {_when(self.interval, self.period)}"

    def label(self) -> str:
        return f"Did {self.step.event} {_when(self.interval, self.period)}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "event": str(self.step),
            "interval": self.interval.value,
            "period": self.period.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrendPointSegment:
        return cls(
            step=FunnelStep.parse(str(data["event"])),
            interval=Interval(str(data.get("interval", "day"))),
            period=date.fromisoformat(str(data["period"])),
        )

    def resolve(self, source: EventSource, limit: int) -> SegmentMembers:
        params = params_for(source)
        dates = self.dates
        rel = events_from(
            params, source.tables, names=[self.step.event], start=dates.start, end=dates.end
        )
        inside = (
            f"SELECT {_PERSON.format(actor=rel.actor)} AS person, CAST(NULL AS INT) AS lvl, "
            f"min(e.distinct_id) AS did {rel.from_where} AND {step_match(params, self.step)} "
            f"GROUP BY {rel.actor}"
        )
        sql = page_sql(inside, params, limit, source.tables)
        return collect(run_rows(source, sql, params), self, dates)


@dataclass(frozen=True)
class RetentionCellSegment:
    kind: ClassVar[str] = "retention-cell"
    start: FunnelStep | None
    """The cohort event (None: any event, so cohorts are by first seen)."""
    returning: FunnelStep | None
    """The return event (None: any event)."""
    interval: Interval
    cohort: date
    """The cohort period's first day (a Monday for weeks)."""
    offset: int | None = None
    """Periods after the cohort's (1, 2, …); None: the whole cohort."""
    returned: bool = True
    """With ``offset``: True, those who came back then; False, those who did not."""

    def __post_init__(self) -> None:
        _check_period(self.interval, self.cohort, "cohort")
        if self.offset is not None and not 1 <= self.offset <= 366:
            raise ValueError(f"offset {self.offset}: between 1 and 366 periods after the cohort")
        if self.offset is None and not self.returned:
            raise ValueError("--not-returned needs --offset K (the period nobody came back in)")

    @property
    def dates(self) -> DateRange:
        return period_range(self.interval, self.cohort)

    def _back_day(self) -> date:
        return self.cohort + timedelta(days=self.interval.days * (self.offset or 0))

    def describe(self) -> str:
        first = f"did {self.start} first" if self.start else "were first seen"
        who = f"{first} {_when(self.interval, self.cohort)}"
        if self.offset is None:
            return who
        back = str(self.returning) if self.returning else "any event"
        unit = self.interval.value + ("s" if self.offset != 1 else "")
        verb = "did" if self.returned else "did not do"
        return f"{who} and {verb} {back} {self.offset} {unit} later ({self._back_day()})"

    def label(self) -> str:
        head = f"Cohort {self.cohort}"
        if self.offset is None:
            return head
        return f"{head} {'back' if self.returned else 'not back'} +{self.offset}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": None if self.start is None else str(self.start),
            "return": None if self.returning is None else str(self.returning),
            "interval": self.interval.value,
            "cohort": self.cohort.isoformat(),
            "offset": self.offset,
            "returned": self.returned,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RetentionCellSegment:
        start, back, offset = data.get("start"), data.get("return"), data.get("offset")
        return cls(
            start=FunnelStep.parse(str(start)) if start else None,
            returning=FunnelStep.parse(str(back)) if back else None,
            interval=Interval(str(data.get("interval", "week"))),
            cohort=date.fromisoformat(str(data["cohort"])),
            offset=None if offset is None else int(offset),
            returned=bool(data.get("returned", True)),
        )

    def resolve(self, source: EventSource, limit: int) -> SegmentMembers:
        params = params_for(source)
        names = None if self.start is None else [self.start.event]
        first = events_from(params, source.tables, names=names)
        where_first = first.from_where + ("" if " WHERE " in first.from_where else " WHERE true")
        if self.start is not None:
            where_first += f" AND {step_match(params, self.start)}"
        period = period_start_day(params.dialect, "e.timestamp", self.interval.value)
        person = _PERSON.format(actor="c.a")
        ctes = [
            f"firsts AS (SELECT {first.actor} AS a, min({period}) AS c, "
            f"min(e.distinct_id) AS did {where_first} GROUP BY {first.actor})",
            f"cohort AS (SELECT a, did FROM firsts WHERE c = {params.add(day_number(self.cohort))})",
        ]
        if self.offset is None:
            inside_from = "cohort c"
        else:
            span = period_range(self.interval, self._back_day())
            names_back = None if self.returning is None else [self.returning.event]
            back = events_from(
                params, source.tables, names=names_back, start=span.start, end=span.end
            )
            match = "" if self.returning is None else f" AND {step_match(params, self.returning)}"
            ctes.append(f"back AS (SELECT DISTINCT {back.actor} AS a {back.from_where}{match})")
            test = "IS NOT NULL" if self.returned else "IS NULL"
            inside_from = f"cohort c LEFT JOIN back b ON b.a = c.a WHERE b.a {test}"
        inside = (
            f"WITH {', '.join(ctes)} "
            f"SELECT {person} AS person, CAST(NULL AS INT) AS lvl, c.did AS did FROM {inside_from}"
        )
        sql = page_sql(inside, params, limit, source.tables)
        return collect(run_rows(source, sql, params), self, self.dates)
