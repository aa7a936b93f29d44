"""The transcript nouns: ``Interview`` and its ``Utterance``s.

These are the stable public types other packages (synthesis, evidence) consume, so they
are plain frozen dataclasses with no storage or parsing concerns: an imported Zoom file,
an AI-moderated chat and a generated demo interview all end up as the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

__all__ = ["Interview", "Mark", "MarkKind", "Role", "Speaker", "Utterance"]


class Role(StrEnum):
    """Who a speaker is in the session; only participant speech is evidence."""

    INTERVIEWER = "interviewer"
    PARTICIPANT = "participant"
    UNKNOWN = "unknown"


class MarkKind(StrEnum):
    """Hesitation signals: the seed's "five seconds wondering" is evidence too."""

    PAUSE = "pause"  # a long silence before the answer (needs timestamps)
    FILLER = "filler"  # "um", "uh", "you know", ...
    SELF_CORRECTION = "self_correction"  # "I mean", "no wait", restarts


@dataclass(frozen=True, kw_only=True)
class Mark:
    """One hesitation signal on an utterance; ``detail`` says what was seen."""

    kind: MarkKind
    detail: str
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "detail": self.detail, "seconds": self.seconds}


@dataclass(frozen=True, kw_only=True)
class Utterance:
    """One speaker turn. Times are seconds from the start of the recording, or None
    where the source has none (plain ``Name: text`` files, DOCX without times)."""

    index: int
    speaker: str
    role: Role
    text: str
    start: float | None = None
    end: float | None = None
    marks: tuple[Mark, ...] = ()

    @property
    def is_participant(self) -> bool:
        return self.role is Role.PARTICIPANT

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "speaker": self.speaker,
            "role": self.role.value,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "marks": [m.to_dict() for m in self.marks],
        }


@dataclass(frozen=True, kw_only=True)
class Speaker:
    """A name as it appears in the transcript and the role it was mapped to, with the
    reason (``by name``, ``role word``, ``asks questions``) so a researcher can check."""

    name: str
    role: Role
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role.value, "reason": self.reason}


@dataclass(frozen=True, kw_only=True)
class Interview:
    """One session's transcript, whatever produced it."""

    id: str
    source: str  # file path, "moderator:rule-based", "demo", ...
    format: str  # "vtt", "srt", "otter", "docx", "text", "json", "chat", ...
    utterances: tuple[Utterance, ...]
    speakers: tuple[Speaker, ...] = ()
    study: str | None = None
    participant: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def participant_utterances(self) -> tuple[Utterance, ...]:
        return tuple(u for u in self.utterances if u.is_participant)

    def summary(self) -> dict[str, Any]:
        """The shape ``fieldnote transcripts import --json`` prints per interview."""
        return {
            "id": self.id,
            "source": self.source,
            "format": self.format,
            "study": self.study,
            "participant": self.participant,
            "utterances": len(self.utterances),
            "participant_utterances": len(self.participant_utterances),
            "speakers": [s.to_dict() for s in self.speakers],
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.summary(), "utterances": [u.to_dict() for u in self.utterances]}
