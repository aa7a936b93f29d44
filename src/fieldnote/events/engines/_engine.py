"""The engine protocol, the registry of engines, and per-engine computations.

An ``Engine`` is an Ibis backend plus the three tables of a source, already in the
shared shape (``SCHEMAS``), filtered to one project and deduplicated. Everything
above it is written once in Ibis and runs on every engine.

Where Ibis cannot express a computation on some engine (funnels need an ASOF join,
which Ibis does not compile for PySpark), a ``Computation`` takes an engine-specific
implementation for that engine only; the Ibis one stays the default for the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from fieldnote.events.engines._sources import (
    SCHEMAS,
    ParquetSource,
    Source,
    TableName,
)

__all__ = [
    "ENGINES",
    "Computation",
    "Engine",
    "EngineFactory",
    "EngineOptions",
    "TableCache",
    "conform",
    "first_per_key",
    "open_engine",
]

P = ParamSpec("P")
R = TypeVar("R")


class Engine(Protocol):
    """What the read path needs from an engine."""

    @property
    def name(self) -> str:
        """The registry key (``duckdb``, ``spark``): selects engine-specific code."""
        ...

    @property
    def backend(self) -> BaseBackend:
        """The Ibis backend that executes every expression built on ``table``."""
        ...

    def table(self, name: TableName, project: str) -> ir.Table:
        """One project's rows of ``name``, in the columns of ``SCHEMAS[name]``.

        Events hold each ``(project, uuid)`` once, whatever the source.
        """
        ...

    def close(self) -> None: ...


@dataclass(frozen=True, kw_only=True)
class EngineOptions:
    """Engine settings; each engine reads the ones it knows."""

    #: An existing SparkSession to run on; default: a local one (``local_spark_session``).
    spark: Any | None = None
    spark_master: str = "local[2]"
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None


class EngineFactory(Protocol):
    def __call__(self, source: Source, options: EngineOptions) -> Engine: ...


def _open_duckdb(source: Source, options: EngineOptions) -> Engine:
    from fieldnote.events.engines._duckdb import DuckDBEngine

    return DuckDBEngine(source, options)


def _open_spark(source: Source, options: EngineOptions) -> Engine:
    from fieldnote.events.engines._spark import SparkEngine  # pyspark is optional

    return SparkEngine(source, options)


#: Engines by name. Each module is imported only when its engine is opened.
ENGINES: dict[str, EngineFactory] = {"duckdb": _open_duckdb, "spark": _open_spark}


def open_engine(name: str, source: Source, options: EngineOptions | None = None) -> Engine:
    """Open engine ``name`` on ``source``."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; choose one of {sorted(ENGINES)}") from None
    return factory(source, options or EngineOptions())


class Computation(Generic[P, R]):
    """A question asked of an engine: an Ibis default, plus per-engine replacements.

    ``count = Computation("count", count_in_ibis)`` runs ``count_in_ibis`` everywhere;
    ``@count.on("duckdb")`` registers a function that runs instead on DuckDB only.
    """

    def __init__(self, name: str, default: Callable[Concatenate[Engine, P], R]) -> None:
        self.name = name
        self._default = default
        self._by_engine: dict[str, Callable[Concatenate[Engine, P], R]] = {}

    def on(
        self, engine: str
    ) -> Callable[[Callable[Concatenate[Engine, P], R]], Callable[Concatenate[Engine, P], R]]:
        def register(
            fn: Callable[Concatenate[Engine, P], R],
        ) -> Callable[Concatenate[Engine, P], R]:
            self._by_engine[engine] = fn
            return fn

        return register

    def implementation(self, engine: str) -> Callable[Concatenate[Engine, P], R]:
        return self._by_engine.get(engine, self._default)

    def __call__(self, engine: Engine, /, *args: P.args, **kwargs: P.kwargs) -> R:
        return self.implementation(engine.name)(engine, *args, **kwargs)


# -- shared by the engine implementations ----------------------------------------------


def conform(table: ir.Table, name: TableName) -> ir.Table:
    """Select the shared columns in order, casting where a source's type differs.

    Timestamps are left alone: every source holds UTC instants, and Spark's
    TIMESTAMP (session time zone UTC) is the same instant as DuckDB's TIMESTAMPTZ.
    """
    cols: dict[str, ir.Value] = {}
    for col, dtype in SCHEMAS[name].items():
        value = table[col]
        same = value.type().is_timestamp() if dtype.is_timestamp() else value.type() == dtype
        cols[col] = value if same else value.cast(dtype)
    return table.select(**cols)


def first_per_key(events: ir.Table) -> ir.Table:
    """Each ``(project, uuid)`` once: the copy committed first (ties broken by content).

    Used for segments folders, where a retry may have been written by two capture
    processes; compaction removes such copies later, but results are exact before.
    """
    window = ibis.window(
        group_by=[events.project, events.uuid],
        order_by=[
            events.inserted_at,
            events.timestamp,
            events.distinct_id,
            events.event,
            events.properties,
        ],
    )
    ranked = events.mutate(_fn_rank=ibis.row_number().over(window))
    return ranked.filter(ranked._fn_rank == 0).drop("_fn_rank")


class TableCache:
    """Registers a project's Parquet file list once per engine and reuses the view.

    ``read`` returns the table and the name of the view it created (None for none).

    A segments folder grows while it is read: every ``table`` call lists it again, and
    only a changed list registers a new view (dropping the one it replaces).
    """

    def __init__(
        self,
        read: Callable[[list[str], TableName], tuple[ir.Table, str | None]],
        drop: Callable[[str], None],
    ) -> None:
        self._read = read
        self._drop = drop
        self._tables: dict[tuple[TableName, str], tuple[tuple[str, ...], ir.Table, str | None]] = {}

    def table(self, source: ParquetSource, name: TableName, project: str) -> ir.Table:
        files = tuple(str(p) for p in source.files(name, project))
        cached = self._tables.get((name, project))
        if cached is not None and cached[0] == files:
            raw = cached[1]
        else:
            if cached is not None and cached[2] is not None:
                self._drop(cached[2])
            raw, view = self._read(list(files), name)
            self._tables[(name, project)] = (files, raw, view)
        table = conform(raw, name)
        table = table.filter(table.project == project)
        if name == "events" and source.deduplicate:
            table = first_per_key(table)
        return table

    def clear(self) -> None:
        for _files, _raw, view in self._tables.values():
            if view is not None:
                self._drop(view)
        self._tables.clear()
