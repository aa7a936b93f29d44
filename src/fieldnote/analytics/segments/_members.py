"""The funnel kind of segment: the funnel's per-user furthest step, filtered.

A segment is a funnel (steps with filters, window, order) and a condition on each
user's furthest step: ``reached`` at least step K, or ``dropped`` at step K (reached
K, not K+1). Its dates are either fixed or ``last`` N days, counted back from the
latest event in the source (so a segment means the same thing on a copy of old
data). Members are persons (``person_id``) with their distinct ids.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._sql import Params
from fieldnote.analytics._time import DateRange, format_duration, parse_duration
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments._model import SegmentMembers, collect, page_sql
from fieldnote.analytics.segments._per_user import per_user_rows
from fieldnote.analytics.trends._common import latest_event

__all__ = ["SegmentDefinition", "resolve_funnel"]


@dataclass(frozen=True)
class SegmentDefinition:
    """The funnel kind (``kind`` "funnel"). Stored before kinds existed, so its
    ``to_dict`` carries no ``kind`` key: a definition without one is a funnel."""

    kind: ClassVar[str] = "funnel"
    funnel: Funnel
    step: int
    """1-based step the condition is about."""
    dropped: bool = False
    """True: furthest step is exactly ``step``; False: at least ``step``."""
    last: timedelta | None = None
    """Relative range: the first step in the ``last`` before the latest event."""

    def __post_init__(self) -> None:
        if not 1 <= self.step <= len(self.funnel.steps):
            raise ValueError(f"step must be between 1 and {len(self.funnel.steps)}")
        if self.dropped and self.step == len(self.funnel.steps):
            raise ValueError("nobody can drop after the last step: use --reached")
        if self.funnel.breakdown is not None:
            raise ValueError("a segment's funnel takes no breakdown (use step filters)")

    def describe(self) -> str:
        event = self.funnel.steps[self.step - 1]
        how = (
            f"dropped after step {self.step} ({event})"
            if self.dropped
            else (f"reached step {self.step} ({event})")
        )
        when = f", last {format_duration(self.last)}" if self.last else ""
        return f"{how} of {' → '.join(str(s) for s in self.funnel.steps)}{when}"

    def label(self) -> str:
        step = self.funnel.steps[self.step - 1]
        how = "Dropped after" if self.dropped else "Reached"
        return f"{how} step {self.step} ({step.event})"

    def resolve(self, source: EventSource, limit: int) -> SegmentMembers:
        return resolve_funnel(source, self, limit=limit)

    def to_dict(self) -> dict[str, Any]:
        return {
            "funnel": self.funnel.to_dict(),
            "step": self.step,
            "dropped": self.dropped,
            "last": format_duration(self.last) if self.last else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SegmentDefinition:
        last = data.get("last")
        return cls(
            funnel=Funnel.from_dict(data["funnel"]),
            step=int(data["step"]),
            dropped=bool(data.get("dropped", False)),
            last=parse_duration(str(last)) if last else None,
        )

    def dates(self, latest: datetime | None) -> DateRange:
        if self.last is None:
            return self.funnel.dates
        end = (latest or datetime.now().astimezone()) + timedelta(microseconds=1)
        return DateRange(start=end - self.last, end=end)


def resolve_funnel(
    source: EventSource, definition: SegmentDefinition, *, limit: int = 100
) -> SegmentMembers:
    """Evaluate a funnel segment now: the size, and up to ``limit`` members."""
    dates = definition.dates(latest_event(source) if definition.last else None)
    funnel = replace(definition.funnel, dates=dates)
    cond = "lvl = " if definition.dropped else "lvl >= "

    def outer(per_user: str, params: Params) -> str:
        inside = (
            f"SELECT person, lvl, did FROM ({per_user}) seg "
            f"WHERE {cond}{params.add(definition.step)}"
        )
        return page_sql(inside, params, limit, source.tables)

    return collect(per_user_rows(source, funnel, outer), definition, dates)
