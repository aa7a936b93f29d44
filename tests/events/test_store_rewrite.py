"""Rewriting the event store into a fresh file (what erasure does after its SQL):
nothing is lost, readers move to the new file, capture during the rewrite lands in
it exactly once, and a failure before the swap leaves the old file as it was."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fieldnote.events import DuckDBEventStore, events_to_arrow
from fieldnote.events._model import Event
from fieldnote.events._rewrite import ReadGate, StoreRewriteError, swap_in
from fieldnote.events._writer import GroupCommitWriter

SECRET = "ivo.brandt@lakeside.example"
T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _events(n: int, who: str = "visitor", start: int = 0) -> list[Event]:
    return [
        Event(
            uuid=str(uuid.UUID(int=start + i + 1)),
            project="shop",
            distinct_id=f"{who}-{i % 7}",
            event=("$pageview", "signup", "purchase")[i % 3],
            timestamp=T0 + timedelta(minutes=start + i),
            properties_json=json.dumps({"$set": {"plan": "pro"}} if i % 5 == 0 else {"i": i}),
        )
        for i in range(n)
    ]


def _snapshot(store: DuckDBEventStore) -> dict[str, list[tuple[object, ...]]]:
    with store.reader() as cur:
        return {
            table: cur.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            for table in ("events", "persons", "person_distinct_ids")
        }


def _store_with_deleted_secret(path: Path) -> DuckDBEventStore:
    store = DuckDBEventStore(path)
    store.commit(events_to_arrow(_events(300)))
    secret = Event(
        uuid=str(uuid.UUID(int=10_000)),
        project="shop",
        distinct_id=SECRET,
        event="signup",
        timestamp=T0,
        properties_json=json.dumps({"email": SECRET}),
    )
    store.commit(events_to_arrow([secret]))
    store.connection.execute("CHECKPOINT")
    store.connection.execute("DELETE FROM events WHERE distinct_id = ?", [SECRET])
    store.connection.execute("DELETE FROM person_distinct_ids WHERE distinct_id = ?", [SECRET])
    store.connection.execute("CHECKPOINT")
    store.invalidate_caches()
    return store


def _raw(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*") if p.is_file())


def test_rewrite_drops_deleted_bytes_and_keeps_every_row(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    store = _store_with_deleted_secret(path)
    before = _snapshot(store)
    assert SECRET.encode() in _raw(path)  # a DELETE leaves the bytes in the file

    assert store.rewrite_file() is True
    assert SECRET.encode() not in _raw(path)
    assert _snapshot(store) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.duckdb"]  # no leftovers

    # the new file behaves like the old one: defaults, dedupe, persons
    again = store.append(events_to_arrow(_events(3)))
    assert (again.inserted, again.duplicates) == (0, 3)
    more = store.append(events_to_arrow(_events(4, who="late", start=500)))
    assert more.inserted == 4 and store.count("shop") == 304
    store.close()
    reopened = DuckDBEventStore(path)
    assert reopened.count("shop") == 304
    reopened.close()


def test_a_failed_swap_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "events.duckdb"
    store = _store_with_deleted_secret(path)
    before = _snapshot(store)
    # the debris of a rewrite that crashed mid-copy: ignored, then replaced
    (tmp_path / "events.duckdb.rewrite").write_bytes(b"half a database")
    (tmp_path / "events.duckdb.rewrite.wal").write_bytes(b"half a log")

    def rename_fails(fresh: Path, target: Path) -> None:
        assert fresh.stat().st_size > 0 and target == path
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("fieldnote.events._duckdb_store.swap_in", rename_fails)
    with pytest.raises(OSError, match="No space left"):
        store.rewrite_file()
    assert _snapshot(store) == before  # the old file, reopened
    assert SECRET.encode() in _raw(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.duckdb"]
    monkeypatch.undo()
    assert store.rewrite_file() is True  # and the next run completes
    assert SECRET.encode() not in _raw(path)
    assert _snapshot(store) == before
    store.close()


def test_the_swap_refuses_while_the_old_file_has_a_wal(tmp_path: Path) -> None:
    old, fresh = tmp_path / "events.duckdb", tmp_path / "events.duckdb.rewrite"
    old.write_bytes(b"old")
    fresh.write_bytes(b"new")
    (tmp_path / "events.duckdb.wal").write_bytes(b"log of the old file")
    with pytest.raises(StoreRewriteError, match=r"events\.duckdb\.wal still exists"):
        swap_in(fresh, old)
    assert old.read_bytes() == b"old" and not fresh.exists()


def test_the_swap_waits_for_readers_and_readers_then_see_the_new_file(tmp_path: Path) -> None:
    store = _store_with_deleted_secret(tmp_path / "events.duckdb")
    entered, release = threading.Event(), threading.Event()
    seen: list[int] = []

    def long_reader() -> None:
        with store.reader() as cur:
            entered.set()
            release.wait(10)
            row = cur.execute("SELECT count(*) FROM events").fetchone()
            seen.append(int(row[0]) if row else -1)

    reader = threading.Thread(target=long_reader)
    reader.start()
    entered.wait(10)
    done = threading.Event()
    rewriter = threading.Thread(target=lambda: (store.rewrite_file(), done.set()))
    rewriter.start()
    assert not done.wait(0.5)  # the copy is made, but the swap waits for the reader
    release.set()
    reader.join(10)
    rewriter.join(30)
    assert done.is_set() and seen == [300]
    assert store.count("shop") == 300  # a new reader, on the new file
    # a reader that does not finish: the swap gives up, the old file stays in use
    with store.reader(), ThreadPoolExecutor(1) as pool:
        late = pool.submit(store.rewrite_file, wait_for_readers=0.2)
        with pytest.raises(StoreRewriteError, match="readers of the event store were still"):
            late.result(30)
    assert store.count("shop") == 300
    store.close()


def test_capture_during_the_rewrite_is_kept_exactly_once(tmp_path: Path) -> None:
    store = _store_with_deleted_secret(tmp_path / "events.duckdb")
    writer = GroupCommitWriter(store)
    acked: list[str] = []
    stop = threading.Event()

    def capture() -> None:
        n = 0
        while not stop.is_set() or n < 50:
            batch = _events(5, who="live", start=1_000 + n)
            writer.append_sync(events_to_arrow(batch))
            acked.extend(e.uuid for e in batch)
            n += 5

    client = threading.Thread(target=capture)
    client.start()
    for _ in range(3):
        assert writer.call(store.rewrite_file).result(60) is True
    stop.set()
    client.join(60)
    writer.close()
    with store.reader() as cur:
        rows = cur.execute(
            "SELECT CAST(uuid AS VARCHAR), count(*) FROM events WHERE distinct_id LIKE 'live-%' "
            "GROUP BY ALL"
        ).fetchall()
    assert {u: c for u, c in rows} == dict.fromkeys(acked, 1)
    assert SECRET.encode() not in _raw(tmp_path / "events.duckdb")
    store.close()


def test_the_gate_lets_a_reader_nest_but_holds_new_readers_while_a_swap_waits() -> None:
    gate = ReadGate()
    swapped, other_read = threading.Event(), threading.Event()

    def swap() -> None:
        with gate.exclusive(10):
            assert not other_read.is_set()  # the new reader waited for the swap
            swapped.set()

    def new_reader() -> None:
        with gate.shared():
            other_read.set()

    with gate.shared():
        swapper = threading.Thread(target=swap)
        swapper.start()
        while not gate._swapping:  # the swap is now waiting for this reader
            time.sleep(0.01)
        newcomer = threading.Thread(target=new_reader)
        newcomer.start()
        with gate.shared():  # nesting inside a reader does not deadlock
            pass
        assert not swapped.is_set() and not other_read.is_set()
    swapper.join(10)
    newcomer.join(10)
    assert swapped.is_set() and other_read.is_set()
