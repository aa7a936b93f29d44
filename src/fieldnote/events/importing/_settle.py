"""After the insert, inside the same transaction: copies a file holds of one event,
persons, and the listing of rejected rows."""

from __future__ import annotations

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fieldnote.events._persons import update_persons
from fieldnote.events.importing._plan import Plan, Stamps
from fieldnote.events.importing._sql import lit, ts_lit

__all__ = ["list_rejected", "resolve_file_duplicates", "update_imported_persons"]

_PERSONS_TABLE = "_fn_import_persons"
_DUPS_TABLE = "_fn_import_dups"
_HASHES_VIEW = "_fn_import_repeated_hashes"

#: Up to this many imported rows, copies of one uuid are first looked for by sorting
#: the rows' 64-bit uuid hashes in NumPy (8 bytes a row, sorted in place: about half
#: the CPU of DuckDB's hash aggregate over 16-byte UUIDs, measured in
#: docs/performance.md); only uuids whose hash repeats then go through the exact
#: aggregate. Beyond it the aggregate runs over every row in DuckDB, which spills to
#: disk, so memory stays bounded for any file size.
SORT_CHECK_MAX_ROWS = 20_000_000


def update_imported_persons(con: duckdb.DuckDBPyConnection, project: str, stamps: Stamps) -> None:
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
        WHERE project = {lit(project)} AND inserted_at = {ts_lit(stamps.persons)}
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


def resolve_file_duplicates(
    con: duckdb.DuckDBPyConnection, plan: Plan, full: str, stamps: Stamps, inserted: int
) -> int:
    """Keep the first copy (in file order) of each uuid the file holds more than once.

    Found on the inserted rows' uuids alone; only those uuids are read again from the
    file, numbered in file order, and re-inserted once. Returns the copies dropped.
    """
    new_rows = stamps.new_rows(plan.project)
    candidates = ""
    if inserted <= SORT_CHECK_MAX_ROWS:
        repeated = _repeated_hashes(con, new_rows)
        if not len(repeated):
            return 0
        con.register(_HASHES_VIEW, pa.table({"h": repeated}))
        candidates = f"AND hash(uuid) IN (SELECT h FROM {_HASHES_VIEW})"
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE {_DUPS_TABLE} AS
            SELECT uuid, count(*) AS n FROM events WHERE {new_rows} {candidates}
            GROUP BY uuid HAVING count(*) > 1
            """
        )
    finally:
        if candidates:
            con.unregister(_HASHES_VIEW)
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


def _repeated_hashes(con: duckdb.DuckDBPyConnection, new_rows: str) -> npt.NDArray[np.uint64]:
    """The hash values that more than one new row's uuid has (usually none)."""
    hashes = con.execute(f"SELECT hash(uuid) AS h FROM events WHERE {new_rows}").fetchnumpy()["h"]
    hashes = np.asarray(hashes, dtype=np.uint64)
    hashes.sort()
    same = hashes[1:] == hashes[:-1]
    return np.unique(hashes[1:][same])


def list_rejected(con: duckdb.DuckDBPyConnection, plan: Plan, max_errors: int) -> list[str]:
    """The first ``max_errors`` rejected rows, numbered in file order, with why.

    A pass over the file of its own: it only runs when rows were rejected.
    """
    rows = con.execute(
        f"""
        SELECT _row, _reason FROM (
            SELECT row_number() OVER () AS _row, _reason
            FROM ({plan.rows(check_properties=True, reasons=True)}))
        WHERE _reason IS NOT NULL ORDER BY _row LIMIT {int(max_errors)}
        """
    ).fetchall()
    return [f"row {r}: {reason}" for r, reason in rows]
