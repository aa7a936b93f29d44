"""Small text helpers shared by the rules: tokens, sentence starts, rough verb forms.

Deliberately plain (regular expressions and word lists): the linter must run offline,
instantly, identically on every machine, and explain itself in words a researcher can
check against the rule.
"""

from __future__ import annotations

import re

__all__ = [
    "AUXILIARIES",
    "NEGATIVE_AUXILIARIES",
    "POLITE_REQUEST",
    "WH_WORDS",
    "clauses",
    "context",
    "first_words",
    "past_tense",
    "sentence_case",
    "strip_end",
    "words",
]

from fieldnote.interviews.linting._types import QuestionContext

_WORD = re.compile(r"[a-z0-9]+(?:['\u2019][a-z]+)?(?:-[a-z0-9]+)*")

NEGATIVE_AUXILIARIES = frozenset(
    [
        "don't",
        "doesn't",
        "didn't",
        "isn't",
        "aren't",
        "wasn't",
        "weren't",
        "haven't",
        "hasn't",
        "hadn't",
        "can't",
        "couldn't",
        "won't",
        "wouldn't",
        "shouldn't",
    ]
)
AUXILIARIES = (
    frozenset(
        [
            "do",
            "does",
            "did",
            "is",
            "are",
            "was",
            "were",
            "have",
            "has",
            "had",
            "can",
            "could",
            "will",
            "would",
            "should",
            "shall",
            "may",
            "might",
            "must",
            "am",
        ]
    )
    | NEGATIVE_AUXILIARIES
)
WH_WORDS = frozenset(["what", "when", "where", "who", "whom", "whose", "which", "why", "how"])
#: "Could you walk me through ..." asks for a story, not a yes.
POLITE_REQUEST = re.compile(
    r"^(?:can|could|would|will) you (?:please )?(?:tell|walk|show|describe|explain|talk|"
    r"share|give|take|help me understand|remember|recall|think back)\b"
)
#: Conversation openers that do not change the question's form.
_OPENERS = frozenset(["so", "and", "ok", "okay", "now", "well", "then", "also", "right"])


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.lower().replace("\u2019", "'")))


def context(text: str, *, solutions_allowed: bool = False) -> QuestionContext:
    lower = " ".join(text.lower().replace("\u2019", "'").split())
    return QuestionContext(
        text=text.strip(), lower=lower, words=words(text), solutions_allowed=solutions_allowed
    )


def first_words(sentence: str) -> tuple[str, ...]:
    """The sentence's words without conversational openers ("So, ...")."""
    toks = words(sentence)
    i = 0
    while i < len(toks) - 1 and toks[i] in _OPENERS:
        i += 1
    return toks[i:]


def clauses(lower: str) -> list[str]:
    """Sentences of a question turn, split at ``?``, ``;`` and sentence full stops."""
    parts = re.split(r"[?;]|\.\s", lower)
    return [p.strip(" ,.") for p in parts if p.strip(" ,.")]


def strip_end(text: str) -> str:
    return text.strip().rstrip("?.!").strip()


def sentence_case(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] if text else text


_IRREGULAR = {
    "be": "were",
    "buy": "bought",
    "build": "built",
    "choose": "chose",
    "come": "came",
    "do": "did",
    "feel": "felt",
    "find": "found",
    "get": "got",
    "give": "gave",
    "go": "went",
    "have": "had",
    "keep": "kept",
    "know": "knew",
    "leave": "left",
    "make": "made",
    "pay": "paid",
    "put": "put",
    "read": "read",
    "run": "ran",
    "see": "saw",
    "send": "sent",
    "set": "set",
    "spend": "spent",
    "take": "took",
    "tell": "told",
    "think": "thought",
    "write": "wrote",
}


def past_tense(verb: str) -> str:
    """A rough simple past for rewrites ("use" → "used", "stop" → "stopped")."""
    v = verb.lower()
    if v in _IRREGULAR:
        return _IRREGULAR[v]
    if v.endswith("e"):
        return v + "d"
    if v.endswith("y") and len(v) > 2 and v[-2] not in "aeiou":
        return v[:-1] + "ied"
    if (
        len(v) <= 4
        and len(v) >= 3
        and v[-1] not in "aeiouwxy"
        and v[-2] in "aeiou"
        and v[-3] not in "aeiou"
    ):
        return v + v[-1] + "ed"
    return v + "ed"
