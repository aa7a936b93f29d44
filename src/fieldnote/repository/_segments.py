"""Saved segments: named, re-runnable definitions of a set of persons, per project.

The repository keeps the definition as JSON text and knows nothing of its meaning
(``fieldnote.analytics.segments`` evaluates it); names are unique within a project.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base, Project

__all__ = ["SavedSegment", "SavedSegments", "SegmentError", "SegmentRecord"]

MAX_NAME = 100


def _now() -> datetime:
    return datetime.now(UTC)


class SavedSegment(Base):
    __tablename__ = "saved_segments"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_saved_segments_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False)
    definition: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class SegmentError(ValueError):
    """A segment that cannot be saved or found; the message says why."""


@dataclass(frozen=True, kw_only=True)
class SegmentRecord:
    project: str
    name: str
    definition: dict[str, Any]
    created_by: str | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "name": self.name,
            "definition": self.definition,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def _record(project: str, row: SavedSegment) -> SegmentRecord:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return SegmentRecord(
        project=project,
        name=row.name,
        definition=json.loads(row.definition),
        created_by=row.created_by,
        created_at=created,
    )


class SavedSegments:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def _project_id(self, session: Any, project: str) -> int:
        pid = session.scalar(select(Project.id).where(Project.name == project))
        if pid is None:
            raise SegmentError(f"no project named {project!r}")
        return int(pid)

    def create(
        self, project: str, name: str, definition: dict[str, Any], *, created_by: str | None
    ) -> SegmentRecord:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise SegmentError(f"a segment name has 1 to {MAX_NAME} characters")
        try:
            with self._repo.session() as session:
                row = SavedSegment(
                    project_id=self._project_id(session, project),
                    name=name,
                    definition=json.dumps(definition, sort_keys=True),
                    created_by=created_by,
                )
                session.add(row)
                session.flush()
                return _record(project, row)
        except IntegrityError:
            raise SegmentError(f"project {project!r} already has a segment {name!r}") from None

    def get(self, project: str, name: str) -> SegmentRecord:
        with self._repo.session() as session:
            row = session.scalar(
                select(SavedSegment).where(
                    SavedSegment.project_id == self._project_id(session, project),
                    SavedSegment.name == name,
                )
            )
            if row is None:
                raise SegmentError(f"project {project!r} has no segment {name!r}")
            return _record(project, row)

    def list(self, project: str) -> list[SegmentRecord]:
        with self._repo.session() as session:
            rows = session.scalars(
                select(SavedSegment)
                .where(SavedSegment.project_id == self._project_id(session, project))
                .order_by(SavedSegment.name)
            ).all()
            return [_record(project, r) for r in rows]

    def delete(self, project: str, name: str) -> None:
        with self._repo.session() as session:
            row = session.scalar(
                select(SavedSegment).where(
                    SavedSegment.project_id == self._project_id(session, project),
                    SavedSegment.name == name,
                )
            )
            if row is None:
                raise SegmentError(f"project {project!r} has no segment {name!r}")
            session.delete(row)
