"""Group commit: many concurrent requests, one DuckDB transaction.

Each capture request hands its events to the writer and waits; the writer thread
takes everything queued so far (up to ``max_rows``), commits it as one Arrow batch,
and only then completes every waiting request. Throughput comes from amortising the
commit (and its fsync) over many requests; durability from answering after commit.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import pyarrow as pa

from fieldnote.events._model import AppendResult

__all__ = ["EventSink", "GroupCommitWriter", "WriterClosedError"]

T = TypeVar("T")


class EventSink(Protocol):
    """Where committed batches go: the DuckDB store, or Parquet segments (scale-out)."""

    def commit(self, batch: pa.Table) -> list[bool]:
        """Durably append ``batch``; return True per row that was a duplicate."""
        ...


class WriterClosedError(RuntimeError):
    """The writer is shutting down and accepts no more events."""


@dataclass
class _Pending:
    batch: pa.Table
    future: Future[AppendResult]


@dataclass
class _Task:
    """Work that must run on the writer thread (e.g. a bulk import into the store)."""

    fn: Callable[[], Any]
    future: Future[Any]


_STOP = object()


class GroupCommitWriter:
    """A single writer thread in front of an ``EventSink``."""

    def __init__(self, sink: EventSink, *, max_rows: int = 50_000) -> None:
        self._sink = sink
        self._max_rows = max_rows
        self._queue: queue.SimpleQueue[_Pending | _Task | object] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="fieldnote-writer", daemon=True)
        self.commits = 0
        self._thread.start()

    def submit(self, batch: pa.Table) -> Future[AppendResult]:
        if self._closed:
            raise WriterClosedError("the event writer is shutting down")
        fut: Future[AppendResult] = Future()
        if batch.num_rows == 0:
            fut.set_result(AppendResult())
            return fut
        self._queue.put(_Pending(batch, fut))
        return fut

    def call(self, fn: Callable[[], T]) -> Future[T]:
        """Run ``fn`` on the writer thread, between commits, and return its future.

        This is how other writes (a bulk import while the server runs) stay
        serialised with capture: there is still exactly one writer.
        """
        if self._closed:
            raise WriterClosedError("the event writer is shutting down")
        fut: Future[T] = Future()
        self._queue.put(_Task(fn, fut))
        return fut

    async def append(self, batch: pa.Table) -> AppendResult:
        """Commit ``batch`` (with whatever else is queued); return once it is durable."""
        return await asyncio.wrap_future(self.submit(batch))

    def append_sync(self, batch: pa.Table) -> AppendResult:
        return self.submit(batch).result()

    def close(self) -> None:
        """Commit what is queued, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                break
            if isinstance(item, _Task):
                self._run_task(item)
                continue
            assert isinstance(item, _Pending)
            group = [item]
            rows = item.batch.num_rows
            task: _Task | None = None
            while rows < self._max_rows:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    stopping = True
                    break
                if isinstance(nxt, _Task):
                    task = nxt  # commit what came before it first, then run it
                    break
                assert isinstance(nxt, _Pending)
                group.append(nxt)
                rows += nxt.batch.num_rows
            self._commit(group)
            if task is not None:
                self._run_task(task)

    @staticmethod
    def _run_task(task: _Task) -> None:
        try:
            task.future.set_result(task.fn())
        except BaseException as exc:
            task.future.set_exception(exc)

    def _commit(self, group: list[_Pending]) -> None:
        try:
            batch = pa.concat_tables([p.batch for p in group]) if len(group) > 1 else group[0].batch
            dup = self._sink.commit(batch)
        except BaseException as exc:  # every waiting request learns of the failure
            for p in group:
                if not p.future.done():
                    p.future.set_exception(exc)
            return
        self.commits += 1
        offset = 0
        for p in group:
            n = p.batch.num_rows
            mask = dup[offset : offset + n]
            uuids = p.batch.column("uuid").to_pylist()
            dups = [u for u, d in zip(uuids, mask, strict=True) if d]
            p.future.set_result(
                AppendResult(inserted=n - len(dups), duplicates=len(dups), duplicate_uuids=dups)
            )
            offset += n
