"""Themes x behaviour: do the people who expressed a theme behave differently?

Synthesis knows which participant said which note; the event store knows what each
distinct id did. A participant links to their distinct ids through a plain mapping
(an interview records a participant name or id, not yet a distinct id; where none is
given, the participant's name *is* the distinct id). Two comparisons per theme: with
the other participants (the fair one: same recruitment) and with everyone else in
the user base (how the theme's people differ at scale).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.evidence._compare import Comparison, compare_groups
from fieldnote.evidence._metrics import PersonMetric, person_values
from fieldnote.synthesis import Synthesis

__all__ = ["ThemeBehaviour", "theme_behaviour", "theme_participants"]


def theme_participants(synthesis: Synthesis) -> dict[str, frozenset[str]]:
    """Theme id → the participants with at least one note in it (notes without a
    participant are left out: they cannot be linked to behaviour)."""
    who = {n.id: n.participant for n in synthesis.notes}
    out: dict[str, set[str]] = {t.id: set() for t in synthesis.themes}
    for a in synthesis.assignments:
        person = who.get(a.note_id)
        if a.theme is not None and person is not None and a.theme in out:
            out[a.theme].add(person)
    return {k: frozenset(v) for k, v in out.items()}


@dataclass(frozen=True)
class ThemeBehaviour:
    theme: str
    metric: PersonMetric
    dates: DateRange
    vs_participants: Comparison
    vs_everyone: Comparison
    unmatched: tuple[str, ...]
    """Participants none of whose distinct ids had events in the range (left out)."""

    def summary(self) -> str:
        who = f"Participants who talk about {self.theme}"
        return self.vs_participants.summary(who, "other participants")

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "metric": self.metric.name,
            "metric_label": self.metric.label,
            "dates": self.dates.to_dict(),
            "vs_participants": self.vs_participants.to_dict(),
            "vs_everyone": self.vs_everyone.to_dict(),
            "unmatched": list(self.unmatched),
            "summary": self.summary(),
        }


def _ids(people: Collection[str], ids_of: Mapping[str, Sequence[str]] | None) -> set[str]:
    out: set[str] = set()
    for p in people:
        out.update(ids_of.get(p, ()) if ids_of is not None else (p,))
    return out


def theme_behaviour(
    source: EventSource,
    metric: PersonMetric,
    dates: DateRange,
    theme: str,
    theme_people: Collection[str],
    participants: Collection[str],
    ids_of: Mapping[str, Sequence[str]] | None = None,
    *,
    test: str = "mann-whitney",
    seed: int = 0,
) -> ThemeBehaviour:
    """Compare ``theme_people`` (a subset of ``participants``) with the other
    participants and with everyone else active in ``dates`` on ``metric``."""
    stray = set(theme_people) - set(participants)
    if stray:
        raise ValueError(f"theme people not among the participants: {', '.join(sorted(stray))}")
    values = person_values(
        source, metric, dates, _ids(theme_people, ids_of), _ids(participants, ids_of)
    )
    unmatched = tuple(sorted(p for p in participants if not _ids([p], ids_of) & values.matched_ids))
    v, g, p = values.values, values.in_group, values.participant
    label = metric.label
    return ThemeBehaviour(
        theme=theme,
        metric=metric,
        dates=dates,
        vs_participants=compare_groups(label, v[g], v[p & ~g], test=test, seed=seed),
        vs_everyone=compare_groups(label, v[g], v[~g], test=test, seed=seed),
        unmatched=unmatched,
    )
