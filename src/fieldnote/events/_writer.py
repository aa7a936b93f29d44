"""Group commit: many concurrent requests, one DuckDB transaction.

Each capture request hands its events to the writer and waits; the writer thread
takes everything queued so far (up to ``max_rows``), commits it as one Arrow batch,
and only then completes every waiting request. Throughput comes from amortising the
commit (and its fsync) over many requests; durability from answering after commit.

Per-request overhead is kept off the hot path on purpose: an ``await append()``
enqueues an asyncio future directly, and after a commit the writer wakes each event
loop once (one ``call_soon_threadsafe`` per loop per commit, not one per request).
Commit listeners (see ``add_commit_listener``) run on their own thread after the
acknowledgements went out, so they can never delay one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import pyarrow as pa

from fieldnote.events._model import AppendResult, Event, events_to_arrow

__all__ = [
    "SWITCH_INTERVAL",
    "CommitListener",
    "EventSink",
    "GroupCommitWriter",
    "WriterClosedError",
]

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Called with the rows a commit made durable (duplicates already dropped).
CommitListener = Callable[[pa.Table], None]


class EventSink(Protocol):
    """Where committed batches go: the DuckDB store, or Parquet segments (scale-out)."""

    def commit(self, batch: pa.Table) -> list[bool]:
        """Durably append ``batch``; return True per row that was a duplicate."""
        ...


class WriterClosedError(RuntimeError):
    """The writer is shutting down and accepts no more events."""


@dataclass(slots=True)
class _Pending:
    """One request's rows and whom to tell: a thread future, or an asyncio future
    together with its loop (answered in bulk, see ``_answer``)."""

    batch: pa.Table | list[Event]
    future: Future[AppendResult] | None = None
    aio: asyncio.Future[AppendResult] | None = None
    loop: asyncio.AbstractEventLoop | None = None


@dataclass
class _Task:
    """Work that must run on the writer thread (e.g. a bulk import into the store)."""

    fn: Callable[[], Any]
    future: Future[Any]


_STOP = object()

_Outcome = tuple["asyncio.Future[AppendResult]", AppendResult | BaseException]


def _settle(outcomes: list[_Outcome]) -> None:
    """On the event loop: complete every awaiting request of one commit."""
    for fut, outcome in outcomes:
        if fut.done():  # the request was cancelled (client went away)
            continue
        if isinstance(outcome, BaseException):
            fut.set_exception(outcome)
        else:
            fut.set_result(outcome)


#: The interpreter's thread switch interval while a writer runs (CPython's default is
#: 5 ms). Every DuckDB or Arrow call on the writer thread lets go of the GIL and must
#: take it back from the event loop, which, while busy parsing requests, only hands it
#: over when the interval expires, so a commit of a dozen such calls can be stretched
#: by tens of ms (a GIL convoy). On the shared, loaded benchmark machine an A/B was
#: inconclusive (see docs/performance.md); it is to be re-measured on a quiet one.
SWITCH_INTERVAL = 0.0005


#: How long the writer holds a commit open for more requests to join, once the
#: previous commit served more than one request (a lone client is never delayed).
#: Each commit costs about 1.5 ms of CPU whatever its size, and under single-event
#: load the writer otherwise commits as soon as it can, in groups of a dozen or so;
#: a millisecond's wait makes the groups several times larger and saves most of
#: that CPU for the event loop, for about a millisecond of latency.
COMMIT_DELAY = 0.001

_switch_lock = threading.Lock()
_switch_state: dict[str, float] = {"writers": 0, "previous": 0.0}


def _switch_interval(delta: int) -> None:
    """Lower the switch interval while at least one writer runs; restore it after."""
    with _switch_lock:
        if _switch_state["writers"] == 0 and delta > 0:
            _switch_state["previous"] = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_state["previous"], SWITCH_INTERVAL))
        _switch_state["writers"] += delta
        if _switch_state["writers"] == 0:
            sys.setswitchinterval(_switch_state["previous"])


class GroupCommitWriter:
    """A single writer thread in front of an ``EventSink``."""

    def __init__(
        self, sink: EventSink, *, max_rows: int = 50_000, commit_delay: float = COMMIT_DELAY
    ) -> None:
        _switch_interval(+1)
        self._sink = sink
        # A sink may also offer ``commit_events(events, batch)`` (``DuckDBEventStore``):
        # the same commit, its bookkeeping done on the events' Python objects.
        commit_events = getattr(sink, "commit_events", None)
        self._commit_events: Callable[[list[Event], pa.Table], list[bool]] | None = (
            commit_events if callable(commit_events) else None
        )
        self._max_rows = max_rows
        self._commit_delay = commit_delay
        self._queue: queue.SimpleQueue[_Pending | _Task | object] = queue.SimpleQueue()
        self._closed = False
        self._listeners: list[CommitListener] = []
        self._notify: queue.SimpleQueue[pa.Table | object] | None = None
        self._notifier: threading.Thread | None = None
        self._listen_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="fieldnote-writer", daemon=True)
        self.commits = 0
        self._thread.start()

    # -- submitting ---------------------------------------------------------------------

    def submit(self, batch: pa.Table) -> Future[AppendResult]:
        if self._closed:
            raise WriterClosedError("the event writer is shutting down")
        fut: Future[AppendResult] = Future()
        if batch.num_rows == 0:
            fut.set_result(AppendResult())
            return fut
        self._queue.put(_Pending(batch, future=fut))
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
        if self._closed:
            raise WriterClosedError("the event writer is shutting down")
        if batch.num_rows == 0:
            return AppendResult()
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[AppendResult] = loop.create_future()
        self._queue.put(_Pending(batch, aio=fut, loop=loop))
        return await fut

    async def append_events(self, events: list[Event]) -> AppendResult:
        """``append`` for validated events not yet in Arrow form: the writer converts
        the whole group at once, which for single-event requests costs a fraction of
        one conversion per request."""
        if self._closed:
            raise WriterClosedError("the event writer is shutting down")
        if not events:
            return AppendResult()
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[AppendResult] = loop.create_future()
        self._queue.put(_Pending(events, aio=fut, loop=loop))
        return await fut

    def append_sync(self, batch: pa.Table) -> AppendResult:
        return self.submit(batch).result()

    # -- listeners ----------------------------------------------------------------------

    def add_commit_listener(self, listener: CommitListener) -> None:
        """Call ``listener`` with the rows of every later commit, after it is durable.

        Listeners run in order on one background thread, fed by a queue: the writer
        only enqueues the committed table, so a slow listener delays neither the
        acknowledgements nor the next commit (it only lets its queue grow). The table
        holds the rows the commit inserted (duplicates dropped), in the writer's
        ``ARROW_SCHEMA``. An exception in a listener is logged and the others still run.
        """
        with self._listen_lock:
            self._listeners.append(listener)
            if self._notifier is None:
                self._notify = queue.SimpleQueue()
                self._notifier = threading.Thread(
                    target=self._run_listeners, name="fieldnote-commit-listeners", daemon=True
                )
                self._notifier.start()

    def remove_commit_listener(self, listener: CommitListener) -> None:
        with self._listen_lock:
            self._listeners.remove(listener)

    def _run_listeners(self) -> None:
        assert self._notify is not None
        while True:
            item = self._notify.get()
            if item is _STOP:
                return
            assert isinstance(item, pa.Table)
            for listener in list(self._listeners):
                try:
                    listener(item)
                except Exception:
                    log.exception("commit listener %r failed", listener)

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        """Commit what is queued, then stop the thread (and, after them, the listeners)."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()
        _switch_interval(-1)
        if self._notify is not None and self._notifier is not None:
            self._notify.put(_STOP)
            self._notifier.join()

    # -- the writer thread --------------------------------------------------------------

    def _run(self) -> None:
        stopping = False
        concurrent = False
        while not stopping:
            item = self._queue.get()
            if item is _STOP:
                break
            if isinstance(item, _Task):
                self._run_task(item)
                continue
            assert isinstance(item, _Pending)
            group = [item]
            rows = len(item.batch)
            task: _Task | None = None
            if concurrent:
                # Under concurrent load (the previous commit served several requests),
                # let more requests join for ``commit_delay``, as PostgreSQL's
                # commit_delay does. Sleeping through the delay and then taking what
                # came, rather than waiting on the queue, spares the event loop a futex
                # wake-up of this thread (and a GIL hand-off) per arriving request.
                time.sleep(self._commit_delay)
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
                rows += len(nxt.batch)
            self._commit(group)
            concurrent = len(group) > 1
            if task is not None:
                self._run_task(task)

    @staticmethod
    def _run_task(task: _Task) -> None:
        try:
            task.future.set_result(task.fn())
        except BaseException as exc:
            task.future.set_exception(exc)

    @staticmethod
    def _events(group: list[_Pending]) -> list[Event] | None:
        """Every event of the group when all its requests handed over events (the
        usual capture group), else None."""
        events: list[Event] = []
        for p in group:
            if not isinstance(p.batch, list):
                return None
            events.extend(p.batch)
        return events

    @staticmethod
    def _table(group: list[_Pending]) -> pa.Table:
        """One table for the group: event lists converted together, tables concatenated."""
        tables: list[pa.Table] = []
        events: list[Event] = []
        for p in group:
            if isinstance(p.batch, list):
                events.extend(p.batch)
            else:
                if events:  # keep the group's order: it decides which duplicate is kept
                    tables.append(events_to_arrow(events))
                    events = []
                tables.append(p.batch)
        if events:
            tables.append(events_to_arrow(events))
        return tables[0] if len(tables) == 1 else pa.concat_tables(tables)

    def _commit(self, group: list[_Pending]) -> None:
        try:
            events = self._events(group)
            if events is not None and self._commit_events is not None:
                batch = events_to_arrow(events)
                dup = self._commit_events(events, batch)
            else:
                batch = self._table(group)
                dup = self._sink.commit(batch)
        except BaseException as exc:  # every waiting request learns of the failure
            self._answer(group, [exc] * len(group))
            return
        self.commits += 1
        outcomes: list[AppendResult | BaseException] = []
        offset = 0
        any_dup = any(dup)
        for p in group:
            n = len(p.batch)
            if any_dup and any(dup[offset : offset + n]):
                mask = dup[offset : offset + n]
                uuids = (
                    [e.uuid for e in p.batch]
                    if isinstance(p.batch, list)
                    else p.batch.column("uuid").to_pylist()
                )
                dups = [u for u, d in zip(uuids, mask, strict=True) if d]
                outcomes.append(
                    AppendResult(inserted=n - len(dups), duplicates=len(dups), duplicate_uuids=dups)
                )
            else:
                outcomes.append(AppendResult(inserted=n))
            offset += n
        self._answer(group, outcomes)
        if self._listeners and self._notify is not None:
            fresh = batch.filter(pa.array([not d for d in dup])) if any_dup else batch
            if fresh.num_rows:
                self._notify.put(fresh)

    @staticmethod
    def _answer(group: list[_Pending], outcomes: list[AppendResult | BaseException]) -> None:
        """Complete the group's futures: thread futures directly, asyncio futures with
        one wake-up per event loop."""
        by_loop: dict[asyncio.AbstractEventLoop, list[_Outcome]] = {}
        for p, outcome in zip(group, outcomes, strict=True):
            if p.future is not None:
                if isinstance(outcome, BaseException):
                    p.future.set_exception(outcome)
                else:
                    p.future.set_result(outcome)
            elif p.aio is not None and p.loop is not None:
                by_loop.setdefault(p.loop, []).append((p.aio, outcome))
        for loop, items in by_loop.items():
            with contextlib.suppress(RuntimeError):  # a closed loop: nobody waits any more
                loop.call_soon_threadsafe(_settle, items)
