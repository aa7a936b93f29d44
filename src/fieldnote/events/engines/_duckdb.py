"""The DuckDB engine: the store's own file or connection, or Parquet (export, segments).

On one machine DuckDB reads everything fieldnote writes: the event store in place,
and the same Parquet a Spark cluster would read, which is how the two engines are
checked against each other.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from ibis.backends.duckdb import Backend as DuckDBBackend

from fieldnote.events.engines._engine import EngineOptions, TableCache, conform
from fieldnote.events.engines._sources import (
    DuckDBConnection,
    DuckDBFile,
    EngineSourceError,
    ParquetExport,
    SegmentsFolder,
    Source,
    TableName,
    arrow_schema,
)

__all__ = ["DuckDBEngine"]


def _file_backend(source: DuckDBFile, options: EngineOptions) -> DuckDBBackend:
    if not source.path.exists():
        raise EngineSourceError(f"no event store at {source.path}")
    config: dict[str, str | int] = {"memory_limit": options.duckdb_memory_limit}
    if options.duckdb_threads:
        config["threads"] = options.duckdb_threads
    try:
        return ibis.duckdb.connect(source.path, read_only=True, **config)
    except duckdb.IOException as exc:  # another process (the server) holds the write lock
        raise EngineSourceError(
            f"cannot open {source.path} while another process writes it ({exc}); read it "
            "in that process (DuckDBConnection) or from an export (`fieldnote export`)"
        ) from exc


def _connection_backend(source: DuckDBConnection, _options: EngineOptions) -> DuckDBBackend:
    # A cursor is a connection of its own: Ibis's session settings stay off the writer's.
    return ibis.duckdb.from_connection(source.connection.cursor())


def _memory_backend(_source: Source, options: EngineOptions) -> DuckDBBackend:
    config: dict[str, str | int] = {"memory_limit": options.duckdb_memory_limit}
    if options.duckdb_threads:
        config["threads"] = options.duckdb_threads
    return ibis.duckdb.connect(**config)


_BACKENDS: dict[type, Callable[..., DuckDBBackend]] = {
    DuckDBFile: _file_backend,
    DuckDBConnection: _connection_backend,
    ParquetExport: _memory_backend,
    SegmentsFolder: _memory_backend,
}


class DuckDBEngine:
    """Reads any source with DuckDB (in process, no server needed)."""

    name = "duckdb"

    def __init__(self, source: Source, options: EngineOptions) -> None:
        self.source = source
        self._backend = _BACKENDS[type(source)](source, options)
        self._ids = itertools.count()
        self._cache = TableCache(self._read_parquet, self._drop)

    @property
    def backend(self) -> BaseBackend:
        return self._backend

    def table(self, name: TableName, project: str) -> ir.Table:
        if isinstance(self.source, DuckDBFile | DuckDBConnection):
            table = conform(self._backend.table(name), name)
            return table.filter(table.project == project)
        return self._cache.table(self.source, name, project)

    def _read_parquet(self, files: list[str], name: TableName) -> tuple[ir.Table, str | None]:
        if not files:
            return ibis.memtable(pa.Table.from_pylist([], schema=arrow_schema(name))), None
        view = f"_fn_{name}_{next(self._ids)}"
        return self._backend.read_parquet(files, table_name=view, hive_partitioning=False), view

    def _drop(self, view: str) -> None:
        self._backend.raw_sql(f'DROP VIEW IF EXISTS "{view}"').fetchall()

    def close(self) -> None:
        self._cache.clear()
        self._backend.disconnect()
