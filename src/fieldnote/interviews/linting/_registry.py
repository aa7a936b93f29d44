"""The rule registry and the entry points: every rule family runs on every question."""

from __future__ import annotations

from collections.abc import Iterable

from fieldnote.interviews.linting._closed import ClosedRule
from fieldnote.interviews.linting._double import DoubleBarrelledRule
from fieldnote.interviews.linting._hypothetical import HypotheticalRule
from fieldnote.interviews.linting._jargon import JargonRule
from fieldnote.interviews.linting._leading import LeadingRule
from fieldnote.interviews.linting._pitch import SolutionPitchRule
from fieldnote.interviews.linting._text import context
from fieldnote.interviews.linting._types import IssueKind, LintedQuestion, Rule
from fieldnote.interviews.linting._why import WhyRule

__all__ = ["RULES", "lint_question", "lint_questions"]

#: kind → rule; the order is the order issues are reported in.
RULES: dict[IssueKind, Rule] = {
    IssueKind.LEADING: LeadingRule(),
    IssueKind.CLOSED: ClosedRule(),
    IssueKind.HYPOTHETICAL: HypotheticalRule(),
    IssueKind.WHY: WhyRule(),
    IssueKind.DOUBLE_BARRELLED: DoubleBarrelledRule(),
    IssueKind.JARGON: JargonRule(),
    IssueKind.SOLUTION_PITCH: SolutionPitchRule(),
}


def lint_question(text: str, *, solutions_allowed: bool = False) -> LintedQuestion:
    """Lint one question. ``solutions_allowed`` for a concept test's solution section."""
    ctx = context(text, solutions_allowed=solutions_allowed)
    issues = tuple(issue for rule in RULES.values() if (issue := rule.check(ctx)) is not None)
    return LintedQuestion(text=ctx.text, issues=issues)


def lint_questions(
    lines: Iterable[str], *, solutions_allowed: bool = False
) -> list[LintedQuestion]:
    """Lint one question per non-blank line."""
    return [
        lint_question(line, solutions_allowed=solutions_allowed) for line in lines if line.strip()
    ]
