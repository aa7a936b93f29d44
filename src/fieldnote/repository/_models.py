"""SQLAlchemy models: the nouns of DESIGN.md, added as the issues need them."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "Project"]


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Project(Base):
    """One studied product. Owns its keys; its events live in the event store."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The write key is public (embedded in apps), so it is stored as is and indexed.
    write_key: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    # The secret key reads data: only its SHA-256 is kept; it is shown once.
    secret_key_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
