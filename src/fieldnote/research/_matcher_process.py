"""Intercept matching in a child process, so the capture server's GIL never pays for it.

Why: the matcher's per-person state machine is Python, a few microseconds an event.
On the server's commit-listener thread it competes with request handling for the
process's one GIL, and at batch load that showed as +26-50 % CPU per captured request
(docs/performance.md, intercept matching). A child process has a GIL of its own and
the second core: the server only narrows each committed batch in Arrow (C++) to the
events some rule names, ships those rows as Arrow IPC bytes over a pipe, and a
receiver thread hands the matches back.

Order is kept: rules, batches and sweeps travel over one pipe and the child handles
them one at a time, so a batch is matched with the rules that were current when it was
committed, exactly as in process. The child is started with ``spawn`` (the server's
DuckDB threads make ``fork`` unsafe) and only once there is a rule, so a server without
intercept rules never starts one. If the child dies, matching falls back to an
in-process matcher and says so in the log: the matcher's state is in memory in both
places, so what is lost is what a server restart loses anyway.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import threading
from collections.abc import Callable
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.research._intercept_columns import EPOCH, US
from fieldnote.research._intercept_matcher import Found, InterceptMatcher, Match
from fieldnote.research._intercept_rules import InterceptRule
from fieldnote.research._intercept_state import warm

__all__ = ["InProcessMatcher", "MatcherProcess"]

log = logging.getLogger(__name__)

#: Committed rows wait at most this long (or until this many) before they are sent.
COALESCE_SECONDS = 0.05
COALESCE_ROWS = 8192

#: The columns the matcher reads; the rest of a committed batch never crosses the pipe.
_COLUMNS = ("project", "distinct_id", "event", "timestamp", "properties")


class InProcessMatcher:
    """``MatcherProcess``'s interface over an ``InterceptMatcher`` in this process (tests,
    benches): matches are delivered on the caller's thread before ``submit`` or
    ``sweep`` returns, so ``flush`` has nothing to wait for."""

    def __init__(self, on_matches: Callable[[list[Match]], None]) -> None:
        self._on_matches = on_matches
        self.matcher = InterceptMatcher([])

    def set_rules(self, rules: list[InterceptRule]) -> None:
        self.matcher.set_rules(rules)

    def submit(self, batch: pa.Table) -> None:
        self._on_matches(self.matcher.feed_table(batch))

    def sweep(self, now: datetime) -> None:
        self._on_matches(self.matcher.sweep(now))

    def mute(self, project: str, person: str | None, until: datetime) -> None:
        self.matcher.mute(project, person, until)

    def flush(self, timeout: float = 30.0) -> bool:
        return True

    def close(self) -> None:
        return None


class MatcherProcess:
    """An ``InterceptMatcher`` in a child process; matches arrive via ``on_matches``
    on a receiver thread (and on the caller's thread once it has fallen back)."""

    def __init__(self, on_matches: Callable[[list[Match]], None]) -> None:
        self._on_matches = on_matches
        self._rules: list[InterceptRule] = []
        self._by_id: dict[int, InterceptRule] = {}
        self._names = pa.array([], pa.string())
        self._send_lock = threading.Lock()
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receiver: threading.Thread | None = None
        self._local: InterceptMatcher | None = None
        self._closing = False
        self._pings = 0
        self._answered: dict[int, threading.Event] = {}
        self._pending: list[pa.Table] = []
        self._mutes: list[tuple[str, str | None, datetime]] = []
        self._pending_rows = 0
        self._timer: threading.Timer | None = None

    @property
    def fallen_back(self) -> bool:
        """True once the child died and matching runs in this process."""
        return self._local is not None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def set_rules(self, rules: list[InterceptRule]) -> None:
        with self._send_lock:
            if self._local is None:
                self._send_pending_locked()  # narrowed by the rules they were committed under
            self._rules = list(rules)
            self._by_id = {r.id: r for r in self._rules}
            names = {r.event for r in rules} | {r.unless for r in rules if r.unless}
            self._names = pa.array(sorted(names), pa.string())
            if self._local is not None:
                self._local.set_rules(self._rules)
                return
            if self._conn is None and not rules:
                return  # nothing to match yet: no child either
            self._send_locked(("rules", self._rules))

    def submit(self, batch: pa.Table) -> None:
        """A committed batch, in commit order. Never waits for the matching itself:
        rows are held for up to ``COALESCE_SECONDS`` (or ``COALESCE_ROWS``) and sent
        together, so a stream of small commits costs one pipe message per interval."""
        local = self._local
        if local is not None:
            self._deliver(local.feed_table(batch))
            return
        if self._conn is None or batch.num_rows == 0:
            return
        with self._send_lock:
            # Only a zero-copy projection here, on the commit listener's thread: the
            # rows are narrowed once per message (``Table.filter`` costs ~0.1 ms a
            # call, which per commit came to ~1 µs an event).
            self._pending.append(batch.select(list(_COLUMNS)))
            self._pending_rows += batch.num_rows
            if self._pending_rows >= COALESCE_ROWS:
                self._send_pending_locked()
            elif self._timer is None:
                self._timer = threading.Timer(COALESCE_SECONDS, self._on_timer)
                self._timer.daemon = True
                self._timer.start()

    def _on_timer(self) -> None:
        with self._send_lock:
            self._timer = None
            self._send_pending_locked()

    def _send_pending_locked(self) -> None:
        if not self._pending:
            return
        rows = pa.concat_tables(self._pending)
        self._pending, self._pending_rows = [], 0
        wanted = pc.is_in(rows.column("event"), value_set=self._names)
        if pc.all(wanted).as_py() is not True:  # events no rule names stay here
            rows = rows.take(pc.indices_nonzero(wanted))
            if rows.num_rows == 0:
                return
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, rows.schema) as writer:
            writer.write_table(rows)
        mutes, self._mutes = self._mutes, []
        self._send_locked(("batch", (sink.getvalue().to_pybytes(), mutes)), batch=rows)

    def mute(self, project: str, person: str | None, until: datetime) -> None:
        """No matches for this person before ``until`` (see ``InterceptMatcher.mute``).
        Called on the receiver thread (the service mutes whom a match just got
        invited), so it must not wait for ``_send_lock``: a sender blocked on a full
        pipe while the child blocks on sending matches back would never be freed. The
        mute rides along with the next batch instead (it only saves traffic)."""
        local = self._local
        if local is not None:
            local.mute(project, person, until)
        else:
            self._mutes.append((project, person, until))

    def sweep(self, now: datetime) -> None:
        """Delayed rules whose time has come: their matches arrive like the others."""
        local = self._local
        if local is not None:
            self._deliver(local.sweep(now))
            return
        with self._send_lock:
            if self._conn is not None:
                self._send_locked(("sweep", now))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything sent so far was matched and its matches delivered."""
        with self._send_lock:
            if self._conn is None or self._local is not None:
                return True
            self._pings += 1
            number = self._pings
            done = self._answered[number] = threading.Event()
            self._send_locked(("ping", number))
        answered = done.wait(timeout) or self._local is not None
        self._answered.pop(number, None)
        return answered

    def close(self) -> None:
        with self._send_lock:
            if self._timer is not None:
                self._timer.cancel()
            if self._local is None:
                self._send_pending_locked()
            self._closing = True
            conn, process = self._conn, self._process
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.send(("stop", None))
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        if self._receiver is not None:
            self._receiver.join(timeout=5)
        if conn is not None:
            conn.close()

    # -- internals -----------------------------------------------------------------

    def _send_locked(self, message: tuple[str, Any], *, batch: pa.Table | None = None) -> None:
        """Send under ``_send_lock``, starting the child on first use; a dead child
        switches to the in-process matcher (``batch``, if given, is matched there)."""
        if self._closing:
            return
        if message[0] != "batch":
            self._send_pending_locked()  # keep the order: earlier rows go first
        try:
            if self._conn is None:
                self._start_locked()
            assert self._conn is not None
            self._conn.send(message)
        except (OSError, EOFError):
            self._fall_back_locked("the matcher process stopped taking work")
            if batch is not None and self._local is not None:
                self._deliver(self._local.feed_table(batch))

    def _start_locked(self) -> None:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=True)
        process = context.Process(
            target=_child_main, args=(child,), name="fieldnote-intercept-matcher", daemon=True
        )
        process.start()
        child.close()
        self._conn, self._process = parent, process
        self._receiver = threading.Thread(
            target=self._receive, args=(parent,), name="fieldnote-intercept-receiver", daemon=True
        )
        self._receiver.start()
        if self._rules:
            parent.send(("rules", self._rules))

    def _receive(self, conn: Connection) -> None:
        while True:
            try:
                kind, payload = conn.recv()
            except (EOFError, OSError):
                if not self._closing:
                    with self._send_lock:
                        self._fall_back_locked("the matcher process exited")
                return
            if kind == "matches":
                self._deliver(self._rehydrate(payload))
            else:  # "pong"
                event = self._answered.get(payload)
                if event is not None:
                    event.set()

    def _rehydrate(self, found: Found) -> list[Match]:
        """Matches cross the pipe as four columns (a pickled rule, or even a tuple, per
        match would cost more than the matching); the rules are looked up here by id,
        in the map ``set_rules`` built."""
        by_id = self._by_id
        return [
            Match(rule, person, EPOCH + at * US, session)
            for rule_id, person, at, session in zip(
                found.rule_ids, found.persons, found.at, found.sessions, strict=True
            )
            if (rule := by_id.get(rule_id)) is not None  # else: removed since
        ]

    def _fall_back_locked(self, why: str) -> None:
        if self._local is not None or self._closing:
            return
        log.error("%s: intercept matching continues inside the server (state reset)", why)
        self._local = InterceptMatcher(list(self._rules))
        pending, self._pending, self._pending_rows = self._pending, [], 0
        for rows in pending:
            self._deliver(self._local.feed_table(rows))
        for event in list(self._answered.values()):
            event.set()

    def _deliver(self, matches: list[Match]) -> None:
        if not matches:
            return
        try:
            self._on_matches(matches)
        except Exception:
            log.exception("queuing intercept matches failed")


def _child_main(conn: Connection) -> None:
    """The child's loop: one message at a time, in the order they were sent."""
    # As in the server (web/_gc.py): each batch's rows become short-lived lists freed
    # by reference counting, so the default young-generation threshold (700) would run
    # the collector many times a batch for nothing. Cycles are still collected, later.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 10)
    warm()  # numba: compiled (or loaded) before the first batch, not while it waits
    matcher = InterceptMatcher([])

    def rules(payload: list[InterceptRule]) -> None:
        matcher.set_rules(payload)

    def batch(payload: tuple[bytes, list[tuple[str, str | None, datetime]]]) -> None:
        rows, mutes = payload
        for mute in mutes:
            matcher.mute(*mute)
        found = matcher.found_in(pa.ipc.open_stream(rows).read_all())
        if found.rule_ids:
            conn.send(("matches", found))

    def sweep(payload: datetime) -> None:
        found = matcher.swept(payload)
        if found.rule_ids:
            conn.send(("matches", found))

    def ping(payload: int) -> None:
        conn.send(("pong", payload))

    handlers: dict[str, Callable[[Any], None]] = {
        "rules": rules,
        "batch": batch,
        "sweep": sweep,
        "ping": ping,
    }
    while True:
        try:
            kind, payload = conn.recv()
        except (EOFError, OSError):
            return
        handler = handlers.get(kind)
        if handler is None:  # "stop"
            return
        handler(payload)
