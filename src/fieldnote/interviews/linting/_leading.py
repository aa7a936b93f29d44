"""Leading questions: wording that tells the participant which answer is expected
("Do you find X helpful?"). The answers then measure politeness, not experience (NN/g)."""

from __future__ import annotations

import re

from fieldnote.interviews.linting._closed import closed_clause
from fieldnote.interviews.linting._text import (
    NEGATIVE_AUXILIARIES,
    POLITE_REQUEST,
    clauses,
    first_words,
)
from fieldnote.interviews.linting._topic import LOADED, topic
from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["LeadingRule"]

_LOADED_ALT = "|".join(sorted(LOADED, key=len, reverse=True))
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\b(?:do|don't|wouldn't|would) you (?:agree|not agree)\b"), "asks for agreement"),
    (re.compile(r"\bdon't you think\b|\bwouldn't you say\b"), "asks for agreement"),
    (
        re.compile(
            r",\s*(?:right|correct|yes|no|isn't it|don't you|didn't you|wasn't it)\s*[?.]?$"
        ),
        "ends with a tag that asks for confirmation",
    ),
    (
        re.compile(r"\b(?:surely|obviously|clearly|of course|you probably|i assume)\b"),
        "states the expected answer",
    ),
    (
        re.compile(
            r"\b(?:most|many|other|all) (?:users|people|customers|teams) (?:find|say|think|love|hate|prefer|struggle)\b"
        ),
        "reports what others said",
    ),
    (re.compile(r"\beveryone (?:finds|says|thinks|loves|hates)\b"), "reports what others said"),
    (
        re.compile(r"\bhow much (?:do|did) you (?:love|like|enjoy|hate|appreciate)\b"),
        "presupposes a feeling",
    ),
    (
        re.compile(rf"\bhow (?:{_LOADED_ALT}) (?:was|is|were|are|did|does|do|has|have)\b"),
        "presupposes a judgement",
    ),
    (
        re.compile(
            r"\bwhat (?:annoyed|frustrated|bothered|confused|irritated|upset|delighted|impressed) you\b"
        ),
        "presupposes a feeling",
    ),
    (re.compile(r"\bwhat did you (?:love|hate|enjoy)\b"), "presupposes a feeling"),
    (
        re.compile(
            rf"\b(?:the|our|this|these|those|your) (?:new )?(?:{_LOADED_ALT})(?: new)? [a-z]+"
        ),
        "describes the product with a judgement",
    ),
    (re.compile(r"^given (?:how|that)\b"), "states a premise the participant has to accept"),
    (
        re.compile(rf"\bwhy (?:was|were|is|are)\b.*\bso (?:{_LOADED_ALT})\b"),
        "presupposes a judgement",
    ),
    (re.compile(rf"\bwhy did you find\b.*\b(?:{_LOADED_ALT})\b"), "presupposes a judgement"),
    (
        re.compile(r"\bwhy (?:don't|didn't) you (?:like|love|enjoy|trust)\b"),
        "presupposes a feeling",
    ),
)
#: Yes/no questions about the product that carry their own verdict ("Was this step
#: confusing?"); "would it be useful" belongs to the hypothetical and pitch rules.
_VERDICT_AUX = (
    frozenset(["do", "does", "did", "is", "are", "was", "were", "has", "have"])
    | NEGATIVE_AUXILIARIES
)
_BALANCED = re.compile(r"\bor not\b|\bif at all\b|\bor (?:not|un)\w*\b")


def _verdict(question: QuestionContext) -> bool:
    toks = closed_clause(question.lower)
    if toks is None or toks[0] not in _VERDICT_AUX or _BALANCED.search(question.lower):
        return False
    return any(w in LOADED for w in toks)


def _negative_start(question: QuestionContext) -> bool:
    for clause in clauses(question.lower):
        toks = first_words(clause)
        if toks and toks[0] in NEGATIVE_AUXILIARIES and not POLITE_REQUEST.match(" ".join(toks)):
            return True
    return False


def _rewrite(lower: str) -> str:
    subject = topic(lower)
    if subject:
        return f"Tell me about the last time you used {subject}. What happened?"
    return "Tell me about the last time that happened. What was it like?"


class LeadingRule:
    kind = IssueKind.LEADING

    def check(self, question: QuestionContext) -> LintIssue | None:
        reason: str | None = None
        if _negative_start(question):
            reason = "opens with a negative question, which expects agreement"
        elif _verdict(question):
            reason = "asks the participant to confirm a judgement of the product"
        else:
            reason = next((why for p, why in _PATTERNS if p.search(question.lower)), None)
        if reason is None:
            return None
        return LintIssue(
            kind=self.kind,
            message=(
                f"Leading: it {reason}. Participants tend to agree to be polite, so the answer "
                "reflects the wording, not their experience. Ask neutrally about what happened."
            ),
            rewrite=_rewrite(question.lower),
        )
