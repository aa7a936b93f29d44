"""``EventReader``: the read path, written once in Ibis, run on any engine.

Each question is a ``Computation`` so that an engine that needs a different plan can
replace it for itself alone; results are dataclasses with UTC datetimes and parsed
properties, identical whichever engine produced them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import ibis.expr.types as ir
import orjson

from fieldnote.events._model import StoredEvent
from fieldnote.events.engines._engine import Computation, Engine

__all__ = [
    "COUNT",
    "EVENT_NAMES",
    "PERSONS",
    "PERSON_FOR",
    "TAIL",
    "EventNameCount",
    "EventReader",
    "Person",
]


@dataclass(frozen=True, kw_only=True)
class EventNameCount:
    """How often one event name occurs in a project (what to build funnels from)."""

    event: str
    count: int


@dataclass(frozen=True, kw_only=True)
class Person:
    """A person: every distinct_id merged into it, and its properties ($set, traits)."""

    person_id: str
    distinct_ids: tuple[str, ...]
    properties: dict[str, Any]
    created_at: datetime


def events_table(engine: Engine, project: str) -> ir.Table:
    return engine.table("events", project)


def persons_table(engine: Engine, project: str) -> ir.Table:
    """One row per distinct_id with its person's id and properties (joins to events)."""
    ids = engine.table("person_distinct_ids", project)
    people = engine.table("persons", project)
    joined = ids.join(people, ids.person_id == people.person_id)
    return joined.select(
        person_id=ids.person_id,
        distinct_id=ids.distinct_id,
        properties=people.properties,
        created_at=people.created_at,
    )


def _count(engine: Engine, project: str) -> int:
    return int(engine.backend.execute(events_table(engine, project).count()))


def _tail(engine: Engine, project: str, limit: int) -> list[StoredEvent]:
    t = events_table(engine, project)
    newest = t.order_by([t.inserted_at.desc(), t.timestamp.desc(), t.uuid.desc()]).limit(limit)
    rows = engine.backend.to_pyarrow(newest).to_pylist()
    events = [
        StoredEvent(
            uuid=r["uuid"],
            project=r["project"],
            distinct_id=r["distinct_id"],
            event=r["event"],
            timestamp=_utc(r["timestamp"]),
            properties=orjson.loads(r["properties"]),
            inserted_at=_utc(r["inserted_at"]),
        )
        for r in rows
    ]
    events.reverse()
    return events


def _event_names(engine: Engine, project: str) -> list[EventNameCount]:
    t = events_table(engine, project)
    counts = t.group_by("event").aggregate(count=t.count())
    ordered = counts.order_by([counts["count"].desc(), counts.event.asc()])
    return [
        EventNameCount(event=r["event"], count=int(r["count"]))
        for r in engine.backend.to_pyarrow(ordered).to_pylist()
    ]


def _people(engine: Engine, rows: ir.Table) -> list[Person]:
    ordered = rows.order_by([rows.person_id, rows.distinct_id])
    ids: dict[str, list[str]] = {}
    first: dict[str, dict[str, Any]] = {}
    for r in engine.backend.to_pyarrow(ordered).to_pylist():
        ids.setdefault(r["person_id"], []).append(r["distinct_id"])
        first.setdefault(r["person_id"], r)
    return [
        Person(
            person_id=pid,
            distinct_ids=tuple(ids[pid]),
            properties=orjson.loads(r["properties"]),
            created_at=_utc(r["created_at"]),
        )
        for pid, r in first.items()
    ]


def _persons(engine: Engine, project: str) -> list[Person]:
    return _people(engine, persons_table(engine, project))


def _person_for(engine: Engine, project: str, distinct_id: str) -> Person | None:
    people = persons_table(engine, project)
    ids = engine.table("person_distinct_ids", project)
    wanted = ids.filter(ids.distinct_id == distinct_id).person_id
    found = _people(engine, people.filter(people.person_id.isin(wanted)))
    return found[0] if found else None


COUNT = Computation("count", _count)
TAIL = Computation("tail", _tail)
EVENT_NAMES = Computation("event_names", _event_names)
PERSONS = Computation("persons", _persons)
PERSON_FOR = Computation("person_for", _person_for)


class EventReader:
    """The read path over one engine: the same answers from DuckDB and from Spark."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def events(self, project: str) -> ir.Table:
        """The project's events as an Ibis table (each ``(project, uuid)`` once)."""
        return events_table(self.engine, project)

    def persons(self, project: str) -> ir.Table:
        """``person_id, distinct_id, properties, created_at``: one row per distinct_id."""
        return persons_table(self.engine, project)

    def count(self, project: str) -> int:
        return COUNT(self.engine, project)

    def tail(self, project: str, limit: int = 20) -> list[StoredEvent]:
        """The ``limit`` most recently committed events, newest last."""
        return TAIL(self.engine, project, limit)

    def event_names(self, project: str) -> list[EventNameCount]:
        """Event names with their counts, most frequent first."""
        return EVENT_NAMES(self.engine, project)

    def list_persons(self, project: str) -> list[Person]:
        """Every person of the project, ordered by person_id."""
        return PERSONS(self.engine, project)

    def person_for(self, project: str, distinct_id: str) -> Person | None:
        """The person behind ``distinct_id`` (after merges), or None if never seen."""
        return PERSON_FOR(self.engine, project, distinct_id)

    def close(self) -> None:
        self.engine.close()

    def __enter__(self) -> EventReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
