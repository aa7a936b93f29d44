"""After a move, merge or split, the themes it touched describe their notes now:
sentiment, intensity and kind equal ``describe_notes`` over the theme's notes."""

from __future__ import annotations

from fieldnote.repository import Projects, Repository, ThemeBook
from fieldnote.synthesis import describe_notes, synthesize
from tests.synthesis._corpus import planted


def _expected(book: ThemeBook, theme: str) -> tuple[float, float, str]:
    feeling = describe_notes([n.text for n in book.notes() if n.theme == theme])
    assert feeling is not None
    return feeling.sentiment, feeling.intensity, feeling.kind


def _stored(book: ThemeBook, theme: str) -> tuple[float | None, float | None, str | None]:
    t = next(t for t in book.themes() if t.id == theme)
    return t.sentiment, t.intensity, t.kind


def test_corrections_refresh_the_touched_themes(repository: Repository) -> None:
    repository.upgrade()
    Projects(repository).create("acme")
    book = ThemeBook(repository, "acme", "study:1")
    notes, _ = planted(per_theme=8)
    result = synthesize(notes)
    book.save_run(result)
    praise = next(t.id for t in result.themes if t.kind == "praise")
    a, b, c = [t.id for t in result.themes if t.id != praise][:3]
    gripes = [n.id for n in book.notes() if n.theme == a][:3]
    book.move(gripes, praise)  # pain points into the praise theme: its mood drops
    before = next(t for t in result.themes if t.id == praise).sentiment
    assert _stored(book, praise) == _expected(book, praise)
    assert _stored(book, praise)[0] != before
    assert _stored(book, a) == _expected(book, a)
    book.merge(b, c)
    assert _stored(book, b) == _expected(book, b)
    new = book.split(b, [n.id for n in book.notes() if n.theme == b][:2], "Two notes")
    assert _stored(book, new) == _expected(book, new)
    assert _stored(book, b) == _expected(book, b)
