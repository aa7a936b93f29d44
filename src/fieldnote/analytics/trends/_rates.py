"""Rates over time built on funnels: conversion by start period, and activation.

``activation`` is a two-step funnel: of the users who did START in a period, the share
who did TARGET within N days after it (docs/analytics.md). Both reuse the funnel
engines with a ``time.day`` / ``time.week`` breakdown, so a period's number is exactly
the funnel's for chains starting in that period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._time import DateRange, format_duration
from fieldnote.analytics.funnels import Breakdown, Funnel, FunnelStep, compute_funnel
from fieldnote.analytics.trends._common import latest_event, resolve_periods
from fieldnote.analytics.trends._model import Interval, Series, TrendResult, rate_point

__all__ = ["ActivationTrend", "ConversionTrend", "conversion_series"]


def conversion_series(
    source: EventSource,
    steps: tuple[FunnelStep, ...],
    window: timedelta,
    interval: Interval,
    dates: DateRange,
    name: str,
) -> Series:
    """Per period: users whose chain started then, and how many reached the last step."""
    periods = resolve_periods(source, interval, dates)
    funnel = Funnel(
        steps=steps,
        window=window,
        breakdown=Breakdown.parse(f"time.{interval.value}"),
        dates=DateRange(start=periods.start_time, end=periods.end_time),
    )
    result = compute_funnel(source, funnel)
    by_period = {b.value: b.steps for b in result.breakdown or ()}
    data_end = latest_event(source)
    points = []
    for start in periods.starts():
        steps_out = by_period.get(start.isoformat())
        entered = steps_out[0].count if steps_out else 0
        reached = steps_out[-1].count if steps_out else 0
        points.append(
            rate_point(start, reached, entered, complete=_closed(start, interval, window, data_end))
        )
    return Series(name=name, points=tuple(points))


def _closed(start: date, interval: Interval, window: timedelta, data_end: datetime | None) -> bool:
    """Has every chain starting in this period had its whole window?"""
    if data_end is None:
        return False
    end = datetime(start.year, start.month, start.day, tzinfo=data_end.tzinfo)
    return end + timedelta(days=interval.days) + window <= data_end


@dataclass(frozen=True)
class ConversionTrend:
    name: ClassVar[str] = "conversion"
    steps: tuple[FunnelStep, ...]
    window: timedelta = timedelta(days=14)
    interval: Interval = Interval.WEEK
    dates: DateRange = field(default_factory=DateRange)

    def compute(self, source: EventSource) -> TrendResult:
        label = " → ".join(str(s) for s in self.steps)
        series = conversion_series(
            source, self.steps, self.window, self.interval, self.dates, f"conversion {label}"
        )
        return TrendResult(
            metric=self.name,
            interval=self.interval,
            definition={
                "steps": [str(s) for s in self.steps],
                "window": format_duration(self.window),
                "dates": self.dates.to_dict(),
            },
            series=(series,),
        )


@dataclass(frozen=True)
class ActivationTrend:
    name: ClassVar[str] = "activation"
    start: FunnelStep = field(default_factory=lambda: FunnelStep(event="signup"))
    target: FunnelStep = field(default_factory=lambda: FunnelStep(event="activated"))
    within: timedelta = timedelta(days=7)
    interval: Interval = Interval.WEEK
    dates: DateRange = field(default_factory=DateRange)

    def compute(self, source: EventSource) -> TrendResult:
        series = conversion_series(
            source,
            (self.start, self.target),
            self.within,
            self.interval,
            self.dates,
            f"activation: {self.target} within {format_duration(self.within)} of {self.start}",
        )
        return TrendResult(
            metric=self.name,
            interval=self.interval,
            definition={
                "start": str(self.start),
                "target": str(self.target),
                "within": format_duration(self.within),
                "dates": self.dates.to_dict(),
            },
            series=(series,),
        )
