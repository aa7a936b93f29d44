"""Where events are read from, independent of the engine that reads them.

Three places hold events:

* the DuckDB store (``events.duckdb``), as a file or as the open connection of the
  process that owns it (the server reads beside its own writer);
* a Parquet export of that store (``fieldnote export DIR``), for engines that cannot
  open a DuckDB file (Spark);
* a segments folder written by scale-out capture processes (``segments.py``), where a
  retry may have been written by two processes and is removed at read time.

Every source presents the same three tables with the same columns (``SCHEMAS``), so
the read path above them is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Literal

import duckdb
import ibis
import ibis.expr.datatypes as dt
import pyarrow as pa

from fieldnote.events.segments import SegmentsLayout

__all__ = [
    "EXPORT_MARKER",
    "SCHEMAS",
    "TABLES",
    "DuckDBConnection",
    "DuckDBFile",
    "EngineSourceError",
    "ParquetExport",
    "ParquetSource",
    "SegmentsFolder",
    "Source",
    "TableName",
]

TableName = Literal["events", "person_distinct_ids", "persons"]
TABLES: tuple[TableName, ...] = ("events", "person_distinct_ids", "persons")

_TS = dt.Timestamp(timezone="UTC", scale=6)

#: The columns every engine presents, whatever the source stores (UUID and JSON types
#: of DuckDB become text, so results compare equal across engines).
SCHEMAS: dict[TableName, ibis.Schema] = {
    "events": ibis.schema(
        {
            "uuid": dt.string,
            "project": dt.string,
            "distinct_id": dt.string,
            "event": dt.string,
            "timestamp": _TS,
            "properties": dt.string,
            "inserted_at": _TS,
        }
    ),
    "person_distinct_ids": ibis.schema(
        {"project": dt.string, "distinct_id": dt.string, "person_id": dt.string}
    ),
    "persons": ibis.schema(
        {"project": dt.string, "person_id": dt.string, "properties": dt.string, "created_at": _TS}
    ),
}

#: Written last by an export: a folder without it is an unfinished (or foreign) export.
EXPORT_MARKER = "export.json"


class EngineSourceError(ValueError):
    """A source that cannot be read (missing, unfinished, or not for this engine)."""


def arrow_schema(table: TableName) -> pa.Schema:
    return SCHEMAS[table].to_pyarrow()


@dataclass(frozen=True)
class DuckDBFile:
    """The store's DuckDB file, opened read-only (refused while a server owns it)."""

    path: Path


@dataclass(frozen=True)
class DuckDBConnection:
    """An open connection to the store, read through a cursor of its own.

    For the process that owns the file (the server): DuckDB's MVCC lets the cursor
    read beside the group-commit writer.
    """

    connection: duckdb.DuckDBPyConnection


@dataclass(frozen=True)
class ParquetExport:
    """A folder written by ``fieldnote export``: one sub-folder per table and project."""

    path: Path
    deduplicate: ClassVar[bool] = False

    def files(self, table: TableName, project: str) -> list[Path]:
        if not (self.path / EXPORT_MARKER).is_file():
            raise EngineSourceError(
                f"{self.path} is not a finished fieldnote export (no {EXPORT_MARKER}); "
                "run `fieldnote export` into it"
            )
        return sorted((self.path / table / f"project={project}").glob("*.parquet"))


@dataclass(frozen=True)
class SegmentsFolder:
    """A folder that scale-out capture processes write Parquet segments into.

    Events may hold the same ``(project, uuid)`` more than once until compaction, so
    readers keep the first committed copy. Persons are those derived by the last
    ``compact_segments`` run (capture processes cannot merge persons on their own).
    """

    path: Path
    deduplicate: ClassVar[bool] = True

    def files(self, table: TableName, project: str) -> list[Path]:
        layout = SegmentsLayout(self.path.expanduser().resolve())
        if table == "events":
            return layout.event_files(project)
        persons = layout.persons_dir()
        return [persons / f"{table}.parquet"] if persons is not None else []


Source = DuckDBFile | DuckDBConnection | ParquetExport | SegmentsFolder
ParquetSource = ParquetExport | SegmentsFolder
