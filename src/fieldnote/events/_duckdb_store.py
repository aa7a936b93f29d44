"""The embedded event store: one DuckDB file, one writing process.

DuckDB lets a single process open a database file for writing. In fieldnote that
process is ``fieldnote serve`` when it runs (its group-commit writer is the only
writer); otherwise the CLI opens the file itself. See docs/architecture.md.

Deduplication: an event whose ``(project, uuid)`` is already stored is skipped. To
keep that check cheap on a large table, existing events are searched only within the
batch's timestamp range widened by ``DEDUPE_SLACK`` (DuckDB's zone maps then skip
every other row group). A retry carries the same uuid and, from every official SDK,
the same timestamp; a retry without a client timestamp is stamped on arrival and is
still caught when it comes within the slack.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.events._model import ARROW_SCHEMA, AppendResult, StoredEvent

__all__ = ["DEDUPE_SLACK", "DuckDBEventStore", "dedupe_in_batch"]

DEDUPE_SLACK = timedelta(days=1)

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS events (
    uuid UUID NOT NULL,
    project VARCHAR NOT NULL,
    distinct_id VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    timestamp TIMESTAMPTZ NOT NULL,
    properties JSON NOT NULL,
    inserted_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
"""


def dedupe_in_batch(batch: pa.Table) -> tuple[pa.Table, list[bool]]:
    """Keep the first row of each ``(project, uuid)``; return (kept rows, duplicate mask)."""
    n = batch.num_rows
    seen: set[tuple[str, str]] = set()
    dup = [False] * n
    for i, key in enumerate(
        zip(batch.column("project").to_pylist(), batch.column("uuid").to_pylist(), strict=True)
    ):
        if key in seen:
            dup[i] = True
        else:
            seen.add(key)
    if not any(dup):
        return batch, dup
    return batch.filter(pa.array([not d for d in dup])), dup


class DuckDBEventStore:
    """Events (and persons, see ``_persons``) in one DuckDB database file."""

    def __init__(
        self,
        path: Path | str,
        *,
        read_only: bool = False,
        memory_limit: str = "2GB",
        threads: int | None = None,
    ) -> None:
        self.path = str(path)
        config: dict[str, Any] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = threads
        self._con = duckdb.connect(self.path, read_only=read_only, config=config)
        self._lock = threading.Lock()
        self._caches: _WriterCaches | None = None
        self.read_only = read_only
        if not read_only:
            self._con.execute(SCHEMA_SQL)
            from fieldnote.events._persons import PERSONS_SCHEMA_SQL

            self._con.execute(PERSONS_SCHEMA_SQL)

    # -- connections -------------------------------------------------------------------

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The owning connection: only the writer thread may write through it."""
        return self._con

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; DuckDB's MVCC lets it run beside the writer."""
        cur = self._con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        self._con.close()

    # -- writes ------------------------------------------------------------------------

    def existing_uuids(
        self, con: duckdb.DuckDBPyConnection, batch: pa.Table
    ) -> set[tuple[str, str]]:
        """``(project, uuid)`` pairs of ``batch`` that the store already holds (SQL check)."""
        if batch.num_rows == 0:
            return set()
        ts = batch.column("timestamp")
        lo = pc.min(ts).as_py() - DEDUPE_SLACK
        hi = pc.max(ts).as_py() + DEDUPE_SLACK
        keys = batch.select(["project", "uuid"])
        con.register("_fn_keys", keys)
        try:
            rows = con.execute(
                """
                SELECT e.project, CAST(e.uuid AS VARCHAR)
                FROM events e
                JOIN (SELECT project, TRY_CAST(uuid AS UUID) AS uuid FROM _fn_keys) k
                  ON e.uuid = k.uuid AND e.project = k.project
                WHERE e.timestamp BETWEEN ? AND ?
                """,
                [lo, hi],
            ).fetchall()
        finally:
            con.unregister("_fn_keys")
        return {(str(p), str(u)) for p, u in rows}

    def invalidate_caches(self) -> None:
        """Forget the writer's in-memory indexes; call after writing outside ``commit``.

        Bulk paths (import, demo) write with SQL on the same connection; the next
        ``commit`` then reloads the indexes from the tables.
        """
        self._caches = None

    def _writer_caches(self, con: duckdb.DuckDBPyConnection) -> _WriterCaches:
        if self._caches is None:
            self._caches = _WriterCaches.load(con)
        return self._caches

    def commit(self, batch: pa.Table) -> list[bool]:
        """Append a batch in one transaction. Returns, per input row, True if duplicate.

        Called by one writer at a time; a 2xx is only sent after this returns, and
        DuckDB syncs its write-ahead log on commit, so an acknowledged event survives
        a crash of the process or the machine.
        """
        from fieldnote.events._persons import update_persons_for_batch

        batch = batch.cast(ARROW_SCHEMA)
        kept, dup = dedupe_in_batch(batch)
        with self._lock:
            con = self._con
            caches = self._writer_caches(con)
            con.execute("BEGIN TRANSACTION")
            try:
                existing = caches.existing(kept, lambda old: self.existing_uuids(con, old))
                if existing:
                    mask = [
                        (p, u) not in existing
                        for p, u in zip(
                            kept.column("project").to_pylist(),
                            kept.column("uuid").to_pylist(),
                            strict=True,
                        )
                    ]
                    fresh = kept.filter(pa.array(mask))
                else:
                    fresh = kept
                if fresh.num_rows:
                    con.register("_fn_batch", fresh)
                    try:
                        con.execute(
                            """
                            INSERT INTO events
                                (uuid, project, distinct_id, event, timestamp, properties)
                            SELECT CAST(uuid AS UUID), project, distinct_id, event, timestamp,
                                   properties
                            FROM _fn_batch
                            """
                        )
                        update_persons_for_batch(con, "_fn_batch", fresh, caches.ids)
                    finally:
                        con.unregister("_fn_batch")
                con.execute("COMMIT")
            except BaseException:
                self._caches = None  # the indexes may hold keys of the rolled-back batch
                con.execute("ROLLBACK")
                raise
            caches.remember(fresh)
        if existing:
            keys = zip(
                batch.column("project").to_pylist(), batch.column("uuid").to_pylist(), strict=True
            )
            for i, key in enumerate(keys):
                if key in existing:
                    dup[i] = True
        return dup

    def append(self, batch: pa.Table) -> AppendResult:
        dup = self.commit(batch)
        uuids = batch.column("uuid").to_pylist()
        dups = [u for u, d in zip(uuids, dup, strict=True) if d]
        return AppendResult(
            inserted=len(dup) - len(dups), duplicates=len(dups), duplicate_uuids=dups
        )

    # -- reads -------------------------------------------------------------------------

    def count(self, project: str) -> int:
        with self.reader() as cur:
            row = cur.execute("SELECT count(*) FROM events WHERE project = ?", [project]).fetchone()
        return int(row[0]) if row else 0

    def tail(self, project: str, limit: int = 20) -> list[StoredEvent]:
        """The most recently received events, newest last."""
        with self.reader() as cur:
            rows = cur.execute(
                """
                SELECT CAST(uuid AS VARCHAR), project, distinct_id, event, timestamp,
                       CAST(properties AS VARCHAR), inserted_at
                FROM events WHERE project = ?
                ORDER BY inserted_at DESC, timestamp DESC LIMIT ?
                """,
                [project, limit],
            ).fetchall()
        out = [
            StoredEvent(
                uuid=u,
                project=p,
                distinct_id=d,
                event=e,
                timestamp=_utc(ts),
                properties=orjson.loads(props),
                inserted_at=_utc(ins),
            )
            for u, p, d, e, ts, props, ins in rows
        ]
        out.reverse()
        return out


_HOUR_US = 3_600_000_000


@dataclass
class _WriterCaches:
    """The writer's in-memory indexes, so a commit needs no lookup queries.

    ``ids``: every ``(project, distinct_id)`` in ``person_distinct_ids``.
    ``keys``: ``(project, uuid)`` of every event whose timestamp is at or after
    ``floor_hour`` (two dedupe windows back from now), by hour for eviction. A batch
    row whose dedupe window starts at or after ``floor_hour`` is checked here only;
    an older (back-filled) row falls back to the SQL check. Memory: about 100 bytes
    per recent event and per distinct_id.
    """

    ids: set[tuple[str, str]]
    keys: set[tuple[str, str]]
    by_hour: dict[int, list[tuple[str, str]]]
    floor_hour: int

    @staticmethod
    def _floor_hour() -> int:
        now = datetime.now(UTC) - 2 * DEDUPE_SLACK
        return int(now.timestamp() * 1_000_000) // _HOUR_US

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection) -> _WriterCaches:
        floor_hour = cls._floor_hour()
        ids = {
            (str(p), str(d))
            for p, d in con.execute(
                "SELECT project, distinct_id FROM person_distinct_ids"
            ).fetchall()
        }
        by_hour: dict[int, list[tuple[str, str]]] = defaultdict(list)
        keys: set[tuple[str, str]] = set()
        rows = con.execute(
            """
            SELECT project, CAST(uuid AS VARCHAR), epoch_us(timestamp) // ?
            FROM events WHERE timestamp >= to_timestamp(? * 3600)
            """,
            [_HOUR_US, floor_hour],
        ).fetchall()
        for project, uid, hour in rows:
            key = (str(project), str(uid))
            keys.add(key)
            by_hour[int(hour)].append(key)
        return cls(ids=ids, keys=keys, by_hour=by_hour, floor_hour=floor_hour)

    def existing(
        self,
        batch: pa.Table,
        sql_check: Callable[[pa.Table], set[tuple[str, str]]],
    ) -> set[tuple[str, str]]:
        self._evict()
        projects = batch.column("project").to_pylist()
        uuids = batch.column("uuid").to_pylist()
        hours = pc.divide(pc.cast(batch.column("timestamp"), pa.int64()), _HOUR_US).to_pylist()
        slack_hours = int(DEDUPE_SLACK.total_seconds() // 3600)
        found: set[tuple[str, str]] = set()
        old_rows: list[int] = []
        for i, (key, hour) in enumerate(zip(zip(projects, uuids, strict=True), hours, strict=True)):
            if hour - slack_hours >= self.floor_hour:
                if key in self.keys:
                    found.add(key)
            else:
                old_rows.append(i)
        if old_rows:
            found |= sql_check(batch.take(pa.array(old_rows)))
        return found

    def remember(self, fresh: pa.Table) -> None:
        if fresh.num_rows == 0:
            return
        hours = pc.divide(pc.cast(fresh.column("timestamp"), pa.int64()), _HOUR_US).to_pylist()
        for key, hour in zip(
            zip(fresh.column("project").to_pylist(), fresh.column("uuid").to_pylist(), strict=True),
            hours,
            strict=True,
        ):
            if hour >= self.floor_hour:
                self.keys.add(key)
                self.by_hour[hour].append(key)

    def _evict(self) -> None:
        floor_hour = self._floor_hour()
        if floor_hour <= self.floor_hour:
            return
        for hour in [h for h in self.by_hour if h < floor_hour]:
            for key in self.by_hour.pop(hour):
                self.keys.discard(key)
        self.floor_hour = floor_hour


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
