"""Scale-out capture: committed batches as Parquet segments on shared storage.

When one server is not enough, several stateless ``fieldnote serve`` processes run
behind a load balancer, each with ``FIELDNOTE_SEGMENTS_DIR`` pointing at the same
shared folder. No process can see what the others wrote, so nothing here needs a lock
or a coordinator:

* ``ParquetSegmentSink`` turns each group commit into one Parquet file per
  ``(project, UTC date)`` at ``project=<p>/date=<yyyy-mm-dd>/<host>-<pid>-<seq>.parquet``.
  The file is written under a hidden temporary name, fsynced, published with a hard
  link (atomic, and it can never overwrite another process's file), and the directory
  is fsynced, all *before* ``commit`` returns: a 2xx means the events are on disk.
* A retry that reaches another process (or the same one after its memory of recent
  keys is gone) is written twice. Readers therefore count each ``(project, uuid)``
  once at read time (``fieldnote.events.engines``), so results are exact even before
  ``compact_segments`` has run.
* ``compact_segments`` rewrites each touched partition as one deduplicated file,
  derives persons from the whole history, and records what it superseded in a
  manifest under ``_compactions/``. Readers skip superseded files; they are deleted
  only at a later compaction once ``grace`` has passed, so a reader that listed them
  just before never finds them gone mid-query.

See docs/scaling.md for the design, its limits, and what changes on object storage.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fieldnote.events._duckdb_store import DuckDBEventStore, dedupe_in_batch
from fieldnote.events._model import ARROW_SCHEMA

__all__ = [
    "PERSONS_DIR",
    "SEGMENT_SCHEMA",
    "CompactionBusyError",
    "CompactionResult",
    "ParquetSegmentSink",
    "SegmentsLayout",
    "compact_segments",
    "durable_write",
]

#: What a segment file holds: the capture columns plus the commit time (for ``tail``).
SEGMENT_SCHEMA = ARROW_SCHEMA.append(
    pa.field("inserted_at", pa.timestamp("us", tz="UTC"), nullable=False)
)

PERSONS_DIR = "_persons"
MANIFESTS_DIR = "_compactions"
COMPACTED_PREFIX = "compacted-"
#: Temporary files older than this belong to a process that died mid-write.
STALE_TEMP_AGE = timedelta(hours=1)

_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


class CompactionBusyError(RuntimeError):
    """Another compaction holds the folder's lock; two at once would race."""


# -- durable files ---------------------------------------------------------------------


def fsync_dir(path: Path) -> None:
    """Persist a directory's entries (a new, renamed or removed file) across a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(path: Path, root: Path) -> None:
    """Create ``path`` (below ``root``) and fsync every parent whose entries changed."""
    if path.is_dir():
        return
    missing = []
    p = path
    while not p.exists() and p != root:
        missing.append(p)
        p = p.parent
    path.mkdir(parents=True, exist_ok=True)
    for d in reversed(missing):
        fsync_dir(d.parent)


def durable_write(directory: Path, name: str, write: Callable[[Path], None]) -> Path:
    """Write a file so that it appears complete, or not at all, even across a crash.

    ``write`` fills a hidden temporary file (readers ignore names starting with a
    dot); it is fsynced and then published under ``name`` with a hard link, which is
    atomic and fails instead of replacing a file that already exists; finally the
    directory is fsynced so the new entry itself survives a power cut.
    """
    final = directory / name
    tmp = directory / f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        write(tmp)
        _fsync_file(tmp)
        os.link(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(directory)
    return final


# -- the sink --------------------------------------------------------------------------


class ParquetSegmentSink:
    """An ``EventSink`` that appends each committed batch as durable Parquet files.

    Stateless across processes: any number of capture servers can share one folder.
    Within one process it remembers the last ``recent_keys`` stored ``(project, uuid)``
    keys, so a retry to the same server is answered as a duplicate and not written
    again; retries elsewhere are removed by readers and by ``compact_segments``.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        host: str | None = None,
        recent_keys: int = 100_000,
        compression: str = "zstd",
    ) -> None:
        self.root = Path(root).expanduser().resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self._prefix = f"{_HOST_UNSAFE.sub('_', host or socket.gethostname())}-{os.getpid()}"
        # Seeded from the clock so that a restarted process which gets the same pid (pid 1
        # in a container) does not collide with its predecessor's names.
        self._seq = itertools.count(time.time_ns() // 1000)
        self._recent: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._recent_max = recent_keys
        self._compression = compression
        self._lock = threading.Lock()
        self.files_written = 0

    def commit(self, batch: pa.Table) -> list[bool]:
        """Write ``batch`` durably; return True per row that was a duplicate.

        Duplicates are rows repeated inside the batch and rows this process stored
        recently. Returns only once every file and directory entry is fsynced.
        """
        batch = batch.cast(ARROW_SCHEMA)
        kept, dup = dedupe_in_batch(batch)
        with self._lock:
            keys = list(
                zip(
                    kept.column("project").to_pylist(), kept.column("uuid").to_pylist(), strict=True
                )
            )
            seen = [k in self._recent for k in keys]
            if any(seen):
                kept = kept.filter(pa.array([not s for s in seen]))
                _mark_duplicates(batch, dup, {k for k, s in zip(keys, seen, strict=True) if s})
            if kept.num_rows:
                self._write(kept)
                for k, s in zip(keys, seen, strict=True):
                    if not s:
                        self._remember(k)
        return dup

    def _write(self, kept: pa.Table) -> None:
        now = datetime.now(UTC)
        table = kept.append_column(
            SEGMENT_SCHEMA.field("inserted_at"),
            pa.array([now] * kept.num_rows, pa.timestamp("us", tz="UTC")),
        )
        dates = pc.strftime(table.column("timestamp"), format="%Y-%m-%d")
        table = table.append_column("_date", dates)
        for (project, date), part in _group_by_partition(table):
            directory = self.root / f"project={project}" / f"date={date}"
            ensure_dir(directory, self.root)
            name = f"{self._prefix}-{next(self._seq):020d}.parquet"
            data = part.drop_columns(["_date"])

            def write(tmp: Path, data: pa.Table = data) -> None:
                pq.write_table(data, tmp, compression=self._compression)

            durable_write(directory, name, write)
            self.files_written += 1

    def _remember(self, key: tuple[str, str]) -> None:
        self._recent[key] = None
        if len(self._recent) > self._recent_max:
            self._recent.popitem(last=False)

    def close(self) -> None:
        """Nothing is buffered: every commit is already on disk."""


def _mark_duplicates(batch: pa.Table, dup: list[bool], keys: set[tuple[str, str]]) -> None:
    for i, key in enumerate(
        zip(batch.column("project").to_pylist(), batch.column("uuid").to_pylist(), strict=True)
    ):
        if key in keys:
            dup[i] = True


def _group_by_partition(table: pa.Table) -> Iterator[tuple[tuple[str, str], pa.Table]]:
    parts = table.group_by(["project", "_date"]).aggregate([])
    for project, date in zip(
        parts.column("project").to_pylist(), parts.column("_date").to_pylist(), strict=True
    ):
        mask = pc.and_(
            pc.equal(table.column("project"), project), pc.equal(table.column("_date"), date)
        )
        yield (str(project), str(date)), table.filter(mask)


# -- the folder as readers and the compactor see it -----------------------------------


@dataclass(frozen=True)
class SegmentsLayout:
    """Which files of a segments folder are live: the one listing every reader uses.

    Order matters and is kept here: manifests are read *before* files are listed. A
    compaction publishes its output files before its manifest, so whichever moment
    a reader looks, it sees either the superseded inputs or the outputs (or both,
    which read-time deduplication absorbs), never neither.
    """

    root: Path

    def superseded(self) -> set[str]:
        """Paths (relative to root) that a finished compaction replaced."""
        out: set[str] = set()
        for manifest in sorted((self.root / MANIFESTS_DIR).glob("*.json")):
            with contextlib.suppress(FileNotFoundError):
                out.update(orjson.loads(manifest.read_bytes())["superseded"])
        return out

    def event_files(self, project: str | None = None) -> list[Path]:
        """Live segment files, of one project or all, in a stable order."""
        gone = self.superseded()
        pattern = f"project={project}" if project is not None else "project=*"
        return [
            p
            for p in sorted(self.root.glob(f"{pattern}/date=*/*.parquet"))
            if not p.name.startswith(".") and self.rel(p) not in gone
        ]

    def persons_dir(self) -> Path | None:
        """The newest persons generation a compaction derived, if any."""
        gone = self.superseded()
        gens = [
            p
            for p in sorted((self.root / PERSONS_DIR).glob("*"))
            if p.is_dir() and not p.name.startswith(".") and self.rel(p) not in gone
        ]
        return gens[-1] if gens else None

    def rel(self, path: Path) -> str:
        """How manifests name a file: its path below the folder, with forward slashes."""
        return path.relative_to(self.root).as_posix()


# -- compaction ------------------------------------------------------------------------


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
    with _exclusive(root / MANIFESTS_DIR / ".lock"):
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
def _exclusive(lock_path: Path) -> Iterator[None]:
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
                    _fsync_file(f)
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
