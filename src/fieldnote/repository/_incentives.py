"""Incentives per participant per study: promised → paid (or cancelled).

One row per (participant, study). Setting it again changes the amount while it is
only promised; paying or cancelling follows ``INCENTIVE_TRANSITIONS``. Callers audit
every change (the CLI and the API both do), so a payment can be traced to a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.repository._panel import PanelError, find_participant
from fieldnote.repository._research import QuestionRow, StudyRow
from fieldnote.research import (
    IncentiveError,
    check_currency,
    format_amount,
    next_incentive_status,
    parse_amount,
)

__all__ = ["IncentiveRecord", "IncentiveRow", "IncentiveStore"]


def _now() -> datetime:
    return datetime.now(UTC)


class IncentiveRow(Base):
    __tablename__ = "incentives"
    __table_args__ = (
        UniqueConstraint("participant_id", "study_id", name="uq_incentives_participant_study"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), nullable=False, index=True
    )
    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), nullable=False
    )
    amount_minor: Mapped[int] = mapped_column(BigInteger, nullable=False)
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="promised")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass(frozen=True, kw_only=True)
class IncentiveRecord:
    id: int
    participant_id: int
    study_id: int
    amount_minor: int
    currency: str
    status: str
    created_at: datetime
    updated_at: datetime

    @property
    def amount(self) -> str:
        return format_amount(self.amount_minor, self.currency)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "participant_id": self.participant_id,
            "study_id": self.study_id,
            "amount": self.amount,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "status": self.status,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def _record(row: IncentiveRow) -> IncentiveRecord:
    return IncentiveRecord(
        id=row.id,
        participant_id=row.participant_id,
        study_id=row.study_id,
        amount_minor=row.amount_minor,
        currency=row.currency,
        status=row.status,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


class IncentiveStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def set(
        self, project: str, participant: str | int, study_id: int, amount: str, currency: str
    ) -> IncentiveRecord:
        """Promise an incentive, or change a promised one's amount."""
        code = check_currency(currency)
        minor = parse_amount(amount, code)
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            person = find_participant(session, pid, participant)
            if person.erased_at is not None:
                raise PanelError(f"participant {person.id} was erased")
            study = session.get(StudyRow, study_id)
            owner = session.get(QuestionRow, study.question_id) if study else None
            if owner is None or owner.project_id != pid:
                raise PanelError(f"study: no study {study_id} in this project")
            row = session.scalars(
                select(IncentiveRow).where(
                    IncentiveRow.participant_id == person.id, IncentiveRow.study_id == study_id
                )
            ).first()
            if row is None:
                row = IncentiveRow(
                    project_id=pid,
                    participant_id=person.id,
                    study_id=study_id,
                    amount_minor=minor,
                    currency=code,
                )
                session.add(row)
            elif row.status != "promised":
                raise IncentiveError(f"the incentive is already {row.status}; it cannot change")
            else:
                row.amount_minor, row.currency, row.updated_at = minor, code, _now()
            session.flush()
            return _record(row)

    def act(self, project: str, incentive_id: int, action: str) -> IncentiveRecord:
        """pay / cancel, where the current status allows it."""
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            row = session.get(IncentiveRow, incentive_id, with_for_update=True)
            if row is None or row.project_id != pid:
                raise PanelError(f"no incentive {incentive_id} in this project")
            row.status = next_incentive_status(row.status, action)
            row.updated_at = _now()
            session.flush()
            return _record(row)

    def list(
        self,
        project: str,
        *,
        participant_id: int | None = None,
        study_id: int | None = None,
        status: str | None = None,
    ) -> list[IncentiveRecord]:
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            query = select(IncentiveRow).where(IncentiveRow.project_id == pid)
            if participant_id is not None:
                query = query.where(IncentiveRow.participant_id == participant_id)
            if study_id is not None:
                query = query.where(IncentiveRow.study_id == study_id)
            if status is not None:
                query = query.where(IncentiveRow.status == status)
            return [_record(r) for r in session.scalars(query.order_by(IncentiveRow.id))]
