"""What the diary store hands out: a diary, an enrolment, a participant's progress,
and the state of one scheduled prompt (computed from its row and the clock, so
"missed" needs no background job)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from fieldnote.interviews.diaries import DiaryDefinition
from fieldnote.repository._monitors import aware

if TYPE_CHECKING:
    from fieldnote.repository._diaries import DiaryEntryRow

__all__ = [
    "STATES",
    "DiaryRecord",
    "Enrolment",
    "EntryState",
    "ParticipantProgress",
    "entry_state",
]


@dataclass(frozen=True, kw_only=True)
class DiaryRecord:
    id: int
    project: str
    name: str
    study_id: int | None
    definition: DiaryDefinition
    created_by: str | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "name": self.name,
            "study_id": self.study_id,
            "definition": self.definition.to_dict(),
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class Enrolment:
    diary: str
    distinct_id: str
    email: str
    timezone: str
    interview_id: str
    enrolled_at: datetime
    consent_version: int | None
    prompts: list[datetime]

    def to_dict(self) -> dict[str, Any]:
        return {
            "diary": self.diary,
            "participant": self.distinct_id,
            "email": self.email,
            "timezone": self.timezone,
            "interview_id": self.interview_id,
            "enrolled_at": self.enrolled_at.isoformat(),
            "consent_version": self.consent_version,
            "prompts": [t.isoformat() for t in self.prompts],
        }


#: What became of one scheduled prompt (``show`` counts these per participant).
EntryState = str
STATES = ("upcoming", "due", "sent", "answered", "missed", "skipped", "unconfirmed")


def entry_state(row: DiaryEntryRow, now: datetime, window_hours: float) -> EntryState:
    if row.answered_at is not None:
        return "answered"
    if row.skipped is not None:
        return "skipped"
    if row.sent_at is not None:
        closes = aware(row.sent_at) + timedelta(hours=window_hours)
        return "missed" if now > closes else "sent"
    if row.claimed_at is not None:
        return "unconfirmed"  # claimed but never confirmed sent: not retried
    return "due" if aware(row.due_at) <= now else "upcoming"


@dataclass(frozen=True, kw_only=True)
class ParticipantProgress:
    distinct_id: str
    email: str
    timezone: str
    enrolled_at: datetime
    withdrawn_at: datetime | None
    interview_id: str
    counts: dict[str, int]
    next_due: datetime | None
    missed: list[int]  # seq of the prompts sent and left without an entry

    def to_dict(self) -> dict[str, Any]:
        return {
            "participant": self.distinct_id,
            "email": self.email,
            "timezone": self.timezone,
            "enrolled_at": self.enrolled_at.isoformat(),
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
            "interview_id": self.interview_id,
            "counts": self.counts,
            "next_due": self.next_due.isoformat() if self.next_due else None,
            "missed": self.missed,
        }
