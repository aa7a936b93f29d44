"""Releases: what shipped when, and which rate it was meant to move.

A release names its affected metric (a rate metric of ``fieldnote.analytics.explain``
with its options, e.g. the funnel steps) and the dimensions to check for mix, so the
before/after verdict can be recomputed at any time from the events; the repository
stores the definition only and knows nothing of its meaning. Names are unique within
a project.
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
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import project_id

__all__ = ["ReleaseError", "ReleaseRecord", "ReleaseRow", "ReleaseStore"]

MAX_NAME = 100


def _now() -> datetime:
    return datetime.now(UTC)


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class ReleaseRow(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_releases_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False)
    released_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    metric: Mapped[str] = mapped_column(String(50), nullable=False)
    options: Mapped[str] = mapped_column(Text, nullable=False, default="{}")
    dimensions: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    window: Mapped[str] = mapped_column(String(20), nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ReleaseError(ValueError):
    """A release that cannot be saved or found; the message says why."""


@dataclass(frozen=True, kw_only=True)
class ReleaseRecord:
    project: str
    name: str
    released_at: datetime
    description: str
    metric: str
    options: dict[str, Any]
    """The metric's options (``start``/``target``/``within`` or ``steps``/``window``)."""
    dimensions: tuple[str, ...]
    window: str
    """How long before and after the release to compare (``14d``)."""
    created_by: str | None
    created_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "name": self.name,
            "released_at": self.released_at.isoformat(),
            "description": self.description,
            "metric": self.metric,
            "options": self.options,
            "dimensions": list(self.dimensions),
            "window": self.window,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def _record(project: str, row: ReleaseRow) -> ReleaseRecord:
    return ReleaseRecord(
        project=project,
        name=row.name,
        released_at=_utc(row.released_at),
        description=row.description,
        metric=row.metric,
        options=json.loads(row.options),
        dimensions=tuple(json.loads(row.dimensions)),
        window=row.window,
        created_by=row.created_by,
        created_at=_utc(row.created_at),
    )


class ReleaseStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(
        self,
        project: str,
        name: str,
        *,
        released_at: datetime,
        description: str,
        metric: str,
        options: dict[str, Any],
        dimensions: tuple[str, ...],
        window: str,
        created_by: str | None,
    ) -> ReleaseRecord:
        """Save a release (validate the metric, dimensions and window before calling)."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise ReleaseError(f"a release name has 1 to {MAX_NAME} characters")
        if released_at.tzinfo is None:
            raise ReleaseError("the release time needs a time zone (UTC)")
        try:
            with self._repo.session() as session:
                row = ReleaseRow(
                    project_id=project_id(session, project, ReleaseError),
                    name=name,
                    released_at=released_at,
                    description=description,
                    metric=metric,
                    options=json.dumps(options, sort_keys=True),
                    dimensions=json.dumps(list(dimensions)),
                    window=window,
                    created_by=created_by,
                )
                session.add(row)
                session.flush()
                return _record(project, row)
        except IntegrityError:
            raise ReleaseError(f"project {project!r} already has a release {name!r}") from None

    def get(self, project: str, name: str) -> ReleaseRecord:
        with self._repo.session() as session:
            row = session.scalar(
                select(ReleaseRow).where(
                    ReleaseRow.project_id == project_id(session, project, ReleaseError),
                    ReleaseRow.name == name,
                )
            )
            if row is None:
                raise ReleaseError(f"project {project!r} has no release {name!r}")
            return _record(project, row)

    def list(self, project: str) -> list[ReleaseRecord]:
        """Newest release first."""
        with self._repo.session() as session:
            rows = session.scalars(
                select(ReleaseRow)
                .where(ReleaseRow.project_id == project_id(session, project, ReleaseError))
                .order_by(ReleaseRow.released_at.desc(), ReleaseRow.name)
            ).all()
            return [_record(project, r) for r in rows]
