"""Empathy maps: what a group of participants says, thinks, does and feels.

Filled from their notes by transparent rules a researcher can read (like the note
kinds of ``fieldnote.synthesis``): rules are tried in the order of ``EMPATHY_RULES``,
the first that matches wins, and every entry keeps the phrase that placed it, so a
surprising placement can be traced:

* **feels**: an emotion word (frustrated, annoyed, love, worried, relieved …): how the
  person felt, in their own words;
* **thinks**: an opinion or belief marker (I think, I believe, I guess, it seems,
  should, probably, in my opinion …);
* **does**: a behaviour or workaround (I use, I usually, every day, I export, I copy,
  spreadsheet, instead, workaround, I tried, we ended up …);
* **says**: every other quote, verbatim.

Emotion comes first because "I think I'm frustrated" is about a feeling; a belief
comes before behaviour because "I think we just export it" reports a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EMPATHY_RULES",
    "QUADRANTS",
    "EmpathyEntry",
    "EmpathyMap",
    "EmpathyRule",
    "classify",
    "empathy_map",
]

QUADRANTS = ("says", "thinks", "does", "feels")


@dataclass(frozen=True, slots=True)
class EmpathyRule:
    quadrant: str
    pattern: re.Pattern[str]


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


EMPATHY_RULES: tuple[EmpathyRule, ...] = (
    EmpathyRule(
        "feels",
        _rx(
            r"frustrat\w*",
            r"annoy\w*",
            r"angry",
            r"upset",
            r"hate[sd]?",
            r"love[sd]?",
            r"happy",
            r"glad",
            r"relieved",
            r"excited",
            r"delighted",
            r"anxious",
            r"nervous",
            r"worried",
            r"worry",
            r"scared",
            r"afraid",
            r"stress\w*",
            r"overwhelm\w*",
            r"embarrass\w*",
            r"disappoint\w*",
            r"confus\w*",
            r"lost",
            r"helpless",
            r"furious",
            r"fed up",
            r"sad",
            r"panic\w*",
            r"enjoy\w*",
        ),
    ),
    EmpathyRule(
        "thinks",
        _rx(
            r"i think",
            r"i thought",
            r"i believe",
            r"i guess",
            r"i suppose",
            r"i assume[d]?",
            r"i expect(?:ed)?",
            r"i feel like",
            r"it seems",
            r"seems like",
            r"in my opinion",
            r"probably",
            r"maybe",
            r"i'?d say",
            r"should(?:n'?t)?",
            r"i doubt",
            r"i wonder(?:ed)?",
            r"i'?m not sure",
            r"i imagine",
        ),
    ),
    EmpathyRule(
        "does",
        _rx(
            r"i (?:usually|always|often|sometimes|normally|just) \w+",
            r"(?:i|we) (?:use|used|open|opened|click(?:ed)?|export(?:ed)?|copy|copied|"
            r"paste[d]?|check(?:ed)?|tried|try|switch(?:ed)?|log(?:ged)? in|ask(?:ed)?|"
            r"email(?:ed)?|call(?:ed)?|wrote|write|keep|kept|went)",
            r"(?:i|we) (?:end(?:ed)? up|have to|had to)",
            r"every (?:day|morning|week|time)",
            r"spreadsheet",
            r"excel",
            r"work ?around",
            r"instead",
            r"manually",
            r"screenshot\w*",
        ),
    ),
)


def classify(text: str) -> tuple[str, str | None]:
    """(quadrant, the phrase that placed it); ``("says", None)`` when no rule matches."""
    for rule in EMPATHY_RULES:
        found = rule.pattern.search(text)
        if found:
            return rule.quadrant, found.group(0)
    return "says", None


@dataclass(frozen=True, kw_only=True)
class EmpathyEntry:
    note: str
    text: str
    participant: str | None
    because: str | None
    """The phrase that placed the note (None for a plain quote under says)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "note": self.note,
            "text": self.text,
            "participant": self.participant,
            "because": self.because,
        }


@dataclass(frozen=True)
class EmpathyMap:
    says: tuple[EmpathyEntry, ...]
    thinks: tuple[EmpathyEntry, ...]
    does: tuple[EmpathyEntry, ...]
    feels: tuple[EmpathyEntry, ...]

    def quadrant(self, name: str) -> tuple[EmpathyEntry, ...]:
        entries: tuple[EmpathyEntry, ...] = getattr(self, name)
        return entries

    def to_dict(self) -> dict[str, Any]:
        return {q: [e.to_dict() for e in self.quadrant(q)] for q in QUADRANTS}


def empathy_map(
    notes: Iterable[tuple[str, str, str | None]], *, per_quadrant: int = 8
) -> EmpathyMap:
    """Place ``(note id, text, participant)`` notes; at most ``per_quadrant`` each,
    spread over participants (one per person first, then seconds) so one talkative
    participant does not fill a quadrant."""
    placed: dict[str, list[EmpathyEntry]] = {q: [] for q in QUADRANTS}
    for note, text, participant in notes:
        quadrant, because = classify(text)
        placed[quadrant].append(
            EmpathyEntry(note=note, text=text, participant=participant, because=because)
        )

    def spread(entries: list[EmpathyEntry]) -> tuple[EmpathyEntry, ...]:
        seen: dict[str | None, int] = {}
        ranked = []
        for e in entries:
            turn = seen.get(e.participant, 0)
            seen[e.participant] = turn + 1
            ranked.append((turn, e))
        ranked.sort(key=lambda pair: pair[0])  # stable: note order within a turn
        return tuple(e for _, e in ranked[:per_quadrant])

    return EmpathyMap(**{q: spread(placed[q]) for q in QUADRANTS})
