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

from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = ["DuckDBSource", "EventSource", "EventTables", "SparkSource", "store_source"]


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


def store_source(con: Any, project: str) -> DuckDBSource:
    """One project of the event store, read through ``con`` (a read-only connection, or
    the server's cursor beside its writer): what the CLI and the API both compute on."""
    return DuckDBSource(con, EventTables(project=project))
