"""Durable files for the segments folder: a file appears complete or not at all, and
a directory's new entries survive a power cut (the 2xx of capture depends on it)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

__all__ = ["durable_write", "ensure_dir", "fsync_dir", "fsync_file"]


def fsync_dir(path: Path) -> None:
    """Persist a directory's entries (a new, renamed or removed file) across a crash."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
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
        fsync_file(tmp)
        os.link(tmp, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(directory)
    return final
