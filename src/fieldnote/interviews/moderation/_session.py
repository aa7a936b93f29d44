"""An interview session's state: where in the guide, what was said, how long each
section took. Every moderator works on this same state, so every moderator produces
the same transcript format."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from fieldnote.interviews._model import Interview, Role, Speaker, Utterance
from fieldnote.interviews.guides import Guide

__all__ = ["ModeratorTurn", "SessionState", "Turn"]

MODERATOR_SPEAKER = "Moderator"
PARTICIPANT_SPEAKER = "Participant"


@dataclass(frozen=True, kw_only=True)
class ModeratorTurn:
    """What the moderator says next. ``kind``: question, probe or closing; ``reason``
    names the rule that chose a probe (too_short, generalisation, emotion, workaround,
    paraphrase, guide)."""

    text: str
    kind: str
    section: str
    reason: str | None = None
    done: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "section": self.section,
            "reason": self.reason,
            "done": self.done,
        }


@dataclass(frozen=True, kw_only=True)
class Turn:
    role: Role
    text: str
    at: float  # seconds since the session started
    section: str
    kind: str = "answer"
    reason: str | None = None


@dataclass
class SessionState:
    guide: Guide
    moderator: str
    section: int = 0
    question: int = 0
    probes_used: int = 0
    guide_probes_used: int = 0
    started_at: float | None = None
    section_started_at: float | None = None
    turns: list[Turn] = field(default_factory=list)
    section_seconds: dict[str, float] = field(default_factory=dict)
    done: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain data for storage: a dropped connection resumes from it."""
        return {
            "guide": self.guide.to_dict(),
            "guide_version": self.guide.version,
            "moderator": self.moderator,
            "section": self.section,
            "question": self.question,
            "probes_used": self.probes_used,
            "guide_probes_used": self.guide_probes_used,
            "started_at": self.started_at,
            "section_started_at": self.section_started_at,
            "turns": [
                {
                    "role": t.role.value,
                    "text": t.text,
                    "at": t.at,
                    "section": t.section,
                    "kind": t.kind,
                    "reason": t.reason,
                }
                for t in self.turns
            ],
            "section_seconds": self.section_seconds,
            "done": self.done,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SessionState:
        guide = replace(Guide.from_dict(data["guide"]), version=data.get("guide_version"))
        return cls(
            guide=guide,
            moderator=str(data["moderator"]),
            section=int(data["section"]),
            question=int(data["question"]),
            probes_used=int(data["probes_used"]),
            guide_probes_used=int(data["guide_probes_used"]),
            started_at=data["started_at"],
            section_started_at=data["section_started_at"],
            turns=[
                Turn(
                    role=Role(t["role"]),
                    text=t["text"],
                    at=float(t["at"]),
                    section=t["section"],
                    kind=t["kind"],
                    reason=t["reason"],
                )
                for t in data["turns"]
            ],
            section_seconds={k: float(v) for k, v in data["section_seconds"].items()},
            done=bool(data["done"]),
        )

    def elapsed(self, now: float) -> float:
        return 0.0 if self.started_at is None else now - self.started_at

    def to_interview(self, *, id: str, participant: str | None = None) -> Interview:
        """The transcript in the same format as an imported one."""
        utterances = []
        for i, t in enumerate(self.turns):
            nxt = self.turns[i + 1].at if i + 1 < len(self.turns) else t.at
            utterances.append(
                Utterance(
                    index=i,
                    speaker=MODERATOR_SPEAKER
                    if t.role is Role.INTERVIEWER
                    else PARTICIPANT_SPEAKER,
                    role=t.role,
                    text=t.text,
                    start=round(t.at, 3),
                    end=round(nxt, 3),
                )
            )
        return Interview(
            id=id,
            source=f"moderator:{self.moderator}",
            format="chat",
            utterances=tuple(utterances),
            speakers=(
                Speaker(name=MODERATOR_SPEAKER, role=Role.INTERVIEWER, reason="moderator"),
                Speaker(name=PARTICIPANT_SPEAKER, role=Role.PARTICIPANT, reason="chat participant"),
            ),
            participant=participant,
            metadata={"guide": self.guide.name, "guide_version": str(self.guide.version or "")},
        )
