"""Consent texts (versioned per study, or project-wide) and consent records.

A record names the text version the person saw, which parts they agreed to, and
when. Withdrawal is a record too: from its time on, the person gets no invitation,
no widget, no further contact (``withdrawn_at``) — the invitation store checks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.research import ConsentError, ConsentText

__all__ = [
    "ConsentRecord",
    "ConsentRecordRow",
    "ConsentStore",
    "ConsentTextRow",
    "ConsentVersion",
    "grant_in",
    "withdrawn_at",
]


def _now() -> datetime:
    return datetime.now(UTC)


class ConsentTextRow(Base):
    __tablename__ = "consent_texts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    recording: Mapped[str] = mapped_column(Text, nullable=False)
    data_use: Mapped[str] = mapped_column(Text, nullable=False)
    contact: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ConsentRecordRow(Base):
    __tablename__ = "consent_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    distinct_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    text_id: Mapped[int | None] = mapped_column(
        ForeignKey("consent_texts.id", ondelete="RESTRICT"), nullable=True
    )
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), nullable=True
    )
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # granted | withdrawn
    recording: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    data_use: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    contact: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass(frozen=True, kw_only=True)
class ConsentVersion:
    id: int
    study_id: int | None
    version: int
    text: ConsentText
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "study_id": self.study_id,
            "version": self.version,
            "text": self.text.to_dict(),
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class ConsentRecord:
    distinct_id: str
    action: str
    text_id: int | None
    version: int | None
    invitation_id: int | None
    recording: bool
    data_use: bool
    contact: bool
    at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "distinct_id": self.distinct_id,
            "action": self.action,
            "text_id": self.text_id,
            "version": self.version,
            "invitation_id": self.invitation_id,
            "parts": {
                "recording": self.recording,
                "data_use": self.data_use,
                "contact": self.contact,
            },
            "at": self.at.isoformat(),
        }


def withdrawn_at(session: Session, pid: int, person: str) -> datetime | None:
    when = session.scalar(
        select(func.max(ConsentRecordRow.at)).where(
            ConsentRecordRow.project_id == pid,
            ConsentRecordRow.distinct_id == person,
            ConsentRecordRow.action == "withdrawn",
        )
    )
    return aware(when) if when is not None else None


def grant_in(
    session: Session,
    pid: int,
    person: str,
    text_id: int,
    parts: dict[str, bool],
    invitation_id: int | None,
) -> ConsentRecord:
    """Record consent inside the caller's transaction (with an invitation's change)."""
    text = session.get(ConsentTextRow, text_id)
    if text is None or text.project_id != pid:
        raise ConsentError(f"consent_text_id: no consent text {text_id} in this project")
    if withdrawn_at(session, pid, person) is not None:
        raise ConsentError("this person withdrew consent; nothing more is recorded")
    if not parts.get("data_use"):
        raise ConsentError("parts.data_use: taking part needs consent to the data use")
    row = ConsentRecordRow(
        project_id=pid,
        distinct_id=person,
        text_id=text_id,
        invitation_id=invitation_id,
        action="granted",
        recording=bool(parts.get("recording")),
        data_use=True,
        contact=bool(parts.get("contact")),
    )
    session.add(row)
    session.flush()
    return _record(row, text.version)


def _version(row: ConsentTextRow) -> ConsentVersion:
    return ConsentVersion(
        id=row.id,
        study_id=row.study_id,
        version=row.version,
        text=ConsentText(recording=row.recording, data_use=row.data_use, contact=row.contact),
        created_at=aware(row.created_at),
    )


class ConsentStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def publish(
        self, project: str, text: ConsentText, *, study_id: int | None = None
    ) -> ConsentVersion:
        """A new version of the study's (or the project's) consent text."""
        with self._repo.session() as session:
            pid = project_id(session, project, ConsentError)
            last = session.scalar(
                select(func.max(ConsentTextRow.version)).where(
                    ConsentTextRow.project_id == pid, _scope(study_id)
                )
            )
            row = ConsentTextRow(
                project_id=pid,
                study_id=study_id,
                version=int(last or 0) + 1,
                **text.to_dict(),
            )
            session.add(row)
            session.flush()
            return _version(row)

    def current(self, project: str, *, study_id: int | None = None) -> ConsentVersion | None:
        """The study's latest text, else the project's."""
        with self._repo.session() as session:
            pid = project_id(session, project, ConsentError)
            for scope in [study_id, None] if study_id is not None else [None]:
                row = session.scalars(
                    select(ConsentTextRow)
                    .where(ConsentTextRow.project_id == pid, _scope(scope))
                    .order_by(ConsentTextRow.version.desc())
                    .limit(1)
                ).first()
                if row is not None:
                    return _version(row)
            return None

    def grant(
        self,
        project: str,
        person: str,
        text_id: int,
        *,
        parts: dict[str, bool],
        invitation_id: int | None = None,
    ) -> ConsentRecord:
        with self._repo.session() as session:
            pid = project_id(session, project, ConsentError)
            return grant_in(session, pid, person, text_id, parts, invitation_id)

    def withdraw(self, project: str, person: str) -> ConsentRecord:
        """Stop everything for this person from now on; open invitations are closed."""
        from fieldnote.repository._invitations import InvitationRow

        with self._repo.session() as session:
            pid = project_id(session, project, ConsentError)
            row = ConsentRecordRow(project_id=pid, distinct_id=person, action="withdrawn")
            session.add(row)
            session.execute(
                update(InvitationRow)
                .where(
                    InvitationRow.project_id == pid,
                    InvitationRow.distinct_id == person,
                    InvitationRow.status.in_(("invited", "seen", "accepted", "consented")),
                )
                .values(status="withdrawn", updated_at=_now())
            )
            session.flush()
            return _record(row, None)

    def records(self, project: str, person: str) -> list[ConsentRecord]:
        with self._repo.session() as session:
            pid = project_id(session, project, ConsentError)
            rows = session.execute(
                select(ConsentRecordRow, ConsentTextRow.version)
                .outerjoin(ConsentTextRow, ConsentTextRow.id == ConsentRecordRow.text_id)
                .where(ConsentRecordRow.project_id == pid, ConsentRecordRow.distinct_id == person)
                .order_by(ConsentRecordRow.id)
            ).all()
            return [_record(r, v) for r, v in rows]


def _scope(study_id: int | None) -> Any:
    if study_id is None:
        return ConsentTextRow.study_id.is_(None)
    return ConsentTextRow.study_id == study_id


def _record(row: ConsentRecordRow, version: int | None) -> ConsentRecord:
    return ConsentRecord(
        distinct_id=row.distinct_id,
        action=row.action,
        text_id=row.text_id,
        version=version,
        invitation_id=row.invitation_id,
        recording=row.recording,
        data_use=row.data_use,
        contact=row.contact,
        at=aware(row.at),
    )
