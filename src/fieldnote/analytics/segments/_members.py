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

from fieldnote.analytics._sources import EventSource, EventTables
from fieldnote.analytics._sql import Params
from fieldnote.analytics._time import DateRange, format_duration, parse_duration
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments._per_user import per_user_rows
from fieldnote.analytics.trends._common import latest_event

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
    dates = definition.dates(latest_event(source) if definition.last else None)
    funnel = replace(definition.funnel, dates=dates)

    def outer(per_user: str, params: Params) -> str:
        return _members_sql(per_user, params, definition, limit, source.tables)

    rows = per_user_rows(source, funnel, outer)
    size = int(rows[0][0]) if rows else 0
    found: dict[str, tuple[int, set[str]]] = {}
    for _, person, level, distinct_id in rows:
        if person is None:
            continue
        ids = found.setdefault(str(person), (int(level), set()))[1]
        if distinct_id is not None:
            ids.add(str(distinct_id))
    return SegmentMembers(
        definition=definition,
        dates=dates,
        size=size,
        members=tuple(
            Member(person_id=p, distinct_ids=tuple(sorted(ids)), furthest_step=level)
            for p, (level, ids) in sorted(found.items())
        ),
    )


def _members_sql(
    per_user: str, params: Params, definition: SegmentDefinition, limit: int, tables: EventTables
) -> str:
    """The size, and the first ``limit`` members by person id with one row per distinct
    id; portable SQL (DuckDB and Spark). A person's ids come from the mapping table; a
    user without a mapping (or without the table) has one, the one its events carry."""
    cond = "lvl = " if definition.dropped else "lvl >= "
    where = f"{cond}{params.add(definition.step)}"
    did, join = "i.did", ""
    if tables.person_distinct_ids is not None:
        did = "coalesce(m.distinct_id, i.did)"
        join = (
            f" LEFT JOIN {tables.person_distinct_ids} m ON CAST(m.person_id AS STRING) = i.person"
        )
        if tables.project is not None:
            join += f" AND m.project = {params.add(tables.project)}"
    return (
        f"WITH seg AS ({per_user}), inside AS (SELECT person, lvl, did FROM seg WHERE {where}), "
        f"page AS (SELECT * FROM inside ORDER BY person LIMIT {int(limit)}) "
        f"SELECT s.size, i.person, i.lvl, {did} AS member_id "
        f"FROM (SELECT count(*) AS size FROM inside) s LEFT JOIN page i ON true{join} "
        "ORDER BY i.person, member_id"
    )
