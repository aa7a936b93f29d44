""" "Why did you ...?" invites a tidy rationalisation after the fact (seed 002, Torres):
reconstruct the situation around the action instead."""

from __future__ import annotations

import re

from fieldnote.interviews.linting._text import past_tense, words
from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["WhyRule"]

_WHY = re.compile(r"(?:^|[,;?.]\s*|\band\s+)why\b")
_DID = re.compile(r"\bwhy did you ([a-z]+)\b(.*)")
_DO = re.compile(r"\bwhy do you ([a-z]+)\b(.*)")
_NOT = re.compile(r"\bwhy (?:didn't|don't) you ([a-z]+)\b(.*)")


def _rest(text: str) -> str:
    return " ".join(words(text))


def _rewrite(lower: str) -> str:
    if (m := _DID.search(lower)) and m.group(1) not in {"find", "think", "feel", "like"}:
        return (
            f"Take me back to when you decided to {m.group(1)} {_rest(m.group(2))}".rstrip()
            + ". What was going on at that moment?"
        )
    if m := _DO.search(lower):
        return (
            f"Walk me through the last time you {past_tense(m.group(1))} {_rest(m.group(2))}".rstrip()
            + ". What was going on around it?"
        )
    if m := _NOT.search(lower):
        return (
            f"What was happening the last time you thought about whether to {m.group(1)} "
            f"{_rest(m.group(2))}".rstrip()
            + "?"
        )
    return "Take me back to that moment. What was happening just before it?"


class WhyRule:
    kind = IssueKind.WHY

    def check(self, question: QuestionContext) -> LintIssue | None:
        if not _WHY.search(question.lower):
            return None
        return LintIssue(
            kind=self.kind,
            message=(
                '"Why" asks for a justification, and people answer with a tidy reason made up '
                "after the fact. Reconstruct the situation around the action: what was "
                "happening, what they were trying to do, what they expected."
            ),
            rewrite=_rewrite(question.lower),
        )
