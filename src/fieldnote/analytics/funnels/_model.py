"""What a funnel is (the question) and what it answers (typed results).

Semantics are spelled out in docs/analytics.md; in short: per user, the furthest step
reached by any chain that starts at a first-step event inside the date range, where
each next step happens at or after the previous one and all within ``window`` of the
chain's first event (ClickHouse ``windowFunnel(window)``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from fieldnote.analytics._filters import Operator, PropertyFilter, parse_step
from fieldnote.analytics._stats import Percentiles
from fieldnote.analytics._time import DateRange, format_duration, parse_date, parse_duration

__all__ = [
    "Breakdown",
    "BreakdownKind",
    "Funnel",
    "FunnelAggregate",
    "FunnelOrder",
    "FunnelStep",
]


class FunnelOrder(StrEnum):
    ORDERED = "ordered"
    """Steps in order; other events may happen between them."""
    STRICT = "strict"
    """Steps in order with no other event of the user strictly between two steps."""


class BreakdownKind(StrEnum):
    EVENT = "event"
    """A property of the user's first-step event (the chain's start)."""
    PERSON = "person"
    """A property of the person (via person_distinct_ids → persons)."""
    DAY = "day"
    """The UTC day of the first-step event (conversion over time)."""
    WEEK = "week"
    """The ISO week (its Monday, UTC) of the first-step event."""


@dataclass(frozen=True)
class Breakdown:
    kind: BreakdownKind
    key: str

    @classmethod
    def parse(cls, text: str) -> Breakdown:
        """``platform`` / ``event.platform`` (event property), ``person.plan``, or
        ``time.day`` / ``time.week`` (when the first step happened)."""
        head, dot, rest = text.partition(".")
        if dot and head == "time" and rest in (BreakdownKind.DAY, BreakdownKind.WEEK):
            return cls(kind=BreakdownKind(rest), key=rest)
        if dot and head in ("person", "event") and rest:
            kind = BreakdownKind(head)
            key = rest
        else:
            kind, key = BreakdownKind.EVENT, text
        PropertyFilter(key=key, op=Operator.EQ, value="")  # validates the name
        return cls(kind=kind, key=key)

    def __str__(self) -> str:
        if self.kind in (BreakdownKind.DAY, BreakdownKind.WEEK):
            return f"time.{self.kind.value}"
        return f"{self.kind.value}.{self.key}"


@dataclass(frozen=True)
class FunnelStep:
    event: str
    filters: tuple[PropertyFilter, ...] = ()

    @classmethod
    def parse(cls, text: str) -> FunnelStep:
        event, filters = parse_step(text)
        return cls(event=event, filters=filters)

    def __str__(self) -> str:
        if not self.filters:
            return self.event
        return f"{self.event} where " + " and ".join(str(f) for f in self.filters)


@dataclass(frozen=True)
class Funnel:
    steps: tuple[FunnelStep, ...]
    window: timedelta = timedelta(days=14)
    order: FunnelOrder = FunnelOrder.ORDERED
    breakdown: Breakdown | None = None
    dates: DateRange = field(default_factory=DateRange)
    """Range for the first step; later steps may follow up to ``window`` after its end."""

    def __post_init__(self) -> None:
        if len(self.steps) < 2:
            raise ValueError("a funnel needs at least two steps")
        if len(self.steps) > 20:
            raise ValueError("a funnel has at most 20 steps")
        if self.window <= timedelta(0):
            raise ValueError("the conversion window must be positive")

    @property
    def window_us(self) -> int:
        return self.window // timedelta(microseconds=1)

    def strictly_later(self, index: int) -> bool:
        """Must step ``index`` (0-based) happen strictly after the previous step?

        Yes when its event name already appears among the earlier steps: otherwise one
        event could fill two steps (``pageview → pageview`` would convert everybody).
        """
        return self.steps[index].event in {s.event for s in self.steps[:index]}

    @classmethod
    def parse(
        cls,
        steps: Sequence[str],
        *,
        window: str = "14d",
        strict: bool = False,
        breakdown: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> Funnel:
        """From what a person types (CLI options, API query parameters); ``date_to`` is
        inclusive when it is a date. Raises ValueError with a readable message."""
        return cls(
            steps=tuple(FunnelStep.parse(s) for s in steps),
            window=parse_duration(window),
            order=FunnelOrder.STRICT if strict else FunnelOrder.ORDERED,
            breakdown=Breakdown.parse(breakdown) if breakdown else None,
            dates=DateRange(
                start=parse_date(date_from) if date_from else None,
                end=parse_date(date_to, end=True) if date_to else None,
            ),
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Funnel:
        """The JSON shape the API and CLI share (steps in the one-line step syntax)."""
        breakdown = data.get("breakdown")
        return cls(
            steps=tuple(FunnelStep.parse(str(s)) for s in data["steps"]),
            window=parse_duration(str(data.get("window", "14d"))),
            order=FunnelOrder(data.get("order", FunnelOrder.ORDERED.value)),
            breakdown=Breakdown.parse(str(breakdown)) if breakdown else None,
            dates=DateRange.from_dict(data.get("dates")),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [str(s) for s in self.steps],
            "window": format_duration(self.window),
            "order": self.order.value,
            "breakdown": str(self.breakdown) if self.breakdown else None,
            "dates": self.dates.to_dict(),
        }


@dataclass(frozen=True)
class FunnelAggregate:
    """What an engine returns for one group (the total, or one breakdown value)."""

    total: bool
    breakdown_value: str | None
    counts: tuple[int, ...]
    """Users whose furthest step is at least step k (index 0 = entered the funnel)."""
    seconds: tuple[Percentiles | None, ...]
    """Per step, time from the previous step in each user's counted chain (None for the
    first step, or when nobody reached it)."""
