"""Load reference events into a DuckDB database shaped like the event store (or Spark)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from fieldnote.events._duckdb_store import SCHEMA_SQL
from fieldnote.events._persons import PERSONS_SCHEMA_SQL
from tests.analytics.reference import US, Ev

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: 20 seconds before Monday 2026-01-05: test data crosses a day and an ISO week boundary
T0_US = int(datetime(2026, 1, 4, 23, 59, 40, tzinfo=UTC).timestamp()) * US


def events_table(events: list[Ev]) -> pa.Table:
    return pa.table(
        {
            "uuid": [str(uuid.UUID(int=i + 1)) for i in range(len(events))],
            "project": [e.project for e in events],
            "distinct_id": [e.distinct_id for e in events],
            "event": [e.event for e in events],
            "timestamp": pa.array([e.ts for e in events], pa.timestamp("us", tz="UTC")),
            "properties": [orjson.dumps(e.props).decode() for e in events],
        }
    )


def store_like_duckdb(
    events: list[Ev],
    person_of: dict[str, str] | None = None,
    person_props: dict[str, dict[str, Any]] | None = None,
) -> duckdb.DuckDBPyConnection:
    """An in-memory database with the store's tables (``events``, ``person_distinct_ids``,
    ``persons``); ``person_of`` maps distinct ids to person UUIDs."""
    con = duckdb.connect()
    con.execute(SCHEMA_SQL)
    con.execute(PERSONS_SCHEMA_SQL)
    con.register("_ev", events_table(events))
    con.execute(
        "INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties) "
        "SELECT CAST(uuid AS UUID), project, distinct_id, event, timestamp, properties FROM _ev"
    )
    con.unregister("_ev")
    projects = sorted({e.project for e in events}) or ["p"]
    for project in projects:
        for did, pid in (person_of or {}).items():
            con.execute(
                "INSERT INTO person_distinct_ids VALUES (?, ?, CAST(? AS UUID))",
                [project, did, pid],
            )
        for pid, props in (person_props or {}).items():
            con.execute(
                "INSERT INTO persons VALUES (?, CAST(? AS UUID), ?, now())",
                [project, pid, orjson.dumps(props).decode()],
            )
    return con


def spark_views(
    spark: Any,
    events: list[Ev],
    person_of: dict[str, str] | None = None,
    person_props: dict[str, dict[str, Any]] | None = None,
) -> None:
    """The same tables as ``store_like_duckdb`` as Spark temp views (checkpointed, so
    that queries do not ship the Python rows to Spark again each time)."""
    from pyspark.sql import types as T

    ev_schema = T.StructType(
        [
            T.StructField("uuid", T.StringType()),
            T.StructField("project", T.StringType()),
            T.StructField("distinct_id", T.StringType()),
            T.StructField("event", T.StringType()),
            T.StructField("timestamp", T.TimestampType()),
            T.StructField("properties", T.StringType()),
        ]
    )
    rows = [
        (
            str(uuid.UUID(int=i + 1)),
            e.project,
            e.distinct_id,
            e.event,
            datetime.fromtimestamp(e.ts / US, UTC),
            orjson.dumps(e.props).decode(),
        )
        for i, e in enumerate(events)
    ]
    spark.createDataFrame(rows, ev_schema).localCheckpoint().createOrReplaceTempView("events")
    projects = sorted({e.project for e in events}) or ["p"]
    ids = [(p, d, pid) for p in projects for d, pid in (person_of or {}).items()]
    spark.createDataFrame(
        ids, "project string, distinct_id string, person_id string"
    ).localCheckpoint().createOrReplaceTempView("person_distinct_ids")
    persons = [
        (p, pid, orjson.dumps(props).decode())
        for p in projects
        for pid, props in (person_props or {}).items()
    ]
    spark.createDataFrame(
        persons, "project string, person_id string, properties string"
    ).localCheckpoint().createOrReplaceTempView("persons")
