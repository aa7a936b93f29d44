"""Export the DuckDB store as Parquet, so that Spark (or any lake engine) can read it.

Layout, one folder per table and project, and ``export.json`` written last as the
commit marker (readers refuse a folder without it)::

    DIR/events/project=<p>/events.parquet
    DIR/persons/project=<p>/persons.parquet
    DIR/person_distinct_ids/project=<p>/person_distinct_ids.parquet
    DIR/export.json

All tables are copied inside one transaction, so the export is one consistent
snapshot even while the server keeps committing. A previous export in ``DIR`` is
replaced only once the new one is complete.
"""

from __future__ import annotations

import os
import secrets
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import orjson
import pyarrow.parquet as pq

from fieldnote.events.engines._sources import EXPORT_MARKER, TABLES, TableName
from fieldnote.events.segments import PERSONS_SQL, fsync_dir

__all__ = ["ExportError", "ExportResult", "export_store"]

_SQL: dict[TableName, str] = {
    "events": """
        SELECT CAST(uuid AS VARCHAR) AS uuid, project, distinct_id, event, timestamp,
               CAST(properties AS VARCHAR) AS properties, inserted_at
        FROM events {where} ORDER BY timestamp, uuid""",
    "persons": PERSONS_SQL["persons"],
    "person_distinct_ids": PERSONS_SQL["person_distinct_ids"],
}


class ExportError(ValueError):
    """The target folder cannot take an export (it holds something else)."""


@dataclass(frozen=True, kw_only=True)
class ExportResult:
    """What an export wrote (``fieldnote export --json`` prints it)."""

    path: str
    projects: list[str]
    events: int
    persons: int
    person_distinct_ids: int
    exported_at: str

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def export_store(
    con: duckdb.DuckDBPyConnection, target: Path | str, *, project: str | None = None
) -> ExportResult:
    """Copy the store's tables (all projects, or one) into ``target`` as Parquet.

    ``con`` may be the CLI's read-only connection or a cursor of the server's own.
    """
    target = Path(target).expanduser().resolve()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.export-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        con.execute("BEGIN TRANSACTION")
        try:
            projects = _projects(con, project)
            counts: dict[TableName, int] = dict.fromkeys(TABLES, 0)
            for p in projects:
                for table in TABLES:
                    folder = staging / table / f"project={p}"
                    folder.mkdir(parents=True)
                    path = folder / f"{table}.parquet"
                    con.execute(
                        f"COPY ({_SQL[table].format(where='WHERE project = $project')}) "
                        f"TO '{path}' (FORMAT parquet, COMPRESSION zstd)",
                        {"project": p},
                    )
                    counts[table] += pq.ParquetFile(path).metadata.num_rows
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")
        result = ExportResult(
            path=str(target),
            projects=projects,
            events=counts["events"],
            persons=counts["persons"],
            person_distinct_ids=counts["person_distinct_ids"],
            exported_at=datetime.now(UTC).isoformat(),
        )
        (staging / EXPORT_MARKER).write_bytes(orjson.dumps(result.to_json()))
        _sync_tree(staging)
        _swap_in(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result


def _projects(con: duckdb.DuckDBPyConnection, project: str | None) -> list[str]:
    if project is not None:
        return [project]
    rows = con.execute(
        """
        SELECT project FROM events UNION SELECT project FROM persons
        UNION SELECT project FROM person_distinct_ids ORDER BY project
        """
    ).fetchall()
    return [str(r[0]) for r in rows]


def _check_target(target: Path) -> None:
    if not target.exists():
        return
    if not target.is_dir():
        raise ExportError(f"{target} exists and is not a folder")
    if any(target.iterdir()) and not (target / EXPORT_MARKER).is_file():
        raise ExportError(
            f"{target} is not empty and holds no earlier fieldnote export; choose another folder"
        )


def _sync_tree(root: Path) -> None:
    for folder, _dirs, files in os.walk(root, topdown=False):
        for name in files:
            fd = os.open(Path(folder) / name, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(folder))


def _swap_in(staging: Path, target: Path) -> None:
    """Put the finished export at ``target``; an earlier one goes only afterwards."""
    old = None
    if target.exists():
        old = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
        os.rename(target, old)
    os.rename(staging, target)
    fsync_dir(target.parent)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
