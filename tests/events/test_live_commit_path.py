"""``DuckDBEventStore.commit_events`` (live capture checked on the Python objects) must
store exactly what ``commit`` (the Arrow path) stores, and report the same duplicates,
whatever the groups hold: retries, repeats inside a group, several projects, new and
known distinct_ids, back-filled timestamps, merges and ``$set``."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.events import DuckDBEventStore, Event, GroupCommitWriter, events_to_arrow

NOW = datetime.now(UTC).replace(microsecond=0)
UUIDS = [str(uuid.UUID(int=i + 1)) for i in range(10)]

#: (uuid, project, distinct_id, kind, minutes before now); kind 0 plain, 1 $set, 2 identify
rows = st.tuples(
    st.sampled_from(UUIDS),
    st.sampled_from(["p", "p", "p", "q"]),
    st.sampled_from(["a", "b", "c", "d"]),
    st.sampled_from([0, 0, 0, 0, 1, 2]),
    st.sampled_from([0, 1, 59, 61, 125, 60 * 24 * 5]),  # within the hour, earlier, back-fill
)
groups = st.lists(st.lists(rows, min_size=1, max_size=6), min_size=1, max_size=6)


def _event(row: tuple[str, str, str, int, int]) -> Event:
    uid, project, distinct_id, kind, minutes = row
    props: dict[str, Any] = {"m": minutes}
    name = "pageview"
    if kind == 1:
        props["$set"] = {"plan": distinct_id}
    elif kind == 2:
        name = "$identify"
        props["$anon_distinct_id"] = f"anon-{distinct_id}"
    return Event(
        uuid=uid,
        project=project,
        distinct_id=distinct_id,
        event=name,
        timestamp=NOW - timedelta(minutes=minutes),
        properties_json=orjson.dumps(props).decode(),
    )


def _contents(store: DuckDBEventStore) -> dict[str, list[tuple[Any, ...]]]:
    with store.reader() as cur:
        return {
            "events": cur.execute(
                "SELECT CAST(uuid AS VARCHAR), project, distinct_id, event, timestamp, "
                "CAST(properties AS VARCHAR) FROM events ORDER BY ALL"
            ).fetchall(),
            "ids": cur.execute(
                "SELECT project, distinct_id, CAST(person_id AS VARCHAR) "
                "FROM person_distinct_ids ORDER BY ALL"
            ).fetchall(),
            "persons": cur.execute(
                "SELECT project, CAST(person_id AS VARCHAR), CAST(properties AS VARCHAR), "
                "created_at FROM persons ORDER BY ALL"
            ).fetchall(),
        }


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(groups=groups)
def test_live_path_stores_and_reports_what_the_arrow_path_does(
    tmp_path: Path, groups: list[list[tuple[str, str, str, int, int]]]
) -> None:
    reference = DuckDBEventStore(tmp_path / f"{uuid.uuid4().hex}-ref.duckdb")
    live = DuckDBEventStore(tmp_path / f"{uuid.uuid4().hex}-live.duckdb")
    try:
        for group in groups:
            events = [_event(r) for r in group]
            expected = reference.commit(events_to_arrow(events))
            assert live.commit_events(events, events_to_arrow(events)) == expected
        assert _contents(live) == _contents(reference)
    finally:
        reference.close()
        live.close()


def test_the_writer_takes_the_live_path_and_a_retry_is_still_counted_once(
    tmp_path: Path,
) -> None:
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    writer = GroupCommitWriter(store)
    try:
        first = [_event((UUIDS[i], "p", f"new-{i}", 0, 0)) for i in range(3)]
        assert asyncio.run(writer.append_events(first)).inserted == 3
        retry = asyncio.run(writer.append_events(first[1:]))
        assert (retry.inserted, retry.duplicates) == (0, 2)
        assert retry.duplicate_uuids == UUIDS[1:3]
        assert store.count("p") == 3
        with store.reader() as cur:
            ids = cur.execute("SELECT distinct_id FROM person_distinct_ids ORDER BY 1").fetchall()
        assert ids == [("new-0",), ("new-1",), ("new-2",)]
    finally:
        writer.close()
        store.close()
