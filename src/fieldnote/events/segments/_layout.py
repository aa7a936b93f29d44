"""The segments folder's layout: names every part agrees on, and which files are live."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import orjson

__all__ = [
    "COMPACTED_PREFIX",
    "MANIFESTS_DIR",
    "PERSONS_DIR",
    "STALE_TEMP_AGE",
    "SegmentsLayout",
]

PERSONS_DIR = "_persons"
MANIFESTS_DIR = "_compactions"
COMPACTED_PREFIX = "compacted-"
#: Temporary files older than this belong to a process that died mid-write.
STALE_TEMP_AGE = timedelta(hours=1)


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
