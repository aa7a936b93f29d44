"""The theme book: a synthesis run's themes and notes, and a researcher's corrections.

One book per project and name (``study:12``, ``nps-2026-q3``). Saving a run stores
the themes and where every note went; corrections (rename, merge, split, move, tag)
edit the book and *pin* the notes they touch. The next run reads the book back as
``prior`` (ids, names, whether a person named them) and ``pins`` (note → theme), so
corrections survive re-synthesis (``fieldnote.synthesis`` applies both). The tables are
in ``_themebook_rows`` (re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnote.repository._db import Repository
from fieldnote.repository._monitors import aware, project_id
from fieldnote.repository._themebook_rows import (
    MAX_LABEL,
    BookNoteRow,
    BookThemeRow,
    ThemeBookRow,
)

if TYPE_CHECKING:
    # Only for annotations: importing fieldnote.synthesis pulls in scikit-learn (~0.8 s),
    # which every CLI command would pay just because the repository package loads this.
    from fieldnote.synthesis import PriorTheme, Synthesis

__all__ = [
    "MAX_LABEL",
    "BookNote",
    "BookNoteRow",
    "BookTheme",
    "BookThemeRow",
    "ThemeBook",
    "ThemeBookError",
    "ThemeBookRow",
]


def _refresh(session: Session, book: int, themes: Iterable[str | None]) -> None:
    from fieldnote.repository._themebook_stats import refresh_themes  # imports this module

    refresh_themes(session, book, themes)


class ThemeBookError(ValueError):
    """A correction that cannot apply (unknown book, theme or note); nothing is written."""


@dataclass(frozen=True, kw_only=True)
class BookTheme:
    """A theme as the book holds it; ``keyphrases`` … ``kind`` are the last run's
    (empty/None for a theme a person made, by split or QDPX import)."""

    id: str
    label: str
    renamed: bool
    notes: int
    participants: int = 0
    keyphrases: tuple[str, ...] = ()
    sentiment: float | None = None
    intensity: float | None = None
    kind: str | None = None


@dataclass(frozen=True, kw_only=True)
class BookNote:
    id: str
    text: str
    participant: str | None
    source: str
    theme: str | None
    pinned: bool
    tags: tuple[str, ...]
    start: float | None = None
    recorded_at: datetime | None = None


class ThemeBook:
    """Themes and corrections of one named book in a project."""

    def __init__(self, repository: Repository, project: str, name: str) -> None:
        self._repo = repository
        self.project = project
        self.name = name

    @property
    def repository(self) -> Repository:
        return self._repo

    def book_id(self, session: Session, *, create: bool = False) -> int:
        """The book's row id inside ``session`` (for stores that extend the book)."""
        return self._book(session, create=create)

    def _book(self, session: Session, *, create: bool = False) -> int:
        pid = project_id(session, self.project, ThemeBookError)
        found = session.scalar(
            select(ThemeBookRow.id).where(
                ThemeBookRow.project_id == pid, ThemeBookRow.name == self.name
            )
        )
        if found is not None:
            return int(found)
        if not create:
            raise ThemeBookError(f"project {self.project!r} has no theme book {self.name!r}")
        row = ThemeBookRow(project_id=pid, name=self.name)
        session.add(row)
        session.flush()
        return row.id

    def save_run(
        self, result: Synthesis, *, recorded: Mapping[str, datetime] | None = None
    ) -> None:
        """Store a run: machine names update unless a person renamed the theme; pinned
        notes were already placed by the run (pins win), so every note's theme is the run's.
        ``recorded``: when each source (interview) was recorded, for themes over time."""
        recorded = recorded or {}
        with self._repo.session() as s:
            book = self._book(s, create=True)
            themes = {
                r.theme: r
                for r in s.scalars(select(BookThemeRow).where(BookThemeRow.book_id == book))
            }
            current = {t.id for t in result.themes}
            for t in result.themes:
                row = themes.get(t.id)
                if row is None:
                    row = BookThemeRow(
                        book_id=book, theme=t.id, label=t.label[:MAX_LABEL], renamed=False
                    )
                    s.add(row)
                elif not row.renamed:
                    row.label = t.label[:MAX_LABEL]
                row.keyphrases = json.dumps(t.keyphrases)
                row.sentiment, row.intensity, row.kind = t.sentiment, t.intensity, t.kind
            notes = {
                r.note: r for r in s.scalars(select(BookNoteRow).where(BookNoteRow.book_id == book))
            }
            placed = {a.note_id: a.theme for a in result.assignments}
            # a theme still holding pinned notes this run did not see (QDPX-coded
            # selections, say) stays, so those notes never point at a deleted theme
            held = {r.theme for r in notes.values() if r.pinned and r.note not in placed}
            for theme, row in themes.items():
                if theme not in current and row.merged_into is None and theme not in held:
                    s.delete(row)
            for n in result.notes:
                note = notes.get(n.id)
                if note is None:
                    note = BookNoteRow(book_id=book, note=n.id, pinned=False, tags="[]")
                    s.add(note)
                note.text, note.participant, note.source = n.text, n.participant, n.source
                note.theme = placed.get(n.id)
                note.start_s = n.start
                note.recorded_at = recorded.get(n.source, note.recorded_at)

    def prior(self) -> list[PriorTheme]:
        from fieldnote.synthesis import PriorTheme

        with self._repo.session() as s:
            book = self._book(s)
            notes = s.scalars(select(BookNoteRow).where(BookNoteRow.book_id == book)).all()
            members: dict[str, dict[str, str]] = {}
            for n in notes:
                if n.theme is not None:
                    members.setdefault(n.theme, {})[n.note] = n.text
            rows = s.scalars(
                select(BookThemeRow)
                .where(BookThemeRow.book_id == book)
                .order_by(BookThemeRow.theme)
            ).all()
            # a merged-away theme has no members: it never matches, it only keeps its id
            return [
                PriorTheme(
                    r.theme,
                    r.label,
                    members.get(r.theme, {}) if r.merged_into is None else {},
                    r.renamed,
                )
                for r in rows
            ]

    def pins(self) -> dict[str, str | None]:
        with self._repo.session() as s:
            book = self._book(s)
            rows = s.scalars(
                select(BookNoteRow).where(BookNoteRow.book_id == book, BookNoteRow.pinned.is_(True))
            ).all()
            return {r.note: r.theme for r in rows}

    def themes(self) -> list[BookTheme]:
        """Live themes (not merged away) with note and participant counts; a note
        without a participant counts as its own source, as in synthesis."""
        with self._repo.session() as s:
            book = self._book(s)
            notes = s.execute(
                select(BookNoteRow.theme, BookNoteRow.participant, BookNoteRow.note).where(
                    BookNoteRow.book_id == book
                )
            ).all()
            counts: dict[str, int] = {}
            people: dict[str, set[str]] = {}
            for theme, participant, note in notes:
                if theme is not None:
                    counts[theme] = counts.get(theme, 0) + 1
                    people.setdefault(theme, set()).add(participant or f"note:{note}")
            rows = s.scalars(
                select(BookThemeRow)
                .where(BookThemeRow.book_id == book, BookThemeRow.merged_into.is_(None))
                .order_by(BookThemeRow.theme)
            ).all()
            return [
                BookTheme(
                    id=r.theme,
                    label=r.label,
                    renamed=r.renamed,
                    notes=counts.get(r.theme, 0),
                    participants=len(people.get(r.theme, ())),
                    keyphrases=tuple(json.loads(r.keyphrases or "[]")),
                    sentiment=r.sentiment,
                    intensity=r.intensity,
                    kind=r.kind,
                )
                for r in rows
            ]

    def notes(self) -> list[BookNote]:
        with self._repo.session() as s:
            book = self._book(s)
            # plain rows, not ORM objects: a 20,000-note book loads several times faster
            c = BookNoteRow
            rows = s.execute(
                select(
                    c.note,
                    c.text,
                    c.participant,
                    c.source,
                    c.theme,
                    c.pinned,
                    c.tags,
                    c.start_s,
                    c.recorded_at,
                )
                .where(c.book_id == book)
                .order_by(c.id)
            ).all()
            return [
                BookNote(
                    id=r.note,
                    text=r.text,
                    participant=r.participant,
                    source=r.source,
                    theme=r.theme,
                    pinned=r.pinned,
                    tags=tuple(json.loads(r.tags)) if r.tags != "[]" else (),
                    start=r.start_s,
                    recorded_at=aware(r.recorded_at) if r.recorded_at else None,
                )
                for r in rows
            ]

    # corrections ---------------------------------------------------------------

    @staticmethod
    def _theme(s: Session, book: int, theme: str) -> BookThemeRow:
        row = s.scalar(
            select(BookThemeRow).where(BookThemeRow.book_id == book, BookThemeRow.theme == theme)
        )
        if row is None:
            raise ThemeBookError(f"no theme {theme!r} in this book")
        return row

    @staticmethod
    def _notes(s: Session, book: int, ids: list[str]) -> list[BookNoteRow]:
        rows = s.scalars(
            select(BookNoteRow).where(BookNoteRow.book_id == book, BookNoteRow.note.in_(ids))
        ).all()
        missing = sorted(set(ids) - {r.note for r in rows})
        if missing:
            raise ThemeBookError(f"no note {', '.join(map(repr, missing))} in this book")
        return list(rows)

    def rename(self, theme: str, label: str) -> None:
        label = label.strip()
        if not label or len(label) > MAX_LABEL:
            raise ThemeBookError(f"a theme name needs 1 to {MAX_LABEL} characters")
        with self._repo.session() as s:
            row = self._theme(s, self._book(s), theme)
            row.label, row.renamed = label, True

    def move(self, notes: list[str], theme: str | None) -> None:
        """Put notes in a theme (None: out of every theme); they stay there on re-runs."""
        with self._repo.session() as s:
            book = self._book(s)
            if theme is not None:
                self._theme(s, book, theme)
            rows = self._notes(s, book, notes)
            touched = {theme, *(r.theme for r in rows)}
            for row in rows:
                row.theme, row.pinned = theme, True
            _refresh(s, book, touched)

    def merge(self, into: str, other: str) -> None:
        if into == other:
            raise ThemeBookError("cannot merge a theme into itself")
        with self._repo.session() as s:
            book = self._book(s)
            self._theme(s, book, into)
            gone = self._theme(s, book, other)
            rows = s.scalars(
                select(BookNoteRow).where(
                    BookNoteRow.book_id == book, BookNoteRow.theme.in_([into, other])
                )
            ).all()
            for row in rows:
                row.theme, row.pinned = into, True
            gone.merged_into = into
            _refresh(s, book, [into])

    def split(self, theme: str, notes: list[str], label: str) -> str:
        """Move ``notes`` of ``theme`` into a new theme named ``label``; returns its id."""
        with self._repo.session() as s:
            book = self._book(s)
            self._theme(s, book, theme)
            rows = self._notes(s, book, notes)
            outside = sorted(r.note for r in rows if r.theme != theme)
            if outside:
                raise ThemeBookError(f"notes {', '.join(outside)} are not in theme {theme!r}")
            taken = set(s.scalars(select(BookThemeRow.theme).where(BookThemeRow.book_id == book)))
            n = 1
            while f"t{n}" in taken:
                n += 1
            new = f"t{n}"
            s.add(
                BookThemeRow(
                    book_id=book, theme=new, label=label.strip()[:MAX_LABEL] or new, renamed=True
                )
            )
            for row in rows:
                row.theme, row.pinned = new, True
            _refresh(s, book, [theme, new])
            return new

    def tag(self, note: str, tag: str) -> None:
        """A manual code on a note (like a Taguette/Dovetail highlight tag)."""
        tag = tag.strip()
        if not tag or len(tag) > 100:
            raise ThemeBookError("a tag needs 1 to 100 characters")
        with self._repo.session() as s:
            (row,) = self._notes(s, self._book(s), [note])
            tags = json.loads(row.tags)
            if tag not in tags:
                row.tags = json.dumps([*tags, tag])
