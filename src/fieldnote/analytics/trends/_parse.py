"""Trends from what a person types: the CLI options and the API's query parameters
carry the same strings, and both build the question here (``parse_trend``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fieldnote.analytics._time import DateRange, parse_date, parse_duration
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.trends._engagement import ChurnTrend, StickinessTrend
from fieldnote.analytics.trends._events import EventTrend
from fieldnote.analytics.trends._model import Interval, Trend
from fieldnote.analytics.trends._rates import ActivationTrend, ConversionTrend

__all__ = ["TREND_BUILDERS", "TrendOptions", "parse_trend"]


@dataclass(frozen=True)
class TrendOptions:
    event: str | None = None
    measure: str = "count"
    steps: tuple[str, ...] = ()
    window: str = "14d"
    start: str = "signup"
    target: str = "activated"
    within: str = "7d"
    interval: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dates(self) -> DateRange:
        return DateRange(
            start=parse_date(self.date_from) if self.date_from else None,
            end=parse_date(self.date_to, end=True) if self.date_to else None,
        )

    def interval_or(self, default: Interval) -> Interval:
        return Interval(self.interval) if self.interval else default

    def step(self) -> FunnelStep | None:
        return FunnelStep.parse(self.event) if self.event else None


def _events(o: TrendOptions) -> Trend:
    step = o.step()
    if step is None:
        raise ValueError("an event trend needs an event, e.g. `fieldnote trend events signup`")
    return EventTrend(step, o.measure, o.interval_or(Interval.DAY), o.dates)


def _conversion(o: TrendOptions) -> Trend:
    if len(o.steps) < 2:
        raise ValueError("a conversion trend needs at least two --step")
    steps = tuple(FunnelStep.parse(s) for s in o.steps)
    return ConversionTrend(steps, parse_duration(o.window), o.interval_or(Interval.WEEK), o.dates)


def _activation(o: TrendOptions) -> Trend:
    return ActivationTrend(
        FunnelStep.parse(o.start),
        FunnelStep.parse(o.target),
        parse_duration(o.within),
        o.interval_or(Interval.WEEK),
        o.dates,
    )


def _stickiness(o: TrendOptions) -> Trend:
    return StickinessTrend(o.step(), o.dates)


def _churn(o: TrendOptions) -> Trend:
    return ChurnTrend(o.step(), o.interval_or(Interval.WEEK), o.dates)


TREND_BUILDERS: dict[str, Callable[[TrendOptions], Trend]] = {
    "events": _events,
    "conversion": _conversion,
    "activation": _activation,
    "stickiness": _stickiness,
    "churn": _churn,
}


def parse_trend(metric: str, options: TrendOptions) -> Trend:
    """The trend ``metric`` asks for (ValueError with the reason when it cannot)."""
    try:
        build = TREND_BUILDERS[metric]
    except KeyError:
        raise ValueError(f"unknown trend {metric!r}: one of {', '.join(TREND_BUILDERS)}") from None
    return build(options)
