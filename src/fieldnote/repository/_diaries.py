"""Diary studies in the research repository: definitions, enrolments, and one row per
scheduled prompt (``diary_entries``).

Enrolment records the participant's consent through the same consent records as
intercepts and interviews (``grant_in``, in the same transaction), and expands the
schedule into its prompts at once: sending is then a query for due rows, and a row
can only be claimed once, which is what makes sending idempotent. Entries and the
transcript they feed are in ``_diary_entries``.
"""

from __future__ import annotations

import builtins
from datetime import UTC, datetime

import orjson
from sqlalchemy import (
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    insert,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.interviews.diaries import DiaryDefinition, DiaryError, diary_interview_id, zone
from fieldnote.repository._consent import ConsentRecordRow, grant_in, withdrawn_at
from fieldnote.repository._db import Repository
from fieldnote.repository._diary_records import (
    STATES,
    DiaryRecord,
    Enrolment,
    EntryState,
    ParticipantProgress,
    entry_state,
)
from fieldnote.repository._invitations import InvitationRow  # noqa: F401 (consent FK target)
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.repository._research import QuestionRow, StudyRow
from fieldnote.research import ConsentError

__all__ = [
    "DiaryEnrolmentRow",
    "DiaryEntryRow",
    "DiaryRecord",
    "DiaryRow",
    "DiaryStore",
    "Enrolment",
    "EntryState",
    "ParticipantProgress",
    "entry_state",
]

MAX_EMAIL = 320


def _now() -> datetime:
    return datetime.now(UTC)


class DiaryRow(Base):
    __tablename__ = "diaries"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_diaries_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), nullable=True
    )
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DiaryEnrolmentRow(Base):
    __tablename__ = "diary_enrolments"
    __table_args__ = (
        UniqueConstraint("diary_id", "distinct_id", name="uq_diary_enrolments_person"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    diary_id: Mapped[int] = mapped_column(
        ForeignKey("diaries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    distinct_id: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL), nullable=False)
    timezone: Mapped[str] = mapped_column(String(64), nullable=False)
    consent_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_records.id", ondelete="SET NULL"), nullable=True
    )
    interview_id: Mapped[str] = mapped_column(String(32), nullable=False)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DiaryEntryRow(Base):
    __tablename__ = "diary_entries"
    __table_args__ = (UniqueConstraint("enrolment_id", "seq", name="uq_diary_entries_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("diary_enrolments.id", ondelete="CASCADE"), nullable=False, index=True
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    prompt: Mapped[str] = mapped_column(Text, nullable=False)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    skipped: Mapped[str | None] = mapped_column(String(32), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    text: Mapped[str | None] = mapped_column(Text, nullable=True)


def _diary(project: str, row: DiaryRow) -> DiaryRecord:
    return DiaryRecord(
        id=row.id,
        project=project,
        name=row.name,
        study_id=row.study_id,
        definition=DiaryDefinition.from_dict(orjson.loads(row.definition)),
        created_by=row.created_by,
        created_at=aware(row.created_at),
    )


def _check_email(email: str) -> str:
    email = email.strip()
    local, _, domain = email.partition("@")
    if (
        not local
        or "." not in domain
        or len(email) > MAX_EMAIL
        or any(c in email for c in " \r\n,<>")
    ):
        raise DiaryError(f"email: {email!r} is not an email address")
    return email


class DiaryStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    @staticmethod
    def _row(session: Session, pid: int, name: str) -> DiaryRow:
        row = session.scalar(
            select(DiaryRow).where(DiaryRow.project_id == pid, DiaryRow.name == name)
        )
        if row is None:
            raise DiaryError(f"this project has no diary named {name!r}")
        return row

    def create(
        self,
        project: str,
        name: str,
        definition: DiaryDefinition,
        *,
        study_id: int | None = None,
        created_by: str | None = None,
    ) -> DiaryRecord:
        name = name.strip()
        if not name or len(name) > 100:
            raise DiaryError("name: expected 1-100 characters")
        with self._repo.session() as session:
            pid = project_id(session, project, DiaryError)
            if study_id is not None and (
                session.scalar(
                    select(StudyRow.id)
                    .join(QuestionRow, QuestionRow.id == StudyRow.question_id)
                    .where(StudyRow.id == study_id, QuestionRow.project_id == pid)
                )
                is None
            ):
                raise DiaryError(f"study: this project has no study {study_id}")
            if session.scalar(
                select(DiaryRow.id).where(DiaryRow.project_id == pid, DiaryRow.name == name)
            ):
                raise DiaryError(f"name: this project already has a diary named {name!r}")
            row = DiaryRow(
                project_id=pid,
                name=name,
                study_id=study_id,
                definition=orjson.dumps(definition.to_dict()).decode(),
                created_by=created_by,
            )
            session.add(row)
            session.flush()
            return _diary(project, row)

    def get(self, project: str, name: str) -> DiaryRecord:
        with self._repo.session() as session:
            return _diary(
                project, self._row(session, project_id(session, project, DiaryError), name)
            )

    def list(self, project: str) -> list[DiaryRecord]:
        with self._repo.session() as session:
            pid = project_id(session, project, DiaryError)
            rows = session.scalars(
                select(DiaryRow).where(DiaryRow.project_id == pid).order_by(DiaryRow.id)
            ).all()
            return [_diary(project, r) for r in rows]

    def enrol(
        self,
        project: str,
        diary: str,
        distinct_id: str,
        *,
        email: str,
        timezone: str,
        consent_text_id: int,
        parts: dict[str, bool],
        name: str | None = None,
        now: datetime | None = None,
    ) -> Enrolment:
        """Record consent and schedule every prompt, in one transaction (all or none).

        Diary prompts are contact by email, so consent must include ``contact`` as well
        as ``data_use``."""
        now = now or _now()
        distinct_id = distinct_id.strip()
        if not distinct_id or len(distinct_id) > 200:
            raise DiaryError("participant: expected a distinct id of 1-200 characters")
        email = _check_email(email)
        tz = zone(timezone)
        if not parts.get("contact"):
            raise DiaryError("consent: diary prompts come by email, so contact must be agreed to")
        with self._repo.session() as session:
            pid = project_id(session, project, DiaryError)
            row = self._row(session, pid, diary)
            definition = DiaryDefinition.from_dict(orjson.loads(row.definition))
            if session.scalar(
                select(DiaryEnrolmentRow.id).where(
                    DiaryEnrolmentRow.diary_id == row.id,
                    DiaryEnrolmentRow.distinct_id == distinct_id,
                )
            ):
                raise DiaryError(f"participant: {distinct_id!r} is already enrolled in {diary!r}")
            try:
                record = grant_in(session, pid, distinct_id, consent_text_id, parts, None)
            except ConsentError as exc:
                raise DiaryError(f"consent: {exc}") from exc
            consent_id = session.scalar(  # the record grant_in just flushed
                select(func.max(ConsentRecordRow.id)).where(
                    ConsentRecordRow.project_id == pid,
                    ConsentRecordRow.distinct_id == distinct_id,
                )
            )
            enrolment = DiaryEnrolmentRow(
                diary_id=row.id,
                distinct_id=distinct_id,
                name=(name or "").strip()[:200] or None,
                email=email,
                timezone=timezone,
                consent_record_id=consent_id,
                interview_id=diary_interview_id(project, row.id, distinct_id),
                enrolled_at=now,
            )
            session.add(enrolment)
            try:
                session.flush()
            except IntegrityError as exc:  # a simultaneous enrolment of the same person
                raise DiaryError(f"participant: {distinct_id!r} is already enrolled") from exc
            occurrences = definition.occurrences(now, tz)
            session.execute(
                insert(DiaryEntryRow),
                [
                    {
                        "enrolment_id": enrolment.id,
                        "seq": o.seq,
                        "prompt": o.prompt,
                        "due_at": o.due_at,
                        "attempts": 0,
                    }
                    for o in occurrences
                ],
            )
            return Enrolment(
                diary=row.name,
                distinct_id=distinct_id,
                email=email,
                timezone=timezone,
                interview_id=enrolment.interview_id,
                enrolled_at=now,
                consent_version=record.version,
                prompts=[o.due_at for o in occurrences],
            )

    def progress(
        self, project: str, diary: str, *, now: datetime | None = None
    ) -> builtins.list[ParticipantProgress]:
        """Per participant: how many prompts are upcoming, sent, answered, missed..."""
        now = now or _now()
        with self._repo.session() as session:
            pid = project_id(session, project, DiaryError)
            row = self._row(session, pid, diary)
            window = DiaryDefinition.from_dict(orjson.loads(row.definition)).answer_within_hours
            enrolments = session.scalars(
                select(DiaryEnrolmentRow)
                .where(DiaryEnrolmentRow.diary_id == row.id)
                .order_by(DiaryEnrolmentRow.id)
            ).all()
            out = []
            for e in enrolments:
                entries = session.scalars(
                    select(DiaryEntryRow)
                    .where(DiaryEntryRow.enrolment_id == e.id)
                    .order_by(DiaryEntryRow.seq)
                ).all()
                states = [(x, entry_state(x, now, window)) for x in entries]
                counts = {s: 0 for s in STATES}
                for _, s in states:
                    counts[s] += 1
                withdrawn = withdrawn_at(session, pid, e.distinct_id)
                upcoming = [aware(x.due_at) for x, s in states if s in {"upcoming", "due"}]
                out.append(
                    ParticipantProgress(
                        distinct_id=e.distinct_id,
                        email=e.email,
                        timezone=e.timezone,
                        enrolled_at=aware(e.enrolled_at),
                        withdrawn_at=withdrawn,
                        interview_id=e.interview_id,
                        counts=counts,
                        next_due=None if withdrawn or not upcoming else upcoming[0],
                        missed=[x.seq for x, s in states if s == "missed"],
                    )
                )
            return out
