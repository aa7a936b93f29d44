"""Delivery of a study's invitations by email and by link, in the repository.

A study is set up once with the interview its participants are sent to (guide,
moderator) and the offer they read (``study_delivery``). Each email or link
invitation has one ``invitation_deliveries`` row: the address, the SHA-256 of its
personal link token (the token itself is only ever in the email or the command's
output), when the link expires, was opened and used, and how each send went.

Every change a participant makes — consent with the start of their interview, a
decline, joining through the shareable link — is one transaction: both or neither.
Unknown, expired and foreign links are told apart only by the caller, from what this
module returns; nothing here reveals another person's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.repository._research import QuestionRow, StudyRow

__all__ = [
    "DeliveryError",
    "DeliveryRow",
    "StudyDeliveryRow",
    "StudySetup",
    "study_in",
]


def _now() -> datetime:
    return datetime.now(UTC)


class StudyDeliveryRow(Base):
    __tablename__ = "study_delivery"

    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    guide: Mapped[str] = mapped_column(String(100), nullable=False)
    guide_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    moderator: Mapped[str] = mapped_column(String(32), nullable=False)
    offer: Mapped[str] = mapped_column(Text, nullable=False)
    share_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    share_created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    share_closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    share_views: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class DeliveryRow(Base):
    __tablename__ = "invitation_deliveries"

    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    chat_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    """pending (no link yet) → link (issued, not emailed) | sent | failed."""
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class DeliveryError(ValueError):
    """An unknown study, a study not set up for delivery, or a change it does not allow."""


@dataclass(frozen=True, kw_only=True)
class StudySetup:
    project: str
    study_id: int
    guide: str
    guide_version: int | None
    moderator: str
    offer: dict[str, Any]
    share_open: bool
    share_created_at: datetime | None
    share_closed_at: datetime | None
    share_views: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "study_id": self.study_id,
            "guide": self.guide,
            "guide_version": self.guide_version,
            "moderator": self.moderator,
            "offer": self.offer,
            "share_link": {
                "open": self.share_open,
                "created_at": _iso(self.share_created_at),
                "closed_at": _iso(self.share_closed_at),
                "views": self.share_views,
            },
        }


def _iso(value: datetime | None) -> str | None:
    return aware(value).isoformat() if value is not None else None


def study_in(session: Session, project: str, study_id: int) -> int:
    """The project's id, after checking the study belongs to it (else DeliveryError)."""
    pid = project_id(session, project, DeliveryError)
    found = session.scalar(
        select(StudyRow.id)
        .join(QuestionRow, QuestionRow.id == StudyRow.question_id)
        .where(StudyRow.id == study_id, QuestionRow.project_id == pid)
    )
    if found is None:
        raise DeliveryError(f"study: no study {study_id} in project {project!r}")
    return pid


def setup_record(project: str, row: StudyDeliveryRow) -> StudySetup:
    return StudySetup(
        project=project,
        study_id=row.study_id,
        guide=row.guide,
        guide_version=row.guide_version,
        moderator=row.moderator,
        offer=json.loads(row.offer),
        share_open=row.share_token_hash is not None and row.share_closed_at is None,
        share_created_at=aware(row.share_created_at) if row.share_created_at else None,
        share_closed_at=aware(row.share_closed_at) if row.share_closed_at else None,
        share_views=row.share_views,
    )


def setup_row(session: Session, project: str, study_id: int) -> StudyDeliveryRow:
    study_in(session, project, study_id)
    row = session.get(StudyDeliveryRow, study_id)
    if row is None:
        raise DeliveryError(
            f"study {study_id}: not set up for delivery yet "
            "(`fieldnote studies setup STUDY --guide NAME --offer FILE`)"
        )
    return row


def save_setup(
    session: Session,
    project: str,
    study_id: int,
    *,
    guide: str,
    guide_version: int | None,
    moderator: str,
    offer: dict[str, Any],
) -> StudySetup:
    pid = study_in(session, project, study_id)
    row = session.get(StudyDeliveryRow, study_id)
    if row is None:
        row = StudyDeliveryRow(study_id=study_id, project_id=pid, share_views=0)
        session.add(row)
    row.guide, row.guide_version, row.moderator = guide, guide_version, moderator
    row.offer = json.dumps(offer)
    row.updated_at = _now()
    session.flush()
    return setup_record(project, row)


def set_share(
    session: Session, project: str, study_id: int, token_hash: str | None, *, now: datetime
) -> StudySetup:
    """Open a shareable link with this token hash (replacing any earlier one), or close
    it (``None``): a closed link's page says so, and it starts nobody."""
    row = setup_row(session, project, study_id)
    if token_hash is None:
        if row.share_token_hash is not None and row.share_closed_at is None:
            row.share_closed_at = now
    else:
        row.share_token_hash = token_hash
        row.share_created_at, row.share_closed_at = now, None
    row.updated_at = now
    session.flush()
    return setup_record(project, row)


def count_view(session: Session, study_id: int) -> None:
    session.execute(
        update(StudyDeliveryRow)
        .where(StudyDeliveryRow.study_id == study_id)
        .values(share_views=StudyDeliveryRow.share_views + 1)
    )
