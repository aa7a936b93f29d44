"""Who is the interviewer and who the participant.

Evidence in order of strength: names the researcher gives (``--participant``, known
interviewer names); role words in the speaker label ("Interviewer", "Moderator",
"P1", "Participant"); and, failing both, who asks the questions (the speaker whose
turns are mostly questions moderates). Every mapping keeps its reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from fieldnote.interviews._model import Role, Speaker
from fieldnote.interviews.transcripts._formats import UNKNOWN_SPEAKER
from fieldnote.interviews.transcripts._raw import RawTurn

__all__ = ["map_speakers"]

_INTERVIEWER_WORDS = re.compile(
    r"\b(?:interviewer|moderator|researcher|facilitator|host|int|mod|ux|research)\b", re.I
)
_PARTICIPANT_WORDS = re.compile(
    r"\b(?:participant|respondent|interviewee|customer|user|guest|p\d+|r\d+)\b", re.I
)
_QUESTION_START = re.compile(
    r"^(?:what|how|when|where|who|which|why|tell me|walk me|can you|could you|do you|did you|"
    r"have you|are you|is there|was there|would you)\b",
    re.I,
)


def _question_share(texts: list[str]) -> float:
    if not texts:
        return 0.0
    asked = sum(t.rstrip().endswith("?") or bool(_QUESTION_START.match(t)) for t in texts)
    return asked / len(texts)


def _same(a: str, b: str) -> bool:
    """Equal names, or equal first names ("Ana" given, "Ana Lima" in the file)."""
    a, b = a.casefold().strip(), b.casefold().strip()
    return bool(a) and bool(b) and (a == b or a.split()[0] == b.split()[0])


def map_speakers(
    turns: Sequence[RawTurn],
    *,
    participant: str | None = None,
    interviewers: Sequence[str] = (),
) -> list[Speaker]:
    names = list(dict.fromkeys(t.speaker for t in turns))
    decided: dict[str, Speaker] = {}
    for name in names:
        if participant and _same(name, participant):
            decided[name] = Speaker(name=name, role=Role.PARTICIPANT, reason="by name")
        elif any(_same(name, i) for i in interviewers):
            decided[name] = Speaker(name=name, role=Role.INTERVIEWER, reason="by name")
        elif _INTERVIEWER_WORDS.search(name):
            decided[name] = Speaker(name=name, role=Role.INTERVIEWER, reason="role word")
        elif _PARTICIPANT_WORDS.search(name):
            decided[name] = Speaker(name=name, role=Role.PARTICIPANT, reason="role word")
    undecided = [n for n in names if n not in decided]
    shares = {n: _question_share([t.text for t in turns if t.speaker == n]) for n in undecided}
    has_interviewer = any(s.role is Role.INTERVIEWER for s in decided.values())
    asker = max(undecided, key=lambda n: shares[n]) if undecided else None
    for name in undecided:
        if name == UNKNOWN_SPEAKER:
            role, reason = Role.UNKNOWN, "no speaker label"
        elif len(names) == 1:
            role, reason = Role.PARTICIPANT, "the only speaker"
        elif (not has_interviewer and name == asker) or shares[name] >= 0.5:
            role, reason = Role.INTERVIEWER, "asks the questions"
        else:
            role, reason = Role.PARTICIPANT, "answers the questions"
        decided[name] = Speaker(name=name, role=role, reason=reason)
    return [decided[n] for n in names]
