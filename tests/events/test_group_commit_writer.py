"""The group-commit writer: concurrent requests share one commit, each learns its own
outcome, and commit listeners see exactly the durable rows without delaying anyone."""

from __future__ import annotations

import asyncio
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pyarrow as pa
import pytest

from fieldnote.events import (
    DuckDBEventStore,
    Event,
    GroupCommitWriter,
    WriterClosedError,
    events_to_arrow,
)
from fieldnote.events._writer import SWITCH_INTERVAL

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _events(n: int, *, tag: str, project: str = "p") -> list[Event]:
    return [
        Event(
            uuid=str(uuid.uuid4()),
            project=project,
            distinct_id=f"{tag}-{i % 3}",
            event="pageview",
            timestamp=T0 + timedelta(seconds=i),
            properties_json=orjson.dumps({"tag": tag, "i": i}).decode(),
        )
        for i in range(n)
    ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[DuckDBEventStore]:
    s = DuckDBEventStore(tmp_path / "events.duckdb")
    yield s
    s.close()


def test_concurrent_appends_share_one_commit_and_each_gets_its_own_result(
    store: DuckDBEventStore,
) -> None:
    writer = GroupCommitWriter(store)
    gate = threading.Event()
    blocked = writer.call(gate.wait)  # hold the writer so the requests pile up
    batches = [_events(i + 1, tag=f"r{i}") for i in range(20)]
    retry = batches[3][:2]  # a request that repeats two events of another one

    async def main() -> list[object]:
        # Half arrive as Arrow tables, half as event lists (converted by the writer).
        tasks = [
            asyncio.ensure_future(
                writer.append(events_to_arrow(b)) if i % 2 else writer.append_events(b)
            )
            for i, b in enumerate(batches)
        ]
        tasks.append(asyncio.ensure_future(writer.append_events(retry)))
        await asyncio.sleep(0.05)
        assert not any(t.done() for t in tasks), "nothing is acknowledged before the commit"
        gate.set()
        return list(await asyncio.gather(*tasks))

    try:
        results = asyncio.run(main())
        blocked.result()
        assert writer.commits == 1, "all 21 waiting requests went into one transaction"
        for batch, result in zip(batches, results[:-1], strict=False):
            assert (result.inserted, result.duplicates) == (len(batch), 0)  # type: ignore[attr-defined]
        last = results[-1]
        assert (last.inserted, last.duplicates) == (0, 2)  # type: ignore[attr-defined]
        assert sorted(last.duplicate_uuids) == sorted(e.uuid for e in retry)  # type: ignore[attr-defined]
        assert store.count("p") == sum(len(b) for b in batches)
    finally:
        writer.close()


def test_a_failed_commit_fails_every_request_in_it(store: DuckDBEventStore) -> None:
    writer = GroupCommitWriter(store)
    writer.call(store.close).result()  # the sink now fails for real on its next commit

    async def main() -> list[BaseException | object]:
        tasks = [writer.append(events_to_arrow(_events(2, tag=f"f{i}"))) for i in range(3)]
        return list(await asyncio.gather(*tasks, return_exceptions=True))

    try:
        outcomes = asyncio.run(main())
        assert len(outcomes) == 3
        assert all(isinstance(o, Exception) for o in outcomes), outcomes
    finally:
        writer.close()
    with pytest.raises(WriterClosedError):
        writer.submit(events_to_arrow(_events(1, tag="late")))


def test_listeners_get_the_committed_rows_off_the_request_path(store: DuckDBEventStore) -> None:
    writer = GroupCommitWriter(store)
    seen: list[pa.Table] = []
    threads: set[str] = set()
    release = threading.Event()
    delivered = threading.Event()

    def slow(table: pa.Table) -> None:
        threads.add(threading.current_thread().name)
        release.wait(10)  # a stuck listener must not hold up acknowledgements
        seen.append(table)
        delivered.set()

    def broken(_table: pa.Table) -> None:
        raise RuntimeError("a listener bug")

    writer.add_commit_listener(broken)
    writer.add_commit_listener(slow)
    first = _events(5, tag="a")
    try:
        r1 = writer.append_sync(events_to_arrow(first))
        # Acknowledged (and a second commit done) while the listener is still blocked.
        r2 = writer.append_sync(events_to_arrow([*first[:2], *_events(3, tag="b")]))
        assert not delivered.is_set()
        assert (r1.inserted, r2.inserted, r2.duplicates) == (5, 3, 2)
        release.set()
        writer.close()  # drains the listener queue before returning
    finally:
        release.set()
        writer.close()
    assert len(seen) == 2, "the broken listener did not stop the next one"
    assert threads == {"fieldnote-commit-listeners"}
    assert seen[0].column("uuid").to_pylist() == [e.uuid for e in first]
    tags = [orjson.loads(p)["tag"] for p in seen[1].column("properties").to_pylist()]
    assert tags == ["b", "b", "b"], "duplicates are not reported as committed rows"


def test_a_removed_listener_hears_nothing_more(store: DuckDBEventStore) -> None:
    writer = GroupCommitWriter(store)
    counts: list[int] = []
    heard = threading.Event()

    def listener(table: pa.Table) -> None:
        counts.append(table.num_rows)
        heard.set()

    writer.add_commit_listener(listener)
    try:
        writer.append_sync(events_to_arrow(_events(4, tag="x")))
        assert heard.wait(10)
        writer.remove_commit_listener(listener)
        writer.append_sync(events_to_arrow(_events(2, tag="y")))
    finally:
        writer.close()
    assert counts == [4]


def test_the_switch_interval_is_lowered_while_writers_run(store: DuckDBEventStore) -> None:
    before = sys.getswitchinterval()
    first = GroupCommitWriter(store)
    second = GroupCommitWriter(store)
    try:
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL)
        first.close()
        assert sys.getswitchinterval() == min(before, SWITCH_INTERVAL), "one still runs"
    finally:
        first.close()
        second.close()
    assert sys.getswitchinterval() == before


def test_under_concurrent_load_a_commit_waits_for_requests_arriving_just_after(
    store: DuckDBEventStore,
) -> None:
    """Like PostgreSQL's commit_delay: once the previous commit served several requests,
    the writer holds the next one open briefly, so a request arriving a moment later
    shares its transaction (fewer commits for the same events); a lone request that
    follows a lone request commits on its own at once."""
    writer = GroupCommitWriter(store, commit_delay=1.0)
    try:
        gate = threading.Event()
        blocked = writer.call(gate.wait)
        first = [writer.submit(events_to_arrow(_events(1, tag=f"a{i}"))) for i in range(2)]
        gate.set()
        blocked.result()
        for f in first:
            f.result()
        assert writer.commits == 1  # two requests in it: the load is concurrent

        early = writer.submit(events_to_arrow(_events(1, tag="b0")))
        threading.Event().wait(0.1)  # well inside the 1 s delay
        assert not early.done(), "the commit is held open for more requests"
        late = writer.submit(events_to_arrow(_events(1, tag="b1")))
        assert (early.result().inserted, late.result().inserted) == (1, 1)
        assert writer.commits == 2, "the later request joined the held commit"
        assert store.count("p") == 4
    finally:
        writer.close()
