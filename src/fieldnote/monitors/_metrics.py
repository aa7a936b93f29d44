"""What a monitor watches: a metric of the analytics library as a daily series.

``MetricSpec`` is plain data (stored as JSON with the monitor); ``METRICS`` maps its
``kind`` to the trend that computes it. A breakdown value (``platform = ios``) becomes
a filter on the metric's first step, so "activation on iOS" means exactly what the
funnel with ``where platform=ios`` means. Only complete points are kept: a cohort
whose activation window is still open is not a drop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from fieldnote.analytics import EventSource, parse_duration
from fieldnote.analytics.retention import Retention
from fieldnote.analytics.trends import Trend, TrendOptions, parse_trend
from fieldnote.analytics.trends._common import latest_event

__all__ = ["METRICS", "MetricPoint", "MetricSeries", "MetricSpec", "compute_metric"]


@dataclass(frozen=True)
class MetricPoint:
    day: date
    value: float
    count: float | None = None
    """Rates: users who converted; counts: the value itself."""
    base: int | None = None
    """Rates: users who entered (None for counts)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "day": self.day.isoformat(),
            "value": self.value,
            "count": self.count,
            "base": self.base,
        }


@dataclass(frozen=True)
class MetricSeries:
    label: str
    is_rate: bool
    points: tuple[MetricPoint, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "is_rate": self.is_rate,
            "points": [p.to_dict() for p in self.points],
        }


def _where(step: str, key: str, value: str) -> str:
    quoted = value if value.replace("_", "").replace("-", "").isalnum() else f'"{value}"'
    joiner = " and " if " where " in f" {step} " else " where "
    return f"{step}{joiner}{key}={quoted}"


@dataclass(frozen=True)
class MetricSpec:
    """A metric, by the names the CLI and API use (docs/monitors.md)."""

    kind: str
    """events, users, conversion, activation, retention."""
    event: str | None = None
    steps: tuple[str, ...] = ()
    window: str = "14d"
    start: str = "signup"
    target: str = "activated"
    within: str = "7d"
    breakdown: str | None = None
    """Event property of the first step, e.g. ``platform``."""
    value: str | None = None
    """The breakdown value this monitor watches, e.g. ``ios``."""
    lookback_days: int = 120
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in METRICS:
            raise ValueError(f"unknown metric {self.kind!r}: one of {', '.join(METRICS)}")
        if (self.breakdown is None) != (self.value is None):
            raise ValueError("a breakdown needs a value (and a value a breakdown)")
        if not 14 <= self.lookback_days <= 3660:
            raise ValueError("lookback_days must be between 14 and 3660")
        if self.kind in ("events", "users", "retention") and not (self.event or "").strip():
            raise ValueError(f"a {self.kind} metric needs an event")
        if self.kind == "conversion" and len(self.steps) < 2:
            raise ValueError("a conversion metric needs at least two steps")

    @property
    def first_step(self) -> str:
        if self.kind == "activation":
            return self.start
        if self.kind == "conversion":
            return self.steps[0] if self.steps else ""
        return self.event or ""

    def funnel_steps(self) -> tuple[str, ...]:
        """The steps a rate metric is a funnel of (empty for counts)."""
        if self.kind == "activation":
            return (self.start, self.target)
        if self.kind == "conversion":
            return self.steps
        return ()

    def outcome_days(self) -> int:
        """Days after a point's day until it is known: a rate's window; for counts,
        one (the current day is still filling up)."""
        if self.kind == "activation":
            return parse_duration(self.within).days
        if self.kind == "retention":
            return parse_duration(self.within).days + 1
        if self.kind == "conversion":
            return parse_duration(self.window).days
        return 1

    def filtered(self) -> MetricSpec:
        """The spec with the breakdown value applied to the first step."""
        if self.breakdown is None or self.value is None:
            return self
        if self.kind in ("activation", "retention"):
            return replace(self, start=_where(self.start, self.breakdown, self.value))
        if self.kind == "conversion":
            first = _where(self.steps[0], self.breakdown, self.value)
            return replace(self, steps=(first, *self.steps[1:]))
        return replace(self, event=_where(self.event or "", self.breakdown, self.value))

    def describe(self) -> str:
        names = {
            "events": f"daily {self.event} events",
            "users": f"daily users doing {self.event}",
            "conversion": f"conversion {' → '.join(self.steps)}",
            "activation": f"activation ({self.target} within {self.within} of {self.start})",
            "retention": f"day-{self.within.rstrip('d')} retention ({self.event} after {self.start})",
        }
        base = names[self.kind]
        return f"{base} for {self.breakdown} = {self.value}" if self.breakdown else base

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "event": self.event,
            "steps": list(self.steps),
            "window": self.window,
            "start": self.start,
            "target": self.target,
            "within": self.within,
            "breakdown": self.breakdown,
            "value": self.value,
            "lookback_days": self.lookback_days,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MetricSpec:
        return cls(
            kind=str(data["kind"]),
            event=data.get("event"),
            steps=tuple(str(s) for s in data.get("steps") or ()),
            window=str(data.get("window") or "14d"),
            start=str(data.get("start") or "signup"),
            target=str(data.get("target") or "activated"),
            within=str(data.get("within") or "7d"),
            breakdown=data.get("breakdown"),
            value=data.get("value"),
            lookback_days=int(data.get("lookback_days") or 120),
        )

    def trend(self, date_from: str, date_to: str) -> Trend:
        spec = self.filtered()
        measure = "users" if self.kind == "users" else "count"
        options = TrendOptions(
            event=spec.event,
            measure=measure,
            steps=spec.steps,
            window=spec.window,
            start=spec.start,
            target=spec.target,
            within=spec.within,
            interval="day",
            date_from=date_from,
            date_to=date_to,
        )
        return parse_trend(TRENDS[self.kind], options)


def _trend_points(source: EventSource, spec: MetricSpec, first: date, last: date) -> list[Point]:
    result = spec.trend(first.isoformat(), last.isoformat()).compute(source)
    return [
        Point(p.period, float(p.value), float(p.count if p.count is not None else p.value), p.base)
        for p in result.series[0].points
        if p.value is not None and p.complete
    ]


def _retention_points(
    source: EventSource, spec: MetricSpec, first: date, last: date
) -> list[Point]:
    """Day-N retention of each day's cohort: the share of people whose first ``start``
    was that day who did ``event`` N days later (N = ``within``)."""
    n = spec.outcome_days() - 1
    filtered = spec.filtered()
    result = Retention.parse(
        start=filtered.start,
        returning=spec.event,
        interval="day",
        periods=n + 1,
        date_from=first.isoformat(),
        date_to=last.isoformat(),
    ).compute(source)
    out = []
    for cohort in result.cohorts:
        cell = next((c for c in cohort.cells if c.offset == n), None)
        if cell is not None and cell.rate is not None and cell.complete:
            out.append(Point(cohort.period, float(cell.rate), float(cell.count), cohort.size))
    return out


Point = MetricPoint

#: Metric kind → how its daily points are computed (the analytics trends, retention).
METRICS: dict[str, Callable[[EventSource, MetricSpec, date, date], list[MetricPoint]]] = {
    "events": _trend_points,
    "users": _trend_points,
    "conversion": _trend_points,
    "activation": _trend_points,
    "retention": _retention_points,
}

#: The analytics trend behind each trend-based kind.
TRENDS = {
    "events": "events",
    "users": "events",
    "conversion": "conversion",
    "activation": "activation",
}

RATE_KINDS = frozenset({"conversion", "activation", "retention"})


def compute_metric(
    source: EventSource, spec: MetricSpec, *, until: datetime | None = None
) -> MetricSeries:
    """The metric per UTC day over its lookback, ending on the day of ``until`` (default:
    the latest event), complete points only."""
    end = until or latest_event(source)
    if end is None:
        return MetricSeries(spec.describe(), spec.kind in RATE_KINDS, ())
    first = (end - timedelta(days=spec.lookback_days - 1)).date()
    # As of ``until``, a cohort whose window reaches past it is not known yet, even
    # when the store (a replay, a backfill) already holds its outcome.
    known_until = end.date() - timedelta(days=spec.outcome_days())
    points = [
        p for p in METRICS[spec.kind](source, spec, first, end.date()) if p.day <= known_until
    ]
    return MetricSeries(spec.describe(), spec.kind in RATE_KINDS, tuple(points))
