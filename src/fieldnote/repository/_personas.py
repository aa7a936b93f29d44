"""Personas and study screeners: saved criteria (``fieldnote.research.Criteria``).

A persona is named per project and re-evaluated on every use, so "daily admins at
companies of 50+" follows the people as their behaviour changes. A study's screener
is one JSON document per study (criteria, personas, quotas, target).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.repository._panel import PanelError
from fieldnote.repository._research import QuestionRow, StudyRow
from fieldnote.research import Criteria, Screener

__all__ = ["PersonaRecord", "PersonaRow", "PersonaStore", "ScreenerRow", "StudyInfo"]


def _now() -> datetime:
    return datetime.now(UTC)


class PersonaRow(Base):
    __tablename__ = "personas"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_personas_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(100), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ScreenerRow(Base):
    __tablename__ = "study_screeners"

    study_id: Mapped[int] = mapped_column(
        ForeignKey("studies.id", ondelete="CASCADE"), primary_key=True
    )
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


@dataclass(frozen=True, kw_only=True)
class PersonaRecord:
    id: int
    name: str
    description: str
    criteria: Criteria
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "criteria": self.criteria.to_dict(),
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class StudyInfo:
    id: int
    quota_max: int
    status: str
    screener: Screener
    plan: dict[str, Any]


def _persona(row: PersonaRow) -> PersonaRecord:
    return PersonaRecord(
        id=row.id,
        name=row.name,
        description=row.description,
        criteria=Criteria.from_dict(json.loads(row.definition)),
        created_at=aware(row.created_at),
    )


class PersonaStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(
        self, project: str, name: str, criteria: Criteria, *, description: str = ""
    ) -> PersonaRecord:
        if not name.strip() or len(name) > 100:
            raise PanelError("name: 1 to 100 characters")
        if not criteria.where and not criteria.did:
            raise PanelError("criteria: a persona needs at least one --where or --did")
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            taken = session.scalar(
                select(PersonaRow.id).where(PersonaRow.project_id == pid, PersonaRow.name == name)
            )
            if taken is not None:
                raise PanelError(f"name: a persona named {name!r} already exists")
            row = PersonaRow(
                project_id=pid,
                name=name.strip(),
                description=description,
                definition=json.dumps(criteria.to_dict()),
            )
            session.add(row)
            session.flush()
            return _persona(row)

    def list(self, project: str) -> list[PersonaRecord]:
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            rows = session.scalars(
                select(PersonaRow).where(PersonaRow.project_id == pid).order_by(PersonaRow.name)
            ).all()
            return [_persona(r) for r in rows]

    def get(self, project: str, name: str) -> PersonaRecord:
        for p in self.list(project):
            if p.name == name or str(p.id) == name:
                return p
        raise PanelError(f"no persona {name!r} in this project")

    # -- study screeners -------------------------------------------------------------

    def study(self, project: str, study_id: int) -> StudyInfo:
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            row = session.get(StudyRow, study_id)
            owner = session.get(QuestionRow, row.question_id) if row is not None else None
            if row is None or owner is None or owner.project_id != pid:
                raise PanelError(f"no study {study_id} in this project")
            saved = session.get(ScreenerRow, study_id)
            screener = Screener.from_dict(json.loads(saved.definition)) if saved else Screener()
            return StudyInfo(
                id=row.id,
                quota_max=row.quota_max,
                status=row.status,
                screener=screener,
                plan=json.loads(row.plan or "{}"),
            )

    def set_screener(self, project: str, study_id: int, screener: Screener) -> StudyInfo:
        known = {p.name for p in self.list(project)}
        missing = [p for p in screener.personas if p not in known]
        if missing:
            raise PanelError(f"personas: no persona named {missing[0]!r} in this project")
        self.study(project, study_id)
        with self._repo.session() as session:
            row = session.get(ScreenerRow, study_id)
            text = json.dumps(screener.to_dict())
            if row is None:
                session.add(ScreenerRow(study_id=study_id, definition=text))
            else:
                row.definition, row.updated_at = text, _now()
        return self.study(project, study_id)
