"""Participant attributes of a theme book (platform, persona, tier ...), for themes per
segment. They belong to the book, not to a global person record, because a book's
participants are whatever names its sources used (an interview's participant, a CSV's
id column, a QDPX case): the researcher attaches what they know about those people.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base
from fieldnote.repository._monitors import project_id
from fieldnote.repository._themebook import ThemeBook, ThemeBookError, ThemeBookRow

if TYPE_CHECKING:  # fieldnote.synthesis loads scikit-learn: annotations only
    from fieldnote.synthesis import ThemeTrend

__all__ = ["BookPeople", "book_names", "book_trend"]

MAX_ATTRIBUTE = 200


class BookPersonRow(Base):
    __tablename__ = "theme_book_people"
    __table_args__ = (
        UniqueConstraint("book_id", "participant", name="uq_theme_book_people_participant"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    book_id: Mapped[int] = mapped_column(
        ForeignKey("theme_books.id", ondelete="CASCADE"), nullable=False, index=True
    )
    participant: Mapped[str] = mapped_column(String(200), nullable=False)
    attributes: Mapped[str] = mapped_column(Text, nullable=False, default="{}")


class BookPeople:
    """Attributes per participant of one book; ``set`` merges into what is there."""

    def __init__(self, book: ThemeBook) -> None:
        self._book = book

    def set(self, people: Mapping[str, Mapping[str, str]]) -> int:
        """Store attributes (all or nothing); returns how many participants were touched."""
        for person, attrs in people.items():
            if not person.strip() or len(person) > 200:
                raise ThemeBookError(f"participant {person[:40]!r}: needs 1 to 200 characters")
            for key, value in attrs.items():
                if not key.strip() or len(key) > 100 or len(value) > MAX_ATTRIBUTE:
                    raise ThemeBookError(
                        f"participant {person!r}, attribute {key[:40]!r}: names need 1 to 100 "
                        f"characters and values at most {MAX_ATTRIBUTE}"
                    )
        with self._book.repository.session() as s:
            book = self._book.book_id(s)
            rows = {
                r.participant: r
                for r in s.scalars(select(BookPersonRow).where(BookPersonRow.book_id == book))
            }
            for person, attrs in people.items():
                row = rows.get(person)
                if row is None:
                    row = BookPersonRow(book_id=book, participant=person, attributes="{}")
                    s.add(row)
                merged = {**json.loads(row.attributes), **{k.strip(): v for k, v in attrs.items()}}
                row.attributes = json.dumps(merged, sort_keys=True)
        return len(people)

    def get(self) -> dict[str, dict[str, str]]:
        with self._book.repository.session() as s:
            book = self._book.book_id(s)
            rows = s.scalars(select(BookPersonRow).where(BookPersonRow.book_id == book)).all()
            return {r.participant: json.loads(r.attributes) for r in rows}


def book_trend(book: ThemeBook, by: str, *, min_n: int = 5) -> ThemeTrend:
    """Share of participants per theme per week or attribute (``fieldnote.synthesis``)."""
    from fieldnote.synthesis import TrendInput, TrendNote, theme_trend

    themes = sorted(book.themes(), key=lambda t: (-t.participants, t.id))
    data = TrendInput(
        notes=[
            TrendNote(
                note=n.id, theme=n.theme, participant=n.participant, recorded_at=n.recorded_at
            )
            for n in book.notes()
        ],
        themes={t.id: t.label for t in themes},
        attributes=BookPeople(book).get(),
    )
    return theme_trend(data, by, min_n=min_n)


def book_names(repository: Repository, project: str) -> list[str]:
    """The project's theme books, by name."""
    with repository.session() as s:
        pid = project_id(s, project, ThemeBookError)
        return list(
            s.scalars(
                select(ThemeBookRow.name)
                .where(ThemeBookRow.project_id == pid)
                .order_by(ThemeBookRow.name)
            )
        )
