"""The Spark engine: Parquet (an export of the store, or a segments folder) on Spark.

For teams past one machine, or whose events already sit in a lake: the same Ibis
expressions that run on DuckDB compile to Spark SQL. Spark cannot open a DuckDB file,
so the store is read through ``fieldnote export``; scale-out capture writes Parquet
segments that Spark reads directly.

``pyspark`` is an optional dependency (``pip install 'fieldnote[spark]'``) and a JVM
(Java 17) must be installed; this module imports it only when an engine is opened.
"""

from __future__ import annotations

import itertools
import secrets
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir
from ibis.backends import BaseBackend

from fieldnote.events.engines._engine import EngineOptions, TableCache
from fieldnote.events.engines._sources import (
    EngineSourceError,
    ParquetExport,
    SegmentsFolder,
    Source,
    TableName,
    arrow_schema,
)

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["SparkEngine", "local_spark_session"]


def local_spark_session(
    master: str = "local[2]",
    *,
    shuffle_partitions: int = 2,
    driver_memory: str = "1g",
    app_name: str = "fieldnote",
) -> SparkSession:
    """A small local SparkSession (no UI, few shuffle partitions, UTC).

    Spark allows one session per process: if one is already running it is returned
    as it is (its master and memory were fixed when it started).
    """
    from pyspark.sql import SparkSession

    builder: Any = SparkSession.builder
    session: SparkSession = (
        builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", driver_memory)
        .config("spark.log.level", "ERROR")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    return session


def _spark_schema(name: TableName) -> Any:
    from pyspark.sql.types import StringType, StructField, StructType, TimestampType

    types = {"string": StringType(), "timestamp": TimestampType()}
    return StructType(
        [
            StructField(field.name, types[str(field.type).split("[")[0]], nullable=True)
            for field in arrow_schema(name)
        ]
    )


class SparkEngine:
    """Reads Parquet sources with Spark through Ibis's PySpark backend."""

    name = "spark"
    _ids = itertools.count()

    def __init__(self, source: Source, options: EngineOptions) -> None:
        if not isinstance(source, ParquetExport | SegmentsFolder):
            raise EngineSourceError(
                "Spark reads Parquet, not the DuckDB file: run `fieldnote export DIR` "
                "and open the engine on ParquetExport(DIR)"
            )
        self.source = source
        self._session: SparkSession = options.spark or local_spark_session(options.spark_master)
        self._backend = ibis.pyspark.connect(self._session)
        self._prefix = f"fieldnote_{secrets.token_hex(4)}"
        self._cache = TableCache(self._read_parquet, self._drop)

    @property
    def backend(self) -> BaseBackend:
        return self._backend

    @property
    def session(self) -> SparkSession:
        return self._session

    def table(self, name: TableName, project: str) -> ir.Table:
        return self._cache.table(self.source, name, project)

    def _read_parquet(self, files: list[str], name: TableName) -> tuple[ir.Table, str | None]:
        schema = _spark_schema(name)
        if files:
            frame = self._session.read.schema(schema).parquet(*files)
        else:
            frame = self._session.createDataFrame([], schema)
        view = f"{self._prefix}_{name}_{next(self._ids)}"
        frame.createOrReplaceTempView(view)
        return self._backend.table(view), view

    def _drop(self, view: str) -> None:
        self._session.catalog.dropTempView(view)

    def close(self) -> None:
        """Drop this engine's views; the session is shared and keeps running."""
        self._cache.clear()
