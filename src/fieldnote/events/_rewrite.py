"""Rewriting the event store into a fresh file: how an erasure reaches the bytes.

A DuckDB DELETE or UPDATE only marks the old row versions' blocks free; their bytes
stay in ``events.duckdb`` until DuckDB happens to reuse them. After an erasure the
store is therefore copied into a new file (``COPY FROM DATABASE``: only what is live
now, so none of the old versions), which is fsynced and then swapped in with
``os.replace``. The old file is never changed: a crash before the swap leaves it
intact (and a stray ``.rewrite`` file, removed by the next rewrite), a crash after
it leaves the complete new file.

The swap needs the file closed, so readers are held off for that moment only (the
copy itself runs beside them): ``ReadGate`` lets readers share the store and the
swap wait for them to finish. Writers are not the gate's business: the rewrite runs
on the store's single writer (the server's writer thread), so capture queues behind
it and lands in the new file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

__all__ = ["REWRITE_SUFFIX", "ReadGate", "StoreRewriteError", "copy_to_fresh_file", "swap_in"]

#: The new file is built next to the store (same filesystem: ``os.replace`` is atomic).
REWRITE_SUFFIX = ".rewrite"


class StoreRewriteError(RuntimeError):
    """The store could not be swapped for its rewritten copy; the old file is kept."""


class ReadGate:
    """Readers share the store's connection; a file swap waits until none is inside.

    While a swap waits, new readers wait too (so a steady stream of reads cannot
    starve it), except a thread already inside a reader: it may nest another.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._swapping = False
        self._local = threading.local()

    @contextmanager
    def shared(self) -> Iterator[None]:
        depth: int = getattr(self._local, "depth", 0)
        with self._cond:
            while self._swapping and depth == 0:
                self._cond.wait()
            self._readers += 1
        self._local.depth = depth + 1
        try:
            yield
        finally:  # this thread's count (a context may be left on another thread)
            self._local.depth = max(getattr(self._local, "depth", 1) - 1, 0)
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextmanager
    def exclusive(self, timeout: float) -> Iterator[None]:
        with self._cond:
            self._swapping = True
            try:
                if not self._cond.wait_for(lambda: self._readers == 0, timeout):
                    raise StoreRewriteError(
                        f"readers of the event store were still busy after {timeout:.0f} s; "
                        "the old file is kept (run the command again)"
                    )
                yield
            finally:
                self._swapping = False
                self._cond.notify_all()


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def copy_to_fresh_file(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Copy the database open on ``con`` (stored at ``path``) into a new, fsynced file."""
    fresh = path.with_name(path.name + REWRITE_SUFFIX)
    for stale in (fresh, _wal(fresh)):  # an earlier rewrite that crashed
        stale.unlink(missing_ok=True)
    row = con.execute("SELECT current_database()").fetchone()
    assert row is not None
    catalog = str(row[0]).replace('"', '""')
    quoted = str(fresh).replace("'", "''")
    try:
        con.execute(f"ATTACH '{quoted}' AS fn_rewrite")
        try:
            con.execute(f'COPY FROM DATABASE "{catalog}" TO fn_rewrite')
        finally:
            con.execute("DETACH fn_rewrite")  # checkpoints the new file, folds its WAL
        if _wal(fresh).exists():
            raise StoreRewriteError(f"{fresh} kept a write-ahead log after it was closed")
        _fsync(fresh)
    except BaseException:
        for partial in (fresh, _wal(fresh)):
            partial.unlink(missing_ok=True)
        raise
    return fresh


def swap_in(fresh: Path, path: Path) -> None:
    """Replace ``path`` (closed by now) with ``fresh``, durably.

    Refuses while ``path`` still has a write-ahead log: opening the new file would
    replay the old file's log into it.
    """
    if _wal(path).exists():
        fresh.unlink(missing_ok=True)
        raise StoreRewriteError(
            f"{_wal(path)} still exists after the store was closed; the old file is kept"
        )
    os.replace(fresh, path)
    _fsync(path.parent, os.O_RDONLY | os.O_DIRECTORY)
