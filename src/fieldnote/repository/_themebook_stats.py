"""Keep a theme's sentiment, intensity and kind true to its notes after a correction.

Synthesis stores those figures per run; a move, merge, split or QDPX import changes a
theme's notes between runs, so the themes it touched are described again from their
notes (``fieldnote.synthesis.describe_notes``, the pipeline's own computation) inside
the correction's transaction. Keyphrases need the whole corpus (c-TF-IDF) and wait for
the next run.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnote.repository._themebook import BookNoteRow, BookThemeRow

__all__ = ["refresh_themes"]


def refresh_themes(session: Session, book: int, themes: Iterable[str | None]) -> None:
    from fieldnote.synthesis import describe_notes  # scikit-learn loads only when needed

    for theme in sorted({t for t in themes if t}):
        row = session.scalar(
            select(BookThemeRow).where(BookThemeRow.book_id == book, BookThemeRow.theme == theme)
        )
        if row is None or row.merged_into is not None:
            continue
        texts = session.scalars(
            select(BookNoteRow.text).where(BookNoteRow.book_id == book, BookNoteRow.theme == theme)
        ).all()
        feeling = describe_notes(list(texts))
        row.sentiment = feeling.sentiment if feeling else None
        row.intensity = feeling.intensity if feeling else None
        row.kind = feeling.kind if feeling else None
