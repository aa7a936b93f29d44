"""Quotes: nearest the centroid first, one per person, never the same sentence twice."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis import Note
from fieldnote.synthesis._quotes import SIMILAR, jaccard, pick_quotes, quote_words


def _note(i: int, text: str, person: str | None) -> Note:
    return Note(f"n{i}", text, f"s{i}", person)


def test_the_same_sentence_from_two_people_is_quoted_once() -> None:
    notes = [
        _note(0, "there was no way to ask from the app I dropped it.", "ana"),
        _note(1, "There was no way to ask from the app, I dropped it", "ben"),
        _note(2, "Um, there was no way to ask from the app I dropped it.", "cas"),
        _note(3, "The application gave me no way to ask them", "dee"),
        _note(4, "I had to email the founder to get access.", "eve"),
    ]
    quotes = pick_quotes(range(5), notes, 3)
    assert [q.note_id for q in quotes] == ["n0", "n3", "n4"]


def test_near_duplicates_go_but_paraphrases_stay() -> None:
    a = "I waited for our ops director to grant the admin permission, there's no other way."
    near = "Well, I waited for our IT director to grant the admin permission, there's no other way."
    other = "I gave up and waited for the founder to grant the admin permission."
    assert jaccard(quote_words(a), quote_words(near)) >= SIMILAR
    assert jaccard(quote_words(a), quote_words(other)) < SIMILAR
    notes = [_note(0, a, "p1"), _note(1, near, "p2"), _note(2, other, "p3")]
    assert [q.note_id for q in pick_quotes([0, 1, 2], notes, 3)] == ["n0", "n2"]


def test_one_quote_per_person_and_a_note_without_person_is_its_own_source() -> None:
    notes = [
        _note(0, "sync fails on the train", "ana"),
        _note(1, "export to excel every monday", "ana"),
        _note(2, "charts load slowly at night", None),
        _note(3, "pricing page is confusing", None),
    ]
    assert [q.note_id for q in pick_quotes(range(4), notes, 3)] == ["n0", "n2", "n3"]


def _reference(order: list[int], notes: list[Note], n: int) -> list[str]:
    """Plain restatement: walk the order, keep what is new by person and by words."""
    out: list[str] = []
    for i in order:
        if len(out) == n:
            break
        note = notes[i]
        person = note.participant or "source:" + note.source
        taken = [notes[int(q[1:])] for q in out]
        if any((t.participant or "source:" + t.source) == person for t in taken):
            continue
        mine = quote_words(note.text)
        too_close = False
        for t in taken:
            theirs = quote_words(t.text)
            union = mine | theirs
            share = len(mine & theirs) / len(union) if union else 1.0
            too_close = too_close or share >= SIMILAR
        if not too_close:
            out.append(note.id)
    return out


_WORDS = st.sampled_from(["admin", "access", "sync", "the", "um,", "Well,", "export", "I", "it"])


@given(
    st.lists(
        st.tuples(
            st.lists(_WORDS, min_size=0, max_size=6).map(" ".join),
            st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"])),
        ),
        min_size=0,
        max_size=12,
    ),
    st.randoms(use_true_random=False),
    st.integers(0, 5),
)
def test_quotes_match_reference(
    rows: list[tuple[str, str | None]], rnd: random.Random, n: int
) -> None:
    notes = [_note(i, text, person) for i, (text, person) in enumerate(rows)]
    order = list(range(len(notes)))
    rnd.shuffle(order)
    got = pick_quotes(order, notes, n)
    assert [q.note_id for q in got] == _reference(order, notes, n)
    assert len(got) <= n
    people = [q.participant or q.source for q in got]
    assert len(people) == len(set(people))
    words = [quote_words(q.text) for q in got]
    assert all(jaccard(x, y) < SIMILAR for i, x in enumerate(words) for y in words[i + 1 :])
