"""Notes: sentences/clauses with provenance; filler out; short answers inherit the question."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis import (
    SourceText,
    Turn,
    notes_from_texts,
    notes_from_turns,
    split_sentences,
)

WORD = re.compile(r"[A-Za-z0-9']+")


def test_sentences_and_contrastive_clauses_are_split() -> None:
    text = (
        "I export the weekly report to Excel every Monday morning, but the charts never "
        "match what finance sees. Sync is slow on mobile."
    )
    assert split_sentences(text) == [
        "I export the weekly report to Excel every Monday morning",
        "the charts never match what finance sees.",
        "Sync is slow on mobile.",
    ]


def test_fragments_too_short_stay_with_their_neighbour() -> None:
    assert split_sentences("Yes. I use it daily for planning sprints with my team.") == [
        "Yes. I use it daily for planning sprints with my team."
    ]


JOINTS = {"but", "so", "although", "though", "whereas", "and", "then"}


def _is_subsequence(part: list[str], whole: list[str]) -> bool:
    it = iter(whole)
    return all(any(w == x for x in it) for w in part)


@given(
    st.lists(
        st.sampled_from(
            ["admin", "access", "slow", "sync.", "but", "Excel,", "so", "I", "?", "\n"]
        ),
        max_size=40,
    )
)
def test_splitting_loses_and_invents_no_words(words: list[str]) -> None:
    """Reference: only the contrastive joint words may vanish; order is kept."""
    text = " ".join(words)
    original = WORD.findall(text)
    kept = WORD.findall(" ".join(split_sentences(text)))
    assert _is_subsequence(kept, original)
    missing = list(original)
    for w in kept:
        missing.remove(w)
    assert set(missing) <= JOINTS


def test_texts_one_note_each_and_filler_dropped() -> None:
    notes = notes_from_texts(
        [SourceText("a", "Sync is slow", "p1"), SourceText("b", "Um, yeah. Okay!", "p2")]
    )
    assert [(n.id, n.text, n.participant) for n in notes] == [("a", "Sync is slow", "p1")]


def test_transcript_keeps_participant_turns_with_provenance() -> None:
    turns = [
        Turn(
            "iv1",
            "Moderator",
            "Thanks for joining. How often do you export reports?",
            False,
            0.0,
            4.0,
        ),
        Turn("iv1", "Ana", "Every week.", True, 4.5, 5.5),
        Turn("iv1", "Moderator", "Tell me about the last time.", False, 6.0, 7.0),
        Turn("iv1", "Ana", "Um, yeah.", True, 7.5, 8.0),
        Turn(
            "iv1",
            "Ana",
            "I copy the numbers into a spreadsheet by hand. It takes me an hour every Monday.",
            True,
            8.0,
            20.0,
        ),
    ]
    notes = notes_from_turns(turns)
    assert [n.text for n in notes] == [
        "Every week.",
        "I copy the numbers into a spreadsheet by hand.",
        "It takes me an hour every Monday.",
    ]
    short = notes[0]
    assert short.question == "How often do you export reports?"
    assert short.context == "How often do you export reports? Every week."
    assert (short.source, short.participant, short.start, short.end) == ("iv1", "Ana", 4.5, 5.5)
    assert notes[1].question is None and notes[1].context == notes[1].text
    assert len({n.id for n in notes}) == 3
