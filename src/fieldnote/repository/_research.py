"""Questions and studies: what the team does not know yet, and how it will find out.

A Question is opened by hand or by a monitor's Signal; for a monitor it carries an
``anomaly_key`` so an ongoing anomaly keeps *one* open Question that later firings
update (``open_or_update``) instead of opening another. A Study plans the
investigation (target segments, quota, deadline). The times opened → study started
→ diagnosed are kept for the time-to-diagnosis metric.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import _now, aware, project_id

__all__ = [
    "QUESTION_STATUSES",
    "QuestionRecord",
    "QuestionRow",
    "ResearchError",
    "ResearchStore",
    "StudyRecord",
    "StudyRow",
]

QUESTION_STATUSES = ("open", "diagnosed", "closed")


class QuestionRow(Base):
    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    monitor_id: Mapped[int | None] = mapped_column(
        ForeignKey("monitors.id", ondelete="SET NULL"), nullable=True
    )
    anomaly_key: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    evidence: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    signal_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    diagnosed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class StudyRow(Base):
    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("questions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    plan: Mapped[str] = mapped_column(Text, nullable=False)
    quota_min: Mapped[int] = mapped_column(Integer, nullable=False)
    quota_max: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="proposed")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    deadline_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ResearchError(ValueError):
    """A question or study that cannot be found or changed; the message says why."""


@dataclass(frozen=True, kw_only=True)
class StudyRecord:
    id: int
    question_id: int
    plan: dict[str, Any]
    """Target segments, quota mix, guide hints (``fieldnote.research.StudyPlan``)."""
    quota_min: int
    quota_max: int
    status: str
    created_at: datetime
    deadline_at: datetime
    started_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "question_id": self.question_id,
            "plan": self.plan,
            "quota": {"min": self.quota_min, "max": self.quota_max},
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "deadline_at": self.deadline_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
        }


@dataclass(frozen=True, kw_only=True)
class QuestionRecord:
    id: int
    project: str
    text: str
    status: str
    anomaly_key: str | None
    evidence: dict[str, Any]
    signal_count: int
    opened_at: datetime
    updated_at: datetime
    diagnosed_at: datetime | None
    studies: tuple[StudyRecord, ...]

    @property
    def time_to_diagnosis(self) -> timedelta | None:
        return self.diagnosed_at - self.opened_at if self.diagnosed_at else None

    def to_dict(self) -> dict[str, Any]:
        ttd = self.time_to_diagnosis
        return {
            "id": self.id,
            "project": self.project,
            "text": self.text,
            "status": self.status,
            "anomaly_key": self.anomaly_key,
            "evidence": self.evidence,
            "signal_count": self.signal_count,
            "opened_at": self.opened_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "diagnosed_at": self.diagnosed_at.isoformat() if self.diagnosed_at else None,
            "time_to_diagnosis_hours": ttd.total_seconds() / 3600 if ttd else None,
            "studies": [s.to_dict() for s in self.studies],
        }


def _study(row: StudyRow) -> StudyRecord:
    return StudyRecord(
        id=row.id,
        question_id=row.question_id,
        plan=json.loads(row.plan),
        quota_min=row.quota_min,
        quota_max=row.quota_max,
        status=row.status,
        created_at=aware(row.created_at),
        deadline_at=aware(row.deadline_at),
        started_at=aware(row.started_at) if row.started_at else None,
    )


class ResearchStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def _record(self, session: Session, project: str, row: QuestionRow) -> QuestionRecord:
        studies = session.scalars(
            select(StudyRow).where(StudyRow.question_id == row.id).order_by(StudyRow.id)
        ).all()
        return QuestionRecord(
            id=row.id,
            project=project,
            text=row.text,
            status=row.status,
            anomaly_key=row.anomaly_key,
            evidence=json.loads(row.evidence),
            signal_count=row.signal_count,
            opened_at=aware(row.opened_at),
            updated_at=aware(row.updated_at),
            diagnosed_at=aware(row.diagnosed_at) if row.diagnosed_at else None,
            studies=tuple(_study(s) for s in studies),
        )

    def open_or_update(
        self,
        project: str,
        *,
        anomaly_key: str | None,
        text: str,
        evidence: dict[str, Any],
        monitor_id: int | None = None,
    ) -> tuple[QuestionRecord, bool]:
        """The open Question for ``anomaly_key``, updated; or a new one. True: new."""
        with self._repo.session() as session:
            pid = project_id(session, project, ResearchError)
            row = None
            if anomaly_key is not None:
                row = session.scalar(
                    select(QuestionRow)
                    .where(
                        QuestionRow.project_id == pid,
                        QuestionRow.anomaly_key == anomaly_key,
                        QuestionRow.status == "open",
                    )
                    .order_by(QuestionRow.id)
                    .limit(1)
                    .with_for_update()
                )
            created = row is None
            if row is None:
                row = QuestionRow(
                    project_id=pid,
                    monitor_id=monitor_id,
                    anomaly_key=anomaly_key,
                    status="open",
                    signal_count=0,
                    opened_at=_now(),
                )
                session.add(row)
            row.text = text
            row.evidence = json.dumps(evidence, sort_keys=True, default=str)
            row.signal_count = (row.signal_count or 0) + (1 if monitor_id is not None else 0)
            row.updated_at = _now()
            session.flush()
            return self._record(session, project, row), created

    def _row(self, session: Session, project: str, question_id: int) -> QuestionRow:
        row = session.scalar(
            select(QuestionRow).where(
                QuestionRow.project_id == project_id(session, project, ResearchError),
                QuestionRow.id == question_id,
            )
        )
        if row is None:
            raise ResearchError(f"project {project!r} has no question {question_id}")
        return row

    def get(self, project: str, question_id: int) -> QuestionRecord:
        with self._repo.session() as session:
            return self._record(session, project, self._row(session, project, question_id))

    def list(self, project: str, *, status: str | None = None) -> list[QuestionRecord]:
        if status is not None and status not in QUESTION_STATUSES:
            raise ResearchError(f"status must be one of {', '.join(QUESTION_STATUSES)}")
        with self._repo.session() as session:
            query = select(QuestionRow).where(
                QuestionRow.project_id == project_id(session, project, ResearchError)
            )
            if status is not None:
                query = query.where(QuestionRow.status == status)
            rows = session.scalars(query.order_by(QuestionRow.id.desc())).all()
            return [self._record(session, project, r) for r in rows]

    def propose_study(
        self,
        project: str,
        question_id: int,
        *,
        plan: dict[str, Any],
        quota: tuple[int, int],
        deadline: timedelta,
    ) -> StudyRecord:
        """A proposed study for the question (one per question: a second call returns
        the existing proposal rather than planning twice)."""
        lo, hi = quota
        if not 1 <= lo <= hi:
            raise ResearchError("a quota is 1 ≤ min ≤ max participants")
        with self._repo.session() as session:
            question = self._row(session, project, question_id)
            existing = session.scalar(
                select(StudyRow).where(StudyRow.question_id == question.id).limit(1)
            )
            if existing is not None:
                return _study(existing)
            row = StudyRow(
                question_id=question.id,
                plan=json.dumps(plan, sort_keys=True, default=str),
                quota_min=lo,
                quota_max=hi,
                status="proposed",
                deadline_at=_now() + deadline,
            )
            session.add(row)
            session.flush()
            return _study(row)

    def start_study(self, project: str, study_id: int) -> StudyRecord:
        with self._repo.session() as session:
            row = session.get(StudyRow, study_id)
            if row is None:
                raise ResearchError(f"no study {study_id}")
            self._row(session, project, row.question_id)  # the study is in this project
            if row.started_at is None:
                row.started_at = _now()
                row.status = "started"
            return _study(row)

    def mark_diagnosed(self, project: str, question_id: int) -> QuestionRecord:
        with self._repo.session() as session:
            row = self._row(session, project, question_id)
            if row.diagnosed_at is None:
                row.diagnosed_at = _now()
            row.status = "diagnosed"
            session.flush()
            return self._record(session, project, row)
