"""Hesitation marks: a long pause before an answer, fillers, self-corrections.

Logs record that a user paused; the transcript says what the pause was about (seed 000:
"five seconds spent wondering if the button would delete their data"). Marks are only
set on participant turns, and a pause only where both timestamps exist.
"""

from __future__ import annotations

import re

from fieldnote.interviews._model import Mark, MarkKind

__all__ = ["PAUSE_SECONDS", "hesitation_marks"]

#: A silence this long between the question's end and the answer's start is a hesitation.
PAUSE_SECONDS = 3.0
_FILLERS = re.compile(r"\b(?:u+m+|u+h+|e+r+m*|hmm+|mm+|you know|i guess)\b", re.I)
_CORRECTIONS = re.compile(
    r"\b(?:i mean|no wait|wait, no|or rather|sorry,|actually,? no|let me rephrase|scratch that)"
    r"|\b(\w+)(?:-\s*|\s*—\s*|\s*--\s*)\1\b"  # "I- I", "the — the"
    r"|\b(\w{2,}) \2\b",  # "the the"
    re.I,
)


def hesitation_marks(text: str, *, gap: float | None) -> tuple[Mark, ...]:
    marks: list[Mark] = []
    if gap is not None and gap >= PAUSE_SECONDS:
        marks.append(
            Mark(kind=MarkKind.PAUSE, detail=f"{gap:.1f} s before answering", seconds=round(gap, 3))
        )
    fillers = [m.group(0).lower() for m in _FILLERS.finditer(text)]
    if fillers:
        marks.append(Mark(kind=MarkKind.FILLER, detail=", ".join(dict.fromkeys(fillers))))
    corrections = [m.group(0) for m in _CORRECTIONS.finditer(text)]
    if corrections:
        marks.append(
            Mark(kind=MarkKind.SELF_CORRECTION, detail=", ".join(dict.fromkeys(corrections)))
        )
    return tuple(marks)
