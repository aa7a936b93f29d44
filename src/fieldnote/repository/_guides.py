"""Interview guides in the research repository, versioned: every save is a new version,
so a study can say which version its interviews followed."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.interviews.guides import Guide, GuideError
from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import project_id

__all__ = ["GuideRow", "GuideStore", "GuideVersion"]

MAX_NAME = 100


def _now() -> datetime:
    return datetime.now(UTC)


class GuideRow(Base):
    __tablename__ = "interview_guides"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "version", name="uq_interview_guides_version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    template: Mapped[str] = mapped_column(String(32), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class GuideVersion:
    """One stored version: the guide plus who saved it and when."""

    def __init__(self, guide: Guide, created_by: str | None, created_at: datetime) -> None:
        self.guide = guide
        self.created_by = created_by
        self.created_at = created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC)

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.guide.name,
            "version": self.guide.version,
            "template": self.guide.template,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
        }


def _version(row: GuideRow) -> GuideVersion:
    guide = replace(Guide.from_dict(json.loads(row.body)), version=row.version)
    return GuideVersion(guide, row.created_by, row.created_at)


class GuideStore:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def save(self, project: str, guide: Guide, *, created_by: str | None = None) -> Guide:
        """Store ``guide`` as the next version of its name; returns it with the version."""
        name = guide.name.strip()
        if not name or len(name) > MAX_NAME:
            raise GuideError(f"a guide name has 1 to {MAX_NAME} characters")
        try:
            with self._repo.session() as session:
                pid = project_id(session, project, GuideError)
                latest = session.scalar(
                    select(func.max(GuideRow.version)).where(
                        GuideRow.project_id == pid, GuideRow.name == name
                    )
                )
                saved = replace(guide, name=name, version=(latest or 0) + 1)
                body = saved.to_dict()
                session.add(
                    GuideRow(
                        project_id=pid,
                        name=name,
                        version=saved.version,
                        template=saved.template,
                        body=json.dumps(body, sort_keys=True),
                        created_by=created_by,
                    )
                )
                session.flush()
                return saved
        except IntegrityError:
            raise GuideError(
                f"guide {name!r} was saved by someone else at the same time; save again"
            ) from None

    def get(self, project: str, name: str, version: int | None = None) -> Guide:
        with self._repo.session() as session:
            query = select(GuideRow).where(
                GuideRow.project_id == project_id(session, project, GuideError),
                GuideRow.name == name,
            )
            if version is not None:
                query = query.where(GuideRow.version == version)
            row = session.scalar(query.order_by(GuideRow.version.desc()).limit(1))
            if row is None:
                which = f" version {version}" if version is not None else ""
                raise GuideError(f"project {project!r} has no guide {name!r}{which}")
            return _version(row).guide

    def versions(self, project: str, name: str) -> list[GuideVersion]:
        with self._repo.session() as session:
            rows = session.scalars(
                select(GuideRow)
                .where(
                    GuideRow.project_id == project_id(session, project, GuideError),
                    GuideRow.name == name,
                )
                .order_by(GuideRow.version)
            ).all()
            if not rows:
                raise GuideError(f"project {project!r} has no guide {name!r}")
            return [_version(r) for r in rows]

    def list(self, project: str) -> list[GuideVersion]:
        """The latest version of every guide, by name."""
        with self._repo.session() as session:
            pid = project_id(session, project, GuideError)
            latest = (
                select(GuideRow.name, func.max(GuideRow.version).label("v"))
                .where(GuideRow.project_id == pid)
                .group_by(GuideRow.name)
                .subquery()
            )
            rows = session.scalars(
                select(GuideRow)
                .join(latest, (GuideRow.name == latest.c.name) & (GuideRow.version == latest.c.v))
                .where(GuideRow.project_id == pid)
                .order_by(GuideRow.name)
            ).all()
            return [_version(r) for r in rows]
