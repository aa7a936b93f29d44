"""Intercept rules' and invitations' tables and the records read from them.

Kept apart from ``InvitationStore`` (the behaviour) so the contact-history reader and
the store share one definition of the rows without importing each other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware

__all__ = [
    "InterceptRuleRow",
    "InvitationError",
    "InvitationRecord",
    "InvitationRow",
    "RuleRecord",
    "invitation_record",
]


def _now() -> datetime:
    return datetime.now(UTC)


class InterceptRuleRow(Base):
    __tablename__ = "intercept_rules"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_intercept_rules_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class InvitationRow(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("intercept_rules.id", ondelete="SET NULL"), nullable=True
    )
    study_id: Mapped[int | None] = mapped_column(
        ForeignKey("studies.id", ondelete="SET NULL"), nullable=True
    )
    distinct_id: Mapped[str] = mapped_column(String(200), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    session_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="invited")
    offer: Mapped[str] = mapped_column(Text, nullable=False)
    answers: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class InvitationError(ValueError):
    """An unknown rule or invitation, or a change it does not allow."""


@dataclass(frozen=True, kw_only=True)
class RuleRecord:
    id: int
    project: str
    name: str
    definition: dict[str, Any]
    enabled: bool
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "name": self.name,
            "definition": self.definition,
            "enabled": self.enabled,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class InvitationRecord:
    id: int
    project: str
    rule_id: int | None
    study_id: int | None
    distinct_id: str
    channel: str
    session_id: str | None
    status: str
    offer: dict[str, Any]
    answers: list[str] | None
    created_at: datetime
    updated_at: datetime

    @property
    def survey_id(self) -> str:
        """The ``$survey_id`` its widget events carry (PostHog's property name)."""
        if self.study_id is not None:
            return f"study-{self.study_id}"
        return f"rule-{self.rule_id}" if self.rule_id is not None else f"invitation-{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "rule_id": self.rule_id,
            "study_id": self.study_id,
            "survey_id": self.survey_id,
            "distinct_id": self.distinct_id,
            "channel": self.channel,
            "status": self.status,
            "offer": self.offer,
            "answers": self.answers,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


def invitation_record(project: str, row: InvitationRow) -> InvitationRecord:
    return InvitationRecord(
        id=row.id,
        project=project,
        rule_id=row.rule_id,
        study_id=row.study_id,
        distinct_id=row.distinct_id,
        channel=row.channel,
        session_id=row.session_id,
        status=row.status,
        offer=json.loads(row.offer),
        answers=json.loads(row.answers) if row.answers else None,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )
