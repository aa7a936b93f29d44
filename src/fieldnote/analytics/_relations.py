"""``FROM events ... WHERE ...`` with the user resolved: shared by every analytics query.

A user is a person: ``person_distinct_ids`` maps each distinct id to its person. An id
without a mapping (a source without the table, or an event the persons update has not
reached) counts as a person of its own: on DuckDB it gets the id its person would get
(``md5(project, distinct_id)`` as a UUID, so the key stays a fast 128-bit value);
on Spark the same id as text, so both engines name the same persons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from fieldnote.analytics._sources import EventTables
from fieldnote.analytics._sql import Params

__all__ = ["EventsFrom", "events_from"]


@dataclass(frozen=True)
class EventsFrom:
    actor: str
    """SQL for the user of an event row (alias ``e``)."""
    from_where: str
    """``FROM {events} e [LEFT JOIN persons map] [WHERE ...]``."""


def events_from(
    params: Params,
    tables: EventTables,
    *,
    names: Sequence[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> EventsFrom:
    """The project's events, only ``names`` when given, in ``[start, end)`` when given."""
    uuid_actor = params.dialect.name == "duckdb"
    join = ""
    actor = "e.distinct_id"
    if tables.person_distinct_ids:
        join = (
            f" LEFT JOIN {tables.person_distinct_ids} m"
            " ON m.project = e.project AND m.distinct_id = e.distinct_id"
        )
        actor = (
            "coalesce(CAST(m.person_id AS UUID), "
            "CAST(md5(e.project || chr(0) || e.distinct_id) AS UUID))"
            if uuid_actor
            else "coalesce(CAST(m.person_id AS STRING), regexp_replace(md5(e.project || chr(0) "
            "|| e.distinct_id), '^(.{8})(.{4})(.{4})(.{4})(.{12})$', '$1-$2-$3-$4-$5'))"
        )
    where: list[str] = []
    if tables.project is not None:
        where.append(f"e.project = {params.add(tables.project)}")
    if names is not None:
        where.append("e.event IN (" + ", ".join(params.add(n) for n in sorted(set(names))) + ")")
    if start is not None:
        where.append(f"e.timestamp >= {params.add(start)}")
    if end is not None:
        where.append(f"e.timestamp < {params.add(end)}")
    sql = f"FROM {tables.events} e{join}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return EventsFrom(actor=actor, from_where=sql)
