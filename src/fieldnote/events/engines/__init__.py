"""Engine-neutral reads: the same Ibis code on DuckDB and on Apache Spark.

    reader = EventReader(open_engine("spark", ParquetExport(Path("export"))))
    reader.count("shop"); reader.event_names("shop"); reader.person_for("shop", "u1")

Engines (``ENGINES``) and sources are independent: DuckDB reads the store file, its
live connection, an export or a segments folder; Spark reads the Parquet ones. See
docs/architecture.md ("Engines") and docs/scaling.md.
"""

from fieldnote.events.engines._engine import (
    ENGINES,
    Computation,
    Engine,
    EngineFactory,
    EngineOptions,
    first_per_key,
    open_engine,
)
from fieldnote.events.engines._export import ExportError, ExportResult, export_store
from fieldnote.events.engines._reader import EventNameCount, EventReader, Person
from fieldnote.events.engines._sources import (
    SCHEMAS,
    DuckDBConnection,
    DuckDBFile,
    EngineSourceError,
    ParquetExport,
    SegmentsFolder,
    Source,
)

__all__ = [
    "ENGINES",
    "SCHEMAS",
    "Computation",
    "DuckDBConnection",
    "DuckDBFile",
    "Engine",
    "EngineFactory",
    "EngineOptions",
    "EngineSourceError",
    "EventNameCount",
    "EventReader",
    "ExportError",
    "ExportResult",
    "ParquetExport",
    "Person",
    "SegmentsFolder",
    "Source",
    "export_store",
    "first_per_key",
    "local_spark_session",
    "open_engine",
]


def local_spark_session(master: str = "local[2]", *, shuffle_partitions: int = 2) -> object:
    """A small local SparkSession (imports pyspark, an optional dependency, on call)."""
    from fieldnote.events.engines._spark import local_spark_session as start

    return start(master, shuffle_partitions=shuffle_partitions)
