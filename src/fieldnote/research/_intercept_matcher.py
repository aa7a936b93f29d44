"""Evaluate intercept rules as events arrive, in memory, with bounded state.

The matcher sits behind the capture writer's commit listener, so it must never hold
anything that grows with traffic: per (rule, person) it keeps at most ``min_count``
timestamps (older ones cannot complete a window any more), the time of the person's
last ``unless`` event, and, for delayed rules, one due time. The number of persons
tracked is capped (the longest-tracked pair is dropped first), so a flood of anonymous ids
costs a fixed amount of memory.

It must also stay off capture's bill (issue 5: "< 10 % of ingest time"), so a committed
Arrow batch is matched column-wise (``feed_table``): Arrow narrows the rows to the
events some rule names and dictionary-encodes persons, numpy lays out the batch's
actions (per row: ``unless`` updates, then hits, in rule order — the per-event order)
and the per-(rule, person) state machine runs over them compiled
(``_intercept_state``), in commit order, so matches, their order and which pair the cap
drops are unchanged. Python is left with what it must do per row: parse the
properties of rows whose rules have a filter (each distinct filter set tested once
per row) and of rows that matched (their ``$session_id``), and one dict lookup per
(rule, person) pair of the batch. ``tests/research/test_intercept_matcher.py`` checks
it against the per-event reference on random streams.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.research._intercept_columns import (
    EPOCH,
    US,
    codes,
    micros,
    narrow,
    pairs_of,
    passes,
    props_of,
    quiet_until,
    session_of,
)
from fieldnote.research._intercept_rules import InterceptRule, PropertyFilter
from fieldnote.research._intercept_state import (
    CREATED,
    HIT,
    LONGEST,
    NO_DUE,
    UNLESS,
    Slots,
    run_actions,
)

__all__ = ["Found", "InterceptMatcher", "Match", "SeenEvent"]


@dataclass(frozen=True, slots=True)
class SeenEvent:
    """The parts of a committed event the matcher reads."""

    project: str
    distinct_id: str
    event: str
    timestamp: datetime
    properties: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Match:
    """A rule matched for a person: queue an invitation (subject to the policy)."""

    rule: InterceptRule
    distinct_id: str
    at: datetime
    session_id: str | None


@dataclass(frozen=True, slots=True)
class Found:
    """Matches as four columns (rule id, person, µs since the epoch, session): what
    crosses the pipe from the matcher's child process, with no object per match."""

    rule_ids: list[int] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    sessions: list[str | None] = field(default_factory=list)

    def add(self, rule_id: int, person: str, at: int, session: str | None) -> None:
        self.rule_ids.append(rule_id)
        self.persons.append(person)
        self.at.append(at)
        self.sessions.append(session)


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule in the units the loop uses (integer microseconds)."""

    rule: InterceptRule
    index: int  # position in the matcher's rules: the loop's rule number
    filters: int  # index into the plan's distinct filter sets; -1: none
    persons: dict[str, int]  # this rule's tracked persons → their slot


@dataclass(slots=True)
class _Plan:
    """What one (project, event) does: the rules it is the ``unless`` of, and the rules
    it is the event of, in rule order, with their distinct filter sets."""

    unless: list[_Compiled] = field(default_factory=list)
    hits: list[_Compiled] = field(default_factory=list)
    filters: list[tuple[PropertyFilter, ...]] = field(default_factory=list)


@dataclass(slots=True)
class _Actions:
    """One batch's rule actions in commit order (within a row: ``unless`` updates,
    then hits, each in rule order — the per-event matcher's order)."""

    row: npt.NDArray[np.int64]
    rule: npt.NDArray[np.int64]
    kind: npt.NDArray[np.int64]


@dataclass
class InterceptMatcher:
    rules: list[InterceptRule]
    max_persons: int = 200_000
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._slots = Slots()
        #: slot → (rule id, person), and the session a delayed rule's sweep reports
        self._owner: list[tuple[int, str] | None] = []
        self._session: list[str | None] = []
        self._persons: dict[int, dict[str, int]] = {}
        #: (project, person) → until when (µs) their matches are not reported (``mute``)
        self._muted: dict[tuple[str, str | None], int] = {}
        self.set_rules(self.rules)

    def set_rules(self, rules: list[InterceptRule]) -> None:
        """Replace the rules; state of rules that are gone is dropped. (A rule id never
        changes its definition: rules are created, never edited.)"""
        with self._lock:
            self.rules = list(rules)
            ids = {r.id for r in self.rules}
            for gone in [i for i in self._persons if i not in ids]:
                slots = np.fromiter(self._persons.pop(gone).values(), np.int64)
                self._slots.release(slots)
                for slot in slots.tolist():
                    self._owner[slot], self._session[slot] = None, None
            plans: dict[tuple[str, str], _Plan] = {}
            self._compiled: list[_Compiled] = []
            for n, rule in enumerate(self.rules):
                plan = plans.setdefault((rule.project, rule.event), _Plan())
                index = -1
                if rule.filters:
                    if rule.filters not in plan.filters:
                        plan.filters.append(rule.filters)
                    index = plan.filters.index(rule.filters)
                persons = self._persons.setdefault(rule.id, {})
                compiled = _Compiled(rule, n, index, persons)
                self._compiled.append(compiled)
                plan.hits.append(compiled)
                if rule.unless:
                    plans.setdefault((rule.project, rule.unless), _Plan()).unless.append(compiled)
            self._plans = plans
            self._names = pa.array(sorted({event for _p, event in plans}), pa.string())
            self._min_count = np.array([r.min_count for r in self.rules], np.int64)
            self._within = np.array([min(r.within // US, LONGEST) for r in self.rules], np.int64)
            self._delay = np.array(
                [-1 if r.delay is None else min(r.delay // US, LONGEST) for r in self.rules],
                np.int64,
            )
            self._width = max([1, *self._min_count.tolist()])
            self._per_row = 1 + max([len(p.unless) + len(p.hits) for p in plans.values()] or [0])

    def interesting(self, project: str, event: str) -> bool:
        return (project, event) in self._plans

    @property
    def tracked(self) -> int:
        return self._slots.tracked

    def mute(self, project: str, person: str | None, until: datetime) -> None:
        """Report no match for this person (``None``: anybody in the project) before
        ``until``. The server calls this for someone it just invited (``until`` a day
        short of the contact policy's cooldown) and for a project that reached its
        daily cap (an hour short of midnight UTC), so only matches its own shortcuts
        (and the repository's policy) would refuse are left out; the state still
        advances. Bounded: past 100,000 entries it starts over (reporting more)."""
        with self._lock:
            if len(self._muted) >= 100_000:
                self._muted.clear()
            self._muted[(project, person)] = micros(until)

    def feed(self, events: Iterable[SeenEvent]) -> list[Match]:
        """Events in commit order; returns the immediate rules that matched."""
        evs = list(events)
        with self._lock:
            found = self._feed(
                pa.array([e.project for e in evs], pa.string()),
                pa.array([e.event for e in evs], pa.string()),
                pa.array([e.distinct_id for e in evs], pa.string()),
                np.array([micros(e.timestamp) for e in evs], np.int64),
                lambda rows: [evs[i].properties for i in rows],
            )
        return self.matches(found)

    def feed_table(self, batch: pa.Table) -> list[Match]:
        """A committed batch (``ARROW_SCHEMA`` columns), rows in commit order; returns
        the immediate rules that matched. Rows whose event no rule names never leave
        Arrow; their properties are never parsed."""
        return self.matches(self.found_in(batch))

    def found_in(self, batch: pa.Table) -> Found:
        """``feed_table``, the matches as columns."""
        with self._lock:
            if not self._plans or batch.num_rows == 0:
                return Found()
            rows = narrow(batch, self._names)
            if rows.num_rows == 0:
                return Found()
            column = rows.column("properties")
            texts: list[str] = []

            def properties(wanted: list[int]) -> list[Mapping[str, Any]]:
                if not texts:  # the whole column at once, the first time a row needs it
                    texts.extend(column.to_pylist())
                return props_of([texts[i] for i in wanted])

            stamps = pc.cast(rows.column("timestamp"), pa.int64())
            return self._feed(
                rows.column("project"),
                rows.column("event"),
                rows.column("distinct_id"),
                stamps.to_numpy(),
                properties,
            )

    def _feed(
        self,
        projects: pa.Array | pa.ChunkedArray,
        events: pa.Array | pa.ChunkedArray,
        persons: pa.Array | pa.ChunkedArray,
        stamps: npt.NDArray[np.int64],
        properties: Callable[[list[int]], list[Mapping[str, Any]]],
    ) -> Found:
        """Build the batch's actions column-wise, run them through the compiled state
        machine, then turn its matches into ``Found`` columns; caller holds the lock.
        ``properties(rows)`` is asked only for rows a filter or a match needs."""
        if len(stamps) == 0 or not self._plans:
            return Found()
        parsed: list[Mapping[str, Any] | None] = [None] * len(stamps)

        def props(rows: list[int]) -> list[Mapping[str, Any]]:
            missing = [i for i in rows if parsed[i] is None]
            if missing:
                for i, got in zip(missing, properties(missing), strict=True):
                    parsed[i] = got
            return [p for p in (parsed[i] for i in rows) if p is not None]

        actions = self._actions(projects, events, props)
        if len(actions.row) == 0:
            return Found()
        person_codes, names = codes(persons)
        # (rule, person) pairs of this batch, and the slots of those already tracked
        keys = actions.rule * max(1, len(names)) + person_codes[actions.row]
        unique, pair = pairs_of(keys, len(self.rules) * max(1, len(names)))
        pair_rule, pair_person = np.divmod(unique, max(1, len(names)))
        compiled = self._compiled
        pair_slot = np.array(
            [
                compiled[r].persons.get(names[p], -1)
                for r, p in zip(pair_rule.tolist(), pair_person.tolist(), strict=True)
            ],
            np.int64,
        )
        slots = self._slots
        slots.reserve(int((pair_slot < 0).sum()) + 1, len(pair), self._width)
        grown = slots.capacity - len(self._owner)
        if grown:
            self._owner += [None] * grown
            self._session += [None] * grown
        matched = np.zeros(len(pair), np.bool_)
        act_slot = np.empty(len(pair), np.int64)
        log = np.empty((2 * len(pair), 3), np.int64)
        t = stamps[actions.row]
        nlog = run_actions()(
            pair, actions.kind, actions.rule, t,
            self._min_count, self._within, self._delay, pair_slot,
            slots.hits, slots.hstart, slots.hlen, slots.last_unless, slots.due,
            slots.alive, slots.seq, slots.ring, slots.counters, slots.free,
            slots.slot_pair, self.max_persons, matched, act_slot, log,
        )  # fmt: skip
        for what, p, slot in log[:nlog].tolist():
            if what == CREATED:
                rule_index = int(pair_rule[p])
                person = names[int(pair_person[p])]
                compiled[rule_index].persons[person] = slot
                self._owner[slot] = (self.rules[rule_index].id, person)
                self._session[slot] = None
            else:
                owner = self._owner[slot]
                if owner is not None:
                    self._persons[owner[0]].pop(owner[1], None)
                self._owner[slot], self._session[slot] = None, None
        # The sweep reports the session of the person's latest event of a delayed rule.
        delayed = (actions.kind == HIT) & (self._delay[actions.rule] >= 0) & (act_slot >= 0)
        delayed_at = np.flatnonzero(delayed)
        if len(delayed_at):
            rows = actions.row[delayed_at].tolist()
            for slot, seen in zip(act_slot[delayed_at].tolist(), props(rows), strict=True):
                self._session[slot] = session_of(seen)
        hits = np.flatnonzero(matched)
        if len(hits) and self._muted:  # one look-up per (rule, person), not per match
            now = micros(datetime.now(UTC))
            heard_pairs = np.array(
                [
                    quiet_until(self._muted, self.rules[r].project, names[p]) <= now
                    for r, p in zip(pair_rule.tolist(), pair_person.tolist(), strict=True)
                ],
                np.bool_,
            )
            hits = hits[heard_pairs[pair[hits]]]
        rows = actions.row[hits].tolist()
        rules = [self.rules[r].id for r in actions.rule[hits].tolist()]
        persons = [names[p] for p in person_codes[actions.row[hits]].tolist()]
        sessions = [session_of(seen) for seen in props(rows)]
        return Found(rules, persons, t[hits].tolist(), sessions)

    def matches(self, found: Found) -> list[Match]:
        """``Found`` columns as ``Match``es (a rule removed since is left out)."""
        by_id = {r.id: r for r in self.rules}
        return [
            Match(rule, person, EPOCH + at * US, session)
            for rule_id, person, at, session in zip(
                found.rule_ids, found.persons, found.at, found.sessions, strict=True
            )
            if (rule := by_id.get(rule_id)) is not None
        ]

    def _actions(
        self,
        projects: pa.Array | pa.ChunkedArray,
        events: pa.Array | pa.ChunkedArray,
        props: Callable[[list[int]], list[Mapping[str, Any]]],
    ) -> _Actions:
        """Every (row, rule) step of the batch, column-wise per (project, event)."""
        project_codes, project_names = codes(projects)
        event_codes, event_names = codes(events)
        combined = project_codes.astype(np.int64) * max(1, len(event_names)) + event_codes
        parts_row: list[npt.NDArray[np.int64]] = []
        parts_rule: list[npt.NDArray[np.int64]] = []
        parts_kind: list[npt.NDArray[np.int64]] = []
        parts_order: list[npt.NDArray[np.int64]] = []
        for code in np.unique(combined).tolist():
            project_code, event_code = divmod(code, max(1, len(event_names)))
            plan = self._plans.get((project_names[project_code], event_names[event_code]))
            if plan is None:
                continue
            rows = np.flatnonzero(combined == code).astype(np.int64)
            position = 0
            for c in plan.unless:
                parts_row.append(rows)
                parts_rule.append(np.full(len(rows), c.index, np.int64))
                parts_kind.append(np.full(len(rows), UNLESS, np.int64))
                parts_order.append(rows * self._per_row + position)
                position += 1
            outcomes: list[npt.NDArray[np.bool_]] = []
            if plan.filters and plan.hits:
                seen = props(rows.tolist())
                outcomes = [passes(fs, seen) for fs in plan.filters]
            for c in plan.hits:
                taken = rows if c.filters < 0 else rows[outcomes[c.filters]]
                parts_row.append(taken)
                parts_rule.append(np.full(len(taken), c.index, np.int64))
                parts_kind.append(np.full(len(taken), HIT, np.int64))
                parts_order.append(taken * self._per_row + position)
                position += 1
        if not parts_row:
            empty = np.empty(0, np.int64)
            return _Actions(empty, empty, empty)
        order = np.argsort(np.concatenate(parts_order), kind="stable")
        return _Actions(
            np.concatenate(parts_row)[order],
            np.concatenate(parts_rule)[order],
            np.concatenate(parts_kind)[order],
        )

    def sweep(self, now: datetime) -> list[Match]:
        """Delayed rules whose time has come without their ``unless`` event, in the
        order their pairs began to be tracked."""
        found = self.swept(now)
        return [Match(m.rule, m.distinct_id, now, m.session_id) for m in self.matches(found)]

    def swept(self, now: datetime) -> Found:
        """``sweep``, the matches as columns."""
        at = micros(now)
        muted, clock = self._muted, micros(datetime.now(UTC))
        with self._lock:
            live = self._slots.in_order()
            due = live[self._slots.due[live] <= at]
            self._slots.due[due] = NO_DUE
            by_id = {r.id: r for r in self.rules}
            out = Found()
            for slot in due.tolist():
                owner = self._owner[slot]
                rule = None if owner is None else by_id.get(owner[0])
                if owner is None or rule is None:
                    continue
                if muted and quiet_until(muted, rule.project, owner[1]) > clock:
                    continue
                out.add(rule.id, owner[1], at, self._session[slot])
            return out
