"""Atomic notes: the unit synthesis clusters.

A theme is only as trustworthy as its quotes, so a note must stand alone as a quote
(one sentence or clause) and remember where it came from (source, participant, time).
Interviewer turns and filler ("yeah", "um, okay") carry no observation and are dropped;
a very short answer ("yes, every week") means nothing without its question, so it
inherits the question's text as context for embedding while its quote stays verbatim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "CONVERSATIONAL_STOP_WORDS",
    "Note",
    "SourceText",
    "Turn",
    "notes_from_texts",
    "notes_from_turns",
    "split_sentences",
]

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[\"'(\[]?[A-Za-z0-9])|\n+")
_CLAUSE_SPLIT = re.compile(r",\s+(?:but|and then|so|although|though|whereas)\s+", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9']+")
CONVERSATIONAL_STOP_WORDS = frozenset(
    [
        "um",
        "uh",
        "uhm",
        "erm",
        "er",
        "hmm",
        "mm",
        "mhm",
        "yeah",
        "yes",
        "yep",
        "nope",
        "ok",
        "okay",
        "oh",
        "ah",
        "hm",
        "huh",
        "alright",
        "honestly",
        "basically",
        "literally",
        "actually",
        "pretty",
        "much",
        "kind",
        "sort",
        "guess",
        "mean",
        "know",
        "well",
        "like",
        "just",
        "really",
        "right",
        "sure",
        "totally",
        "exactly",
    ]
)
"""Spoken filler: meaningless for similarity and keyphrases, frequent in transcripts."""
_AGREEMENT = frozenset(
    ["fair", "summary", "correct", "absolutely", "definitely", "indeed", "that's", "thats"]
)
_FILLER_WORDS = (
    _AGREEMENT
    | CONVERSATIONAL_STOP_WORDS
    | frozenset(
        [
            "um",
            "uh",
            "uhm",
            "erm",
            "er",
            "hmm",
            "mm",
            "mhm",
            "yeah",
            "yes",
            "yep",
            "no",
            "nope",
            "ok",
            "okay",
            "right",
            "sure",
            "so",
            "well",
            "like",
            "you",
            "know",
            "i",
            "mean",
            "oh",
            "ah",
            "hm",
            "huh",
            "cool",
            "great",
            "thanks",
            "thank",
            "alright",
            "totally",
            "exactly",
            "got",
            "it",
            "and",
            "but",
            "the",
            "a",
        ]
    )
)
# A clause shorter than this (in words) is merged with its neighbour, not split off.
_MIN_CLAUSE_WORDS = 4
# An answer this short (in content words) inherits its question as context.
_SHORT_ANSWER_WORDS = 4


@dataclass(frozen=True, slots=True)
class Note:
    """One quote-sized observation with its provenance.

    ``context`` is what gets embedded: the text itself, or for a very short answer the
    question it answers followed by the answer.
    """

    id: str
    text: str
    source: str
    participant: str | None = None
    start: float | None = None
    end: float | None = None
    question: str | None = None

    @property
    def context(self) -> str:
        return f"{self.question} {self.text}" if self.question else self.text


@dataclass(frozen=True, slots=True)
class SourceText:
    """A free text (survey answer, ticket, review) with an id and optional participant."""

    id: str
    text: str
    participant: str | None = None


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn of a transcript (an utterance)."""

    source: str
    speaker: str
    text: str
    is_participant: bool
    start: float | None = None
    end: float | None = None


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _FILLER_WORDS]


def is_filler(text: str) -> bool:
    """True when a text has no content word at all ("Yeah, um, okay.") or only agrees
    ("Yes, that's a fair summary."): agreeing with the interviewer's summary is the
    interviewer's observation, not the participant's."""
    return not _content_words(text)


def split_sentences(text: str) -> list[str]:
    """Split into sentences, then long sentences into clauses at contrastive joints.

    Fragments under a few words are glued back to their neighbour so that every
    piece still reads as a quote.
    """
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        for clause in _CLAUSE_SPLIT.split(sentence):
            clause = clause.strip()
            if not clause:
                continue
            if pieces and (
                len(_WORD.findall(clause)) < _MIN_CLAUSE_WORDS
                or len(_WORD.findall(pieces[-1])) < _MIN_CLAUSE_WORDS
            ):
                pieces[-1] = f"{pieces[-1]} {clause}"
            else:
                pieces.append(clause)
    return pieces


def notes_from_texts(texts: Iterable[SourceText], *, split: bool = False) -> list[Note]:
    """One note per text (or per sentence with ``split``); filler-only texts are dropped.

    Survey answers and reviews are usually already one observation each, and the caller
    wants one assignment per input row, hence no splitting by default.
    """
    notes: list[Note] = []
    for item in texts:
        parts = split_sentences(item.text) if split else [item.text.strip()]
        for i, part in enumerate(parts):
            if not part or is_filler(part):
                continue
            note_id = item.id if not split else f"{item.id}#{i}"
            notes.append(Note(note_id, part, item.id, item.participant))
    return notes


def notes_from_turns(turns: Sequence[Turn]) -> list[Note]:
    """Notes from a transcript: participant turns only, split, filler removed.

    The last interviewer turn ending in a question is remembered; a participant turn
    with only a few content words inherits it as ``question``.
    """
    notes: list[Note] = []
    last_question: dict[str, str] = {}
    counters: dict[str, int] = {}
    for turn in turns:
        if not turn.is_participant:
            questions = [
                s.strip() for s in _SENTENCE_END.split(turn.text) if s.rstrip().endswith("?")
            ]
            if questions:
                last_question[turn.source] = questions[-1]
            continue
        question = last_question.get(turn.source)
        short = len(_content_words(turn.text)) <= _SHORT_ANSWER_WORDS
        for part in split_sentences(turn.text):
            if is_filler(part):
                continue
            n = counters.get(turn.source, 0)
            counters[turn.source] = n + 1
            notes.append(
                Note(
                    id=f"{turn.source}#{n}",
                    text=part,
                    source=turn.source,
                    participant=turn.speaker,
                    start=turn.start,
                    end=turn.end,
                    question=question if short else None,
                )
            )
    return notes
