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
* ``erase_in_segments`` pseudonymises one person in every file (a participant's
  erasure), rewriting each affected file atomically under the compaction lock.

See docs/scaling.md for the design, its limits, and what changes on object storage.
"""

from fieldnote.events.segments._compact import (
    PERSONS_SQL,
    CompactionBusyError,
    CompactionResult,
    compact_segments,
    write_persons_parquet,
)
from fieldnote.events.segments._durable import durable_write, ensure_dir, fsync_dir
from fieldnote.events.segments._erase import SegmentsErasure, erase_in_segments
from fieldnote.events.segments._layout import PERSONS_DIR, SegmentsLayout
from fieldnote.events.segments._sink import SEGMENT_SCHEMA, ParquetSegmentSink

__all__ = [
    "PERSONS_DIR",
    "PERSONS_SQL",
    "SEGMENT_SCHEMA",
    "CompactionBusyError",
    "CompactionResult",
    "ParquetSegmentSink",
    "SegmentsErasure",
    "SegmentsLayout",
    "compact_segments",
    "durable_write",
    "ensure_dir",
    "erase_in_segments",
    "fsync_dir",
    "write_persons_parquet",
]
