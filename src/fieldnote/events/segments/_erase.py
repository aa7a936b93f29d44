"""Erasure in scale-out mode: the person's rows in every Parquet segment pseudonymised.

The same rules as the DuckDB store (``fieldnote.events._erasure``): each of the
person's distinct_ids becomes the pseudonym, identifying property keys are dropped,
and the email, name and phone are replaced wherever else they appear. Segment files
are immutable for capture, so each affected file is rewritten whole under a hidden
temporary name, fsynced, and swapped in with ``os.replace`` (atomic: readers see the
old file or the new one, a crash leaves one of them). Every file counts, superseded
ones still waiting for deletion too, and so do the persons generations under
``_persons/``.

The folder's compaction lock is held throughout, so no compaction copies a file
while it is being rewritten. Capture servers keep writing new files meanwhile: the
person's events that arrive during the erasure are not in the files it listed, which
is why the person's ids should no longer be in use when they are erased (running the
erase again catches any late ones).
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from fieldnote.events._erasure import MERGE_KEYS, Scrubber
from fieldnote.events.segments._compact import exclusive
from fieldnote.events.segments._durable import ensure_dir, fsync_dir, fsync_file
from fieldnote.events.segments._layout import MANIFESTS_DIR, PERSONS_DIR

__all__ = ["SegmentsErasure", "erase_in_segments"]


@dataclass(frozen=True, kw_only=True)
class SegmentsErasure:
    files_rewritten: int
    rows: int

    def to_dict(self) -> dict[str, int]:
        return {"segment_files_rewritten": self.files_rewritten, "segment_rows": self.rows}


def erase_in_segments(
    root: Path | str,
    project: str,
    distinct_ids: Sequence[str],
    pseudonym: str,
    identifiers: Sequence[str],
) -> SegmentsErasure:
    """Pseudonymise the person in every segment file of ``project`` under ``root``.

    Raises ``CompactionBusyError`` while a compaction runs (run it again after).
    """
    root = Path(root).expanduser().resolve()
    ensure_dir(root / MANIFESTS_DIR, root)
    with exclusive(root / MANIFESTS_DIR / ".lock"):
        event_files = [
            p
            for p in sorted(root.glob(f"project={project}/date=*/*.parquet"))
            if not p.name.startswith(".")
        ]
        persons_dirs = [
            p for p in sorted((root / PERSONS_DIR).glob("*")) if not p.name.startswith(".")
        ]
        ids = _person_ids(project, set(distinct_ids), event_files, persons_dirs)
        scrub = Scrubber(ids, pseudonym, identifiers)
        needles = sorted({*ids, *(i for i in identifiers if i)})
        files = rows = 0
        for path in event_files:
            changed = _rewrite(path, project, scrub, needles, ("distinct_id", "properties"))
            files, rows = files + (changed > 0), rows + changed
        for directory in persons_dirs:
            for name, columns in (
                ("persons.parquet", ("properties",)),
                ("person_distinct_ids.parquet", ("distinct_id",)),
            ):
                if (directory / name).exists():
                    changed = _rewrite(directory / name, project, scrub, needles, columns)
                    files, rows = files + (changed > 0), rows + changed
    return SegmentsErasure(files_rewritten=files, rows=rows)


def _person_ids(
    project: str, ids: set[str], event_files: list[Path], persons_dirs: list[Path]
) -> set[str]:
    """The given ids, every id a compaction's persons tables link to them, and the
    ids their own events merged in (``$anon_distinct_id``...) since then."""
    found = set(ids)
    for directory in persons_dirs:
        path = directory / "person_distinct_ids.parquet"
        if not path.exists():
            continue
        table = pq.read_table(path).filter(pc.equal(pc.field("project"), project))
        persons = table.filter(pc.is_in(table.column("distinct_id"), pa.array(sorted(ids))))
        linked = table.filter(pc.is_in(table.column("person_id"), persons.column("person_id")))
        found.update(str(d) for d in linked.column("distinct_id").to_pylist())
    for path in event_files:
        table = pq.read_table(path, columns=["distinct_id", "properties"])
        own = table.filter(pc.is_in(table.column("distinct_id"), pa.array(sorted(found))))
        for raw in own.column("properties").to_pylist():
            props = orjson.loads(raw)
            found.update(str(props[k]) for k in MERGE_KEYS if isinstance(props.get(k), str))
    return found


def _rewrite(
    path: Path, project: str, scrub: Scrubber, needles: list[str], columns: tuple[str, ...]
) -> int:
    """Scrub ``columns`` of the project's matching rows; replace the file if any changed."""
    table = pq.read_table(path)
    hit = pc.equal(table.column("project"), project)
    mention = None
    for column in columns:
        for needle in needles:
            found = pc.match_substring(table.column(column), needle, ignore_case=True)
            mention = found if mention is None else pc.or_(mention, found)
    if mention is None:
        return 0
    candidates = pc.and_(hit, mention).to_pylist()  # a substring: maybe a longer word
    changed = [False] * len(candidates)
    for column in columns:
        index = table.schema.get_field_index(column)
        values = table.column(column).to_pylist()
        for i, candidate in enumerate(candidates):
            clean = _clean(column, values[i], scrub) if candidate else None
            if clean is not None:
                values[i], changed[i] = clean, True
        field = table.schema.field(index)
        table = table.set_column(index, field, pa.array(values, field.type))
    if not any(changed):
        return 0
    if path.name == "person_distinct_ids.parquet":  # several ids of one person became one
        table = _distinct(table)
    _replace(path, table)
    return sum(changed)


def _clean(column: str, value: str, scrub: Scrubber) -> str | None:
    """The scrubbed value, or None when there was nothing to scrub."""
    if column == "properties":
        props = orjson.loads(value)
        clean = scrub.props(props)
        return orjson.dumps(clean).decode() if clean != props else None
    text = scrub.text(value)
    return text if text != value else None


def _distinct(table: pa.Table) -> pa.Table:
    seen: set[tuple[object, ...]] = set()
    keep = []
    for row in zip(*(table.column(c).to_pylist() for c in table.column_names), strict=True):
        keep.append(row not in seen)
        seen.add(row)
    return table.filter(pa.array(keep))


def _replace(path: Path, table: pa.Table) -> None:
    """Write ``table`` over ``path`` atomically: hidden temporary file, fsync, rename."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    meta = pq.ParquetFile(path).metadata
    codec = meta.row_group(0).column(0).compression if meta.num_row_groups else "zstd"
    try:
        # compressed as the file was (metadata says UNCOMPRESSED where pyarrow says none)
        pq.write_table(table, tmp, compression=codec.lower().replace("uncompressed", "none"))
        fsync_file(tmp)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)
