"""The theme book's tables: books, their themes, and where each note went.

Kept apart from ``ThemeBook`` (the API over them) because many modules read these rows
directly (search, digests, erasure, job stories); ``_themebook`` re-exports them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._models import Base

__all__ = ["MAX_LABEL", "BookNoteRow", "BookThemeRow", "ThemeBookRow"]

MAX_LABEL = 200
"""The longest theme name."""


def _now() -> datetime:
    return datetime.now(UTC)


class ThemeBookRow(Base):
    __tablename__ = "theme_books"
    __table_args__ = (UniqueConstraint("project_id", "name", name="uq_theme_books_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class BookThemeRow(Base):
    __tablename__ = "theme_book_themes"
    __table_args__ = (UniqueConstraint("book_id", "theme", name="uq_theme_book_themes_theme"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("theme_books.id", ondelete="CASCADE"), nullable=False, index=True
    )
    theme: Mapped[str] = mapped_column(String(32), nullable=False)
    label: Mapped[str] = mapped_column(String(MAX_LABEL), nullable=False)
    renamed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    merged_into: Mapped[str | None] = mapped_column(String(32), nullable=True)
    """Set when merged away: the row stays so its id is never handed out again."""
    keyphrases: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    sentiment: Mapped[float | None] = mapped_column(Float, nullable=True)
    intensity: Mapped[float | None] = mapped_column(Float, nullable=True)
    kind: Mapped[str | None] = mapped_column(String(32), nullable=True)


class BookNoteRow(Base):
    __tablename__ = "theme_book_notes"
    __table_args__ = (UniqueConstraint("book_id", "note", name="uq_theme_book_notes_note"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("theme_books.id", ondelete="CASCADE"), nullable=False, index=True
    )
    note: Mapped[str] = mapped_column(String(200), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    participant: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str] = mapped_column(String(200), nullable=False)
    theme: Mapped[str | None] = mapped_column(String(32), nullable=True)
    pinned: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    tags: Mapped[str] = mapped_column(Text, nullable=False, default="[]")
    start_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
