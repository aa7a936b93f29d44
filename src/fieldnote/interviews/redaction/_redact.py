"""Apply every detector, merge overlapping spans, and mask; for texts and interviews."""

from __future__ import annotations

from dataclasses import dataclass, replace

from fieldnote.interviews._model import Interview, Role, Speaker
from fieldnote.interviews.redaction._contacts import EmailDetector, TokenUrlDetector
from fieldnote.interviews.redaction._names import KnownNameDetector, SpokenNameDetector
from fieldnote.interviews.redaction._numbers import CardDetector, IdNumberDetector, PhoneDetector
from fieldnote.interviews.redaction._types import Detector, Found, RedactionContext

__all__ = ["DETECTORS", "Redacted", "context_for", "redact_interview", "redact_text"]

#: name → detector. Order is priority when spans overlap at the same start: a card
#: number is a CARD, not a PHONE; a URL with an email in it is a URL.
DETECTORS: dict[str, Detector] = {
    "url": TokenUrlDetector(),
    "email": EmailDetector(),
    "card": CardDetector(),
    "id": IdNumberDetector(),
    "phone": PhoneDetector(),
    "known_names": KnownNameDetector(),
    "spoken_names": SpokenNameDetector(),
}
_PRIORITY = {"URL": 0, "EMAIL": 1, "CARD": 2, "ID": 3, "PHONE": 4, "PARTICIPANT": 5, "NAME": 6}


@dataclass(frozen=True)
class Redacted:
    text: str
    found: tuple[Found, ...]


def _merge(found: list[Found]) -> list[Found]:
    """Non-overlapping spans: the longest (then highest-priority) one wins each overlap."""
    ordered = sorted(found, key=lambda f: (f.start, -(f.end - f.start), _PRIORITY[f.label]))
    kept: list[Found] = []
    for f in ordered:
        if kept and f.start < kept[-1].end:
            last = kept[-1]
            if f.end > last.end:  # partial overlap: extend the kept span
                kept[-1] = Found(last.start, f.end, last.label)
            continue
        kept.append(f)
    return kept


def redact_text(text: str, context: RedactionContext | None = None) -> Redacted:
    ctx = context or RedactionContext()
    found = _merge([f for d in DETECTORS.values() for f in d.find(text, ctx)])
    out: list[str] = []
    pos = 0
    for f in found:
        out.append(text[pos : f.start])
        out.append(f"[{f.label}]")
        pos = f.end
    out.append(text[pos:])
    return Redacted("".join(out), tuple(found))


def context_for(interview: Interview) -> RedactionContext:
    participants = [s.name for s in interview.speakers if s.role is Role.PARTICIPANT]
    if interview.participant:
        participants.append(interview.participant)
    others = [s.name for s in interview.speakers if s.role is not Role.PARTICIPANT]
    return RedactionContext(participant_names=tuple(participants), other_names=tuple(others))


def redact_interview(interview: Interview) -> Interview:
    """The interview as every view but the researcher's raw one shows it: personal data
    masked in the text, participants' speaker labels replaced by "Participant N"."""
    ctx = context_for(interview)
    labels: dict[str, str] = {}
    n = 0
    for s in interview.speakers:
        if s.role is Role.PARTICIPANT:
            n += 1
            labels[s.name] = "Participant" if n == 1 else f"Participant {n}"
        else:
            labels[s.name] = redact_text(s.name, ctx).text if s.role is Role.UNKNOWN else s.name
    return replace(
        interview,
        participant="[PARTICIPANT]" if interview.participant else None,
        speakers=tuple(
            Speaker(name=labels[s.name], role=s.role, reason=s.reason) for s in interview.speakers
        ),
        utterances=tuple(
            replace(u, speaker=labels.get(u.speaker, u.speaker), text=redact_text(u.text, ctx).text)
            for u in interview.utterances
        ),
    )
