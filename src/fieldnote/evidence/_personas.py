"""Personas built from data, not imagined: participants grouped by an attribute.

A persona here is the participants who share one value of a chosen attribute (the
platform they use, their plan, their role): their attributes come from their own
events (each participant's most frequent value of each property in the range, read
from the event store), their themes from the theme book, and their empathy map from
their notes (``fieldnote.evidence._empathy``). Each persona says how many people it
rests on; one built on fewer than ``MIN_PEOPLE`` is flagged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics._relations import events_from
from fieldnote.analytics.trends._common import fetch, params_for
from fieldnote.evidence._empathy import EmpathyMap, empathy_map

__all__ = [
    "MIN_PEOPLE",
    "UNKNOWN",
    "Persona",
    "PersonaNote",
    "build_personas",
    "participant_attributes",
]

MIN_PEOPLE = 3
UNKNOWN = "(unknown)"


@dataclass(frozen=True, kw_only=True)
class PersonaNote:
    id: str
    text: str
    participant: str
    theme: str | None


def participant_attributes(
    source: EventSource,
    participants: Collection[str],
    keys: Sequence[str],
    dates: DateRange | None = None,
    event: str | None = None,
) -> dict[str, dict[str, str]]:
    """Participant (distinct id) → property → their most frequent value on their own
    events (only ``event``'s when given; ties: the smaller value, so the result is
    stable). Missing: left out."""
    if not participants or not keys:
        return {}
    out: dict[str, dict[str, str]] = {}
    for key in keys:
        params = params_for(source)
        rel = events_from(
            params,
            source.tables,
            names=[event] if event is not None else None,
            start=dates.start if dates else None,
            end=dates.end if dates else None,
        )
        value = params.dialect.prop_text("e.properties", params.add(params.dialect.json_path(key)))
        listed = ", ".join(params.add(p) for p in sorted(participants))
        glue = "AND" if " WHERE " in rel.from_where else "WHERE"
        cols = fetch(
            source,
            f"SELECT e.distinct_id AS d, {value} AS v, count(*) AS c {rel.from_where} "
            f"{glue} e.distinct_id IN ({listed}) GROUP BY e.distinct_id, {value}",
            params,
        )
        best: dict[str, tuple[int, str]] = {}
        for d, v, c in zip(cols["d"], cols["v"], cols["c"], strict=True):
            if v is not None:
                candidate = (-int(c), str(v))
                best[str(d)] = min(best.get(str(d), candidate), candidate)
        for d, (_, v) in best.items():
            out.setdefault(d, {})[key] = v
    return out


@dataclass(frozen=True, kw_only=True)
class Persona:
    name: str
    by: str
    value: str
    participants: tuple[str, ...]
    attributes: dict[str, list[tuple[str, int]]]
    """Other attributes: each value with how many of the persona's people have it."""
    themes: tuple[tuple[str, str, int], ...]
    """(theme id, label, participants citing it), most cited first."""
    empathy: EmpathyMap
    warnings: tuple[str, ...]

    @property
    def slug(self) -> str:
        return f"{self.by}={self.value}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "by": self.by,
            "value": self.value,
            "slug": self.slug,
            "participants": list(self.participants),
            "attributes": {k: [list(p) for p in v] for k, v in self.attributes.items()},
            "themes": [
                {"theme": t, "label": label, "participants": n} for t, label, n in self.themes
            ],
            "empathy": self.empathy.to_dict(),
            "warnings": list(self.warnings),
        }


def build_personas(
    by: str,
    attributes: Mapping[str, Mapping[str, str]],
    notes: Sequence[PersonaNote],
    labels: Mapping[str, str],
) -> list[Persona]:
    """One persona per value of attribute ``by`` among the notes' participants (those
    without it form ``(unknown)``), largest first."""
    people = sorted({n.participant for n in notes})
    groups: dict[str, list[str]] = {}
    for p in people:
        groups.setdefault(attributes.get(p, {}).get(by, UNKNOWN), []).append(p)
    personas = []
    for value, members in groups.items():
        inside = set(members)
        mine = [n for n in notes if n.participant in inside]
        other_keys = sorted({k for p in members for k in attributes.get(p, {}) if k != by})
        attrs = {
            k: sorted(
                Counter(attributes[p][k] for p in members if k in attributes.get(p, {})).items(),
                key=lambda kv: (-kv[1], kv[0]),
            )
            for k in other_keys
        }
        citing: dict[str, set[str]] = {}
        for n in mine:
            if n.theme is not None:
                citing.setdefault(n.theme, set()).add(n.participant)
        themes = sorted(
            ((t, labels.get(t, t), len(ps)) for t, ps in citing.items()),
            key=lambda x: (-x[2], x[0]),
        )
        warnings = (
            (f"built on {len(members)} participant(s) (fewer than {MIN_PEOPLE})",)
            if len(members) < MIN_PEOPLE
            else ()
        )
        personas.append(
            Persona(
                name=f"{value} ({by})" if value != UNKNOWN else f"{by} unknown",
                by=by,
                value=value,
                participants=tuple(members),
                attributes=attrs,
                themes=tuple(themes),
                empathy=empathy_map((n.id, n.text, n.participant) for n in mine),
                warnings=warnings,
            )
        )
    return sorted(personas, key=lambda p: (-len(p.participants), p.value))
