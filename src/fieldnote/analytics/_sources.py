"""Where analytics reads events: a DuckDB connection or a Spark session, plus table names.

The tables have the event store's shape (docs/architecture.md): ``events(project,
distinct_id, event, timestamp, properties JSON text)``, and optionally
``person_distinct_ids(project, distinct_id, person_id)`` and ``persons(project,
person_id, properties)``. A relation may be a table, a view, or a parenthesised
query (``(SELECT * FROM read_parquet('e.parquet'))``), so the same code reads the
store, Parquet files, or a warehouse table that Spark sees.

Users are counted as *persons* when ``person_distinct_ids`` is given (so an anonymous
visitor who later logs in is one user), otherwise by ``distinct_id``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "DuckDBSource",
    "EventSource",
    "EventTables",
    "SparkSource",
    "engine_source",
    "store_source",
]


@dataclass(frozen=True)
class EventTables:
    events: str = "events"
    person_distinct_ids: str | None = "person_distinct_ids"
    persons: str | None = "persons"
    project: str | None = None
    """Only this project's rows; None when the relations hold one project already."""


@dataclass(frozen=True)
class DuckDBSource:
    """Events in DuckDB: the store (through a read cursor), or any relation DuckDB reads."""

    engine: ClassVar[str] = "duckdb"
    con: Any  # duckdb.DuckDBPyConnection
    tables: EventTables = EventTables()


@dataclass(frozen=True)
class SparkSource:
    """Events a SparkSession sees (temp views or catalog tables)."""

    engine: ClassVar[str] = "spark"
    session: Any  # pyspark.sql.SparkSession
    tables: EventTables = EventTables()


EventSource = DuckDBSource | SparkSource


def engine_source(engine: Any, project: str) -> EventSource:
    """One project as an engine of ``fieldnote.events.engines`` presents it (the store
    file, its live connection, a Parquet export or a segments folder; DuckDB or Spark).

    The engine's conformed, deduplicated Ibis tables are compiled to SQL and used as
    the relations, so analytics sees exactly what the engine's other reads see.
    """
    try:
        adapt = _ENGINE_ADAPTERS[engine.name]
    except KeyError:
        raise ValueError(f"analytics cannot run on engine {engine.name!r}") from None

    def relation(name: str) -> str:
        return "(" + str(engine.backend.compile(engine.table(name, project))) + ")"

    tables = EventTables(
        events=relation("events"),
        person_distinct_ids=relation("person_distinct_ids"),
        persons=relation("persons"),
        project=None,  # the engine's tables hold this project only
    )
    return adapt(engine, tables)


_ENGINE_ADAPTERS: dict[str, Callable[[Any, EventTables], EventSource]] = {
    "duckdb": lambda engine, tables: DuckDBSource(engine.backend.con, tables),
    "spark": lambda engine, tables: SparkSource(engine.session, tables),
}


def store_source(con: Any, project: str) -> DuckDBSource:
    """One project of the event store, read through ``con`` (a read-only connection, or
    the server's cursor beside its writer): what the CLI and the API both compute on."""
    return DuckDBSource(con, EventTables(project=project))
