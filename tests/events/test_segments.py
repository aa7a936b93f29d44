"""Parquet segments: what scale-out capture processes write, and how it is read and compacted.

Two sinks with different host names stand for two capture processes sharing one
folder; the reads go through the DuckDB engine (the Spark side is in
test_segments_scaleout.py, with real servers).
"""

from __future__ import annotations

import fcntl
import json
import os
import re
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from fieldnote.events import DuckDBEventStore, Event, events_to_arrow
from fieldnote.events.engines import DuckDBFile, EventReader, SegmentsFolder, open_engine
from fieldnote.events.segments import (
    CompactionBusyError,
    ParquetSegmentSink,
    compact_segments,
)
from tests.conftest import run_cli
from tests.events.engines.shop_events import shop_stream

NAME = re.compile(r"^project=(shop|blog)/date=\d{4}-\d{2}-\d{2}/capture-[ab]-\d+-\d{20}\.parquet$")


def files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix == ".parquet" and not p.parts[-3].startswith("_")
    )


def raw_rows(root: Path) -> int:
    return sum(pq.ParquetFile(root / f).metadata.num_rows for f in files(root))


def reader(root: Path) -> EventReader:
    return EventReader(open_engine("duckdb", SegmentsFolder(root)))


def test_each_commit_is_one_durable_file_per_project_and_day(tmp_path: Path) -> None:
    stream = shop_stream(visitors=12)
    events = [e for batch in stream.batches for e in batch]
    days = {(e.project, e.timestamp.date()) for e in events}
    assert len(days) >= 3, "the stream spans several days and both projects"
    sink = ParquetSegmentSink(tmp_path, host="capture-a")

    duplicate = sink.commit(events_to_arrow(events))

    assert sum(duplicate) == len(events) - len(stream.unique)  # retries inside the batch
    written = files(tmp_path)
    assert len(written) == len(days)
    assert all(NAME.match(f) for f in written), written
    assert not [p for p in tmp_path.rglob(".*") if p.is_file()], "no temporary file is left"
    for f in written:
        table = pq.read_table(tmp_path / f)
        project, date = (part.split("=")[1] for part in f.split("/")[:2])
        assert set(table.column("project").to_pylist()) == {project}
        assert {t.date().isoformat() for t in table.column("timestamp").to_pylist()} == {date}
        assert table.schema.field("inserted_at").type.tz == "UTC"
    assert raw_rows(tmp_path) == len(stream.unique)


def test_a_retry_to_the_same_process_is_answered_as_a_duplicate_and_not_written(
    tmp_path: Path,
) -> None:
    batch = shop_stream(visitors=3).batches[0]
    sink = ParquetSegmentSink(tmp_path, host="capture-a")
    assert not any(sink.commit(events_to_arrow(batch)))
    assert all(sink.commit(events_to_arrow(batch)))  # the SDK retried after a timeout
    assert raw_rows(tmp_path) == len(batch)


def _two_processes(root: Path, batches: list[list[Event]]) -> None:
    """Alternate batches between two capture processes; every batch that carries retries
    is also sent to the other process, as a load balancer would after a timeout."""
    a = ParquetSegmentSink(root, host="capture-a")
    b = ParquetSegmentSink(root, host="capture-b")
    for i, batch in enumerate(batches):
        first, other = (a, b) if i % 2 == 0 else (b, a)
        first.commit(events_to_arrow(batch))
        if i % 2 == 1:
            other.commit(events_to_arrow(batch))


def test_retries_written_by_two_processes_are_counted_once_before_compaction(
    tmp_path: Path,
) -> None:
    stream = shop_stream(visitors=15)
    _two_processes(tmp_path, stream.batches)
    assert raw_rows(tmp_path) > len(stream.unique), "both processes wrote some events"

    with reader(tmp_path) as r:
        assert r.count("shop") == len(stream.events("shop"))
        assert r.count("blog") == len(stream.events("blog"))
        assert {n.event: n.count for n in r.event_names("shop")} == dict(
            stream.event_counts("shop")
        )
        tail = r.tail("shop", 10)
        assert len({e.uuid for e in tail}) == 10
        assert [e.inserted_at for e in tail] == sorted(e.inserted_at for e in tail)  # type: ignore[type-var]
        # Capture processes cannot merge persons; they appear once compaction derives them.
        assert r.list_persons("shop") == []


def test_compaction_keeps_every_event_once_and_readers_never_see_a_gap(tmp_path: Path) -> None:
    stream = shop_stream(visitors=15)
    half = len(stream.batches) // 2
    _two_processes(tmp_path, stream.batches[:half])
    raw_before, rows_before = files(tmp_path), raw_rows(tmp_path)
    with reader(tmp_path) as r:
        before = r.count("shop"), r.count("blog")

        first = compact_segments(tmp_path, grace=timedelta(minutes=10))

        assert first.rows_in == rows_before  # every raw file was compacted
        assert first.rows_out == sum(before)
        assert first.duplicates_removed == first.rows_in - first.rows_out > 0
        assert (r.count("shop"), r.count("blog")) == before
        compacted = [f for f in files(tmp_path) if f not in raw_before]
        assert len(compacted) == first.partitions == first.files_out
        assert set(raw_before) <= set(files(tmp_path)), "superseded files wait out the grace"

        # Capture goes on; a later compaction (grace over) deletes what was superseded.
        _two_processes(tmp_path, stream.batches[half:])
        assert r.count("shop") == len(stream.events("shop"))
        second = compact_segments(tmp_path, grace=timedelta(0))
        assert second.files_deleted == len(raw_before)
        assert not set(raw_before) & set(files(tmp_path))
        assert r.count("shop") == len(stream.events("shop"))
        assert r.count("blog") == len(stream.events("blog"))
        third = compact_segments(tmp_path, grace=timedelta(0))
        assert third.partitions == 0
        assert all(Path(f).name.startswith("compacted-") for f in files(tmp_path))
        assert raw_rows(tmp_path) == len(stream.unique)


def test_compaction_derives_the_persons_one_duckdb_store_would_hold(tmp_path: Path) -> None:
    stream = shop_stream(visitors=24)
    _two_processes(tmp_path / "segments", stream.batches)
    store = DuckDBEventStore(tmp_path / "events.duckdb", threads=1)
    for batch in stream.batches:
        store.append(events_to_arrow(batch))
    store.close()

    result = compact_segments(tmp_path / "segments")

    with (
        reader(tmp_path / "segments") as segments,
        EventReader(open_engine("duckdb", DuckDBFile(tmp_path / "events.duckdb"))) as single,
    ):
        assert result.persons == len(single.list_persons("shop")) + len(single.list_persons("blog"))
        assert segments.list_persons("shop") == single.list_persons("shop")
        assert segments.person_for("shop", "crm-1000") == single.person_for("shop", "user-000")


def test_one_compaction_at_a_time(tmp_path: Path) -> None:
    ParquetSegmentSink(tmp_path, host="capture-a").commit(
        events_to_arrow(shop_stream(visitors=2).batches[0])
    )
    compact_segments(tmp_path)
    fd = os.open(tmp_path / "_compactions" / ".lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a compaction in another process holds the folder
        with pytest.raises(CompactionBusyError, match="another compaction is running"):
            compact_segments(tmp_path)
    finally:
        os.close(fd)


def test_fieldnote_compact_reports_what_it_did(tmp_path: Path) -> None:
    segments = tmp_path / "segments"
    _two_processes(segments, shop_stream(visitors=6).batches)
    out = run_cli(
        tmp_path / "home", "compact", str(segments), "--grace-minutes", "0", "--json"
    ).stdout
    report = json.loads(out)
    assert report["rows_out"] == report["rows_in"] - report["duplicates_removed"]
    assert report["duplicates_removed"] > 0
    assert report["persons"] > 0
    missing = run_cli(tmp_path / "home", "compact", str(tmp_path / "nowhere"), check=False)
    assert missing.returncode == 1
    assert "no segments folder" in missing.stderr


def test_segment_names_never_collide_after_a_restart_with_the_same_pid(tmp_path: Path) -> None:
    """In a container every restart is pid 1: names are seeded from the clock, and
    publishing refuses to replace an existing file, so nothing is overwritten."""
    batch = shop_stream(visitors=2).batches[0]
    for _ in range(3):
        ParquetSegmentSink(tmp_path, host="capture-a").commit(events_to_arrow(batch))
    assert raw_rows(tmp_path) == 3 * len(batch)
