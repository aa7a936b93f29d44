"""Who is in a segment: the funnel's per-user furthest step, filtered.

A segment is a funnel (steps with filters, window, order) and a condition on each
user's furthest step: ``reached`` at least step K, or ``dropped`` at step K (reached
K, not K+1). Its dates are either fixed or ``last`` N days, counted back from the
latest event in the source (so a segment means the same thing on a copy of old
data). Members are persons (``person_id``) with their distinct ids.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._time import DateRange, format_duration, parse_duration
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.funnels._duckdb_asof import funnel_sql
from fieldnote.analytics.trends._common import duckdb_only, latest_event

__all__ = ["Member", "SegmentDefinition", "SegmentMembers", "members"]


@dataclass(frozen=True)
class SegmentDefinition:
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


@dataclass(frozen=True)
class Member:
    person_id: str
    distinct_ids: tuple[str, ...]
    furthest_step: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "distinct_ids": list(self.distinct_ids),
            "furthest_step": self.furthest_step,
        }


@dataclass(frozen=True)
class SegmentMembers:
    definition: SegmentDefinition
    dates: DateRange
    size: int
    members: tuple[Member, ...]
    """Up to the limit asked for, by person id."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition.to_dict(),
            "description": self.definition.describe(),
            "dates": self.dates.to_dict(),
            "size": self.size,
            "members": [m.to_dict() for m in self.members],
        }


def members(
    source: EventSource, definition: SegmentDefinition, *, limit: int = 100
) -> SegmentMembers:
    """Evaluate ``definition`` now: the size, and up to ``limit`` members."""
    src = duckdb_only(source, "segment members")
    dates = definition.dates(latest_event(src) if definition.last else None)
    funnel = replace(definition.funnel, dates=dates)
    sql, params = funnel_sql(src, funnel, per_user=True)
    cond = "lvl = " if definition.dropped else "lvl >= "
    where = f"{cond}{params.add(definition.step)}"
    ids = _distinct_ids(src.tables.person_distinct_ids)
    query = (
        f"WITH seg AS ({sql}), inside AS (SELECT * FROM seg WHERE {where}) "
        "SELECT s.size, i.person, i.lvl, i.ids FROM (SELECT count(*) AS size FROM inside) s "
        f"LEFT JOIN (SELECT person, lvl, {ids} AS ids FROM (SELECT * FROM inside "
        f"ORDER BY person LIMIT {params.add(limit)}) i) i ON true ORDER BY i.person"
    )
    rows = src.con.sql(query, params=params.used_in(query)).fetchall()
    size = int(rows[0][0]) if rows else 0
    found = tuple(
        Member(person_id=str(p), distinct_ids=tuple(sorted(d or ())), furthest_step=int(lv))
        for _, p, lv, d in rows
        if p is not None
    )
    return SegmentMembers(definition=definition, dates=dates, size=size, members=found)


def _distinct_ids(table: str | None) -> str:
    """A person's distinct ids; without a mapping table users are distinct ids already.
    (Person ids derive from the project, so they never match another project's.)"""
    if table is None:
        return "[i.person]"
    return (
        f"coalesce((SELECT list(DISTINCT m.distinct_id) FROM {table} m "
        "WHERE CAST(m.person_id AS VARCHAR) = i.person), [i.person])"
    )
