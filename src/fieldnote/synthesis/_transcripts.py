"""Notes from interview transcripts (``fieldnote.interviews`` types).

Only participant turns become notes; the interviewer's questions give short answers
their context (see ``_notes``). A note's participant is the interview's participant
when known, else the speaker's name, so people count once across their turns.
"""

from __future__ import annotations

from collections.abc import Iterable

from fieldnote.interviews import Interview
from fieldnote.synthesis._notes import Note, Turn, notes_from_turns

__all__ = ["notes_from_interviews"]


def notes_from_interviews(interviews: Iterable[Interview]) -> list[Note]:
    notes: list[Note] = []
    for interview in interviews:
        turns = [
            Turn(
                source=interview.id,
                speaker=(interview.participant or u.speaker) if u.is_participant else u.speaker,
                text=u.text,
                is_participant=u.is_participant,
                start=u.start,
                end=u.end,
            )
            for u in interview.utterances
        ]
        notes.extend(notes_from_turns(turns))
    return notes
