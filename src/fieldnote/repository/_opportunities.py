"""Opportunities: backlog items scored by RICE, linked to the evidence behind them.

The repository keeps what the team entered (the theme of a theme book, the Question,
the saved segment whose size is the Reach, the Effort in person-months, the behaviour
check to validate the theme) and the *last computed* score with each component's value
and source sentence (``fieldnote.evidence.score_opportunity`` computes them; scoring
reads the event store, so it runs where the events are and the result is kept here).
Every link is checked when the item is saved: a typo in a theme id fails then, not
weeks later in a ranking. Names are unique within a project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import _now, aware, project_id
from fieldnote.repository._research import QuestionRow
from fieldnote.repository._segments import SavedSegment
from fieldnote.repository._themebook import BookThemeRow, ThemeBookRow

__all__ = ["OpportunityError", "OpportunityRecord", "OpportunityStore"]

MAX_NAME = 200


class OpportunityRow(Base):
    __tablename__ = "opportunities"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_opportunities_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    book: Mapped[str | None] = mapped_column(String(200), nullable=True)
    theme: Mapped[str | None] = mapped_column(String(32), nullable=True)
    question_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    segment: Mapped[str | None] = mapped_column(String(100), nullable=True)
    effort: Mapped[float] = mapped_column(Float, nullable=False)
    validation: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    components: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    scored_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class OpportunityError(ValueError):
    """An opportunity that cannot be saved, found or scored; the message says why."""


@dataclass(frozen=True, kw_only=True)
class OpportunityRecord:
    project: str
    name: str
    description: str
    book: str | None
    theme: str | None
    question_id: int | None
    segment: str | None
    """The saved segment whose size per quarter is the Reach."""
    effort: float
    """Person-months, entered by the team."""
    effort_by: str | None
    validation: dict[str, Any]
    """The behaviour check for Confidence: ``{"metric": …, "event": …, "from": …, "to": …}``."""
    score: float | None
    components: dict[str, Any]
    """``reach``/``impact``/``confidence``/``effort`` and their ``*_source`` sentences."""
    scored_at: datetime | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "name": self.name,
            "description": self.description,
            "book": self.book,
            "theme": self.theme,
            "question_id": self.question_id,
            "segment": self.segment,
            "effort": self.effort,
            "effort_by": self.effort_by,
            "validation": self.validation,
            "score": self.score,
            "components": self.components,
            "scored_at": self.scored_at.isoformat() if self.scored_at else None,
            "created_at": self.created_at.isoformat(),
        }


def _record(project: str, row: OpportunityRow) -> OpportunityRecord:
    return OpportunityRecord(
        project=project,
        name=row.name,
        description=row.description,
        book=row.book,
        theme=row.theme,
        question_id=row.question_id,
        segment=row.segment,
        effort=row.effort,
        effort_by=row.created_by,
        validation=json.loads(row.validation),
        score=row.score,
        components=json.loads(row.components),
        scored_at=aware(row.scored_at) if row.scored_at else None,
        created_at=aware(row.created_at),
    )


def _check_links(
    session: Session,
    pid: int,
    *,
    book: str | None,
    theme: str | None,
    question_id: int | None,
    segment: str | None,
) -> None:
    if (book is None) != (theme is None):
        raise OpportunityError("a theme is named with its book: give both book and theme")
    if book is not None:
        found = session.scalar(
            select(BookThemeRow.id)
            .join(ThemeBookRow, ThemeBookRow.id == BookThemeRow.book_id)
            .where(
                ThemeBookRow.project_id == pid,
                ThemeBookRow.name == book,
                BookThemeRow.theme == theme,
                BookThemeRow.merged_into.is_(None),
            )
        )
        if found is None:
            raise OpportunityError(f"theme book {book!r} has no theme {theme!r}")
    if question_id is not None:
        q = session.scalar(
            select(QuestionRow.id).where(
                QuestionRow.project_id == pid, QuestionRow.id == question_id
            )
        )
        if q is None:
            raise OpportunityError(f"no question {question_id} in this project")
    if segment is not None:
        s = session.scalar(
            select(SavedSegment.id).where(
                SavedSegment.project_id == pid, SavedSegment.name == segment
            )
        )
        if s is None:
            raise OpportunityError(f"no saved segment {segment!r} in this project")


class OpportunityStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(
        self,
        project: str,
        name: str,
        *,
        effort: float,
        description: str = "",
        book: str | None = None,
        theme: str | None = None,
        question_id: int | None = None,
        segment: str | None = None,
        validation: dict[str, Any] | None = None,
        created_by: str | None = None,
    ) -> OpportunityRecord:
        """Save a backlog item after checking every link (nothing written on error)."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise OpportunityError(f"an opportunity name has 1 to {MAX_NAME} characters")
        if not effort > 0:
            raise OpportunityError(
                f"effort must be a positive number of person-months, not {effort}"
            )
        try:
            with self._repo.session() as session:
                pid = project_id(session, project, OpportunityError)
                _check_links(
                    session, pid, book=book, theme=theme, question_id=question_id, segment=segment
                )
                row = OpportunityRow(
                    project_id=pid,
                    name=name,
                    description=description,
                    book=book,
                    theme=theme,
                    question_id=question_id,
                    segment=segment,
                    effort=float(effort),
                    validation=json.dumps(validation or {}, sort_keys=True),
                    components="{}",
                    created_by=created_by,
                )
                session.add(row)
                session.flush()
                return _record(project, row)
        except IntegrityError:
            raise OpportunityError(
                f"project {project!r} already has an opportunity {name!r}"
            ) from None

    def _row(self, session: Session, project: str, name: str) -> OpportunityRow:
        row = session.scalar(
            select(OpportunityRow).where(
                OpportunityRow.project_id == project_id(session, project, OpportunityError),
                OpportunityRow.name == name,
            )
        )
        if row is None:
            raise OpportunityError(f"project {project!r} has no opportunity {name!r}")
        return row

    def get(self, project: str, name: str) -> OpportunityRecord:
        with self._repo.session() as session:
            return _record(project, self._row(session, project, name))

    def list(self, project: str) -> list[OpportunityRecord]:
        """Ranked: highest score first, then unscored items by name."""
        with self._repo.session() as session:
            rows = session.scalars(
                select(OpportunityRow).where(
                    OpportunityRow.project_id == project_id(session, project, OpportunityError)
                )
            ).all()
            records = [_record(project, r) for r in rows]
        return sorted(records, key=lambda r: (r.score is None, -(r.score or 0.0), r.name))

    def save_score(
        self, project: str, name: str, score: float, components: dict[str, Any]
    ) -> OpportunityRecord:
        """Keep a computed score and its components (value + source each)."""
        with self._repo.session() as session:
            row = self._row(session, project, name)
            row.score = float(score)
            row.components = json.dumps(components, sort_keys=True)
            row.scored_at = _now()
            session.flush()
            return _record(project, row)

    def delete(self, project: str, name: str) -> None:
        with self._repo.session() as session:
            session.delete(self._row(session, project, name))
