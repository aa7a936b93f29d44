"""The DuckDB event store: counts each (project, uuid) once, however batches arrive."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.events import DuckDBEventStore, Event, GroupCommitWriter, events_to_arrow

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
#: Recent events are deduplicated by the writer's in-memory index, old ones by SQL.
RECENT = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=12)
UUIDS = [str(uuid.UUID(int=i + 1)) for i in range(12)]


def make(
    uid: str, project: str = "p", minutes: int = 0, distinct_id: str = "u1", base: datetime = T0
) -> Event:
    return Event(
        uuid=uid,
        project=project,
        distinct_id=distinct_id,
        event="pageview",
        timestamp=base + timedelta(minutes=minutes),
        properties_json=orjson.dumps({"n": minutes}).decode(),
    )


batches = st.lists(
    st.lists(
        st.tuples(st.sampled_from(UUIDS), st.sampled_from(["p", "q"]), st.integers(0, 600)),
        min_size=1,
        max_size=8,
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=batches, base=st.sampled_from([T0, RECENT]))
def test_each_project_uuid_is_stored_once(
    tmp_path: Path, batches: list[list[tuple[str, str, int]]], base: datetime
) -> None:
    path = tmp_path / f"{uuid.uuid4().hex}.duckdb"
    store = DuckDBEventStore(path)
    writer = GroupCommitWriter(store)
    seen: set[tuple[str, str]] = set()  # the plain reference: a set of keys
    try:
        for batch in batches:
            expected_new = 0
            for uid, project, _ in batch:
                if (project, uid) not in seen:
                    seen.add((project, uid))
                    expected_new += 1
            result = writer.append_sync(
                events_to_arrow([make(u, p, m, base=base) for u, p, m in batch])
            )
            assert result.inserted == expected_new
            assert result.duplicates == len(batch) - expected_new
        for project in ("p", "q"):
            assert store.count(project) == sum(1 for p, _ in seen if p == project)
    finally:
        writer.close()
        store.close()


def test_events_survive_reopening_the_file(tmp_path: Path) -> None:
    path = tmp_path / "events.duckdb"
    store = DuckDBEventStore(path)
    store.append(events_to_arrow([make(UUIDS[0]), make(UUIDS[1], minutes=1)]))
    store.close()
    reopened = DuckDBEventStore(path, read_only=True)
    assert reopened.count("p") == 2
    assert [e.uuid for e in reopened.tail("p")] == [UUIDS[0], UUIDS[1]] or len(
        reopened.tail("p")
    ) == 2
    reopened.close()


def test_identify_merges_anonymous_person_and_keeps_properties(tmp_path: Path) -> None:
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    anon = make(UUIDS[0], distinct_id="anon-1")
    anon.properties_json = orjson.dumps({"$set_once": {"first_channel": "ads"}}).decode()
    ident = make(UUIDS[1], distinct_id="alice@example.com", minutes=5)
    ident.event = "$identify"
    ident.properties_json = orjson.dumps(
        {"$anon_distinct_id": "anon-1", "$set": {"plan": "pro"}}
    ).decode()
    store.append(events_to_arrow([anon]))
    store.append(events_to_arrow([ident]))
    con = store.connection
    people = con.execute(
        "SELECT DISTINCT person_id FROM person_distinct_ids WHERE distinct_id IN ('anon-1', 'alice@example.com')"
    ).fetchall()
    assert len(people) == 1
    props = con.execute("SELECT CAST(properties AS VARCHAR) FROM persons").fetchall()
    assert len(props) == 1
    assert orjson.loads(props[0][0]) == {"first_channel": "ads", "plan": "pro"}
    store.close()


def test_a_reopened_store_still_knows_recent_events_across_hours(tmp_path: Path) -> None:
    """The writer's index is rebuilt from the file: retries after a restart are caught."""
    path = tmp_path / "events.duckdb"
    events = [
        make(u, p, m * 50, base=RECENT)
        for m, (u, p) in enumerate(zip(UUIDS[:6], "pqpqpq", strict=True))
    ]
    store = DuckDBEventStore(path)
    assert store.append(events_to_arrow(events)).inserted == len(events)
    store.close()
    store = DuckDBEventStore(path)
    try:
        again = store.append(events_to_arrow([*events, make(UUIDS[9], "q", 3, base=RECENT)]))
        assert (again.inserted, again.duplicates) == (1, len(events))
        assert store.count("p") + store.count("q") == len(events) + 1
    finally:
        store.close()
