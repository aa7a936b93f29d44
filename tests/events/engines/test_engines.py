"""Choosing engines and sources: clear refusals, exports that replace each other whole,
and engine-specific computations that replace the Ibis default on one engine only."""

from __future__ import annotations

from pathlib import Path

import pytest

from fieldnote.events import DuckDBEventStore, events_to_arrow
from fieldnote.events.engines import (
    ENGINES,
    Computation,
    DuckDBFile,
    Engine,
    EngineSourceError,
    EventReader,
    ExportError,
    ParquetExport,
    export_store,
    open_engine,
)
from tests.events.engines.shop_events import shop_stream


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    stream = shop_stream(visitors=6)
    store = DuckDBEventStore(tmp_path / "events.duckdb", threads=1)
    for batch in stream.batches:
        store.append(events_to_arrow(batch))
    store.close()
    return tmp_path / "events.duckdb"


def test_both_engines_are_registered_and_unknown_names_are_refused(tmp_path: Path) -> None:
    assert {"duckdb", "spark"} <= set(ENGINES)
    with pytest.raises(ValueError, match=r"unknown engine 'clickhouse'; choose one of"):
        open_engine("clickhouse", ParquetExport(tmp_path))


def test_spark_is_pointed_at_an_export_when_given_the_duckdb_file(store_path: Path) -> None:
    with pytest.raises(EngineSourceError, match=r"fieldnote export"):
        open_engine("spark", DuckDBFile(store_path))


def test_a_folder_without_the_export_marker_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "events" / "project=shop").mkdir(parents=True)
    with (
        EventReader(open_engine("duckdb", ParquetExport(tmp_path))) as reader,
        pytest.raises(EngineSourceError, match=r"not a finished fieldnote export"),
    ):
        reader.count("shop")


def test_an_export_replaces_the_previous_one_and_never_a_foreign_folder(
    store_path: Path, tmp_path: Path
) -> None:
    target = tmp_path / "lake" / "fieldnote"
    store = DuckDBEventStore(store_path, read_only=True)
    try:
        first = export_store(store.connection, target, project="blog")
        assert first.projects == ["blog"]
        second = export_store(store.connection, target)
        assert second.projects == ["blog", "shop"]
        foreign = tmp_path / "photos"
        foreign.mkdir()
        (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
        with pytest.raises(ExportError, match=r"holds no earlier fieldnote export"):
            export_store(store.connection, foreign)
        assert (foreign / "holiday.jpg").exists()
    finally:
        store.close()
    assert sorted(p.name for p in (target / "events").iterdir()) == ["project=blog", "project=shop"]
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")], "no staging left"
    with EventReader(open_engine("duckdb", ParquetExport(target))) as reader:
        assert reader.count("shop") == second.events - reader.count("blog")


def test_an_engine_specific_computation_replaces_the_ibis_default_there_only(
    store_path: Path,
) -> None:
    def busiest_ibis(engine: Engine, project: str) -> str:
        events = engine.table("events", project)
        top = events.group_by("distinct_id").aggregate(n=events.count())
        top = top.order_by([top.n.desc(), top.distinct_id]).limit(1)
        return str(engine.backend.to_pyarrow(top).column("distinct_id")[0])

    busiest = Computation("busiest", busiest_ibis)

    @busiest.on("duckdb")
    def busiest_sql(engine: Engine, project: str) -> str:
        sql = """SELECT distinct_id FROM events WHERE project = $p
                 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"""
        rows = engine.backend.raw_sql(sql, parameters={"p": project}).fetchall()  # type: ignore[attr-defined]
        return str(rows[0][0])

    assert busiest.implementation("duckdb") is busiest_sql
    assert busiest.implementation("spark") is busiest_ibis
    engine = open_engine("duckdb", DuckDBFile(store_path))
    try:
        assert busiest(engine, "shop") == busiest_ibis(engine, "shop")
    finally:
        engine.close()
