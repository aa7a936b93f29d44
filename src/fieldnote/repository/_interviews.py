"""Interviews and their utterances in the research repository.

An interview's id is derived from its content (``fieldnote.interviews.transcripts``),
so importing the same file again finds the row instead of duplicating it. Utterances
are stored one row each, so synthesis can select participant speech with SQL and a
full-text index can be added later without reshaping the data.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.interviews import Interview, Mark, MarkKind, Role, Speaker, Utterance
from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import project_id
from fieldnote.repository._research import QuestionRow, StudyRow

__all__ = ["InterviewError", "InterviewRow", "InterviewStore", "SavedInterview", "UtteranceRow"]


def _now() -> datetime:
    return datetime.now(UTC)


class InterviewRow(Base):
    __tablename__ = "interviews"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), nullable=True, index=True
    )
    participant: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(1000), nullable=False)
    format: Mapped[str] = mapped_column(String(16), nullable=False)
    speakers: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    utterance_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class UtteranceRow(Base):
    __tablename__ = "interview_utterances"
    __table_args__ = (UniqueConstraint("interview_id", "idx", name="uq_utterances_idx"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    interview_id: Mapped[str] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), nullable=False, index=True
    )
    idx: Mapped[int] = mapped_column(Integer, nullable=False)
    speaker: Mapped[str] = mapped_column(String(200), nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False)
    start_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    marks: Mapped[str] = mapped_column(Text, nullable=False, default="[]")


class InterviewError(ValueError):
    """An interview that cannot be stored or found; the message says why."""


@dataclass(frozen=True, kw_only=True)
class SavedInterview:
    interview: Interview
    created: bool  # False: the same transcript was already in the repository


def _speakers_json(interview: Interview) -> str:
    return json.dumps([s.to_dict() for s in interview.speakers])


def _to_interview(row: InterviewRow, utterances: Sequence[UtteranceRow]) -> Interview:
    return Interview(
        id=row.id,
        source=row.source,
        format=row.format,
        study=str(row.study_id) if row.study_id is not None else None,
        participant=row.participant,
        speakers=tuple(
            Speaker(name=s["name"], role=Role(s["role"]), reason=s["reason"])
            for s in json.loads(row.speakers)
        ),
        utterances=tuple(
            Utterance(
                index=u.idx,
                speaker=u.speaker,
                role=Role(u.role),
                text=u.text,
                start=u.start_s,
                end=u.end_s,
                marks=tuple(
                    Mark(kind=MarkKind(m["kind"]), detail=m["detail"], seconds=m["seconds"])
                    for m in json.loads(u.marks)
                ),
            )
            for u in utterances
        ),
    )


class InterviewStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    @staticmethod
    def _project_id(session: Session, project: str) -> int:
        return project_id(session, project, InterviewError)

    @staticmethod
    def _study_id(session: Session, project_id: int, study: str | None) -> int | None:
        if study is None:
            return None
        if not study.strip().isdigit():
            raise InterviewError(f"--study must be a study id (a number), not {study!r}")
        found = session.scalar(
            select(StudyRow.id)
            .join(QuestionRow, QuestionRow.id == StudyRow.question_id)
            .where(StudyRow.id == int(study), QuestionRow.project_id == project_id)
        )
        if found is None:
            raise InterviewError(f"this project has no study {study}")
        return int(found)

    def check_study(self, project: str, study: str | None) -> None:
        """Fail before parsing anything if the project or study does not exist."""
        with self._repo.session() as session:
            self._study_id(session, self._project_id(session, project), study)

    def save_many(self, project: str, interviews: Sequence[Interview]) -> list[SavedInterview]:
        """Store interviews in one transaction; ones already stored are left as they are."""
        with self._repo.session() as session:
            return self.save_in(session, project, interviews)

    def save_in(
        self, session: Session, project: str, interviews: Sequence[Interview]
    ) -> list[SavedInterview]:
        """``save_many`` inside a caller's transaction (an import that writes more than
        transcripts commits all of it or nothing)."""
        pid = self._project_id(session, project)
        ids = [i.id for i in interviews]
        existing = (
            set(session.scalars(select(InterviewRow.id).where(InterviewRow.id.in_(ids))).all())
            if ids
            else set()
        )
        saved: list[SavedInterview] = []
        rows: list[dict[str, object]] = []
        utterances: list[dict[str, object]] = []
        for interview in interviews:
            if interview.id in existing:
                saved.append(SavedInterview(interview=interview, created=False))
                continue
            existing.add(interview.id)
            rows.append(
                {
                    "id": interview.id,
                    "project_id": pid,
                    "study_id": self._study_id(session, pid, interview.study),
                    "participant": interview.participant,
                    "source": interview.source[:1000],
                    "format": interview.format,
                    "speakers": _speakers_json(interview),
                    "utterance_count": len(interview.utterances),
                    "created_at": _now(),
                }
            )
            utterances.extend(
                {
                    "interview_id": interview.id,
                    "idx": u.index,
                    "speaker": u.speaker[:200],
                    "role": u.role.value,
                    "start_s": u.start,
                    "end_s": u.end,
                    "text": u.text,
                    "marks": json.dumps([m.to_dict() for m in u.marks]),
                }
                for u in interview.utterances
            )
            saved.append(SavedInterview(interview=interview, created=True))
        if rows:
            session.execute(insert(InterviewRow), rows)
        if utterances:
            session.execute(insert(UtteranceRow), utterances)
        return saved

    def get(self, project: str, interview_id: str) -> Interview:
        with self._repo.session() as session:
            row = session.scalar(
                select(InterviewRow).where(
                    InterviewRow.id == interview_id,
                    InterviewRow.project_id == self._project_id(session, project),
                )
            )
            if row is None:
                raise InterviewError(f"project {project!r} has no interview {interview_id!r}")
            utterances = session.scalars(
                select(UtteranceRow)
                .where(UtteranceRow.interview_id == row.id)
                .order_by(UtteranceRow.idx)
            ).all()
            return _to_interview(row, utterances)

    def list(self, project: str) -> list[Interview]:
        """Interviews of a project without their utterances (summaries)."""
        with self._repo.session() as session:
            rows = session.scalars(
                select(InterviewRow)
                .where(InterviewRow.project_id == self._project_id(session, project))
                .order_by(InterviewRow.created_at, InterviewRow.id)
            ).all()
            return [_to_interview(r, ()) for r in rows]

    def recorded_at(self, project: str) -> dict[str, datetime]:
        """When each of the project's interviews was stored (themes over time use it)."""
        with self._repo.session() as session:
            rows = session.execute(
                select(InterviewRow.id, InterviewRow.created_at).where(
                    InterviewRow.project_id == self._project_id(session, project)
                )
            ).all()
            return {i: (c if c.tzinfo else c.replace(tzinfo=UTC)) for i, c in rows}
