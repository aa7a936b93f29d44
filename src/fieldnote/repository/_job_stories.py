"""Job stories: "When <situation>, I want to <motivation>, so I can <outcome>".

A job story is only as credible as what it rests on, so each one keeps typed
references to its evidence in the theme books (``note`` or ``theme``, with the book
and the id), checked when saved: a story cannot cite a note that does not exist.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import _now, aware, project_id
from fieldnote.repository._themebook import BookNoteRow, BookThemeRow, ThemeBookRow

__all__ = ["JOB_EVIDENCE_KINDS", "JobEvidence", "JobStory", "JobStoryError", "JobStoryStore"]

JOB_EVIDENCE_KINDS = ("note", "theme")
EvidenceTexts = list[str]
MAX_PART = 500


class JobStoryRow(Base):
    __tablename__ = "job_stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    situation: Mapped[str] = mapped_column(Text, nullable=False)
    motivation: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(Text, nullable=False)
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class JobStoryError(ValueError):
    """A job story that cannot be saved or found; the message says why."""


@dataclass(frozen=True)
class JobEvidence:
    kind: str
    book: str
    ref: str

    @classmethod
    def parse(cls, text: str) -> JobEvidence:
        """``note:BOOK:ID`` or ``theme:BOOK:ID`` (a book name may itself hold colons)."""
        kind, _, rest = text.partition(":")
        book, _, ref = rest.rpartition(":")
        if kind not in JOB_EVIDENCE_KINDS or not book or not ref:
            raise JobStoryError(f"evidence {text!r}: write note:BOOK:NOTE or theme:BOOK:THEME")
        return cls(kind, book, ref)

    def __str__(self) -> str:
        return f"{self.kind}:{self.book}:{self.ref}"


@dataclass(frozen=True, kw_only=True)
class JobStory:
    id: int
    project: str
    situation: str
    motivation: str
    outcome: str
    evidence: tuple[JobEvidence, ...]
    created_by: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def text(self) -> str:
        return f"When {self.situation}, I want to {self.motivation}, so I can {self.outcome}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "situation": self.situation,
            "motivation": self.motivation,
            "outcome": self.outcome,
            "text": self.text,
            "evidence": [str(e) for e in self.evidence],
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _record(project: str, row: JobStoryRow) -> JobStory:
    return JobStory(
        id=row.id,
        project=project,
        situation=row.situation,
        motivation=row.motivation,
        outcome=row.outcome,
        evidence=tuple(JobEvidence.parse(e) for e in json.loads(row.evidence)),
        created_by=row.created_by,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def _part(name: str, value: str) -> str:
    value = " ".join(value.split()).rstrip(".")
    if not value or len(value) > MAX_PART:
        raise JobStoryError(f"{name} needs 1 to {MAX_PART} characters")
    return value


def _check_evidence(session: Session, pid: int, evidence: tuple[JobEvidence, ...]) -> None:
    for e in evidence:
        book = session.scalar(
            select(ThemeBookRow.id).where(
                ThemeBookRow.project_id == pid, ThemeBookRow.name == e.book
            )
        )
        if book is None:
            raise JobStoryError(f"evidence {e}: no theme book {e.book!r}")
        table = BookNoteRow if e.kind == "note" else BookThemeRow
        column = BookNoteRow.note if e.kind == "note" else BookThemeRow.theme
        if session.scalar(select(table.id).where(table.book_id == book, column == e.ref)) is None:
            raise JobStoryError(f"evidence {e}: book {e.book!r} has no {e.kind} {e.ref!r}")


class JobStoryStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(
        self,
        project: str,
        *,
        situation: str,
        motivation: str,
        outcome: str,
        evidence: list[str],
        created_by: str | None = None,
    ) -> JobStory:
        parts = (
            _part("situation (When …)", situation),
            _part("motivation (I want to …)", motivation),
            _part("outcome (so I can …)", outcome),
        )
        refs = tuple(JobEvidence.parse(e) for e in evidence)
        with self._repo.session() as session:
            pid = project_id(session, project, JobStoryError)
            _check_evidence(session, pid, refs)
            row = JobStoryRow(
                project_id=pid,
                situation=parts[0],
                motivation=parts[1],
                outcome=parts[2],
                evidence=json.dumps([str(r) for r in refs]),
                created_by=created_by,
            )
            session.add(row)
            session.flush()
            return _record(project, row)

    def _row(self, session: Session, project: str, story_id: int) -> JobStoryRow:
        row = session.scalar(
            select(JobStoryRow).where(
                JobStoryRow.project_id == project_id(session, project, JobStoryError),
                JobStoryRow.id == story_id,
            )
        )
        if row is None:
            raise JobStoryError(f"project {project!r} has no job story {story_id}")
        return row

    def get(self, project: str, story_id: int) -> JobStory:
        with self._repo.session() as session:
            return _record(project, self._row(session, project, story_id))

    def list(self, project: str) -> list[JobStory]:
        with self._repo.session() as session:
            rows = session.scalars(
                select(JobStoryRow)
                .where(JobStoryRow.project_id == project_id(session, project, JobStoryError))
                .order_by(JobStoryRow.id)
            ).all()
            return [_record(project, r) for r in rows]

    def update(
        self,
        project: str,
        story_id: int,
        *,
        situation: str | None = None,
        motivation: str | None = None,
        outcome: str | None = None,
        evidence: EvidenceTexts | None = None,
    ) -> JobStory:
        """Change the given parts; the rest stay (all checked before anything is written)."""
        with self._repo.session() as session:
            row = self._row(session, project, story_id)
            new = {
                "situation": _part("situation (When …)", situation) if situation else None,
                "motivation": _part("motivation (I want to …)", motivation) if motivation else None,
                "outcome": _part("outcome (so I can …)", outcome) if outcome else None,
            }
            if evidence is not None:
                refs = tuple(JobEvidence.parse(e) for e in evidence)
                _check_evidence(session, row.project_id, refs)
                row.evidence = json.dumps([str(r) for r in refs])
            for key, value in new.items():
                if value is not None:
                    setattr(row, key, value)
            row.updated_at = _now()
            session.flush()
            return _record(project, row)

    def delete(self, project: str, story_id: int) -> None:
        with self._repo.session() as session:
            session.delete(self._row(session, project, story_id))
