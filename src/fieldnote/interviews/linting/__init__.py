"""The question linter: flags leading, closed, hypothetical, "why", double-barrelled,
jargon-laden and solution-pitching questions, explains why each hurts the data, and
proposes a neutral rewrite. Offline and deterministic: it runs in the guide editor, on
every moderator question and on every LLM-generated one."""

from fieldnote.interviews.linting._jargon import JARGON
from fieldnote.interviews.linting._registry import RULES, lint_question, lint_questions
from fieldnote.interviews.linting._types import (
    IssueKind,
    LintedQuestion,
    LintIssue,
    QuestionContext,
    Rule,
)

__all__ = [
    "JARGON",
    "RULES",
    "IssueKind",
    "LintIssue",
    "LintedQuestion",
    "QuestionContext",
    "Rule",
    "lint_question",
    "lint_questions",
]
