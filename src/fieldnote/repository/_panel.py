"""The participant panel in the research repository: participants and personas.

Participants come from two doors — imported customer lists (keyed by email, so a
re-import updates instead of duplicating) and identified persons in the events (keyed
by distinct_id). When both doors name the same person (same email, or an imported row
naming the distinct_id), they are one participant. An import is one transaction:
every row lands, or none does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import aware, project_id
from fieldnote.research import PanelImportError, PanelRow, RowProblem

__all__ = [
    "ImportSummary",
    "PanelError",
    "ParticipantRecord",
    "ParticipantRow",
    "ParticipantStore",
    "PersonContact",
    "participant_in",
]

_PERSONAL = ("email", "name", "company", "role", "company_size", "phone")


def _now() -> datetime:
    return datetime.now(UTC)


class ParticipantRow(Base):
    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("project_id", "email", name="uq_participants_email"),
        UniqueConstraint("project_id", "distinct_id", name="uq_participants_distinct_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    company: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role: Mapped[str | None] = mapped_column(String(200), nullable=True)
    company_size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    custom: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    distinct_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    from_events: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    pseudonym: Mapped[str | None] = mapped_column(String(64), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class PanelError(ValueError):
    """An unknown participant or persona, or a change that is not allowed."""


@dataclass(frozen=True, kw_only=True)
class ParticipantRecord:
    id: int
    project: str
    email: str | None
    name: str | None
    company: str | None
    role: str | None
    company_size: int | None
    phone: str | None
    custom: dict[str, str]
    distinct_id: str | None
    customer: bool
    from_events: bool
    pseudonym: str | None
    erased_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @property
    def person_key(self) -> str:
        """The key invitations and consent records use: distinct_id, else the email."""
        return self.distinct_id or self.email or f"participant-{self.id}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "project": self.project,
            "email": self.email,
            "name": self.name,
            "company": self.company,
            "role": self.role,
            "company_size": self.company_size,
            "phone": self.phone,
            "custom": self.custom,
            "distinct_id": self.distinct_id,
            "customer": self.customer,
            "from_events": self.from_events,
            "erased": self.erased_at is not None,
            "erased_at": self.erased_at.isoformat() if self.erased_at else None,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True, kw_only=True)
class ImportSummary:
    rows: int
    created: int
    updated: int
    unchanged: int

    def to_dict(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


@dataclass(frozen=True, kw_only=True)
class PersonContact:
    """An identified person in the events: their distinct_id and what they told us."""

    distinct_id: str
    email: str | None
    name: str | None


def participant_in(project: str, row: ParticipantRow) -> ParticipantRecord:
    return ParticipantRecord(
        id=row.id,
        project=project,
        email=row.email,
        name=row.name,
        company=row.company,
        role=row.role,
        company_size=row.company_size,
        phone=row.phone,
        custom=json.loads(row.custom or "{}"),
        distinct_id=row.distinct_id,
        customer=row.customer,
        from_events=row.from_events,
        pseudonym=row.pseudonym,
        erased_at=aware(row.erased_at) if row.erased_at else None,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def _apply(row: ParticipantRow, data: PanelRow) -> bool:
    """Copy the imported values onto the row; True when anything changed."""
    changed = False
    values: dict[str, Any] = {f: getattr(data, f) for f in _PERSONAL}
    values["customer"] = data.customer
    if data.distinct_id is not None:
        values["distinct_id"] = data.distinct_id
    custom = {**json.loads(row.custom or "{}"), **data.custom}
    for key, value in values.items():
        if value is not None and getattr(row, key) != value:
            setattr(row, key, value)
            changed = True
    text = json.dumps(custom, sort_keys=True)
    if text != (row.custom or "{}"):
        row.custom = text
        changed = True
    return changed


class _Known:
    """The project's participants by email and by distinct_id: an import matches its
    rows in memory (two indexed lookups per row were most of a 10k-row import)."""

    def __init__(self, rows: Sequence[ParticipantRow]) -> None:
        self.by_email: dict[str, ParticipantRow] = {}
        self.by_id: dict[str, ParticipantRow] = {}
        for r in rows:
            self.add(r)

    def add(self, row: ParticipantRow) -> None:
        if row.email:
            self.by_email[row.email] = row
        if row.distinct_id:
            self.by_id[row.distinct_id] = row

    def match(self, data: PanelRow) -> ParticipantRow | None:
        by_email = self.by_email.get(data.email)
        by_id = self.by_id.get(data.distinct_id) if data.distinct_id else None
        if by_email is not None and by_id is not None and by_email is not by_id:
            raise PanelImportError(
                [
                    RowProblem(
                        data.line,
                        "distinct_id",
                        f"{data.distinct_id!r} belongs to participant {by_id.id}, "
                        f"the email to participant {by_email.id}",
                    )
                ]
            )
        row = by_email or by_id
        if row is not None and row.erased_at is not None:
            raise PanelImportError(
                [RowProblem(data.line, "email", f"participant {row.id} was erased")]
            )
        if row is not None and row.email and row.email != data.email:
            raise PanelImportError(
                [
                    RowProblem(
                        data.line,
                        "distinct_id",
                        f"{data.distinct_id!r} belongs to participant {row.id} with another email",
                    )
                ]
            )
        return row


class ParticipantStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def import_rows(self, project: str, rows: Sequence[PanelRow]) -> ImportSummary:
        """Upsert by email (then by distinct_id), all rows in one transaction."""
        created = updated = 0
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            known = _Known(
                session.scalars(
                    select(ParticipantRow).where(ParticipantRow.project_id == pid)
                ).all()
            )
            for data in rows:
                row = known.match(data)
                if row is None:
                    row = ParticipantRow(
                        project_id=pid,
                        **{f: getattr(data, f) for f in _PERSONAL},
                        distinct_id=data.distinct_id,
                        customer=data.customer,
                        custom=json.dumps(data.custom, sort_keys=True),
                    )
                    session.add(row)
                    created += 1
                elif _apply(row, data):
                    row.updated_at = _now()
                    updated += 1
                known.add(row)
            session.flush()
        return ImportSummary(
            rows=len(rows),
            created=created,
            updated=updated,
            unchanged=len(rows) - created - updated,
        )

    def sync_persons(self, project: str, persons: Sequence[PersonContact]) -> ImportSummary:
        """Add identified persons from the events (user side); one transaction."""
        created = updated = 0
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            for p in persons:
                clauses = [ParticipantRow.distinct_id == p.distinct_id]
                if p.email:
                    clauses.append(ParticipantRow.email == p.email)
                row = session.scalars(
                    select(ParticipantRow)
                    .where(ParticipantRow.project_id == pid, or_(*clauses))
                    .order_by(ParticipantRow.id)
                ).first()
                if row is None:
                    session.add(
                        ParticipantRow(
                            project_id=pid,
                            email=p.email,
                            name=p.name,
                            distinct_id=p.distinct_id,
                            from_events=True,
                        )
                    )
                    created += 1
                elif row.erased_at is None and not row.from_events:
                    row.from_events = True
                    row.distinct_id = row.distinct_id or p.distinct_id
                    row.name = row.name or p.name
                    row.updated_at = _now()
                    updated += 1
                session.flush()
        return ImportSummary(
            rows=len(persons),
            created=created,
            updated=updated,
            unchanged=len(persons) - created - updated,
        )

    def list(self, project: str, *, include_erased: bool = False) -> list[ParticipantRecord]:
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            query = select(ParticipantRow).where(ParticipantRow.project_id == pid)
            if not include_erased:
                query = query.where(ParticipantRow.erased_at.is_(None))
            rows = session.scalars(query.order_by(ParticipantRow.id)).all()
            return [participant_in(project, r) for r in rows]

    def get(self, project: str, key: str | int) -> ParticipantRecord:
        """By id, email or distinct_id."""
        with self._repo.session() as session:
            pid = project_id(session, project, PanelError)
            return participant_in(project, find_participant(session, pid, key))


def find_participant(session: Session, pid: int, key: str | int) -> ParticipantRow:
    text = str(key).strip()
    clauses = [ParticipantRow.email == text.lower(), ParticipantRow.distinct_id == text]
    if text.isdigit():
        clauses.append(ParticipantRow.id == int(text))
    row = session.scalars(
        select(ParticipantRow)
        .where(ParticipantRow.project_id == pid, or_(*clauses))
        .order_by(ParticipantRow.id)
    ).first()
    if row is None:
        raise PanelError(f"no participant {text!r} in this project")
    return row
