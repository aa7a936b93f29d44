"""``import_events``: one export file into the event store, set-based, in one transaction.

Why it is shaped this way (figures in docs/performance.md):

* Everything is SQL over DuckDB's streaming readers: no Python row loop, and a file
  larger than memory flows through (DuckDB spills past ``memory_limit`` into the
  temp directory beside ``events.duckdb``).
* A first pass reads only the cheap columns (event, distinct_id, timestamp) to count
  rows and learn the file's timestamp range; the duplicate check against stored
  events then only looks at that range widened by ``DEDUPE_SLACK``, where DuckDB's
  zone maps skip every other row group — and is left out entirely when nothing is
  stored in that range (a fresh import pays nothing for it).
* The insert pass validates every row (rejected rows are skipped, not fatal) and
  anti-joins stored events. Insertion order is not preserved for it: a parallel
  insert is markedly faster, and nothing depends on physical order.
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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from fieldnote.events._duckdb_store import DEDUPE_SLACK, DuckDBEventStore
from fieldnote.events._persons import update_persons
from fieldnote.events.importing._shapes import (
    Mapped,
    map_source,
    parse_field_map,
    stable_uuid_sql,
)
from fieldnote.events.importing._source import (
    Source,
    check_file,
    infer_format,
    lit,
    open_source,
)

__all__ = [
    "STAGES",
    "ImportFailedError",
    "ImportRequest",
    "ImportResult",
    "import_events",
    "import_into_store",
]

#: The stages ``on_stage`` reports, in order (some are skipped when not needed).
STAGES = ("scanning", "importing", "deduplicating", "persons", "reporting")

_NEW_ROWS_VIEW = "_fn_import_new"
_DUPS_TABLE = "_fn_import_dups"


class ImportFailedError(RuntimeError):
    """The import stopped part-way (e.g. a malformed CSV line); nothing was written."""


@dataclass(frozen=True, kw_only=True)
class ImportRequest:
    """What to import, where, and how to judge timestamps.

    The timestamp bounds come from ``Settings`` (``oldest_timestamp_year``,
    ``future_tolerance_seconds``) so import and capture reject the same events.
    """

    path: Path
    project: str
    format: str | None = None
    field_map: Mapping[str, str] | str | None = None
    oldest_year: int = 2000
    future_tolerance: timedelta = timedelta(hours=23)
    max_errors: int = 20


@dataclass(frozen=True, kw_only=True)
class ImportResult:
    """What an import did. ``imported + duplicates + rejected`` is the file's row count."""

    imported: int
    duplicates: int
    rejected: int
    errors: list[str] = field(default_factory=list)
    format: str = ""
    shape: str = ""
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.imported + self.duplicates + self.rejected

    def to_dict(self) -> dict[str, Any]:
        """The ``--json`` / API answer."""
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": list(self.errors),
        }


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
        plan = _Plan(
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


# -- the plan: SQL for one file ----------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class _Plan:
    source: Source
    mapped: Mapped
    project: str
    oldest: datetime
    newest: datetime
    tolerance: timedelta

    def rows(self, *, check_properties: bool) -> str:
        """The file as normalised rows: fields, ``_reason`` (NULL = valid) and ``_uuid``.

        Each level passes the source columns through (DuckDB prunes the unused ones),
        so the original texts quoted in error messages are only computed in the
        ``CASE`` branches of rejected rows, never for the millions of valid ones.
        Without ``check_properties`` the properties are not read at all (the cheap
        first pass).
        """
        m = self.mapped
        relation = self.source.relation()
        if check_properties:
            relation = f"(SELECT *, {m.properties_base} AS _pb FROM {relation})"
        props = m.properties if check_properties else "NULL::JSON"
        inner = (
            f"SELECT *, {m.uuid} AS _u, {m.distinct_id} AS _d, {m.event} AS _e, "
            f"{m.timestamp} AS _ts, {props} AS _p, "
            f"{m.record_problem or 'NULL::VARCHAR'} AS _rp "
            f"FROM {relation}"
        )
        return (
            f"SELECT _u, _d, _e, _ts, _p, {self._reason(check_properties)} AS _reason, "
            f"{self._uuid()} AS _uuid FROM ({inner})"
        )

    @property
    def checks_properties(self) -> bool:
        """Whether properties can make a row invalid (else the cheap pass is exact)."""
        return self.mapped.checks_properties

    def _origin(self, name: str) -> str:
        origin = self.mapped.origin.get(name)
        return f" ({origin})" if origin and origin != f"column {name!r}" else ""

    def _reason(self, check_properties: bool) -> str:
        tol_hours = self.tolerance.total_seconds() / 3600
        raw_ts = self.mapped.timestamp_raw
        ts, props = _quoted(raw_ts), _quoted(self.mapped.properties_raw)
        whens = [
            "WHEN _rp IS NOT NULL THEN _rp",
            *(f"WHEN {condition} THEN {message}" for condition, message in self.mapped.checks),
            f"WHEN _e IS NULL THEN {lit('event is missing' + self._origin('event'))}",
            f"WHEN _d IS NULL THEN {lit('distinct_id is missing' + self._origin('distinct_id'))}",
            f"WHEN _ts IS NULL AND {raw_ts} IS NULL "
            f"THEN {lit('timestamp is missing' + self._origin('timestamp'))}",
            f"WHEN _ts IS NULL THEN 'timestamp ' || {ts} || ' is not a timestamp'",
            f"WHEN _ts < {_ts_lit(self.oldest)} THEN 'timestamp ' || {ts} || "
            f"{lit(f' is before {self.oldest:%Y-%m-%d} (absurd)')}",
            f"WHEN _ts > {_ts_lit(self.newest)} THEN 'timestamp ' || {ts} || "
            f"{lit(f' is more than {tol_hours:g} h in the future')}",
        ]
        if check_properties:
            origin = self._origin("properties")
            whens.append(
                f"WHEN _p IS NULL THEN 'properties ' || {props} || "
                f"{lit(' are not a JSON object' + origin)}"
            )
        return "CASE " + " ".join(whens) + " END"

    def _uuid(self) -> str:
        return (
            "CASE WHEN _u IS NOT NULL "
            f"THEN coalesce(TRY_CAST(_u AS UUID), {stable_uuid_sql(self.project, '_u')}) "
            f"ELSE CAST(md5(concat_ws('|', {lit(self.project)}, _d, _e, "
            "CAST(epoch_us(_ts) AS VARCHAR), CAST(_p AS VARCHAR))) AS UUID) END"
        )


def _quoted(column: str) -> str:
    """SQL quoting a (possibly long) source value for an error message."""
    return (
        f"('''' || left(coalesce({column}, ''), 60) "
        f"|| CASE WHEN length({column}) > 60 THEN '…' ELSE '' END || '''')"
    )


def _ts_lit(value: datetime) -> str:
    return f"TIMESTAMPTZ {lit(value.isoformat())}"


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
def _unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB insert in parallel without keeping file order (a global setting,
    so it is put back at once)."""
    row = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"SET preserve_insertion_order = {str(row[0] if row else True).lower()}")


def _run(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    max_errors: int,
    stage: Callable[[str], None],
) -> tuple[int, int, int, list[str]]:
    project = plan.project
    stamp_row = con.execute("SELECT current_timestamp").fetchone()
    assert stamp_row is not None
    stamp: datetime = stamp_row[0]

    stage("scanning")
    cheap = plan.rows(check_properties=False)
    row = con.execute(
        f"""
        SELECT count(*), count(*) FILTER (_reason IS NULL),
               min(_ts) FILTER (_reason IS NULL), max(_ts) FILTER (_reason IS NULL)
        FROM ({cheap})
        """
    ).fetchone()
    assert row is not None
    total, maybe_valid, first, last = int(row[0]), int(row[1]), row[2], row[3]

    full = plan.rows(check_properties=True)
    inserted = 0
    valid = maybe_valid
    if maybe_valid:
        lo, hi = first - DEDUPE_SLACK, last + DEDUPE_SLACK
        overlap = (
            con.execute(
                "SELECT 1 FROM events WHERE project = ? AND timestamp BETWEEN ? AND ? LIMIT 1",
                [project, lo, hi],
            ).fetchone()
            is not None
        )
        anti = (
            " AND NOT EXISTS (SELECT 1 FROM events e WHERE e.project = $project "
            "AND e.timestamp BETWEEN $lo AND $hi AND e.uuid = s._uuid)"
            if overlap
            else ""
        )
        params: dict[str, Any] = {"project": project, "stamp": stamp}
        if overlap:
            params |= {"lo": lo, "hi": hi}
        stage("importing")
        with _unordered(con):
            out = con.execute(
                f"""
                INSERT INTO events
                    (uuid, project, distinct_id, event, timestamp, properties, inserted_at)
                SELECT _uuid, $project, _d, _e, _ts, _p, $stamp
                FROM ({full}) s
                WHERE _reason IS NULL{anti}
                """,
                params,
            ).fetchone()
        inserted = int(out[0]) if out else 0
        if inserted < maybe_valid and plan.checks_properties:
            # Some rows were skipped: tell stored duplicates from bad properties.
            row = con.execute(f"SELECT count(*) FROM ({full}) WHERE _reason IS NULL").fetchone()
            valid = int(row[0]) if row else 0

    extra_copies = 0
    if inserted > 1:
        stage("deduplicating")
        extra_copies = _resolve_file_duplicates(con, plan, full, stamp)
    imported = inserted - extra_copies

    if imported:
        stage("persons")
        con.execute(
            f"""
            CREATE OR REPLACE TEMP VIEW {_NEW_ROWS_VIEW} AS
            SELECT uuid, project, distinct_id, event, timestamp, properties FROM events
            WHERE project = {lit(project)} AND inserted_at = {_ts_lit(stamp)}
            """
        )
        try:
            update_persons(con, _NEW_ROWS_VIEW)
        finally:
            con.execute(f"DROP VIEW IF EXISTS {_NEW_ROWS_VIEW}")

    rejected = total - valid
    errors: list[str] = []
    if rejected and max_errors > 0:
        stage("reporting")
        rows = con.execute(
            f"""
            SELECT _row, _reason FROM (
                SELECT row_number() OVER () AS _row, _reason FROM ({full}))
            WHERE _reason IS NOT NULL ORDER BY _row LIMIT {int(max_errors)}
            """
        ).fetchall()
        errors = [f"row {r}: {reason}" for r, reason in rows]
    return imported, valid - imported, rejected, errors


def _resolve_file_duplicates(
    con: duckdb.DuckDBPyConnection, plan: _Plan, full: str, stamp: datetime
) -> int:
    """Keep the first copy (in file order) of each uuid the file holds more than once.

    Found on the inserted rows' uuids alone; only those uuids are read again from the
    file, numbered in file order, and re-inserted once. Returns the copies dropped.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_DUPS_TABLE} AS
        SELECT uuid, count(*) AS n FROM events
        WHERE project = ? AND inserted_at = ?
        GROUP BY uuid HAVING count(*) > 1
        """,
        [plan.project, stamp],
    )
    try:
        row = con.execute(f"SELECT count(*), coalesce(sum(n), 0) FROM {_DUPS_TABLE}").fetchone()
        assert row is not None
        uuids, copies = int(row[0]), int(row[1])
        if not uuids:
            return 0
        con.execute(
            f"""
            DELETE FROM events WHERE project = ? AND inserted_at = ?
              AND uuid IN (SELECT uuid FROM {_DUPS_TABLE})
            """,
            [plan.project, stamp],
        )
        con.execute(
            f"""
            INSERT INTO events
                (uuid, project, distinct_id, event, timestamp, properties, inserted_at)
            SELECT _uuid, $project, _d, _e, _ts, _p, $stamp FROM (
                SELECT *, row_number() OVER () AS _row FROM ({full}))
            WHERE _reason IS NULL AND _uuid IN (SELECT uuid FROM {_DUPS_TABLE})
            QUALIFY row_number() OVER (PARTITION BY _uuid ORDER BY _row) = 1
            """,
            {"project": plan.project, "stamp": stamp},
        )
        return copies - uuids
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_DUPS_TABLE}")


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
