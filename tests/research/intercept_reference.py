"""The per-event intercept matcher as it was before matching went column-wise: a plain
reference for the property tests. One ``SeenEvent`` at a time, datetimes throughout,
every rule's filters tested on every event of its name."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from fieldnote.research import InterceptRule, Match, SeenEvent


@dataclass(slots=True)
class _State:
    hits: deque[datetime]
    last_unless: datetime | None = None
    due: datetime | None = None
    session_id: str | None = None


@dataclass
class ReferenceMatcher:
    rules: list[InterceptRule]
    max_persons: int = 200_000
    states: dict[tuple[int, str], _State] = field(default_factory=dict)

    def _state(self, rule: InterceptRule, person: str) -> _State:
        key = (rule.id, person)
        st = self.states.get(key)
        if st is None:
            st = self.states[key] = _State(hits=deque(maxlen=rule.min_count))
            if len(self.states) > self.max_persons:  # the longest-tracked pair goes
                del self.states[next(iter(self.states))]
        return st

    def feed(self, events: Iterable[SeenEvent]) -> list[Match]:
        out: list[Match] = []
        for ev in events:
            for rule in self.rules:
                if rule.project != ev.project or rule.unless != ev.event:
                    continue
                st = self.states.get((rule.id, ev.distinct_id))
                if st is not None:
                    if st.last_unless is None or ev.timestamp > st.last_unless:
                        st.last_unless = ev.timestamp
                    st.due = None
                elif rule.delay is None:
                    self._state(rule, ev.distinct_id).last_unless = ev.timestamp
            for rule in self.rules:
                if rule.project != ev.project or rule.event != ev.event:
                    continue
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
        st.hits.clear()
        return Match(rule, ev.distinct_id, ev.timestamp, st.session_id)

    def sweep(self, now: datetime) -> list[Match]:
        out: list[Match] = []
        for (rule_id, person), st in list(self.states.items()):
            if st.due is not None and st.due <= now:
                rule = next((r for r in self.rules if r.id == rule_id), None)
                st.due = None
                if rule is not None:
                    out.append(Match(rule, person, now, st.session_id))
        return out
