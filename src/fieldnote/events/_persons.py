"""Persons: who is behind each distinct_id, and what we know about them.

PostHog and Segment semantics, applied set-based per committed batch (never row by row):

* every distinct_id belongs to exactly one person; a new one gets a new person whose
  id is derived from ``(project, distinct_id)`` (deterministic, so any engine agrees);
* ``$identify`` with ``$anon_distinct_id`` (PostHog ``identify``; Segment ``identify``
  with both ``anonymousId`` and ``userId``) and ``$create_alias`` / ``$merge_dangerously``
  with an ``alias`` property (PostHog ``alias``; Segment ``alias``'s ``previousId``)
  merge the two persons: the anonymous/aliased person is folded into the identified
  one, all its distinct_ids move over and its properties fill gaps;
* ``$set`` on any event overwrites person properties (latest timestamp wins) and
  ``$set_once`` only fills properties not yet set. Segment ``identify`` traits arrive
  as ``$set``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from fieldnote.events._persons_plan import (
    MERGE_EVENTS,
    NEW_IDS_SQL,
    PERSON_ID_EXPR,
    PersonsPlan,
    plan_persons,
)

__all__ = [
    "MERGE_EVENTS",
    "NEW_IDS_SQL",
    "PERSONS_SCHEMA_SQL",
    "PersonsPlan",
    "apply_persons_plan",
    "plan_persons",
    "update_persons",
    "update_persons_for_batch",
]

PERSONS_SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS person_distinct_ids (
    project VARCHAR NOT NULL,
    distinct_id VARCHAR NOT NULL,
    person_id UUID NOT NULL
);
CREATE TABLE IF NOT EXISTS persons (
    project VARCHAR NOT NULL,
    person_id UUID NOT NULL,
    properties JSON NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
"""


def update_persons(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Fold the events in ``relation`` (a table/view with the event columns) into persons.

    Runs inside the caller's transaction, so events and persons commit together.
    """
    # 1. Distinct ids seen for the first time (including merge sources) get a person.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fn_ids AS
        SELECT project, distinct_id, min(timestamp) AS first_seen FROM (
            SELECT project, distinct_id, timestamp FROM {relation}
            UNION ALL
            SELECT project,
                   coalesce(json_extract_string(properties, '$."$anon_distinct_id"'),
                            json_extract_string(properties, '$.alias')),
                   timestamp
            FROM {relation}
            WHERE event IN {MERGE_EVENTS}
        ) WHERE distinct_id IS NOT NULL AND distinct_id <> ''
        GROUP BY ALL
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _fn_new_ids AS
        SELECT i.* FROM _fn_ids i
        ANTI JOIN person_distinct_ids m ON m.project = i.project AND m.distinct_id = i.distinct_id
        """
    )
    con.execute(
        f"""
        INSERT INTO person_distinct_ids
        SELECT project, distinct_id, {PERSON_ID_EXPR.format(p="project", d="distinct_id")}
        FROM _fn_new_ids
        """
    )
    con.execute(
        f"""
        INSERT INTO persons
        SELECT project, {PERSON_ID_EXPR.format(p="project", d="distinct_id")}, '{{}}', first_seen
        FROM _fn_new_ids
        """
    )
    _merge(con, relation)
    _set_properties(con, relation)
    con.execute("DROP TABLE IF EXISTS _fn_ids; DROP TABLE IF EXISTS _fn_new_ids")


def _merge(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    # Two materialised steps, not one three-way join: given one statement, DuckDB may
    # join the two person_distinct_ids scans on ``project`` first, a product of every
    # id with every id (it spilled 55 GB on the 50k-user demo). The merge events are
    # few, so each step is a small lookup.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fn_merge_a AS
        SELECT r.project, r.b, r.timestamp, ma.person_id AS pa
        FROM (
            SELECT project, distinct_id AS b, timestamp,
                   coalesce(json_extract_string(properties, '$."$anon_distinct_id"'),
                            json_extract_string(properties, '$.alias')) AS a
            FROM {relation} WHERE event IN {MERGE_EVENTS}
        ) r
        JOIN person_distinct_ids ma ON ma.project = r.project AND ma.distinct_id = r.a
        """
    )
    edges = con.execute(
        """
        SELECT r.project, r.pa::VARCHAR, mb.person_id::VARCHAR
        FROM _fn_merge_a r
        JOIN person_distinct_ids mb ON mb.project = r.project AND mb.distinct_id = r.b
        WHERE r.pa <> mb.person_id
        ORDER BY r.timestamp
        """
    ).fetchall()
    con.execute("DROP TABLE _fn_merge_a")
    if not edges:
        return
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def find(x: tuple[str, str]) -> tuple[str, str]:
        root = x
        while root in parent:
            root = parent[root]
        while x in parent and parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for project, pa_id, pb_id in edges:
        ra, rb = find((project, pa_id)), find((project, pb_id))
        if ra != rb:
            parent[ra] = rb  # the anonymous side folds into the identified side
    remap = [(p, old, find((p, old))[1]) for (p, old) in parent]
    table = pa.table(
        {
            "project": [r[0] for r in remap],
            "old": [r[1] for r in remap],
            "new": [r[2] for r in remap],
        }
    )
    con.register("_fn_remap", table)
    try:
        con.execute(
            """
            UPDATE person_distinct_ids SET person_id = CAST(r.new AS UUID)
            FROM _fn_remap r
            WHERE person_distinct_ids.project = r.project
              AND person_distinct_ids.person_id = CAST(r.old AS UUID)
            """
        )
        rows = con.execute(
            """
            SELECT p.project, p.person_id::VARCHAR, CAST(p.properties AS VARCHAR), p.created_at
            FROM persons p
            WHERE (p.project, p.person_id::VARCHAR) IN (
                SELECT (project, old) FROM _fn_remap UNION SELECT (project, new) FROM _fn_remap)
            """
        ).fetchall()
        props: dict[tuple[str, str], dict[str, Any]] = {}
        created: dict[tuple[str, str], datetime] = {}
        for project, pid, text, created_at in rows:
            props[(project, pid)] = orjson.loads(text)
            created[(project, pid)] = created_at
        merged: dict[tuple[str, str], dict[str, Any]] = {}
        first: dict[tuple[str, str], datetime] = {}
        for project, old, new in remap:
            target = (project, new)
            base = merged.setdefault(target, dict(props.get(target, {})))
            for k, v in props.get((project, old), {}).items():
                base.setdefault(k, v)  # the identified person's values win
            times = [t for t in (created.get(target), created.get((project, old))) if t]
            if times:
                first[target] = min([*times, *([first[target]] if target in first else [])])
        con.execute(
            """
            DELETE FROM persons WHERE (project, person_id::VARCHAR) IN (
                SELECT (project, old) FROM _fn_remap UNION SELECT (project, new) FROM _fn_remap)
            """
        )
        _insert_persons(
            con,
            [
                (p, pid, orjson.dumps(v).decode(), first.get((p, pid)))
                for (p, pid), v in merged.items()
            ],
        )
    finally:
        con.unregister("_fn_remap")


def _insert_persons(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[str, str, str, datetime | None]]
) -> None:
    if not rows:
        return
    table = pa.table(
        {
            "project": [r[0] for r in rows],
            "person_id": [r[1] for r in rows],
            "properties": [r[2] for r in rows],
            "created_at": pa.array([r[3] for r in rows], pa.timestamp("us", tz="UTC")),
        }
    )
    con.register("_fn_persons", table)
    try:
        con.execute(
            """
            INSERT INTO persons
            SELECT project, CAST(person_id AS UUID), properties,
                   coalesce(created_at, current_timestamp)
            FROM _fn_persons
            """
        )
    finally:
        con.unregister("_fn_persons")


def _set_properties(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    updates = con.execute(
        f"""
        SELECT r.project, m.person_id::VARCHAR, r.timestamp,
               json_extract(r.properties, '$."$set"')::VARCHAR,
               json_extract(r.properties, '$."$set_once"')::VARCHAR
        FROM {relation} r
        JOIN person_distinct_ids m ON m.project = r.project AND m.distinct_id = r.distinct_id
        WHERE contains(r.properties, '"$set')
        ORDER BY r.timestamp
        """
    ).fetchall()
    if not updates:
        return
    by_person: dict[tuple[str, str], list[tuple[str | None, str | None]]] = defaultdict(list)
    for project, pid, _ts, set_json, once_json in updates:
        by_person[(project, pid)].append((set_json, once_json))
    keys = pa.table({"project": [k[0] for k in by_person], "person_id": [k[1] for k in by_person]})
    con.register("_fn_touched", keys)
    try:
        current = con.execute(
            """
            SELECT p.project, p.person_id::VARCHAR, CAST(p.properties AS VARCHAR), p.created_at
            FROM persons p JOIN _fn_touched t
              ON p.project = t.project AND p.person_id = CAST(t.person_id AS UUID)
            """
        ).fetchall()
        state = {(p, pid): (orjson.loads(text), created) for p, pid, text, created in current}
        rows: list[tuple[str, str, str, datetime | None]] = []
        for key, changes in by_person.items():
            props, created = state.get(key, ({}, None))
            for set_json, once_json in changes:
                once = _object(once_json)
                for k, v in once.items():
                    props.setdefault(k, v)
                props.update(_object(set_json))
            rows.append((key[0], key[1], orjson.dumps(props).decode(), created))
        con.execute(
            """
            DELETE FROM persons WHERE (project, person_id::VARCHAR) IN (
                SELECT (project, person_id) FROM _fn_touched)
            """
        )
        _insert_persons(con, rows)
    finally:
        con.unregister("_fn_touched")


def _object(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = orjson.loads(text)
    return value if isinstance(value, dict) else {}


def apply_persons_plan(con: duckdb.DuckDBPyConnection, relation: str, plan: PersonsPlan) -> None:
    """The merge and ``$set`` steps of ``plan`` (after ``NEW_IDS_SQL`` ran), in the
    caller's transaction."""
    if plan.has_merge:
        _merge(con, relation)
    if plan.has_set:
        _set_properties(con, relation)


def update_persons_for_batch(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    batch: pa.Table,
    known_ids: set[tuple[str, str]],
) -> None:
    """The capture fast path of ``update_persons``: same result, fewer statements.

    ``known_ids`` is the writer's in-memory copy of ``person_distinct_ids``' keys, so
    new distinct_ids are found without an anti-join over every person, and the merge
    and ``$set`` steps run only when the batch holds such events. New ids are added to
    ``known_ids``; if the caller's transaction rolls back it must drop the cache.
    """
    plan = plan_persons(batch, known_ids)
    if plan.new_ids is not None:
        con.register("_fn_new_ids", plan.new_ids)
        try:
            con.execute(NEW_IDS_SQL)
        finally:
            con.unregister("_fn_new_ids")
    apply_persons_plan(con, relation, plan)
    known_ids.update(plan.new_keys())
