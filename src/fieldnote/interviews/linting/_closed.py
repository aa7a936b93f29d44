"""Closed questions: a yes/no (or pick-one) question gets a verdict, not a story."""

from __future__ import annotations

from fieldnote.interviews.linting._text import (
    AUXILIARIES,
    POLITE_REQUEST,
    clauses,
    first_words,
    past_tense,
)
from fieldnote.interviews.linting._topic import topic
from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["ClosedRule", "closed_clause"]

_DO_AUX = frozenset(
    ["do", "does", "did", "don't", "doesn't", "didn't", "have", "has", "had", "haven't", "hasn't"]
)
_CONDITIONS = frozenset(["if", "suppose", "imagine", "say", "when", "once"])
_OPINION_VERBS = frozenset(
    ["find", "think", "agree", "like", "love", "hate", "enjoy", "prefer", "want", "feel"]
)


def closed_clause(lower: str) -> tuple[str, ...] | None:
    """The words of the first clause that opens with an auxiliary verb, if any."""
    for clause in clauses(lower):
        toks = first_words(clause)
        if toks and toks[0] in _CONDITIONS and "," in clause:
            # "If the price doubled, would you ...?": the main clause decides the form.
            toks = first_words(clause.split(",", 1)[1])
        if toks and toks[0] in AUXILIARIES and not POLITE_REQUEST.match(" ".join(toks)):
            return toks
    return None


def _rewrite(toks: tuple[str, ...], lower: str) -> str:
    if len(toks) >= 3 and toks[0] in _DO_AUX and toks[1] == "you" and toks[2] not in _OPINION_VERBS:
        verb = (
            past_tense(toks[2]) if toks[0] not in {"have", "has", "haven't", "hasn't"} else toks[2]
        )
        rest = " ".join(toks[3:])
        return f"Tell me about the last time you {verb} {rest}".strip() + "."
    subject = topic(lower)
    if subject:
        return f"Tell me about your experience with {subject}."
    return "Tell me about the last time that came up. What happened?"


class ClosedRule:
    kind = IssueKind.CLOSED

    def check(self, question: QuestionContext) -> LintIssue | None:
        toks = closed_clause(question.lower)
        if toks is None:
            return None
        return LintIssue(
            kind=self.kind,
            message=(
                f'Starts with "{toks[0]}", so it can be answered with yes, no or one of the '
                "offered options: you get a verdict instead of a story. Ask an open question "
                "about a specific past episode."
            ),
            rewrite=_rewrite(toks, question.lower),
        )
