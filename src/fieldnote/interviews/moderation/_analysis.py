"""Read an answer the way a trained moderator listens: too short, a generalisation, an
emotion or pain, a workaround; and pick a phrase worth paraphrasing back."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["AnswerSignals", "analyse_answer"]

SHORT_WORDS = 6
_GENERAL = re.compile(
    r"\b(?:usually|always|never|typically|normally|generally|often|every time|most of the time|"
    r"tend to|in general|all the time|whenever)\b",
    re.I,
)
_EMOTION = re.compile(
    r"\b(?:frustrat\w*|annoy\w*|angry|anger|stress\w*|hate[sd]?|painful|pain|worr\w*|confus\w*|"
    r"stuck|upset|nightmare|awful|terrible|embarrass\w*|anxious|scared|gave up|give up|"
    r"fed up|irritat\w*|disappoint\w*|lost|wasted)\b",
    re.I,
)
_WORKAROUND = re.compile(
    r"\b(?:workaround|instead|spreadsheets?|manually|by hand|copy(?:-| )?past\w*|screenshots?|"
    r"exported?|got around|hack\w*|emailed|asked (?:my|our|a|the|someone)|laptop|desktop|"
    r"another tool|work around)\b",
    re.I,
)
_CLAUSE = re.compile(r"[^.!?;]+")
#: Discourse markers at the start of a clause are not worth repeating back.
_MARKERS = re.compile(r"^(?:(?:um|uh|so|well|yeah|honestly|okay|ok|and|but)\b[,\s]*)+", re.I)
_FIRST_PERSON = {
    "i": "you",
    "my": "your",
    "me": "you",
    "mine": "yours",
    "we": "you",
    "our": "your",
    "us": "you",
    "i'm": "you're",
    "i've": "you've",
    "i'd": "you'd",
    "was": "were",
    "am": "are",
}


@dataclass(frozen=True, kw_only=True)
class AnswerSignals:
    words: int
    too_short: bool
    generalisation: str | None
    emotion: str | None
    workaround: str | None
    gist: str | None  # the answer's most telling clause, in the second person


def _second_person(clause: str) -> str:
    tokens = clause.split()
    out = []
    for i, t in enumerate(tokens):
        core = t.lower().strip(",")
        # "was" only turns into "were" right after "I".
        if core == "was" and (i == 0 or tokens[i - 1].lower() not in {"i"}):
            out.append(t)
            continue
        rep = _FIRST_PERSON.get(core)
        out.append(rep + ("," if t.endswith(",") else "") if rep else t)
    return " ".join(out)


def _gist(text: str) -> str | None:
    clauses = [c.strip() for c in _CLAUSE.findall(text) if len(c.split()) >= 4]
    if not clauses:
        return None
    best = max(
        clauses,
        key=lambda c: (
            bool(_EMOTION.search(c)) + bool(_WORKAROUND.search(c)),
            len(c.split()) <= 20,
        ),
    )
    words = best.split()
    if len(words) > 20:
        best = " ".join(words[:20]) + " ..."
    best = _MARKERS.sub("", best)
    said = _second_person(best.rstrip(",")).strip()
    return said if said.startswith("I ") else said[:1].lower() + said[1:]


def analyse_answer(text: str) -> AnswerSignals:
    words = len(re.findall(r"\w+", text))
    general = _GENERAL.search(text)
    emotion = _EMOTION.search(text)
    workaround = _WORKAROUND.search(text)
    return AnswerSignals(
        words=words,
        too_short=words < SHORT_WORDS,
        generalisation=general.group(0).lower() if general else None,
        emotion=emotion.group(0).lower() if emotion else None,
        workaround=workaround.group(0).lower() if workaround else None,
        gist=_gist(text),
    )
