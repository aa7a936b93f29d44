"""Double-barrelled questions: two questions in one, so the answer covers one of them
(usually the easier) and you cannot tell which (Portigal, NN/g)."""

from __future__ import annotations

import re

from fieldnote.interviews.linting._text import AUXILIARIES, WH_WORDS, first_words, sentence_case
from fieldnote.interviews.linting._topic import LOADED
from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["DoubleBarrelledRule"]

_QUESTION_STARTS = WH_WORDS | AUXILIARIES
_JOINED = re.compile(
    r"(?:,\s*|\s)(?:and|or)\s+(?=(?:what|how|who|when|where|why|which|would|will|do|did|does|"
    r"are|is|was|were|can|could|have)\b)"
)
_ADJ = "|".join(
    sorted(LOADED | {"reliable", "accurate", "quick", "secure", "cheap"}, key=len, reverse=True)
)
_PAIR = re.compile(rf"\b(?:{_ADJ}) (?:and|or) (?:(?:easy|simple) to \w+|(?:{_ADJ}))\b")
_VERBS = (
    "invite|use|connect|share|set|send|build|export|check|read|ask|change|pay|add|create|"
    "open|try|tell|update|install|delete|call|email|show|find|fix|buy"
)
_VERB_PAIR = re.compile(
    rf"^(?:do|did|does|have|has|can|could|would|will) you \w+\b.* and (?:{_VERBS})\b"
)


def _split(question: QuestionContext) -> tuple[str, str] | None:
    sentences = [s.strip() for s in re.split(r"(?<=\?)\s+", question.text) if s.strip()]
    asked = [
        s
        for s in sentences
        if s.endswith("?")
        and first_words(s)[:1]
        and first_words(s)[0] in _QUESTION_STARTS | {"tell", "walk", "describe"}
    ]
    if len(asked) >= 2:
        return asked[0], asked[1]
    match = _JOINED.search(question.lower)
    if (
        match
        and first_words(question.lower)[:1]
        and first_words(question.lower)[0] in _QUESTION_STARTS
    ):
        first = question.text[: match.start()].strip(" ,")
        second = question.text[match.end() :].strip()
        return first.rstrip("?") + "?", sentence_case(second)
    return None


class DoubleBarrelledRule:
    kind = IssueKind.DOUBLE_BARRELLED

    def check(self, question: QuestionContext) -> LintIssue | None:
        parts = _split(question)
        if parts is not None:
            first, second = parts
            return LintIssue(
                kind=self.kind,
                message=(
                    "Asks two things at once; people answer one (usually the easier) and you "
                    f'cannot tell which. Ask them one at a time; next, ask: "{second}"'
                ),
                rewrite=first,
            )
        lower = question.lower
        if _PAIR.search(lower) or _VERB_PAIR.search(" ".join(first_words(lower))):
            return LintIssue(
                kind=self.kind,
                message=(
                    "Joins two things with and/or, so one answer has to cover both. Ask about "
                    "each separately."
                ),
                rewrite="Tell me about the last time you did that. What happened first?",
            )
        return None
