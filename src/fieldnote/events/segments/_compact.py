"""Compaction: each touched partition rewritten as one deduplicated file, persons
derived from the whole history, and a manifest naming what was superseded (deleted
only after ``grace``, so a reader that listed those files never finds them gone)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.parquet as pq

from fieldnote.events._duckdb_store import DuckDBEventStore
from fieldnote.events.segments._durable import durable_write, ensure_dir, fsync_dir, fsync_file
from fieldnote.events.segments._layout import (
    COMPACTED_PREFIX,
    MANIFESTS_DIR,
    PERSONS_DIR,
    STALE_TEMP_AGE,
    SegmentsLayout,
)

__all__ = [
    "PERSONS_SQL",
    "CompactionBusyError",
    "CompactionResult",
    "compact_segments",
    "exclusive",
    "write_persons_parquet",
]


class CompactionBusyError(RuntimeError):
    """Another compaction holds the folder's lock; two at once would race."""


@dataclass(kw_only=True)
class CompactionResult:
    """What one ``compact_segments`` run did (printed by ``fieldnote compact --json``)."""

    generation: str
    partitions: int = 0
    files_in: int = 0
    files_out: int = 0
    rows_in: int = 0
    rows_out: int = 0
    persons: int = 0
    files_deleted: int = 0
    compacted: list[str] = field(default_factory=list)

    @property
    def duplicates_removed(self) -> int:
        return self.rows_in - self.rows_out


_DEDUPE_SQL = """
SELECT uuid, project, distinct_id, event, timestamp, properties, inserted_at
FROM read_parquet({files}, hive_partitioning = false, union_by_name = true)
QUALIFY row_number() OVER (
    PARTITION BY project, uuid
    ORDER BY inserted_at, timestamp, distinct_id, event, properties) = 1
"""


def _sql_list(paths: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths) + "]"


def compact_segments(
    root: Path | str,
    *,
    grace: timedelta = timedelta(minutes=10),
    persons: bool = True,
    memory_limit: str = "1GB",
    threads: int | None = None,
    commit_rows: int = 50_000,
) -> CompactionResult:
    """Deduplicate a segments folder by ``(project, uuid)`` and rewrite it compactly.

    1. Deletes what earlier compactions superseded at least ``grace`` ago (readers
       that listed those files have had that long to finish).
    2. Every partition with more than one live file becomes one new file holding
       each ``(project, uuid)`` once (the first one committed wins).
    3. With ``persons``: replays the whole deduplicated history, in commit order,
       through the same code the DuckDB store uses, and publishes the persons tables
       as a new generation under ``_persons/``.
    4. Publishes a manifest naming the files it superseded; from then on readers
       skip them.

    Safe to interrupt at any point: readers deduplicate, so a half-finished run can
    only leave extra copies, and the next run picks them up. One compaction at a time
    per folder (a lock file enforces it on a local or NFS folder).
    """
    root = Path(root).expanduser().resolve()
    layout = SegmentsLayout(root)
    ensure_dir(root / MANIFESTS_DIR, root)
    result = CompactionResult(generation=_generation())
    with exclusive(root / MANIFESTS_DIR / ".lock"):
        result.files_deleted = _vacuum(root, grace)
        config: dict[str, str | bool | int | float | list[str]] = {"memory_limit": memory_limit}
        if threads:
            config["threads"] = threads
        con = duckdb.connect(config=config)
        try:
            superseded = _compact_partitions(con, layout, result)
            previous = layout.persons_dir()
            if persons and (result.partitions or previous is None):
                replaced = set(superseded)
                live = [p for p in layout.event_files() if layout.rel(p) not in replaced]
                result.persons = _derive_persons(con, root, live, result.generation, commit_rows)
                if previous is not None:
                    superseded.append(layout.rel(previous))
        finally:
            con.close()
        if superseded:
            _publish_manifest(root, result.generation, superseded)
    return result


def _generation() -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(3)}"


@contextlib.contextmanager
def exclusive(lock_path: Path) -> Iterator[None]:
    """The folder's compaction lock (erasure takes it too: see ``_erase``)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CompactionBusyError(
                f"another compaction is running on {lock_path.parent.parent}"
            ) from None
        yield
    finally:
        os.close(fd)


def _compact_partitions(
    con: duckdb.DuckDBPyConnection, layout: SegmentsLayout, result: CompactionResult
) -> list[str]:
    by_partition: dict[Path, list[Path]] = {}
    for path in layout.event_files():
        by_partition.setdefault(path.parent, []).append(path)
    superseded: list[str] = []
    for directory, files in sorted(by_partition.items()):
        if len(files) == 1 and files[0].name.startswith(COMPACTED_PREFIX):
            continue  # already one deduplicated file
        rows_in = con.execute(
            f"SELECT count(*) FROM read_parquet({_sql_list(files)}, hive_partitioning = false)"
        ).fetchone()
        query = _DEDUPE_SQL.format(files=_sql_list(files)) + " ORDER BY timestamp, uuid"
        name = f"{COMPACTED_PREFIX}{result.generation}.parquet"

        def write(tmp: Path, query: str = query) -> None:
            con.execute(
                f"COPY ({query}) TO '{tmp}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
            )

        out = durable_write(directory, name, write)
        rows_out = pq.ParquetFile(out).metadata.num_rows
        result.partitions += 1
        result.files_in += len(files)
        result.files_out += 1
        result.rows_in += int(rows_in[0]) if rows_in else 0
        result.rows_out += rows_out
        result.compacted.append(layout.rel(directory))
        superseded.extend(layout.rel(f) for f in files)
    return superseded


def _derive_persons(
    con: duckdb.DuckDBPyConnection, root: Path, files: list[Path], generation: str, chunk: int
) -> int:
    """Persons from the whole deduplicated history, by the DuckDB store's own rules.

    Capture processes cannot keep persons (merges need every earlier event), so they
    are derived here: events are replayed in commit order, in chunks, through
    ``DuckDBEventStore.commit`` into a scratch database, exactly as one server would
    have applied them.
    """
    persons_root = root / PERSONS_DIR
    ensure_dir(persons_root, root)
    with tempfile.TemporaryDirectory(prefix="fieldnote-persons-") as scratch:
        store = DuckDBEventStore(Path(scratch) / "persons.duckdb", threads=1)
        try:
            if files:
                query = _DEDUPE_SQL.format(files=_sql_list(files))
                reader = con.sql(
                    f"SELECT * EXCLUDE (inserted_at) FROM ({query}) ORDER BY inserted_at, uuid"
                ).to_arrow_reader(chunk)
                for batch in reader:
                    store.commit(pa.Table.from_batches([batch]))
            tmp_dir = persons_root / f".{generation}.tmp"
            tmp_dir.mkdir()
            try:
                count = write_persons_parquet(store.connection, tmp_dir)
                for f in tmp_dir.iterdir():
                    fsync_file(f)
                fsync_dir(tmp_dir)
                os.rename(tmp_dir, persons_root / generation)
            except BaseException:
                shutil.rmtree(tmp_dir, ignore_errors=True)
                raise
            fsync_dir(persons_root)
        finally:
            store.close()
    return count


#: The persons tables as every Parquet reader expects them (ids as text, JSON as text).
PERSONS_SQL = {
    "persons": """
        SELECT project, CAST(person_id AS VARCHAR) AS person_id,
               CAST(properties AS VARCHAR) AS properties, created_at
        FROM persons {where} ORDER BY project, person_id""",
    "person_distinct_ids": """
        SELECT project, distinct_id, CAST(person_id AS VARCHAR) AS person_id
        FROM person_distinct_ids {where} ORDER BY project, distinct_id""",
}


def write_persons_parquet(
    con: duckdb.DuckDBPyConnection, directory: Path, project: str | None = None
) -> int:
    """Copy the persons tables of a DuckDB database into ``directory``; return persons."""
    where = "WHERE project = $project" if project is not None else ""
    params = {"project": project} if project is not None else {}
    for table, sql in PERSONS_SQL.items():
        con.execute(
            f"COPY ({sql.format(where=where)}) TO '{directory / f'{table}.parquet'}' "
            "(FORMAT parquet, COMPRESSION zstd)",
            params,
        )
    return int(pq.ParquetFile(directory / "persons.parquet").metadata.num_rows)


def _publish_manifest(root: Path, generation: str, superseded: list[str]) -> None:
    body = orjson.dumps(
        {
            "generation": generation,
            "created_at": datetime.now(UTC).isoformat(),
            "superseded": sorted(superseded),
        }
    )

    def write(tmp: Path) -> None:
        tmp.write_bytes(body)

    durable_write(root / MANIFESTS_DIR, f"{generation}.json", write)


def _vacuum(root: Path, grace: timedelta) -> int:
    """Delete what compactions superseded more than ``grace`` ago; return files removed."""
    now = datetime.now(UTC)
    removed = 0
    touched: set[Path] = set()
    for manifest in sorted((root / MANIFESTS_DIR).glob("*.json")):
        data = orjson.loads(manifest.read_bytes())
        if now - datetime.fromisoformat(data["created_at"]) < grace:
            continue
        for rel in data["superseded"]:
            path = root / rel
            if path.is_dir():
                shutil.rmtree(path)
                removed += 1
            else:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
            touched.add(path.parent)
        for d in touched:
            if d.exists():
                fsync_dir(d)
        manifest.unlink()  # only once everything it names is gone
        fsync_dir(manifest.parent)
    # Left behind by a process that died mid-write (readers never look at them).
    cutoff = time.time() - STALE_TEMP_AGE.total_seconds()
    for tmp in [*root.glob("project=*/date=*/.*.tmp"), *root.glob(f"{PERSONS_DIR}/.*.tmp")]:
        with contextlib.suppress(FileNotFoundError):
            if tmp.stat().st_mtime < cutoff:
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                else:
                    tmp.unlink()
    return removed
