"""After the insert, inside the same transaction: copies a file holds of one event,
persons, and the listing of rejected rows.

The copy check's sort (NumPy, which lets go of the GIL) runs on worker threads while
DuckDB builds the persons' compact relation on the connection, so on two cores the
two post-insert steps cost about the wall time of the larger, not of both
(docs/performance.md).
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeAlias

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from fieldnote.events._persons import update_persons
from fieldnote.events.importing._plan import Plan, Stamps
from fieldnote.events.importing._sql import lit, ts_lit

__all__ = [
    "SORT_CHECK_MAX_ROWS",
    "CopyCheck",
    "compact_imported",
    "fold_imported_persons",
    "list_rejected",
    "repeated_in_halves",
    "resolve_file_duplicates",
    "start_copy_check",
]

_PERSONS_TABLE = "_fn_import_persons"
_DUPS_TABLE = "_fn_import_dups"
_HASHES_VIEW = "_fn_import_repeated_hashes"
_TOP_BIT = np.uint32(1 << 31)
#: The uuid hashes' top 32 bits: half the bytes to fetch and sort of the full 64-bit
#: hash; their repeats (a few thousand among millions of rows) are only candidates,
#: which the exact aggregate then settles.
_KEY = "CAST(hash(uuid) >> 32 AS UINTEGER)"

#: Up to this many imported rows, copies of one uuid are first looked for by sorting
#: the rows' ``_KEY`` in NumPy (4 bytes a row, twice while split: far less CPU than
#: DuckDB's hash aggregate over 16-byte UUIDs, measured in docs/performance.md); only
#: uuids whose key repeats then go through the exact aggregate. Beyond it the
#: aggregate runs over every row in DuckDB, which spills to disk, so memory stays
#: bounded for any file size.
SORT_CHECK_MAX_ROWS = 20_000_000

#: What ``start_copy_check`` hands back: the hashes repeated among the new rows, still
#: being sorted out on worker threads, or None (a file past ``SORT_CHECK_MAX_ROWS``:
#: ``resolve_file_duplicates`` then aggregates every row).
CopyCheck: TypeAlias = "list[Future[npt.NDArray[np.uint32]]] | None"


def compact_imported(con: duckdb.DuckDBPyConnection, project: str, stamps: Stamps) -> None:
    """A compact stand-in for the imported rows, all that persons need from them.

    ``update_persons`` reads its relation several times; what it needs from millions
    of plain events is each distinct_id's first timestamp, so it gets one row per
    distinct_id (no properties, no merge) plus the marked rows in full: the same
    persons, from a table a fraction of the size. Grouped on distinct_id alone (the
    project is one constant): half the CPU of grouping on both strings. Built again
    if copies were removed.
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE {_PERSONS_TABLE} AS
        SELECT project, distinct_id, event, timestamp, properties FROM events
        WHERE project = {lit(project)} AND inserted_at = {ts_lit(stamps.persons)}
        UNION ALL
        SELECT {lit(project)} AS project, distinct_id, '' AS event,
               min(timestamp) AS timestamp, '{{}}'::JSON AS properties
        FROM events WHERE {stamps.new_rows(project)}
        GROUP BY distinct_id
        """
    )


def fold_imported_persons(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the relation ``compact_imported`` built into persons, then drop it."""
    try:
        update_persons(con, _PERSONS_TABLE)
    finally:
        con.execute(f"DROP TABLE IF EXISTS {_PERSONS_TABLE}")


def start_copy_check(
    con: duckdb.DuckDBPyConnection,
    stamps: Stamps,
    project: str,
    inserted: int,
    pool: ThreadPoolExecutor,
) -> CopyCheck:
    """Fetch the new rows' uuid hashes and sort them on ``pool``'s threads (the caller
    meanwhile keeps the connection busy); None past ``SORT_CHECK_MAX_ROWS``.

    The hashes are split on their top bit, so equal ones land in the same half and
    two threads each sort one half.
    """
    if inserted > SORT_CHECK_MAX_ROWS:
        return None
    new_rows = stamps.new_rows(project)
    keys = con.execute(f"SELECT {_KEY} AS h FROM events WHERE {new_rows}").fetchnumpy()
    return repeated_in_halves(np.asarray(keys["h"], dtype=np.uint32), pool)


def repeated_in_halves(
    hashes: npt.NDArray[np.uint32], pool: ThreadPoolExecutor
) -> list[Future[npt.NDArray[np.uint32]]]:
    """The values occurring more than once in ``hashes``, worked out on two of
    ``pool``'s threads: split on the top bit, equal values share a half."""
    high = hashes >= _TOP_BIT
    return [pool.submit(_repeated, hashes[high]), pool.submit(_repeated, hashes[~high])]


def resolve_file_duplicates(
    con: duckdb.DuckDBPyConnection, plan: Plan, full: str, stamps: Stamps, check: CopyCheck
) -> int:
    """Keep the first copy (in file order) of each uuid the file holds more than once.

    Found on the inserted rows' uuids alone (``check``: the hashes that repeat, or
    None to aggregate every row); only those uuids are read again from the file,
    numbered in file order, and re-inserted once. Returns the copies dropped.
    """
    new_rows = stamps.new_rows(plan.project)
    candidates = ""
    if check is not None:
        repeated = np.concatenate([part.result() for part in check])
        if not len(repeated):
            return 0
        con.register(_HASHES_VIEW, pa.table({"h": repeated}))
        candidates = f"AND {_KEY} IN (SELECT h FROM {_HASHES_VIEW})"
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


def _repeated(hashes: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    """The values that occur more than once in ``hashes`` (usually none); sorts
    ``hashes`` in place (NumPy's sort releases the GIL)."""
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
