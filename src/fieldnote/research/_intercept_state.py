"""The intercept matcher's per-(rule, person) state as arrays, and the compiled loop that
runs a whole batch of rule actions over it.

Why arrays and a compiled loop: the state machine ("append the time, drop what fell out
of the window, fire when ``min_count`` remain and no ``unless`` since the first") is
sequential per (rule, person) — a match clears the run, and timestamps may arrive out
of order — so it does not vectorise into sorted counts without changing what matches.
Run as Python it cost 4-8 µs an event (issue 5); the same steps compiled with numba
over integer arrays cost nanoseconds, so what is left is building the batch's actions
(numpy) and reading properties for filters.

Each tracked (rule, person) pair owns a *slot*: its last ``min_count`` hit times (a
ring per slot), the time of its last ``unless`` event and, for delayed rules, its due
time. The cap on tracked pairs evicts the longest-tracked pair first, exactly as the
per-event matcher's insertion-ordered dict did: ``ring`` lists slots in creation
order, and a slot's entry is live while ``seq[slot]`` still points at it. Creation and
eviction happen inside the loop, in commit order, so a pair evicted and seen again
within one batch starts afresh, as it would have event by event; the loop logs both
so the matcher's person maps follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "CREATED",
    "EVICTED",
    "HIT",
    "LONGEST",
    "NEVER",
    "NO_DUE",
    "UNLESS",
    "Slots",
    "run_actions",
    "warm",
]

I64 = npt.NDArray[np.int64]

#: "No ``unless`` event yet": older than any timestamp, so one comparison does.
NEVER = -(2**63)
#: "Not due": later than any time a sweep is given.
NO_DUE = 2**63 - 1
#: Windows and delays are clamped to this (146,000 years): timestamps lie within
#: ±2.6e17 µs, so the clamp changes no comparison and no sum can overflow int64.
LONGEST = 2**62

#: Action kinds.
UNLESS, HIT = 0, 1
#: Log entries.
CREATED, EVICTED = 1, 2


def _run(
    pair: I64,
    kind: I64,
    rule: I64,
    t: I64,
    min_count: I64,
    within: I64,
    delay: I64,
    pair_slot: I64,
    hits: Any,
    hstart: I64,
    hlen: I64,
    last_unless: I64,
    due: I64,
    alive: Any,
    seq: I64,
    ring: I64,
    counters: I64,
    free: I64,
    slot_pair: I64,
    cap: int,
    matched: Any,
    act_slot: I64,
    log: I64,
) -> int:
    """The per-event state machine over one batch's actions, in commit order.
    ``counters``: ring head, ring tail, free-stack top, tracked pairs. Returns the
    number of log rows (kind, pair, slot)."""
    nlog = 0
    for p in range(len(pair_slot)):  # so an eviction can tell a pair of this batch
        if pair_slot[p] >= 0:
            slot_pair[pair_slot[p]] = p
    for i in range(len(pair)):
        p = pair[i]
        r = rule[i]
        s = pair_slot[p]
        if s < 0:
            if kind[i] == UNLESS and delay[r] >= 0:
                act_slot[i] = -1
                continue  # a delayed rule's ``unless`` before its event: nothing to note
            counters[2] -= 1
            s = free[counters[2]]
            pair_slot[p] = s
            slot_pair[s] = p
            hstart[s] = 0
            hlen[s] = 0
            last_unless[s] = NEVER
            due[s] = NO_DUE
            alive[s] = True
            seq[s] = counters[1]
            ring[counters[1]] = s
            counters[1] += 1
            counters[3] += 1
            log[nlog, 0] = CREATED
            log[nlog, 1] = p
            log[nlog, 2] = s
            nlog += 1
            if counters[3] > cap:  # the longest-tracked pair goes
                while True:
                    q = counters[0]
                    counters[0] += 1
                    old = ring[q]
                    if alive[old] and seq[old] == q:
                        break
                alive[old] = False
                free[counters[2]] = old
                counters[2] += 1
                counters[3] -= 1
                if slot_pair[old] >= 0:
                    pair_slot[slot_pair[old]] = -1
                    slot_pair[old] = -1
                log[nlog, 0] = EVICTED
                log[nlog, 1] = -1
                log[nlog, 2] = old
                nlog += 1  # (with a cap of 0 that is the new pair: its event still counts once)
        act_slot[i] = s
        now = t[i]
        if kind[i] == UNLESS:
            if now > last_unless[s]:
                last_unless[s] = now
            due[s] = NO_DUE  # a delayed rule's condition is now met
            continue
        if delay[r] >= 0:
            if due[s] == NO_DUE:
                due[s] = now + delay[r]
            continue
        width = min_count[r]
        start, n = hstart[s], hlen[s]
        if n == width:  # full: the oldest arrival makes room
            start = (start + 1) % width
            n -= 1
        hits[s, (start + n) % width] = now
        n += 1
        oldest = now - within[r]
        while n > 0 and hits[s, start] <= oldest:
            start = (start + 1) % width
            n -= 1
        if n == width and last_unless[s] < hits[s, start]:
            matched[i] = True
            start, n = 0, 0  # a new match needs a new run of events
        hstart[s], hlen[s] = start, n
    for p in range(len(pair_slot)):  # leave slot_pair clean for the next batch
        if pair_slot[p] >= 0:
            slot_pair[pair_slot[p]] = -1
    return nlog


@cache
def run_actions() -> Callable[..., int]:
    """The loop, compiled once (cached on disk where the package folder is writable)."""
    import numba  # lazy: half a second to import, and only a matcher with rules needs it

    try:
        return numba.njit(nogil=True, cache=True, boundscheck=False)(_run)
    except RuntimeError:  # no writable cache folder
        return numba.njit(nogil=True, cache=False, boundscheck=False)(_run)


def warm() -> None:
    """Compile (or load from the cache) the loop now, on an empty batch, so the first
    real batch does not wait for it (the matcher's child calls this as it starts)."""
    slots, none = Slots(), np.empty(0, np.int64)
    run_actions()(
        none, none, none, none, none, none, none, none,
        slots.hits, slots.hstart, slots.hlen, slots.last_unless, slots.due, slots.alive,
        slots.seq, slots.ring, slots.counters, slots.free, slots.slot_pair, 0,
        np.empty(0, np.bool_), none, np.empty((0, 3), np.int64),
    )  # fmt: skip


@dataclass
class Slots:
    """The state arrays; grown by doubling, never shrunk (at most ``cap + 1`` slots
    are in use at once)."""

    width: int = 1
    capacity: int = 0

    def __post_init__(self) -> None:
        n = self.capacity
        self.hits = np.zeros((n, self.width), np.int64)
        self.hstart = np.zeros(n, np.int64)
        self.hlen = np.zeros(n, np.int64)
        self.last_unless = np.full(n, NEVER, np.int64)
        self.due = np.full(n, NO_DUE, np.int64)
        self.alive = np.zeros(n, np.bool_)
        self.seq = np.zeros(n, np.int64)
        self.slot_pair = np.full(n, -1, np.int64)
        self.free = np.arange(n - 1, -1, -1, dtype=np.int64)
        self.ring = np.zeros(max(16, 2 * n), np.int64)
        #: ring head, ring tail, free-stack top, tracked pairs
        self.counters = np.array([0, 0, n, 0], np.int64)

    @property
    def tracked(self) -> int:
        return int(self.counters[3])

    def reserve(self, new_pairs: int, actions: int, width: int) -> None:
        """Room for ``new_pairs`` more slots and ``actions`` more ring entries, and
        hit rings at least ``width`` wide."""
        if width > self.width:
            wider = np.zeros((self.capacity, width), np.int64)
            wider[:, : self.width] = self.hits
            self.hits, self.width = wider, width
        if self.counters[2] < new_pairs:
            self._grow(max(2 * self.capacity, self.capacity + new_pairs, 64))
        head, tail = int(self.counters[0]), int(self.counters[1])
        if tail + actions > len(self.ring):
            self._compact(head, tail, actions)

    def _grow(self, n: int) -> None:
        old = self.capacity
        extra = n - old

        def more(a: Any, fill: int | bool) -> Any:
            pad = np.full((extra, *a.shape[1:]), fill, a.dtype)
            return np.concatenate([a, pad])

        self.hits = more(self.hits, 0)
        self.hstart, self.hlen = more(self.hstart, 0), more(self.hlen, 0)
        self.last_unless, self.due = more(self.last_unless, NEVER), more(self.due, NO_DUE)
        self.alive, self.seq = more(self.alive, False), more(self.seq, 0)
        self.slot_pair = more(self.slot_pair, -1)
        top = int(self.counters[2])
        free = np.empty(n, np.int64)
        free[:extra] = np.arange(n - 1, old - 1, -1)  # new slots under the old free ones
        free[extra : extra + top] = self.free[:top]
        self.free, self.capacity = free, n
        self.counters[2] = top + extra

    def _compact(self, head: int, tail: int, room: int) -> None:
        """Drop dead ring entries (evicted or removed pairs), keeping creation order."""
        entries = self.ring[head:tail]
        live = entries[self.alive[entries] & (self.seq[entries] == np.arange(head, tail))]
        size = max(16, 2 * (len(live) + room))
        ring = np.zeros(size, np.int64)
        ring[: len(live)] = live
        self.seq[live] = np.arange(len(live))
        self.ring = ring
        self.counters[0], self.counters[1] = 0, len(live)

    def in_order(self) -> I64:
        """Live slots, longest-tracked first."""
        head, tail = int(self.counters[0]), int(self.counters[1])
        entries = self.ring[head:tail]
        live: I64 = entries[self.alive[entries] & (self.seq[entries] == np.arange(head, tail))]
        return live

    def release(self, slots: I64) -> None:
        """Forget these slots (their rule is gone)."""
        if len(slots) == 0:
            return
        self.alive[slots] = False
        top = int(self.counters[2])
        self.free[top : top + len(slots)] = slots
        self.counters[2] = top + len(slots)
        self.counters[3] -= len(slots)
