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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from fieldnote.events._duckdb_store import DEDUPE_SLACK, DuckDBEventStore
from fieldnote.events._persons import MERGE_EVENTS, update_persons
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

_PERSONS_TABLE = "_fn_import_persons"
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

    def rows(self, *, check_properties: bool, reasons: bool = False, guard: bool = True) -> str:
        """The file as normalised rows: the fields, ``_ok`` and ``_uuid``.

        ``_ok`` is a plain conjunction (cheap on millions of rows); with ``reasons``
        there is also ``_reason``, why a row is rejected (NULL exactly when ``_ok``),
        for the error listing. Each level passes the source columns through (DuckDB
        prunes the unused ones), so the original texts quoted in error messages are
        only computed in the ``CASE`` branches of rejected rows. Without
        ``check_properties`` the properties are not read at all (a cheap first pass).
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
        reason = f", {self._reason(check_properties)} AS _reason" if reasons else ""
        return (
            f"SELECT _u, _d, _e, _ts, _p, {self._ok(check_properties, guard)} AS _ok{reason}, "
            f"{self._uuid()} AS _uuid FROM ({inner})"
        )

    def _ok(self, check_properties: bool, guard: bool = True) -> str:
        terms = [
            "_rp IS NULL",
            *(f"NOT coalesce({condition}, false)" for condition, _ in self.mapped.checks),
            "_e IS NOT NULL",
            "_d IS NOT NULL",
            f"_ts BETWEEN {_ts_lit(self.oldest)} AND {_ts_lit(self.newest)}",
        ]
        if check_properties:
            terms.append("_p IS NOT NULL")
        # ``random() >= 0`` is always true but volatile, which stops DuckDB from pushing
        # ``WHERE _ok`` below the projections by inlining their expressions: the JSON
        # parse of the properties (and the timestamp parse...) would then run twice per
        # row, once in the filter and once for the inserted value (~30% more CPU).
        # Without a filter on ``_ok`` (the one-pass insert) there is nothing to push.
        ok = "coalesce(" + " AND ".join(terms) + ", false)"
        return f"({ok} AND random() >= 0)" if guard else f"({ok})"

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

    def _id_uuid(self) -> str:
        return f"coalesce(TRY_CAST(_u AS UUID), {stable_uuid_sql(self.project, '_u')})"

    def _uuid(self) -> str:
        return (
            "CASE WHEN _u IS NOT NULL "
            f"THEN {self._id_uuid()} "
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


_ZERO_UUID = "'00000000-0000-0000-0000-000000000000'::UUID"


@dataclass(frozen=True)
class _Stamps:
    """This import's ``inserted_at`` values: the transaction's start time for most rows,
    1 us later for the rows persons must look at (merge events, ``$set``...), 2 us
    later for the stand-ins of rejected rows (one-pass import, deleted at once).

    Marking those rows while they are being inserted (their properties are in memory
    then) spares a scan of every imported row's properties afterwards; both values
    together select exactly this import's rows, and no other transaction can commit
    with either (there is one writer).
    """

    plain: datetime

    @property
    def persons(self) -> datetime:
        return self.plain + timedelta(microseconds=1)

    @property
    def rejected(self) -> datetime:
        return self.plain + timedelta(microseconds=2)

    def new_rows(self, project: str) -> str:
        return (
            f"project = {lit(project)} AND inserted_at IN "
            f"({_ts_lit(self.plain)}, {_ts_lit(self.persons)})"
        )

    def _mark(self) -> str:
        # ``$set`` without its leading quote: DuckDB's ``contains`` memchr()s to the
        # needle's first byte and then compares byte by byte, and a JSON object is full
        # of quotes but has few dollars (~0.1 s per million rows less). It also matches
        # ``$set_once`` and, harmlessly, keys like ``$settings`` (persons then look at
        # a few more rows).
        merges = ", ".join(lit(e) for e in MERGE_EVENTS)
        return (
            f"WHEN _e IN ({merges}) OR contains(_p, '$set') THEN {_ts_lit(self.persons)} "
            f"ELSE {_ts_lit(self.plain)}"
        )

    def insert_sql(self, rows: str, where: str) -> str:
        """Insert the rows of ``rows`` that pass ``where``."""
        return f"""
            INSERT INTO events
                (uuid, project, distinct_id, event, timestamp, properties, inserted_at)
            SELECT _uuid, $project, _d, _e, _ts, _p, CASE {self._mark()} END
            FROM ({rows}) s
            WHERE {where}
            """

    def insert_all_sql(self, rows: str) -> str:
        """Insert every row of ``rows``; a rejected one as a stand-in stamped ``rejected``.

        This is what makes one pass over the file enough: the statement's row count is
        the file's, and deleting the stand-ins counts the rejected rows, without a
        second read of the file (for CSV that read is a full parse). The stand-ins'
        ``coalesce``s only satisfy NOT NULL; no one sees them (same transaction).
        """
        return f"""
            INSERT INTO events
                (uuid, project, distinct_id, event, timestamp, properties, inserted_at)
            SELECT coalesce(_uuid, {_ZERO_UUID}), $project, coalesce(_d, ''), coalesce(_e, ''),
                   coalesce(_ts, TIMESTAMPTZ '1970-01-01 00:00:00+00'), coalesce(_p, '{{}}'),
                   CASE WHEN NOT _ok THEN {_ts_lit(self.rejected)} {self._mark()} END
            FROM ({rows}) s
            """


@dataclass(frozen=True)
class _Counts:
    """What the insert pass learnt: rows in the file, valid ones, rows inserted."""

    total: int
    valid: int
    inserted: int


def _run(
    con: duckdb.DuckDBPyConnection,
    plan: _Plan,
    max_errors: int,
    stage: Callable[[str], None],
) -> tuple[int, int, int, list[str]]:
    project = plan.project
    stamp_row = con.execute("SELECT current_timestamp").fetchone()
    assert stamp_row is not None
    stamps = _Stamps(stamp_row[0])

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

    full = plan.rows(check_properties=True)
    extra_copies = 0
    if counts.inserted > 1:
        stage("deduplicating")
        extra_copies = _resolve_file_duplicates(con, plan, full, stamps)
    imported = counts.inserted - extra_copies

    if imported:
        stage("persons")
        _update_persons(con, project, stamps)

    rejected = counts.total - counts.valid
    errors: list[str] = []
    if rejected and max_errors > 0:
        stage("reporting")
        rows = con.execute(
            f"""
            SELECT _row, _reason FROM (
                SELECT row_number() OVER () AS _row, _reason
                FROM ({plan.rows(check_properties=True, reasons=True)}))
            WHERE _reason IS NOT NULL ORDER BY _row LIMIT {int(max_errors)}
            """
        ).fetchall()
        errors = [f"row {r}: {reason}" for r, reason in rows]
    return imported, counts.valid - imported, rejected, errors


def _one_pass(
    con: duckdb.DuckDBPyConnection, plan: _Plan, stamps: _Stamps, stage: Callable[[str], None]
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
    con: duckdb.DuckDBPyConnection, plan: _Plan, stamps: _Stamps, stage: Callable[[str], None]
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


def _update_persons(con: duckdb.DuckDBPyConnection, project: str, stamps: _Stamps) -> None:
    """Fold the imported rows into persons through a compact stand-in for them.

    ``update_persons`` reads its relation several times; what it needs from millions
    of plain events is each distinct_id's first timestamp, so it gets one row per
    distinct_id (no properties, no merge) plus the marked rows in full: the same
    persons, from a table a fraction of the size.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_PERSONS_TABLE} AS
        SELECT project, distinct_id, event, timestamp, properties FROM events
        WHERE project = {lit(project)} AND inserted_at = {_ts_lit(stamps.persons)}
        UNION ALL
        SELECT project, distinct_id, '' AS event, min(timestamp) AS timestamp,
               '{{}}'::JSON AS properties
        FROM events WHERE {stamps.new_rows(project)}
        GROUP BY project, distinct_id
        """
    )
    try:
        update_persons(con, _PERSONS_TABLE)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_PERSONS_TABLE}")


def _resolve_file_duplicates(
    con: duckdb.DuckDBPyConnection, plan: _Plan, full: str, stamps: _Stamps
) -> int:
    """Keep the first copy (in file order) of each uuid the file holds more than once.

    Found on the inserted rows' uuids alone; only those uuids are read again from the
    file, numbered in file order, and re-inserted once. Returns the copies dropped.
    """
    new_rows = stamps.new_rows(plan.project)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_DUPS_TABLE} AS
        SELECT uuid, count(*) AS n FROM events WHERE {new_rows}
        GROUP BY uuid HAVING count(*) > 1
        """
    )
    try:
        row = con.execute(f"SELECT count(*), coalesce(sum(n), 0) FROM {_DUPS_TABLE}").fetchone()
        assert row is not None
        uuids, copies = int(row[0]), int(row[1])
        if not uuids:
            return 0
        con.execute(
            f"DELETE FROM events WHERE {new_rows} AND uuid IN (SELECT uuid FROM {_DUPS_TABLE})"
        )
        first_copies = (
            f"SELECT * FROM (SELECT *, row_number() OVER () AS _row FROM ({full})) "
            f"WHERE _ok AND _uuid IN (SELECT uuid FROM {_DUPS_TABLE}) "
            "QUALIFY row_number() OVER (PARTITION BY _uuid ORDER BY _row) = 1"
        )
        con.execute(stamps.insert_sql(first_copies, "true"), {"project": plan.project})
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
