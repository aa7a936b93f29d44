"""Pseudonymising one person's events (the event-store half of a participant's erasure).

Events stay — funnels and trends must still add up — but nothing in them points at
the person any more: every distinct_id of the person becomes one stable pseudonym
(also in ``person_distinct_ids``), identifying properties (``$email``, ``name``,
``phone``...) are removed from the events' and the person's properties (``$set`` and
``$set_once`` included), and any other text cell of the store that still contains
the person's email, name or phone has it replaced. One DuckDB transaction: all of it
or none. Run on the store's writer (the server's writer thread when one runs).

``erase_person_events`` then rewrites the store into a fresh file (``_rewrite``): the
transaction only marks the old row versions free, and their bytes would otherwise
stay in ``events.duckdb``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import orjson
import pyarrow as pa

from fieldnote.events._duckdb_store import DuckDBEventStore

__all__ = [
    "IDENTIFYING_KEYS",
    "MERGE_KEYS",
    "EventErasure",
    "Scrubber",
    "erase_person_events",
    "pseudonymise_person",
]

#: Property keys whose values identify a person, removed wherever they appear.
IDENTIFYING_KEYS = frozenset(
    {
        "$email",
        "email",
        "$name",
        "name",
        "first_name",
        "last_name",
        "$first_name",
        "$last_name",
        "phone",
        "$phone",
        "phone_number",
        "username",
        "$ip",
        "ip",
    }
)
#: Property keys through which an event links another distinct_id to its person.
MERGE_KEYS = ("$anon_distinct_id", "alias", "$user_id", "$device_id")
ERASED = "[erased]"
_PERSON_TABLES = ("events", "persons", "person_distinct_ids")


@dataclass(frozen=True, kw_only=True)
class EventErasure:
    distinct_ids: int
    events: int
    persons: int
    other_cells: int
    #: The store file was rewritten afterwards (no old row versions left in it).
    file_rewritten: bool = False

    def to_dict(self) -> dict[str, int]:
        return {
            "distinct_ids": self.distinct_ids,
            "events": self.events,
            "persons": self.persons,
            "other_cells": self.other_cells,
            "file_rewritten": int(self.file_rewritten),
        }


class Scrubber:
    """Pseudonymises ids and removes identifying values (shared with the segments)."""

    def __init__(self, ids: set[str], pseudonym: str, identifiers: Sequence[str]) -> None:
        self.ids = ids
        self.pseudonym = pseudonym
        words = sorted((i for i in identifiers if i), key=len, reverse=True)
        self.pattern = (
            re.compile(
                r"(?<!\w)(?:" + "|".join(re.escape(w) for w in words) + r")(?!\w)", re.IGNORECASE
            )
            if words
            else None
        )

    def text(self, value: str) -> str:
        if value in self.ids:
            return self.pseudonym
        return self.pattern.sub(ERASED, value) if self.pattern else value

    def props(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: self.props(v)
                for k, v in value.items()
                if k not in IDENTIFYING_KEYS or not isinstance(v, str | int | float)
            }
        if isinstance(value, list):
            return [self.props(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value


def _person_ids(con: duckdb.DuckDBPyConnection, project: str, ids: list[str]) -> set[str]:
    """Every distinct_id of the persons behind ``ids`` (an identify merged them)."""
    rows = con.execute(
        """
        SELECT distinct_id FROM person_distinct_ids WHERE project = ? AND person_id IN (
            SELECT person_id FROM person_distinct_ids
            WHERE project = ? AND distinct_id IN (SELECT unnest(?)))
        """,
        [project, project, ids],
    ).fetchall()
    return set(ids) | {str(r[0]) for r in rows}


def pseudonymise_person(
    con: duckdb.DuckDBPyConnection,
    project: str,
    distinct_ids: Sequence[str],
    pseudonym: str,
    identifiers: Sequence[str],
) -> EventErasure:
    """Pseudonymise the person's events and person row; scrub ``identifiers`` anywhere."""
    con.execute("BEGIN TRANSACTION")
    try:
        result = _run(con, project, list(distinct_ids), pseudonym, identifiers)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("CHECKPOINT")
    return result


def erase_person_events(
    store: DuckDBEventStore,
    project: str,
    distinct_ids: Sequence[str],
    pseudonym: str,
    identifiers: Sequence[str],
) -> EventErasure:
    """``pseudonymise_person``, then the store rewritten into a fresh file.

    Always rewrites, even when nothing matched: a run interrupted between the two
    steps is finished by running it again. On the store's writer only.
    """
    done = pseudonymise_person(store.connection, project, distinct_ids, pseudonym, identifiers)
    store.invalidate_caches()
    rewritten = store.rewrite_file()
    return EventErasure(
        distinct_ids=done.distinct_ids,
        events=done.events,
        persons=done.persons,
        other_cells=done.other_cells,
        file_rewritten=rewritten,
    )


def _run(
    con: duckdb.DuckDBPyConnection,
    project: str,
    distinct_ids: list[str],
    pseudonym: str,
    identifiers: Sequence[str],
) -> EventErasure:
    ids = _person_ids(con, project, distinct_ids) if distinct_ids else set()
    scrub = Scrubber(ids, pseudonym, identifiers)
    likes = [f"%{i.lower()}%" for i in identifiers if i]
    mention = " OR ".join("lower(CAST(properties AS VARCHAR)) LIKE ?" for _ in likes) or "false"
    rows = con.execute(
        f"""
        SELECT uuid, project, distinct_id, event, timestamp, CAST(properties AS VARCHAR),
               inserted_at
        FROM events
        WHERE project = ? AND (distinct_id IN (SELECT unnest(?)) OR {mention})
        """,
        [project, sorted(ids), *likes],
    ).fetchall()
    if rows:
        cleaned = pa.table(
            {
                "uuid": [str(r[0]) for r in rows],
                "project": [r[1] for r in rows],
                "distinct_id": [pseudonym if r[2] in ids else r[2] for r in rows],
                "event": [r[3] for r in rows],
                "timestamp": pa.array([r[4] for r in rows], pa.timestamp("us", tz="UTC")),
                "properties": [
                    orjson.dumps(scrub.props(orjson.loads(r[5]))).decode() for r in rows
                ],
                "inserted_at": pa.array([r[6] for r in rows], pa.timestamp("us", tz="UTC")),
            }
        )
        con.register("_fn_erased", cleaned)
        try:
            con.execute(
                "DELETE FROM events WHERE project = ? AND uuid IN "
                "(SELECT CAST(uuid AS UUID) FROM _fn_erased)",
                [project],
            )
            con.execute(
                "INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties, "
                "inserted_at) SELECT CAST(uuid AS UUID), project, distinct_id, event, timestamp, "
                "CAST(properties AS JSON), inserted_at FROM _fn_erased"
            )
        finally:
            con.unregister("_fn_erased")
    persons = _persons(con, project, ids, pseudonym, scrub, likes)
    other = _other_cells(con, identifiers)
    return EventErasure(distinct_ids=len(ids), events=len(rows), persons=persons, other_cells=other)


def _persons(
    con: duckdb.DuckDBPyConnection,
    project: str,
    ids: set[str],
    pseudonym: str,
    scrub: Scrubber,
    likes: list[str],
) -> int:
    person_ids = [
        str(r[0])
        for r in con.execute(
            "SELECT DISTINCT person_id FROM person_distinct_ids "
            "WHERE project = ? AND distinct_id IN (SELECT unnest(?))",
            [project, sorted(ids)],
        ).fetchall()
    ]
    if person_ids:
        con.execute(
            "DELETE FROM person_distinct_ids WHERE project = ? AND distinct_id IN "
            "(SELECT unnest(?))",
            [project, sorted(ids)],
        )
        for person in person_ids:
            con.execute(
                "INSERT INTO person_distinct_ids VALUES (?, ?, CAST(? AS UUID))",
                [project, pseudonym, person],
            )
    mention = " OR ".join("lower(CAST(properties AS VARCHAR)) LIKE ?" for _ in likes) or "false"
    rows = con.execute(
        f"SELECT CAST(person_id AS VARCHAR), CAST(properties AS VARCHAR) FROM persons "
        f"WHERE project = ? AND (CAST(person_id AS VARCHAR) IN (SELECT unnest(?)) OR {mention})",
        [project, person_ids, *likes],
    ).fetchall()
    for person, props in rows:
        clean = orjson.dumps(scrub.props(orjson.loads(props))).decode()
        con.execute(
            "UPDATE persons SET properties = CAST(? AS JSON) "
            "WHERE project = ? AND CAST(person_id AS VARCHAR) = ?",
            [clean, project, person],
        )
    return len(rows)


def _other_cells(con: duckdb.DuckDBPyConnection, identifiers: Sequence[str]) -> int:
    """Any other table's text cells (demo bookkeeping, future tables) mentioning them."""
    columns = con.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'main' AND data_type IN ('VARCHAR', 'JSON')"
    ).fetchall()
    changed = 0
    for table, column in columns:
        if table in _PERSON_TABLES:
            continue
        for ident in (i for i in identifiers if i):
            value = f'CAST("{column}" AS VARCHAR)'
            where = f"lower({value}) LIKE ?"
            hits = con.execute(
                f'SELECT count(*) FROM "{table}" WHERE {where}', [f"%{ident.lower()}%"]
            ).fetchone()
            if hits and hits[0]:
                # whole words only ("Ana" is not erased from "Analytics"); RE2 has no
                # look-behind, so the neighbouring characters are captured and kept
                con.execute(
                    f'UPDATE "{table}" SET "{column}" = '
                    f"regexp_replace({value}, ?, ?, 'gi') WHERE {where}",
                    [rf"(^|\W){re.escape(ident)}($|\W)", rf"\1{ERASED}\2", f"%{ident.lower()}%"],
                )
                changed += int(hits[0])
    return changed
