"""Theme book: corrections persist (SQLite and PostgreSQL) and survive re-synthesis."""

from __future__ import annotations

import pytest

from fieldnote.repository import Projects, Repository, ThemeBook, ThemeBookError
from fieldnote.synthesis import synthesize
from tests.synthesis._corpus import planted


@pytest.fixture
def book(repository: Repository) -> ThemeBook:
    repository.upgrade()
    Projects(repository).create("acme")
    return ThemeBook(repository, "acme", "study:1")


def _rerun(book: ThemeBook, notes: list) -> dict[str, str | None]:  # type: ignore[type-arg]
    result = synthesize(notes, prior=book.prior(), pins=book.pins())
    book.save_run(result)
    return {a.note_id: a.theme for a in result.assignments}


def test_corrections_persist_and_win_on_rerun(book: ThemeBook) -> None:
    notes, _ = planted()
    first = synthesize(notes)
    book.save_run(first)
    stored = {t.id: t for t in book.themes()}
    assert set(stored) == {t.id for t in first.themes}
    a, b, c = (t.id for t in first.themes[:3])
    book.rename(a, "Admin access blocks teams")
    book.merge(a, b)
    moved = next(n for n in book.notes() if n.theme == c)
    book.move([moved.id], a)
    book.tag(moved.id, "follow-up")
    book.tag(moved.id, "follow-up")
    members_c = [n.id for n in book.notes() if n.theme == c and n.id != moved.id]
    new = book.split(c, members_c[:2], "Split off")
    theme_of = _rerun(book, notes)
    themes = {t.id: t for t in book.themes()}
    assert themes[a].label == "Admin access blocks teams" and themes[a].renamed
    assert b not in themes
    assert theme_of[moved.id] == a
    assert {theme_of[n] for n in members_c[:2]} == {new}
    assert themes[new].label == "Split off"
    assert next(n for n in book.notes() if n.id == moved.id).tags == ("follow-up",)
    # and again: nothing drifts on a second re-run
    assert _rerun(book, notes) == theme_of
    assert {t.id: t.label for t in book.themes()} == {t.id: t.label for t in themes.values()}


def test_bad_corrections_are_refused_and_write_nothing(
    book: ThemeBook, repository: Repository
) -> None:
    with pytest.raises(ThemeBookError, match="no theme book"):
        ThemeBook(repository, "acme", "nope").themes()
    notes, _ = planted()
    book.save_run(synthesize(notes))
    first = book.themes()[0].id
    with pytest.raises(ThemeBookError, match="no theme 'zz'"):
        book.merge(first, "zz")
    with pytest.raises(ThemeBookError, match="no note 'missing'"):
        book.move(["missing", notes[0].id], first)
    assert all(not n.pinned for n in book.notes())
    with pytest.raises(ThemeBookError, match="1 to 200"):
        book.rename(first, "  ")
    with pytest.raises(ThemeBookError, match="into itself"):
        book.merge(first, first)
