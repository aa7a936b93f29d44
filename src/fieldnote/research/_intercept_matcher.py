"""Evaluate intercept rules as events arrive, in memory, with bounded state.

The matcher sits behind the capture writer's commit listener, so it must never hold
anything that grows with traffic: per (rule, person) it keeps at most ``min_count``
timestamps (older ones cannot complete a window any more), the time of the person's
last ``unless`` event, and, for delayed rules, one due time. The number of persons
tracked is capped (the longest-tracked pair is dropped first), so a flood of anonymous ids
costs a fixed amount of memory. Events whose name no rule mentions are skipped before
their properties are even parsed — that is what keeps matching off capture's bill.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fieldnote.research._intercept_rules import InterceptRule

__all__ = ["InterceptMatcher", "Match", "SeenEvent"]


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


@dataclass(slots=True)
class _State:
    hits: deque[datetime]
    last_unless: datetime | None = None
    due: datetime | None = None
    session_id: str | None = None


@dataclass
class InterceptMatcher:
    rules: list[InterceptRule]
    max_persons: int = 200_000
    _states: dict[tuple[int, str], _State] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.set_rules(self.rules)

    def set_rules(self, rules: list[InterceptRule]) -> None:
        """Replace the rules; state of rules that are gone is dropped."""
        with self._lock:
            self.rules = list(rules)
            self._by_event: dict[tuple[str, str], list[InterceptRule]] = {}
            self._by_unless: dict[tuple[str, str], list[InterceptRule]] = {}
            for rule in self.rules:
                self._by_event.setdefault((rule.project, rule.event), []).append(rule)
                if rule.unless:
                    self._by_unless.setdefault((rule.project, rule.unless), []).append(rule)
            ids = {r.id for r in self.rules}
            for key in [k for k in self._states if k[0] not in ids]:
                del self._states[key]

    def interesting(self, project: str, event: str) -> bool:
        key = (project, event)
        return key in self._by_event or key in self._by_unless

    @property
    def tracked(self) -> int:
        return len(self._states)

    def _state(self, rule: InterceptRule, person: str) -> _State:
        key = (rule.id, person)
        st = self._states.get(key)
        if st is None:
            st = self._states[key] = _State(hits=deque(maxlen=rule.min_count))
            if len(self._states) > self.max_persons:  # the longest-tracked pair goes
                del self._states[next(iter(self._states))]
        return st

    def feed(self, events: Iterable[SeenEvent]) -> list[Match]:
        """Events in commit order; returns the immediate rules that matched."""
        out: list[Match] = []
        with self._lock:
            for ev in events:
                key = (ev.project, ev.event)
                for rule in self._by_unless.get(key, ()):
                    st = self._states.get((rule.id, ev.distinct_id))
                    if st is not None:
                        if st.last_unless is None or ev.timestamp > st.last_unless:
                            st.last_unless = ev.timestamp
                        if st.due is not None:
                            st.due = None  # the delayed rule's condition is now met
                    elif rule.delay is None:
                        self._state(rule, ev.distinct_id).last_unless = ev.timestamp
                for rule in self._by_event.get(key, ()):
                    if rule.filters and not rule.accepts(ev.properties):
                        continue
                    hit = self._hit(rule, ev)
                    if hit is not None:
                        out.append(hit)
        return out

    def _hit(self, rule: InterceptRule, ev: SeenEvent) -> Match | None:
        st = self._state(rule, ev.distinct_id)
        session = ev.properties.get("$session_id")
        st.session_id = str(session) if session is not None else None
        if rule.delay is not None:
            if st.due is None:
                st.due = ev.timestamp + rule.delay
            return None
        st.hits.append(ev.timestamp)
        while st.hits and st.hits[0] <= ev.timestamp - rule.within:
            st.hits.popleft()
        if len(st.hits) < rule.min_count:
            return None
        first = st.hits[0]
        if st.last_unless is not None and st.last_unless >= first:
            return None
        st.hits.clear()  # a new match needs a new run of events
        return Match(rule, ev.distinct_id, ev.timestamp, st.session_id)

    def sweep(self, now: datetime) -> list[Match]:
        """Delayed rules whose time has come without their ``unless`` event."""
        out: list[Match] = []
        with self._lock:
            for (_rid, person), st in list(self._states.items()):
                if st.due is not None and st.due <= now:
                    rule = self._rule(_rid)
                    st.due = None
                    if rule is not None:
                        out.append(Match(rule, person, now, st.session_id))
        return out

    def _rule(self, rule_id: int) -> InterceptRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)
