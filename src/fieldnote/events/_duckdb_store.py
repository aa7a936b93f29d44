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

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.events._dedupe_index import DEDUPE_SLACK, LiveGroup, WriterCaches
from fieldnote.events._model import ARROW_SCHEMA, AppendResult, Event, StoredEvent, epoch_micros
from fieldnote.events._persons import (
    MERGE_EVENTS,
    NEW_IDS_SQL,
    PERSONS_SCHEMA_SQL,
    PersonsPlan,
    apply_persons_plan,
    plan_persons,
)
from fieldnote.events._rewrite import ReadGate, copy_to_fresh_file, swap_in

__all__ = ["DEDUPE_SLACK", "DuckDBEventStore", "dedupe_in_batch"]


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


#: How large DuckDB lets its write-ahead log grow before a commit checkpoints it into
#: the database file (DuckDB's default is 16 MB). Under capture load a 16 MB log fills
#: every few seconds, and each checkpoint runs inside the commit that crossed it,
#: holding every waiting request for 30-170 ms; many small checkpoints also cost more
#: in total than a few large ones (400,000 events in 800-row commits, quiet machine:
#: 1.8-2.0 s at 16 MB, 1.3 s at 256 MB, p99 commit 30 ms vs 4-5 ms; see
#: docs/performance.md). The price: a crash leaves up to this much log to replay when
#: the store is next opened.
CHECKPOINT_THRESHOLD = "256MB"


_INSERT_SQL = """
INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties)
SELECT CAST(uuid AS UUID), project, distinct_id, event, timestamp, properties FROM _fn_batch;
"""


def dedupe_in_batch(batch: pa.Table) -> tuple[pa.Table, list[bool]]:
    """Keep the first row of each ``(project, uuid)``; return (kept rows, duplicate mask)."""
    n = batch.num_rows
    if n < 2 or pc.count_distinct(batch.column("uuid")).as_py() == n:
        return batch, [False] * n  # distinct uuids: no (project, uuid) repeats
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
        checkpoint_threshold: str | None = CHECKPOINT_THRESHOLD,
    ) -> None:
        self.path = str(path)
        config: dict[str, Any] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = threads
        if checkpoint_threshold:
            config["checkpoint_threshold"] = checkpoint_threshold
        self._config = config
        self._con = duckdb.connect(self.path, read_only=read_only, config=config)
        self._lock = threading.Lock()
        self._gate = ReadGate()
        self._caches: WriterCaches | None = None
        self.read_only = read_only
        if not read_only:
            self._con.execute(SCHEMA_SQL)
            self._con.execute(PERSONS_SCHEMA_SQL)

    # -- connections -------------------------------------------------------------------

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The owning connection: only the writer thread may write through it."""
        return self._con

    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for reads; DuckDB's MVCC lets it run beside the writer (and the
        file swap of ``rewrite_file`` waits for it)."""
        with self._gate.shared():
            cur = self._con.cursor()
            try:
                yield cur
            finally:
                cur.close()

    def close(self) -> None:
        self._con.close()

    def rewrite_file(self, *, wait_for_readers: float = 60.0) -> bool:
        """Copy the store into a fresh file and swap it in (see ``_rewrite``).

        Leaves no trace of deleted or updated rows in the file (an erasure needs
        that). Call on the writer only; readers are held off for the swap itself, and
        their next ``reader()`` opens the new file. False for an in-memory store.
        """
        if self.read_only or self.path == ":memory:" or not self.path:
            return False
        path = Path(self.path)
        with self._lock:
            fresh = copy_to_fresh_file(self._con, path)
            try:
                with self._gate.exclusive(wait_for_readers):
                    self._con.close()
                    try:
                        swap_in(fresh, path)
                    finally:  # the new file, or the old one if the swap was refused
                        self._con = duckdb.connect(self.path, config=self._config)
            finally:
                fresh.unlink(missing_ok=True)
            self._caches = None
        return True

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

    def _writer_caches(self, con: duckdb.DuckDBPyConnection) -> WriterCaches:
        if self._caches is None:
            self._caches = WriterCaches.load(con)
        return self._caches

    def commit(self, batch: pa.Table) -> list[bool]:
        """Append a batch in one transaction. Returns, per input row, True if duplicate.

        Called by one writer at a time; a 2xx is only sent after this returns, and
        DuckDB syncs its write-ahead log on commit, so an acknowledged event survives
        a crash of the process or the machine. The usual batch (recent events, no
        merges, no ``$set``) is one ``execute``: each call gives up and retakes the GIL,
        and under load retaking it can cost a thread switch interval (5 ms).
        """
        if not batch.schema.equals(ARROW_SCHEMA):
            batch = batch.cast(ARROW_SCHEMA)
        kept, dup = dedupe_in_batch(batch)
        with self._lock:
            con = self._con
            caches = self._writer_caches(con)
            existing = caches.existing(kept, lambda old: self.existing_uuids(con, old))
            fresh = self._without(kept, existing) if existing else kept
            plan = plan_persons(fresh, caches.ids) if fresh.num_rows else None
            self._write(con, fresh, plan)
            caches.remember(fresh)
            if plan is not None:
                caches.ids.update(plan.new_keys())
        if existing:
            keys = zip(
                batch.column("project").to_pylist(), batch.column("uuid").to_pylist(), strict=True
            )
            for i, key in enumerate(keys):
                if key in existing:
                    dup[i] = True
        return dup

    def commit_events(self, events: list[Event], batch: pa.Table) -> list[bool]:
        """``commit(batch)`` where ``batch`` is ``events_to_arrow(events)``: the usual
        live-capture group (one project, recent, new uuids, no merges, no ``$set``) is
        checked on the Python objects, so the commit's only call that gives up the GIL
        is DuckDB's. Anything else goes through ``commit``, with the same result."""
        if not _plain_live(events):
            return self.commit(batch)
        with self._lock:
            caches = self._writer_caches(self._con)
            group = caches.check_live(
                events[0].project,
                [e.uuid for e in events],
                [e.distinct_id for e in events],
                [epoch_micros(e.timestamp) for e in events],
            )
            if group is not None:
                self._write_simple(self._con, batch, _new_ids_table(group))
                caches.remember_live(group)
                return [False] * len(events)
        return self.commit(batch)

    @staticmethod
    def _without(kept: pa.Table, existing: set[tuple[str, str]]) -> pa.Table:
        mask = [
            (p, u) not in existing
            for p, u in zip(
                kept.column("project").to_pylist(), kept.column("uuid").to_pylist(), strict=True
            )
        ]
        return kept.filter(pa.array(mask, pa.bool_()))

    def _write(
        self, con: duckdb.DuckDBPyConnection, fresh: pa.Table, plan: PersonsPlan | None
    ) -> None:
        """Insert ``fresh`` and its persons changes in one transaction (or roll back)."""
        if plan is None:
            return
        if not (plan.has_merge or plan.has_set):
            self._write_simple(con, fresh, plan.new_ids)
            return
        con.register("_fn_batch", fresh)  # apply_persons_plan reads it from its own frame
        if plan.new_ids is not None:
            con.register("_fn_new_ids", plan.new_ids)
        sql = "BEGIN TRANSACTION;" + _INSERT_SQL
        if plan.new_ids is not None:
            sql += NEW_IDS_SQL
        try:
            con.execute(sql)
            apply_persons_plan(con, "_fn_batch", plan)
            con.execute("COMMIT")
        except BaseException:
            self._caches = None  # the indexes may hold keys of the rolled-back batch
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT left nothing open
                con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("_fn_batch")
            if plan.new_ids is not None:
                con.unregister("_fn_new_ids")

    def _write_simple(
        self, con: duckdb.DuckDBPyConnection, fresh: pa.Table, new_ids: pa.Table | None
    ) -> None:
        """The live-capture case (no merges, no ``$set``): as few statements as possible.

        The Arrow tables are found by DuckDB's replacement scan of this frame's locals
        rather than ``register``/``unregister`` (two catalog changes per commit), and a
        batch without new distinct_ids is one INSERT in its own (autocommit)
        transaction. Per commit this costs about 40 % less CPU than
        ``register`` + ``BEGIN; INSERT; COMMIT`` (see docs/performance.md), and the
        single writer commits hundreds of times a second under single-event load.
        """
        _fn_batch = fresh  # read by name in _INSERT_SQL
        _fn_new_ids = new_ids  # read by name in NEW_IDS_SQL
        try:
            if new_ids is None:
                con.execute(_INSERT_SQL)  # one statement: atomic on its own
            else:
                con.execute("BEGIN TRANSACTION;" + _INSERT_SQL + NEW_IDS_SQL + "COMMIT;")
        except BaseException:
            self._caches = None  # the indexes may hold keys of the rolled-back batch
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT left nothing open
                con.execute("ROLLBACK")
            raise

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


def _plain_live(events: list[Event]) -> bool:
    """One project, and no event that needs persons steps (a merge, a ``$set``): what
    ``plan_persons`` would find with Arrow, found on the Python objects."""
    if not events:
        return False
    project = events[0].project
    for e in events:
        if e.project != project or e.event in MERGE_EVENTS or '"$set' in e.properties_json:
            return False
    return True


def _new_ids_table(group: LiveGroup) -> pa.Table | None:
    """``_fn_new_ids`` for ``NEW_IDS_SQL`` (as ``plan_persons`` builds it), or None."""
    if not group.new_ids:
        return None
    return pa.table(
        {
            "project": pa.array([group.project] * len(group.new_ids), pa.string()),
            "distinct_id": pa.array(list(group.new_ids), pa.string()),
            "first_seen": pa.array(list(group.new_ids.values()), pa.timestamp("us", tz="UTC")),
        }
    )


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
