"""Journey map: the funnel's steps, each with the people's words about it.

Every step shows its users and drop-off (from the funnel), and the qualitative
context linked to it. A note is linked to a step by the first rule that applies:

1. **tag**: the note carries a tag ``step:EVENT`` (or the step's event name itself),
   put there by a researcher while coding;
2. **segment**: the note's participant stopped at that step: their furthest step in
   the funnel (from the events, the same per-user relation saved segments use), so a
   participant who dropped after "integration viewed" speaks to that step. People who
   finished the funnel speak to its last step.

Notes of participants who never entered the funnel, or whose events are not in the
range, stay unlinked (counted, not hidden). The *emotion curve* is the mean VADER
compound of the linked notes per step, with its n; a step with fewer than
``MIN_NOTES`` notes is flagged as too thin to read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.analytics._sql import Params
from fieldnote.analytics.funnels import Funnel, FunnelResult
from fieldnote.analytics.segments._per_user import per_user_rows

__all__ = [
    "MIN_NOTES",
    "JourneyMap",
    "JourneyNote",
    "JourneyStep",
    "StepTheme",
    "furthest_steps",
    "journey_map",
    "link_note",
]

MIN_NOTES = 5
TOP_QUOTES = 3


@dataclass(frozen=True, kw_only=True)
class JourneyNote:
    """A theme-book note as the journey map needs it (sentiment precomputed)."""

    id: str
    text: str
    participant: str | None
    source: str
    theme: str | None
    tags: tuple[str, ...]
    sentiment: float


def furthest_steps(
    source: EventSource, funnel: Funnel, participants: Collection[str]
) -> dict[str, int]:
    """Participant (a distinct id) → their furthest step (1-based) in ``funnel``;
    participants who never entered it are absent. A person's other distinct ids
    count (the persons mapping), as in saved segments."""
    if not participants:
        return {}
    tables = source.tables

    def outer(per_user: str, params: Params) -> str:
        did, join = "i.did", ""
        if tables.person_distinct_ids is not None:
            did = "coalesce(m.distinct_id, i.did)"
            join = (
                f" LEFT JOIN {tables.person_distinct_ids} m "
                "ON CAST(m.person_id AS STRING) = i.person"
            )
            if tables.project is not None:
                join += f" AND m.project = {params.add(tables.project)}"
        listed = ", ".join(params.add(p) for p in sorted(participants))
        return (
            f"SELECT {did} AS member_id, max(i.lvl) AS lvl FROM ({per_user}) i{join} "
            f"WHERE {did} IN ({listed}) GROUP BY {did}"
        )

    rows = per_user_rows(source, funnel, outer)
    return {str(d): int(lvl) for d, lvl in rows if lvl is not None and int(lvl) >= 1}


def link_note(
    note: JourneyNote, events: Sequence[str], furthest: Mapping[str, int]
) -> tuple[int, str] | None:
    """(1-based step, rule) for a note, or None (see the module docstring)."""
    for tag in note.tags:
        name = tag.removeprefix("step:")
        if name in events:
            return events.index(name) + 1, "tag"
    if note.participant is not None and note.participant in furthest:
        return min(furthest[note.participant], len(events)), "segment"
    return None


@dataclass(frozen=True, kw_only=True)
class StepTheme:
    theme: str
    label: str
    participants: int
    notes: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "label": self.label,
            "participants": self.participants,
            "notes": self.notes,
        }


@dataclass(frozen=True, kw_only=True)
class JourneyStep:
    index: int
    event: str
    users: int
    dropped_after: int | None
    """Users who reached this step and not the next (None at the last step)."""
    drop_rate: float | None
    themes: tuple[StepTheme, ...]
    quotes: tuple[JourneyNote, ...]
    """The most strongly felt linked notes (by |sentiment|, negative first on ties)."""
    sentiment: float | None
    """Mean VADER compound of the linked notes (None without notes)."""
    notes: int
    participants: int
    thin: bool
    """Fewer than ``MIN_NOTES`` notes: the curve's point is too uncertain to read."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "event": self.event,
            "users": self.users,
            "dropped_after": self.dropped_after,
            "drop_rate": self.drop_rate,
            "themes": [t.to_dict() for t in self.themes],
            "quotes": [
                {
                    "note": q.id,
                    "text": q.text,
                    "participant": q.participant,
                    "source": q.source,
                    "sentiment": q.sentiment,
                }
                for q in self.quotes
            ],
            "sentiment": self.sentiment,
            "notes": self.notes,
            "participants": self.participants,
            "thin": self.thin,
        }


@dataclass(frozen=True, kw_only=True)
class JourneyMap:
    steps: tuple[JourneyStep, ...]
    linked_by: dict[str, int]
    """How many notes each rule linked (``tag``, ``segment``)."""
    unlinked: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "steps": [s.to_dict() for s in self.steps],
            "linked_by": self.linked_by,
            "unlinked": self.unlinked,
            "min_notes": MIN_NOTES,
        }


def journey_map(
    result: FunnelResult,
    notes: Sequence[JourneyNote],
    labels: Mapping[str, str],
    furthest: Mapping[str, int],
) -> JourneyMap:
    """Put ``notes`` on ``result``'s steps; ``labels`` names the themes."""
    events = [s.event for s in result.steps]
    by_step: dict[int, list[JourneyNote]] = {i: [] for i in range(1, len(events) + 1)}
    linked_by: Counter[str] = Counter()
    unlinked = 0
    for note in notes:
        link = link_note(note, events, furthest)
        if link is None:
            unlinked += 1
            continue
        by_step[link[0]].append(note)
        linked_by[link[1]] += 1
    steps = []
    for i, step in enumerate(result.steps, start=1):
        linked = by_step[i]
        nxt = result.steps[i] if i < len(result.steps) else None
        dropped = step.count - nxt.count if nxt is not None else None
        people: dict[str, set[str]] = {}
        counts: Counter[str] = Counter()
        for n in linked:
            if n.theme is not None:
                counts[n.theme] += 1
                people.setdefault(n.theme, set()).add(n.participant or n.id)
        themes = sorted(
            (
                StepTheme(theme=t, label=labels.get(t, t), participants=len(people[t]), notes=c)
                for t, c in counts.items()
            ),
            key=lambda t: (-t.participants, -t.notes, t.theme),
        )
        quotes = sorted(linked, key=lambda n: (-abs(n.sentiment), n.sentiment, n.id))
        steps.append(
            JourneyStep(
                index=i,
                event=step.event,
                users=step.count,
                dropped_after=dropped,
                drop_rate=(dropped / step.count) if dropped is not None and step.count else None,
                themes=tuple(themes),
                quotes=tuple(quotes[:TOP_QUOTES]),
                sentiment=(sum(n.sentiment for n in linked) / len(linked)) if linked else None,
                notes=len(linked),
                participants=len({n.participant for n in linked if n.participant}),
                thin=len(linked) < MIN_NOTES,
            )
        )
    return JourneyMap(steps=tuple(steps), linked_by=dict(linked_by), unlinked=unlinked)
