"""The read path gives the same answers on DuckDB and on Apache Spark.

The shop stream goes through the real capture machinery (group-commit writer into the
DuckDB store, retries included), is exported to Parquet, and is then read four ways:
DuckDB on the store file, DuckDB beside the open writer, DuckDB on the export, and
Spark (local mode) on the export. Every answer must match the others and the truth
the stream was generated from.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from fieldnote.events import DuckDBEventStore, GroupCommitWriter, events_to_arrow
from fieldnote.events.engines import (
    DuckDBConnection,
    DuckDBFile,
    EventNameCount,
    EventReader,
    ParquetExport,
    Person,
    export_store,
    open_engine,
)
from fieldnote.events.engines._spark import local_spark_session
from tests.events.engines.shop_events import ShopStream, shop_stream

pytestmark = pytest.mark.spark

LOOKUPS = ["crm-1000", "anon-002", "nobody"]


@pytest.fixture(scope="session")
def spark() -> Any:
    """One small local Spark for the whole run (Spark allows one session per process)."""
    return local_spark_session("local[2]", shuffle_partitions=2)


@dataclass
class Loaded:
    stream: ShopStream
    store_path: Path
    export_path: Path


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    root = tmp_path_factory.mktemp("parity")
    stream = shop_stream()
    store = DuckDBEventStore(root / "events.duckdb", threads=1)
    writer = GroupCommitWriter(store)
    try:
        futures = [writer.submit(events_to_arrow(batch)) for batch in stream.batches]
        results = [f.result() for f in futures]
        assert sum(r.inserted for r in results) == len(stream.unique)
        assert sum(r.duplicates for r in results) > 0, "the stream carries retries"
        export = export_store(store.connection, root / "export")
        assert export.events == len(stream.unique)
        assert export.projects == ["blog", "shop"]
    finally:
        writer.close()
        store.close()
    yield Loaded(stream, root / "events.duckdb", root / "export")


@dataclass(frozen=True)
class Answers:
    """Everything the read path answers (shop in full; blog and a missing project by
    count, which is what shows that projects stay apart). Few questions: each one is
    a Spark job."""

    counts: dict[str, int]
    tail: list[tuple[str, str, str, str, dict[str, Any]]]
    names: list[EventNameCount]
    persons: list[Person]
    lookups: dict[str, Person | None]
    orders_by_person: list[tuple[str, int]]


def answers(reader: EventReader) -> Answers:
    # An Ibis expression of our own on top: completed orders per person, via the persons
    # table (events joined to persons on distinct_id), as a breakdown would do it.
    events, persons = reader.events("shop"), reader.persons("shop")
    orders = events.filter(events.event == "order_completed")
    joined = orders.join(persons, orders.distinct_id == persons.distinct_id)
    per_person = joined.group_by(persons.person_id).aggregate(n=joined.count())
    per_person = per_person.order_by([per_person.person_id])
    rows = reader.engine.backend.to_pyarrow(per_person).to_pylist()
    return Answers(
        counts={p: reader.count(p) for p in ("shop", "blog", "no-such-project")},
        tail=[
            (e.uuid, e.distinct_id, e.event, e.timestamp.isoformat(), e.properties)
            for e in reader.tail("shop", 7)
        ],
        names=reader.event_names("shop"),
        persons=reader.list_persons("shop"),
        lookups={d: reader.person_for("shop", d) for d in LOOKUPS},
        orders_by_person=[(r["person_id"], int(r["n"])) for r in rows],
    )


@pytest.fixture(scope="module")
def duckdb_answers(loaded: Loaded) -> Answers:
    with EventReader(open_engine("duckdb", DuckDBFile(loaded.store_path))) as reader:
        return answers(reader)


def test_duckdb_store_answers_match_the_truth(loaded: Loaded, duckdb_answers: Answers) -> None:
    truth, got = loaded.stream, duckdb_answers
    assert got.counts == {"shop": len(truth.events("shop")), "blog": 21, "no-such-project": 0}
    assert {n.event: n.count for n in got.names} == dict(truth.event_counts("shop"))
    counts = [n.count for n in got.names]
    assert counts == sorted(counts, reverse=True), "most frequent first"
    latest = sorted(truth.events("shop"), key=lambda e: (e.timestamp, e.uuid))[-7:]
    assert [t[0] for t in got.tail] == [e.uuid for e in latest], "newest last"

    assert sorted(tuple(sorted(p.distinct_ids)) for p in got.persons) == sorted(
        tuple(sorted(p.distinct_ids)) for p in truth.persons["shop"]
    )
    for person in got.persons:
        assert person.properties == truth.person_of("shop", person.distinct_ids[0]).properties

    # Visitor 0 browsed anonymously, signed up, upgraded, came back on a phone and got
    # a CRM alias: one person behind four distinct ids.
    user0 = got.lookups["crm-1000"]
    assert user0 is not None
    assert set(user0.distinct_ids) == {"anon-000", "user-000", "anon-000-phone", "crm-1000"}
    assert user0.properties["plan"] == "pro"  # upgraded after signing up on the free plan
    assert user0.properties["first_channel"] != "direct"  # $set_once kept the first value
    assert user0 in got.persons
    browser = got.lookups["anon-002"]  # browsed, never signed up
    assert browser is not None
    assert browser.distinct_ids == ("anon-002",)
    assert browser.properties == {}
    assert got.lookups["nobody"] is None
    assert sum(n for _, n in got.orders_by_person) == truth.event_counts("shop")["order_completed"]


def test_duckdb_beside_the_open_writer_answers_the_same(
    loaded: Loaded, duckdb_answers: Answers
) -> None:
    store = DuckDBEventStore(loaded.store_path, threads=1)  # as the server holds it
    writer = GroupCommitWriter(store)
    try:
        with EventReader(open_engine("duckdb", DuckDBConnection(store.connection))) as reader:
            assert answers(reader) == duckdb_answers
        # The writer is untouched by the reader's session settings and keeps committing.
        again = writer.append_sync(events_to_arrow(loaded.stream.batches[0]))
        assert again.inserted == 0
    finally:
        writer.close()
        store.close()


def test_duckdb_on_the_parquet_export_answers_the_same(
    loaded: Loaded, duckdb_answers: Answers
) -> None:
    with EventReader(open_engine("duckdb", ParquetExport(loaded.export_path))) as reader:
        assert answers(reader) == duckdb_answers


def test_spark_on_the_parquet_export_answers_the_same(
    loaded: Loaded, duckdb_answers: Answers, spark: Any
) -> None:
    from fieldnote.events.engines import EngineOptions

    engine = open_engine("spark", ParquetExport(loaded.export_path), EngineOptions(spark=spark))
    assert engine.name == "spark"
    with EventReader(engine) as reader:
        assert answers(reader) == duckdb_answers
