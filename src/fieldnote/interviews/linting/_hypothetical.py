"""Hypothetical and future-behaviour questions: people are poor predictors of what they
would do (The Mom Test); ask what they did the last time instead."""

from __future__ import annotations

import re

from fieldnote.interviews.linting._text import past_tense, words
from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["HypotheticalRule"]

_POLITE = r"(?!\s+(?:you\s+)?(?:say|agree|mind|please|tell|walk|show|describe|explain|talk|share|like to (?:tell|add|share)))"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\bwould(?:n't)?{_POLITE}\b"), "would"),
    (re.compile(r"\b(?:will|won't) you\b|\byou'll\b"), "will you"),
    (re.compile(r"\bare you going to\b|\bgoing to (?:use|buy|pay|switch|keep)\b"), "going to"),
    (
        re.compile(
            r"\b(?:do|will) you (?:plan|intend|expect) to\b|\byou(?:'re| are) (?:planning|intending|expecting) to\b"
        ),
        "plan to",
    ),
    (re.compile(r"\bimagine\b|\bsuppose\b|\bpretend\b|\bpicture yourself\b"), "imagine"),
    (re.compile(r"\bhow likely\b|\bhow probable\b"), "how likely"),
    (re.compile(r"\bin the future\b|\bsomeday\b|\bone day\b"), "in the future"),
    (re.compile(r"\bcould you see yourself\b|\bcan you see yourself\b"), "see yourself"),
)
_VERB_AFTER = re.compile(
    r"\b(?:would|will|you'll|going to|plan to) (?:you )?(?:still )?([a-z]+)\b(.*)"
)
_NOT_VERBS = frozenset(
    ["it", "a", "an", "the", "that", "this", "be", "you", "your", "make", "have", "like"]
)


def _rewrite(lower: str) -> str:
    found = _VERB_AFTER.search(lower)
    if found and found.group(1) not in _NOT_VERBS and len(words(found.group(2))) <= 8:
        rest = " ".join(words(found.group(2)))
        return f"Tell me about the last time you {past_tense(found.group(1))} {rest}".strip() + "."
    return "Tell me about the last time this came up. What did you do?"


class HypotheticalRule:
    kind = IssueKind.HYPOTHETICAL

    def check(self, question: QuestionContext) -> LintIssue | None:
        for pattern, cue in _PATTERNS:
            if pattern.search(question.lower):
                return LintIssue(
                    kind=self.kind,
                    message=(
                        f'"{cue}" asks the participant to predict or imagine; people are poor '
                        "forecasters of their own behaviour and tend to be generous. Ask about "
                        "what they actually did, the last time."
                    ),
                    rewrite=_rewrite(question.lower),
                )
        return None
