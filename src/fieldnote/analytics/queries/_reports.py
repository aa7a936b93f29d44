"""Retention and trend questions as the strings a person types (CLI options, API and
page query parameters): the parameter names and their reading, in one place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.queries._fields import (
    Pairs,
    QueryError,
    date_range,
    duration,
    multi,
    single,
)
from fieldnote.analytics.retention import Retention
from fieldnote.analytics.trends import TREND_BUILDERS, Interval, Trend, TrendOptions, parse_trend

__all__ = ["RetentionQuery", "TrendQuery"]

_INTERVALS = ", ".join(i.value for i in Interval)


def _interval(text: str | None) -> None:
    if text is not None and text not in {i.value for i in Interval}:
        raise QueryError("interval", f"interval {text!r}: one of {_INTERVALS}")


def _step(field: str, text: str | None) -> None:
    if text:
        try:
            FunnelStep.parse(text)
        except ValueError as exc:
            raise QueryError(field, f"{field} {text!r}: {exc}") from None


@dataclass(frozen=True)
class RetentionQuery:
    start: str | None = None
    returning: str | None = None
    interval: str = "week"
    periods: int = 8
    date_from: str | None = None
    date_to: str | None = None

    @classmethod
    def from_pairs(cls, pairs: Pairs) -> RetentionQuery:
        values = multi(pairs)
        periods_text = single(values, "periods", "8") or "8"
        if not periods_text.isdigit():
            raise QueryError("periods", f"periods {periods_text!r}: a whole number, 1 to 366")
        return cls(
            start=single(values, "start"),
            returning=single(values, "return"),
            interval=single(values, "interval", "week") or "week",
            periods=int(periods_text),
            date_from=single(values, "from"),
            date_to=single(values, "to"),
        )

    def to_params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "return": self.returning,
            "interval": self.interval,
            "periods": self.periods,
            "from": self.date_from,
            "to": self.date_to,
        }

    def retention(self) -> Retention:
        """The question; ``QueryError`` names the field that cannot be read."""
        _step("start", self.start)
        _step("return", self.returning)
        _interval(self.interval)
        if not 1 <= self.periods <= 366:
            raise QueryError("periods", f"periods {self.periods}: between 1 and 366")
        date_range(self.date_from, self.date_to)
        return Retention.parse(
            start=self.start,
            returning=self.returning,
            interval=self.interval,
            periods=self.periods,
            date_from=self.date_from,
            date_to=self.date_to,
        )


@dataclass(frozen=True)
class TrendQuery:
    metric: str
    options: TrendOptions = field(default_factory=TrendOptions)

    @classmethod
    def from_pairs(cls, metric: str, pairs: Pairs) -> TrendQuery:
        values = multi(pairs)
        defaults = TrendOptions()
        return cls(
            metric=metric,
            options=TrendOptions(
                event=single(values, "event"),
                measure=single(values, "measure", defaults.measure) or defaults.measure,
                steps=tuple(s.strip() for s in values.get("step", []) if s.strip()),
                window=single(values, "window", defaults.window) or defaults.window,
                start=single(values, "start", defaults.start) or defaults.start,
                target=single(values, "target", defaults.target) or defaults.target,
                within=single(values, "within", defaults.within) or defaults.within,
                interval=single(values, "interval"),
                date_from=single(values, "from"),
                date_to=single(values, "to"),
            ),
        )

    def to_params(self) -> dict[str, Any]:
        o = self.options
        return {
            "event": o.event,
            "measure": o.measure,
            "step": list(o.steps) or None,
            "window": o.window,
            "start": o.start,
            "target": o.target,
            "within": o.within,
            "interval": o.interval,
            "from": o.date_from,
            "to": o.date_to,
        }

    def trend(self) -> Trend:
        """The question; ``QueryError`` names the field that cannot be read."""
        if self.metric not in TREND_BUILDERS:
            raise QueryError(
                "metric", f"unknown trend {self.metric!r}: one of {', '.join(TREND_BUILDERS)}"
            )
        o = self.options
        _step("event", o.event)
        for i, text in enumerate(o.steps):
            _step(f"step-{i + 1}", text)
        _interval(o.interval)
        duration("window", o.window)
        duration("within", o.within)
        date_range(o.date_from, o.date_to)
        try:
            return parse_trend(self.metric, o)
        except ValueError as exc:
            raise QueryError(_blame(self.metric), str(exc)) from None


def _blame(metric: str) -> str:
    """The field a metric's own complaint is about (a missing event or steps)."""
    return {"events": "event", "conversion": "steps"}.get(metric, "metric")
