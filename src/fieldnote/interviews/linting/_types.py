"""What a lint rule sees and returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

__all__ = ["IssueKind", "LintIssue", "LintedQuestion", "QuestionContext", "Rule"]


class IssueKind(StrEnum):
    LEADING = "leading"
    CLOSED = "closed"
    HYPOTHETICAL = "hypothetical"
    WHY = "why"
    DOUBLE_BARRELLED = "double_barrelled"
    JARGON = "jargon"
    SOLUTION_PITCH = "solution_pitch"


@dataclass(frozen=True, kw_only=True)
class LintIssue:
    """One problem: what kind, why it hurts the data, and a neutral rewrite to start from."""

    kind: IssueKind
    message: str
    rewrite: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "message": self.message, "rewrite": self.rewrite}


@dataclass(frozen=True, kw_only=True)
class LintedQuestion:
    text: str
    issues: tuple[LintIssue, ...]

    @property
    def kinds(self) -> frozenset[IssueKind]:
        return frozenset(i.kind for i in self.issues)

    @property
    def clean(self) -> bool:
        return not self.issues

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "issues": [i.to_dict() for i in self.issues]}


@dataclass(frozen=True, kw_only=True)
class QuestionContext:
    """A question, pre-tokenised once for every rule.

    ``solutions_allowed`` is True in a concept test's solution section, where showing
    a concept is the point; everywhere else pitching a solution biases the answers.
    """

    text: str
    lower: str
    words: tuple[str, ...]
    solutions_allowed: bool = False


class Rule(Protocol):
    """A rule family: returns its issue for the question, or None."""

    kind: IssueKind

    def check(self, question: QuestionContext) -> LintIssue | None: ...
