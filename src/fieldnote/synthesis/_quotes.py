"""A theme's quotes: the notes nearest its centroid, each from another person and saying
something the others do not.

Interviews repeat themselves: several people give the same sentence ("there was no
way to ask from the app I dropped it.", twice among the top quotes of the demo's first
theme), and one quote is all a reader learns from two identical ones. A note is passed
over when its normalised text — leading discourse markers ("Um,", "Well,") removed,
lower case, words only — shares at least ``SIMILAR`` of its words (Jaccard) with a
quote already chosen, and when its person already has a quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from fieldnote.synthesis._model import Quote
from fieldnote.synthesis._notes import Note
from fieldnote.synthesis._sentiment import strip_markers

__all__ = ["SIMILAR", "jaccard", "pick_quotes", "quote_words", "who"]

SIMILAR = 0.8
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def who(note: Note) -> str:
    """The person behind a note; a note without a participant counts as its own source."""
    return note.participant if note.participant is not None else f"source:{note.source}"


def quote_words(text: str) -> frozenset[str]:
    """The words two quotes are compared by (markers, case and punctuation ignored)."""
    return frozenset(_WORD.findall(strip_markers(text).lower()))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared words over all words; two empty texts are the same text (1.0)."""
    union = len(a | b)
    return len(a & b) / union if union else 1.0


def pick_quotes(order: Iterable[int], notes: Sequence[Note], n: int) -> list[Quote]:
    """Up to ``n`` quotes from ``notes`` taken in ``order`` (nearest the centroid first),
    at most one per person and none a near-duplicate of an earlier pick."""
    chosen: list[Quote] = []
    kept: list[frozenset[str]] = []
    people: set[str] = set()
    for i in order:
        if len(chosen) >= n:
            break
        note = notes[i]
        words = quote_words(note.text)
        if who(note) in people or any(jaccard(words, k) >= SIMILAR for k in kept):
            continue
        people.add(who(note))
        kept.append(words)
        chosen.append(Quote(note.id, note.text, note.participant, note.source, note.start))
    return chosen
