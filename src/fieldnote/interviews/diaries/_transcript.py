"""Diary entries as a transcript: one ``Interview`` per participant per diary.

Every answered prompt adds two utterances, the prompt (speaker ``Diary``, role
interviewer) and the entry (the participant), so synthesis, search and redaction read
a diary exactly like an interview. Times are seconds since enrolment: when the prompt
was sent and when the entry was written, so "answered four hours later" is visible.
Entries get the same filler and self-correction marks as spoken answers.
"""

from __future__ import annotations

from datetime import datetime

from fieldnote.interviews._model import Role, Speaker, Utterance
from fieldnote.interviews.transcripts import hesitation_marks, interview_id

__all__ = ["DIARY_SPEAKER", "diary_interview_id", "diary_speakers", "entry_utterances"]

DIARY_SPEAKER = "Diary"


def diary_interview_id(project: str, diary_id: int, distinct_id: str) -> str:
    """Stable per (diary, participant): every entry lands in the same transcript."""
    return interview_id(f"diary:{diary_id}:{distinct_id}".encode(), project=project)


def diary_speakers(participant: str) -> tuple[Speaker, ...]:
    return (
        Speaker(name=DIARY_SPEAKER, role=Role.INTERVIEWER, reason="diary prompt"),
        Speaker(name=participant, role=Role.PARTICIPANT, reason="diary participant"),
    )


def entry_utterances(
    *,
    next_index: int,
    participant: str,
    prompt: str,
    text: str,
    enrolled_at: datetime,
    sent_at: datetime,
    answered_at: datetime,
) -> tuple[Utterance, Utterance]:
    asked = max(0.0, (sent_at - enrolled_at).total_seconds())
    answered = max(asked, (answered_at - enrolled_at).total_seconds())
    return (
        Utterance(
            index=next_index,
            speaker=DIARY_SPEAKER,
            role=Role.INTERVIEWER,
            text=prompt,
            start=asked,
            end=asked,
        ),
        Utterance(
            index=next_index + 1,
            speaker=participant,
            role=Role.PARTICIPANT,
            text=text,
            start=answered,
            end=answered,
            marks=hesitation_marks(text, gap=None),
        ),
    )
