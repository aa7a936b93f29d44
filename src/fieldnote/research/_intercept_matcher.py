"""Evaluate intercept rules as events arrive, in memory, with bounded state.

The matcher sits behind the capture writer's commit listener, so it must never hold
anything that grows with traffic: per (rule, person) it keeps at most ``min_count``
timestamps (older ones cannot complete a window any more), the time of the person's
last ``unless`` event, and, for delayed rules, one due time. The number of persons
tracked is capped (the longest-tracked pair is dropped first), so a flood of anonymous ids
costs a fixed amount of memory.

It must also stay off capture's bill (issue 5: "< 10 % of ingest time"), so a committed
Arrow batch is matched column-wise (``feed_table``): Arrow narrows the rows to the
events some rule names, hands over whole columns at once (timestamps as integer
microseconds, no per-event objects), and the per-row loop only touches the rules of
that row's event. A row's properties are parsed only when one of its rules has a
filter (each distinct filter tested once per row, not once per rule), or when a match
needs its ``$session_id``. The state machine itself is the per-event one, run in
commit order, so matches, their order, and which pair the cap drops are unchanged
(``tests/research/test_intercept_matcher.py`` checks it against the per-event
reference on random streams).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.research._intercept_rules import InterceptRule, PropertyFilter

__all__ = ["InterceptMatcher", "Match", "SeenEvent"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)


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


#: "No ``unless`` event yet": older than any timestamp, so one comparison does.
_NEVER = -(2**63)


@dataclass(slots=True)
class _State:
    hits: deque[int]  # microseconds since the epoch, in arrival order
    last_unless: int = _NEVER
    due: int | None = None
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class _Compiled:
    """A rule in the units the loop uses (integer microseconds)."""

    rule: InterceptRule
    id: int
    min_count: int
    within: int
    delay: int | None
    filters: int  # index into the plan's distinct filter sets; -1: none
    states: dict[str, _State]  # this rule's share of the matcher's states, by person


@dataclass(slots=True)
class _Plan:
    """What one (project, event) does: the rules it is the ``unless`` of, and the rules
    it is the event of, in rule order, with their distinct filter sets."""

    unless: list[_Compiled] = field(default_factory=list)
    hits: list[_Compiled] = field(default_factory=list)
    filters: list[tuple[PropertyFilter, ...]] = field(default_factory=list)
    #: filter outcomes (one bool per distinct set) → the rules that accept the row
    by_outcome: dict[tuple[bool, ...], list[_Compiled]] = field(default_factory=dict)

    def accepting(self, props: Mapping[str, Any]) -> list[_Compiled]:
        outcome = tuple([all([f.test(props) for f in fs]) for fs in self.filters])
        rules = self.by_outcome.get(outcome)
        if rules is None:
            rules = self.by_outcome[outcome] = [
                c for c in self.hits if c.filters < 0 or outcome[c.filters]
            ]
        return rules


@dataclass
class InterceptMatcher:
    rules: list[InterceptRule]
    max_persons: int = 200_000
    #: Every (rule id, person) state, oldest first: the cap drops from the front.
    _states: dict[tuple[int, str], _State] = field(default_factory=dict)
    #: The same states by rule id, then person (no key tuple to build per lookup).
    _by_rule: dict[int, dict[str, _State]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.set_rules(self.rules)

    def set_rules(self, rules: list[InterceptRule]) -> None:
        """Replace the rules; state of rules that are gone is dropped. (A rule id never
        changes its definition: rules are created, never edited.)"""
        with self._lock:
            self.rules = list(rules)
            ids = {r.id for r in self.rules}
            for key in [k for k in self._states if k[0] not in ids]:
                del self._states[key]
            self._by_rule = {i: self._by_rule.get(i, {}) for i in ids}
            plans: dict[tuple[str, str], _Plan] = {}
            for rule in self.rules:
                plan = plans.setdefault((rule.project, rule.event), _Plan())
                index = -1
                if rule.filters:
                    if rule.filters not in plan.filters:
                        plan.filters.append(rule.filters)
                    index = plan.filters.index(rule.filters)
                compiled = _compile(rule, index, self._by_rule[rule.id])
                plan.hits.append(compiled)
                if rule.unless:
                    plans.setdefault((rule.project, rule.unless), _Plan()).unless.append(compiled)
            self._plans = plans
            self._names = pa.array(sorted({event for _p, event in plans}), pa.string())

    def interesting(self, project: str, event: str) -> bool:
        return (project, event) in self._plans

    @property
    def tracked(self) -> int:
        return len(self._states)

    def feed(self, events: Iterable[SeenEvent]) -> list[Match]:
        """Events in commit order; returns the immediate rules that matched."""
        evs = list(events)
        with self._lock:
            return self._feed(
                [(e.project, e.event) for e in evs],
                [e.distinct_id for e in evs],
                [_micros(e.timestamp) for e in evs],
                lambda i: evs[i].properties,
            )

    def feed_table(self, batch: pa.Table) -> list[Match]:
        """A committed batch (``ARROW_SCHEMA`` columns), rows in commit order; returns
        the immediate rules that matched. Rows whose event no rule names never leave
        Arrow; their properties are never parsed."""
        with self._lock:
            if not self._plans or batch.num_rows == 0:
                return []
            rows = batch.filter(pc.is_in(batch.column("event"), value_set=self._names))
            if rows.num_rows == 0:
                return []
            column = rows.column("properties")
            texts: list[str] = []

            def properties(i: int) -> Mapping[str, Any]:
                if not texts:  # the whole column at once, the first time a row needs it
                    texts.extend(column.to_pylist())
                return _props(texts[i])

            return self._feed(
                list(
                    zip(
                        rows.column("project").to_pylist(),
                        rows.column("event").to_pylist(),
                        strict=True,
                    )
                ),
                rows.column("distinct_id").to_pylist(),
                pc.cast(rows.column("timestamp"), pa.int64()).to_pylist(),
                properties,
            )

    def _new(self, c: _Compiled, person: str) -> _State:
        st = self._states[(c.id, person)] = c.states[person] = _State(deque(maxlen=c.min_count))
        if len(self._states) > self.max_persons:  # the longest-tracked pair goes
            rule_id, gone = next(iter(self._states))
            del self._states[(rule_id, gone)]
            del self._by_rule[rule_id][gone]
        return st

    def _feed(
        self,
        keys: Sequence[tuple[str, str]],
        persons: Sequence[str],
        stamps: Sequence[int],
        properties: Callable[[int], Mapping[str, Any]],
    ) -> list[Match]:
        """The per-event state machine, row by row in commit order; caller holds the
        lock. ``properties(i)`` is asked for only when a filter or a match needs it."""
        out: list[Match] = []
        plans = self._plans
        for i, key in enumerate(keys):
            plan = plans.get(key)
            if plan is None:
                continue
            person, t = persons[i], stamps[i]
            for c in plan.unless:
                st = c.states.get(person)
                if st is not None:
                    if t > st.last_unless:
                        st.last_unless = t
                    st.due = None  # a delayed rule's condition is now met
                elif c.delay is None:
                    self._new(c, person).last_unless = t
            if not plan.hits:
                continue
            props = properties(i) if plan.filters else None
            for c in plan.accepting(props) if props is not None else plan.hits:
                st = c.states.get(person) or self._new(c, person)
                if c.delay is not None:
                    # The sweep reports the session of the person's latest such event.
                    if props is None:
                        props = properties(i)
                    st.session_id = _session(props)
                    if st.due is None:
                        st.due = t + c.delay
                    continue
                hits = st.hits
                hits.append(t)
                oldest = t - c.within
                while hits and hits[0] <= oldest:
                    hits.popleft()
                if len(hits) < c.min_count:
                    continue
                if st.last_unless >= hits[0]:
                    continue
                hits.clear()  # a new match needs a new run of events
                if props is None:
                    props = properties(i)
                st.session_id = _session(props)
                out.append(Match(c.rule, person, _EPOCH + t * _US, st.session_id))
        return out

    def sweep(self, now: datetime) -> list[Match]:
        """Delayed rules whose time has come without their ``unless`` event."""
        out: list[Match] = []
        at = _micros(now)
        with self._lock:
            for (rid, person), st in list(self._states.items()):
                if st.due is not None and st.due <= at:
                    rule = self._rule(rid)
                    st.due = None
                    if rule is not None:
                        out.append(Match(rule, person, now, st.session_id))
        return out

    def _rule(self, rule_id: int) -> InterceptRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _compile(rule: InterceptRule, filters: int, states: dict[str, _State]) -> _Compiled:
    return _Compiled(
        rule=rule,
        id=rule.id,
        min_count=rule.min_count,
        within=rule.within // _US,
        delay=None if rule.delay is None else rule.delay // _US,
        filters=filters,
        states=states,
    )


def _micros(ts: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken to be UTC."""
    return (ts - (_EPOCH_NAIVE if ts.tzinfo is None else _EPOCH)) // _US


def _session(props: Mapping[str, Any]) -> str | None:
    session = props.get("$session_id")
    return str(session) if session is not None else None


def _props(text: str) -> Mapping[str, Any]:
    """A row's properties; text that is not a JSON object reads as no properties."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
