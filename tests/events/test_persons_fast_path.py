"""The capture commit's vectorised persons plan gives the same persons as the plain
set-based ``update_persons`` (the reference), whatever mix of new ids, identifies,
aliases and ``$set``/``$set_once`` the batches carry."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.events import DuckDBEventStore, Event, events_to_arrow
from fieldnote.events._persons import update_persons

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
IDS = ["anon-1", "anon-2", "user-a", "user-b", "dev-x"]

_set = st.dictionaries(st.sampled_from(["plan", "email", "seats"]), st.integers(0, 3), max_size=2)
_message = st.one_of(
    st.tuples(st.just("view"), st.sampled_from(IDS), st.none(), _set, _set),
    st.tuples(st.just("$identify"), st.sampled_from(IDS), st.sampled_from(IDS), _set, _set),
    st.tuples(st.just("$create_alias"), st.sampled_from(IDS), st.sampled_from(IDS), _set, _set),
)
_batches = st.lists(
    st.lists(st.tuples(_message, st.integers(0, 7200), st.sampled_from(["p", "q"])), max_size=6),
    min_size=1,
    max_size=5,
)


def _event(
    message: tuple[str, str, str | None, dict[str, int], dict[str, int]], sec: int, project: str
) -> Event:
    name, did, other, set_props, once_props = message
    props: dict[str, Any] = {}
    if other is not None:
        props["$anon_distinct_id" if name == "$identify" else "alias"] = other
    if set_props:
        props["$set"] = set_props
    if once_props:
        props["$set_once"] = once_props
    return Event(
        uuid=str(uuid.uuid4()),
        project=project,
        distinct_id=did,
        event=name,
        timestamp=T0 + timedelta(seconds=sec),
        properties_json=orjson.dumps(props).decode(),
    )


def _persons(store: DuckDBEventStore) -> tuple[list[Any], list[Any]]:
    con = store.connection
    ids = con.execute(
        "SELECT project, distinct_id, person_id::VARCHAR FROM person_distinct_ids ORDER BY ALL"
    ).fetchall()
    people = [
        (p, pid, orjson.loads(props), created)
        for p, pid, props, created in con.execute(
            "SELECT project, person_id::VARCHAR, CAST(properties AS VARCHAR), created_at "
            "FROM persons ORDER BY project, person_id"
        ).fetchall()
    ]
    return ids, people


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=_batches)
def test_capture_commit_persons_match_the_reference(
    tmp_path: Path, batches: list[list[tuple[Any, int, str]]]
) -> None:
    run = uuid.uuid4().hex
    fast = DuckDBEventStore(tmp_path / f"fast-{run}.duckdb")
    ref = DuckDBEventStore(tmp_path / f"ref-{run}.duckdb")
    try:
        for batch in batches:
            # Events within a batch in time order, as the reference applies merges so.
            events = sorted((_event(m, s, p) for m, s, p in batch), key=lambda e: e.timestamp)
            if not events:
                continue
            table = events_to_arrow(events)
            fast.commit(table)
            con = ref.connection
            con.register("_ref_batch", table)
            con.execute("BEGIN TRANSACTION")
            con.execute(
                "INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties) "
                "SELECT CAST(uuid AS UUID), project, distinct_id, event, timestamp, properties "
                "FROM _ref_batch"
            )
            update_persons(con, "_ref_batch")
            con.execute("COMMIT")
            con.unregister("_ref_batch")
        assert _persons(fast) == _persons(ref)
    finally:
        fast.close()
        ref.close()
