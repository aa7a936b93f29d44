"""What every kind of segment shares: the members it resolves to, and one way to page them.

A segment kind (a funnel position, a trend point, a retention cell) only has to say
which persons are inside, as a relation ``(person, lvl, did)``: the person id as
text, the furthest funnel step (NULL for kinds without steps) and one of the
person's distinct ids. ``page_sql`` wraps that relation the same way for every kind
and engine (size, the first ``limit`` persons by id, and each one's distinct ids
from the mapping table), and ``collect`` turns its rows into ``SegmentMembers``, so
the members of any kind read alike in the CLI, the API and the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from fieldnote.analytics._sources import EventTables
from fieldnote.analytics._sql import Params

if TYPE_CHECKING:
    from fieldnote.analytics._sources import EventSource
    from fieldnote.analytics._time import DateRange

__all__ = [
    "ROW_RUNNERS",
    "Member",
    "SegmentMembers",
    "SegmentSpec",
    "collect",
    "page_sql",
    "run_rows",
]


class SegmentSpec(Protocol):
    """A saved segment's definition: plain data (``to_dict``) that resolves to persons."""

    @property
    def kind(self) -> str:
        """The registry key (``SEGMENT_KINDS``) stored with the definition."""
        ...

    def describe(self) -> str:
        """ "Users who …": one line a person reads."""
        ...

    def label(self) -> str:
        """A short title (a saved segment's name starts with it)."""
        ...

    def to_dict(self) -> dict[str, Any]: ...

    def resolve(self, source: EventSource, limit: int) -> SegmentMembers:
        """Evaluate now: the size, and up to ``limit`` members by person id."""
        ...


@dataclass(frozen=True)
class Member:
    person_id: str
    distinct_ids: tuple[str, ...]
    furthest_step: int | None = None
    """Funnel segments only: the person's furthest step (None for other kinds)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "person_id": self.person_id,
            "distinct_ids": list(self.distinct_ids),
            "furthest_step": self.furthest_step,
        }


@dataclass(frozen=True)
class SegmentMembers:
    definition: SegmentSpec
    dates: DateRange
    size: int
    members: tuple[Member, ...]
    """Up to the limit asked for, by person id."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "definition": self.definition.to_dict(),
            "kind": self.definition.kind,
            "description": self.definition.describe(),
            "dates": self.dates.to_dict(),
            "size": self.size,
            "members": [m.to_dict() for m in self.members],
        }


def page_sql(inside: str, params: Params, limit: int, tables: EventTables) -> str:
    """The size, and the first ``limit`` members by person id with one row per distinct
    id; portable SQL (DuckDB and Spark). A person's ids come from the mapping table; a
    user without a mapping (or without the table) has one, the one its events carry.

    ``inside`` is a query with columns ``(person, lvl, did)``, one row per person."""
    did, join = "i.did", ""
    if tables.person_distinct_ids is not None:
        did = "coalesce(m.distinct_id, i.did)"
        join = (
            f" LEFT JOIN {tables.person_distinct_ids} m ON CAST(m.person_id AS STRING) = i.person"
        )
        if tables.project is not None:
            join += f" AND m.project = {params.add(tables.project)}"
    return (
        f"WITH inside AS ({inside}), "
        f"page AS (SELECT * FROM inside ORDER BY person LIMIT {int(limit)}) "
        f"SELECT s.size, i.person, i.lvl, {did} AS member_id "
        f"FROM (SELECT count(*) AS size FROM inside) s LEFT JOIN page i ON true{join} "
        "ORDER BY i.person, member_id"
    )


def collect(
    rows: list[tuple[Any, ...]], definition: SegmentSpec, dates: DateRange
) -> SegmentMembers:
    """``SegmentMembers`` from the rows of ``page_sql`` (size, person, lvl, member id)."""
    size = int(rows[0][0]) if rows else 0
    found: dict[str, tuple[int | None, set[str]]] = {}
    for _, person, level, distinct_id in rows:
        if person is None:
            continue
        lvl = None if level is None else int(level)
        ids = found.setdefault(str(person), (lvl, set()))[1]
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


def _duckdb_rows(source: Any, sql: str, params: Params) -> list[tuple[Any, ...]]:
    rows: list[tuple[Any, ...]] = source.con.sql(sql, params=params.used_in(sql)).fetchall()
    return rows


def _spark_rows(source: Any, sql: str, params: Params) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in source.session.sql(sql, args=params.used_in(sql)).collect()]


#: Engine name → run a query and return its rows as tuples (the funnel kind has its own
#: runner, ``_per_user``, because Spark's chain needs a checkpointed view).
ROW_RUNNERS: dict[str, Callable[[Any, str, Params], list[tuple[Any, ...]]]] = {
    "duckdb": _duckdb_rows,
    "spark": _spark_rows,
}


def run_rows(source: EventSource, sql: str, params: Params) -> list[tuple[Any, ...]]:
    try:
        run = ROW_RUNNERS[source.engine]
    except KeyError:
        raise ValueError(f"segments cannot run on engine {source.engine!r}") from None
    return run(source, sql, params)
