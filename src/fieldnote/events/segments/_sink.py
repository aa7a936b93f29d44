"""The capture side: each group commit becomes durable Parquet files, one per
``(project, UTC date)``, published before ``commit`` returns."""

from __future__ import annotations

import itertools
import os
import re
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fieldnote.events._duckdb_store import dedupe_in_batch
from fieldnote.events._model import ARROW_SCHEMA
from fieldnote.events.segments._durable import durable_write, ensure_dir

__all__ = ["SEGMENT_SCHEMA", "ParquetSegmentSink"]

#: What a segment file holds: the capture columns plus the commit time (for ``tail``).
SEGMENT_SCHEMA = ARROW_SCHEMA.append(
    pa.field("inserted_at", pa.timestamp("us", tz="UTC"), nullable=False)
)

_HOST_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


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
