"""Event series: how many times, how many users, or the sum of a property, per period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._sql import Params, period_start_day
from fieldnote.analytics._time import DateRange
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.funnels._common import step_match
from fieldnote.analytics.trends._common import fetch, params_for, resolve_periods
from fieldnote.analytics.trends._model import (
    Interval,
    Point,
    Series,
    TrendResult,
    day_number,
)

__all__ = ["MEASURES", "EventTrend"]

#: measure name → SQL aggregate, given (params, user expression, property key)
MEASURES: dict[str, Callable[[Params, str, str], str]] = {
    "count": lambda _params, _actor, _key: "count(*)",
    "users": lambda _params, actor, _key: f"count(DISTINCT {actor})",
    "sum": lambda params, _actor, key: (
        f"coalesce(sum({params.dialect.to_double(params.prop_text('e.properties', key))}), 0)"
    ),
}


@dataclass(frozen=True)
class EventTrend:
    """``measure`` of ``step`` events per period: ``count``, ``users`` (distinct persons)
    or ``sum:KEY`` (numeric values of property KEY; other values are skipped)."""

    name: ClassVar[str] = "events"
    step: FunnelStep
    measure: str = "count"
    interval: Interval = Interval.DAY
    dates: DateRange = field(default_factory=DateRange)

    def __post_init__(self) -> None:
        kind, _, key = self.measure.partition(":")
        if kind not in MEASURES or (kind == "sum") != bool(key):
            raise ValueError(f"unknown measure {self.measure!r}: count, users or sum:PROPERTY")

    def compute(self, source: EventSource) -> TrendResult:
        periods = resolve_periods(source, self.interval, self.dates)
        params = params_for(source)
        rel = events_from(
            params,
            source.tables,
            names=[self.step.event],
            start=periods.start_time,
            end=periods.end_time,
        )
        kind, _, key = self.measure.partition(":")
        agg = MEASURES[kind](params, rel.actor, key)
        day = period_start_day(params.dialect, "e.timestamp", self.interval.value)
        sql = (
            f"SELECT {day} AS d, {agg} AS v {rel.from_where} "
            f"AND {step_match(params, self.step)} GROUP BY d"
        )
        cols = fetch(source, sql, params)
        values = dict(zip(cols["d"].tolist(), cols["v"].tolist(), strict=True))
        points = tuple(
            Point(
                period=p,
                value=float(values.get(day_number(p), 0)),
                count=values.get(day_number(p), 0),
            )
            for p in periods.starts()
        )
        return TrendResult(
            metric=self.name,
            interval=self.interval,
            definition={
                "step": str(self.step),
                "measure": self.measure,
                "dates": self.dates.to_dict(),
            },
            series=(Series(name=f"{self.measure} of {self.step}", points=points),),
        )
