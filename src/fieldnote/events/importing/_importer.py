"""``import_events``: one export file into the event store, set-based, in one transaction.

Why it is shaped this way (figures in docs/performance.md):

* Everything is SQL over DuckDB's streaming readers: no Python row loop, and a file
  larger than memory flows through (DuckDB spills past ``memory_limit`` into the
  temp directory beside ``events.duckdb``).
* A fresh import (nothing of the project stored yet) reads the file once: every row
  is inserted, a rejected one as a stand-in row that is deleted right after (which
  counts them), so no second parse of a CSV is needed. When the project already holds
  events, a first pass learns the file's row counts and timestamp range, and the
  insert anti-joins stored events only in that range widened by ``DEDUPE_SLACK``,
  where DuckDB's zone maps skip every other row group (left out entirely when
  nothing is stored in that range).
* CSV and JSON Lines are inserted without preserving insertion order (parallel
  parse, same CPU); Parquet keeps order (unordered costs it ~10% more CPU).
* Duplicates inside the file are found afterwards on the inserted rows' uuid column
  (a cheap aggregate over UUIDs), and only those uuids are re-resolved with the
  slower first-in-file rule: ``DISTINCT ON`` over every row would cost twice as much.
* Persons are folded in from the inserted rows inside the same transaction, so a
  failure anywhere leaves the store exactly as it was.
* Rows without a uuid get one from their content (md5 of project, distinct_id,
  event, timestamp, properties), so re-running the same file imports nothing twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from fieldnote.events._duckdb_store import DEDUPE_SLACK, DuckDBEventStore
from fieldnote.events.importing._files import check_file, infer_format, open_source
from fieldnote.events.importing._plan import Plan, Stamps
from fieldnote.events.importing._request import ImportFailedError, ImportRequest, ImportResult
from fieldnote.events.importing._settle import (
    compact_imported,
    fold_imported_persons,
    list_rejected,
    resolve_file_duplicates,
    start_copy_check,
)
from fieldnote.events.importing._shapes import map_source, parse_field_map
from fieldnote.events.importing._sql import lit

__all__ = ["import_events", "import_into_store"]


def import_events(
    con: duckdb.DuckDBPyConnection,
    request: ImportRequest,
    *,
    on_stage: Callable[[str], None] | None = None,
) -> ImportResult:
    """Import ``request.path`` into the store behind ``con`` (its single writer).

    Input problems raise ``ImportInputError`` before anything is written; a failure
    while importing rolls everything back and raises ``ImportFailedError``.
    """
    started = time.perf_counter()
    path = check_file(Path(request.path))
    fmt = infer_format(path, request.format)
    field_map = parse_field_map(request.field_map)
    now = datetime.now(UTC)
    with _session(con):
        source = open_source(con, path, fmt)
        mapped = map_source(source, field_map)
        plan = Plan(
            source=source,
            mapped=mapped,
            project=request.project,
            oldest=datetime(request.oldest_year, 1, 1, tzinfo=UTC),
            newest=now + request.future_tolerance,
            tolerance=request.future_tolerance,
        )
        con.execute("BEGIN TRANSACTION")
        try:
            counts = _run(con, plan, request.max_errors, on_stage or (lambda _stage: None))
            con.execute("COMMIT")
        except BaseException as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, duckdb.Error):
                raise ImportFailedError(_describe(exc, path)) from exc
            raise
    imported, duplicates, rejected, errors = counts
    return ImportResult(
        imported=imported,
        duplicates=duplicates,
        rejected=rejected,
        errors=errors,
        format=fmt,
        shape=mapped.shape,
        seconds=time.perf_counter() - started,
    )


def import_into_store(
    store: DuckDBEventStore,
    request: ImportRequest,
    *,
    on_stage: Callable[[str], None] | None = None,
) -> ImportResult:
    """``import_events`` on the store's own connection (run it on the store's writer).

    The import writes with SQL beside ``commit``, so the writer's in-memory indexes
    (recent uuids, known distinct_ids) are dropped afterwards and reloaded by the
    next commit: a capture retry of an imported event is still counted once.
    """
    try:
        return import_events(store.connection, request, on_stage=on_stage)
    finally:
        store.invalidate_caches()


# -- running it --------------------------------------------------------------------------


@contextmanager
def _session(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Connection settings the import needs, restored afterwards (the server's writer
    connection is shared with capture): naive timestamps mean UTC, and DuckDB tracks
    query progress (for the CLI's progress bar) without printing it."""
    names = ("TimeZone", "enable_progress_bar", "enable_progress_bar_print")
    before = [con.execute(f"SELECT current_setting('{n}')").fetchone() for n in names]
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    try:
        yield
    finally:
        for n, row in zip(names, before, strict=True):
            if row is not None:
                value = row[0]
                rendered = lit(value) if isinstance(value, str) else str(value).lower()
                con.execute(f"SET {n} = {rendered}")


@contextmanager
def _insert_order(con: duckdb.DuckDBPyConnection, fmt: str) -> Iterator[None]:
    """Let DuckDB insert text formats in parallel without keeping file order (a global
    setting, so it is put back at once).

    Measured (docs/performance.md): for CSV the unordered insert costs the same CPU and
    parallelises the parse; for Parquet it costs ~10% more CPU than the ordered insert
    (whose scan is already parallel per row group), so Parquet keeps the default.
    """
    if fmt == "parquet":
        yield
        return
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(row[0] if row else True).lower()}")


@dataclass(frozen=True)
class _Counts:
    """What the insert pass learnt: rows in the file, valid ones, rows inserted."""

    total: int
    valid: int
    inserted: int


def _run(
    con: duckdb.DuckDBPyConnection,
    plan: Plan,
    max_errors: int,
    stage: Callable[[str], None],
) -> tuple[int, int, int, list[str]]:
    project = plan.project
    stamp_row = con.execute("SELECT current_timestamp").fetchone()
    assert stamp_row is not None
    stamps = Stamps(stamp_row[0])

    # Nothing of this project stored yet (a fresh import): nothing can be a duplicate of
    # a stored event, so one pass over the file does it all. Otherwise a first pass
    # finds the file's time range, to which the anti-join against stored events is cut.
    has_stored = (
        con.execute("SELECT 1 FROM events WHERE project = ? LIMIT 1", [project]).fetchone()
        is not None
    )
    if has_stored:
        counts = _two_passes(con, plan, stamps, stage)
    else:
        counts = _one_pass(con, plan, stamps, stage)

    extra_copies = 0
    if counts.inserted:
        # The copy check sorts uuid hashes on two worker threads while DuckDB builds
        # the persons' compact relation; copies found (rare) mean building it again.
        stage("deduplicating")
        with ThreadPoolExecutor(2, thread_name_prefix="fieldnote-import") as pool:
            check = start_copy_check(con, stamps, project, counts.inserted, pool)
            compact_imported(con, project, stamps)
            full = plan.rows(check_properties=True)
            extra_copies = resolve_file_duplicates(con, plan, full, stamps, check)
        if extra_copies:
            compact_imported(con, project, stamps)
        stage("persons")
        fold_imported_persons(con)
    imported = counts.inserted - extra_copies

    rejected = counts.total - counts.valid
    errors: list[str] = []
    if rejected and max_errors > 0:
        stage("reporting")
        errors = list_rejected(con, plan, max_errors)
    return imported, counts.valid - imported, rejected, errors


def _one_pass(
    con: duckdb.DuckDBPyConnection, plan: Plan, stamps: Stamps, stage: Callable[[str], None]
) -> _Counts:
    """Insert every row (rejected ones as stand-ins), then delete the stand-ins."""
    stage("importing")
    rows = plan.rows(check_properties=True, guard=False)
    with _insert_order(con, plan.source.format):
        out = con.execute(stamps.insert_all_sql(rows), {"project": plan.project}).fetchone()
    total = int(out[0]) if out else 0
    gone = con.execute(
        "DELETE FROM events WHERE project = $project AND inserted_at = $stamp",
        {"project": plan.project, "stamp": stamps.rejected},
    ).fetchone()
    rejected = int(gone[0]) if gone else 0
    return _Counts(total=total, valid=total - rejected, inserted=total - rejected)


def _two_passes(
    con: duckdb.DuckDBPyConnection, plan: Plan, stamps: Stamps, stage: Callable[[str], None]
) -> _Counts:
    """First pass: count rows and valid rows, learn the time range; then insert the
    valid rows not already stored (anti-join cut to that range, where DuckDB's zone
    maps skip every other row group, and left out when nothing is stored there)."""
    stage("scanning")
    row = con.execute(
        f"""
        SELECT count(*), count(*) FILTER (_ok), min(_ts) FILTER (_ok), max(_ts) FILTER (_ok)
        FROM ({plan.rows(check_properties=True)})
        """
    ).fetchone()
    assert row is not None
    total, valid, first, last = int(row[0]), int(row[1]), row[2], row[3]
    if not valid:
        return _Counts(total=total, valid=0, inserted=0)
    project = plan.project
    lo, hi = first - DEDUPE_SLACK, last + DEDUPE_SLACK
    overlap = (
        con.execute(
            "SELECT 1 FROM events WHERE project = ? AND timestamp BETWEEN ? AND ? LIMIT 1",
            [project, lo, hi],
        ).fetchone()
        is not None
    )
    where = "_ok"
    params: dict[str, Any] = {"project": project}
    if overlap:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.project = $project "
            "AND e.timestamp BETWEEN $lo AND $hi AND e.uuid = s._uuid)"
        )
        params |= {"lo": lo, "hi": hi}
    stage("importing")
    with _insert_order(con, plan.source.format):
        out = con.execute(
            stamps.insert_sql(plan.rows(check_properties=True), where), params
        ).fetchone()
    return _Counts(total=total, valid=valid, inserted=int(out[0]) if out else 0)


def _describe(exc: duckdb.Error, path: Path) -> str:
    """DuckDB's error, shortened to what locates the problem in the file."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    head = lines[0] if lines else type(exc).__name__
    found = re.search(r"CSV Error on Line: (\d+)", head)
    if found:
        head = f"line {found.group(1)} of the file is malformed"
        detail = [ln for ln in lines[1:] if ln.startswith(("Expected", "Original Line"))]
        if detail:
            head += " (" + "; ".join(detail) + ")"
    return f"import of {path.name} failed, nothing was written: {head}"
