"""Solution pitching: describing a feature and asking for a reaction collects compliments,
not facts about the problem (The Mom Test). Allowed only where a concept is being tested."""

from __future__ import annotations

import re

from fieldnote.interviews.linting._types import IssueKind, LintIssue, QuestionContext

__all__ = ["SolutionPitchRule"]

_THING = (
    "feature|button|option|tool|bot|widget|mode|plan|assistant|setting|flow|screen|"
    "dashboard|version|app|alert|alerts|integration|template|templates|report|wizard|digest"
)
_PATTERNS = tuple(
    re.compile(p)
    for p in (
        r"\bwhat if we\b",
        r"\bif we (?:built|build|added|add|offered|offer|made|make|had|fixed|fix|changed|"
        r"launched|introduced|gave|created|shipped|removed|could)\b",
        r"\bhow would you feel about\b",
        r"\b(?:we're|we are|we'll|we will|we've been) (?:thinking|planning|building|going|about|"
        r"considering|adding|launching|working)\b",
        r"\bwe (?:plan|want|intend) to\b",
        r"\bour new\b",
        r"\bhow about (?:a|an|the|adding|having|some)\b",
        r"\bwhat do you think (?:of|about) (?:a|an|our|the new|having|adding|this)\b",
        rf"\b(?:a|an) (?:[a-z-]+ )?(?:{_THING}) that\b",
        r"\b(?:mockup|mock-up|prototype|wireframe)\b",
        r"\bwould (?:it|that) help if\b",
        r"\bwould it be (?:useful|helpful|nice|good|great|valuable|easier|better)\b",
        r"\bwould you (?:like|want) (?:a|an|to have|us to)\b",
        r"\bdo you want (?:a|an|us to)\b",
        r"\bgood idea\b",
        r"\bwould(?:n't)? (?:a|an) [a-z-]+\b",
    )
)


class SolutionPitchRule:
    kind = IssueKind.SOLUTION_PITCH

    def check(self, question: QuestionContext) -> LintIssue | None:
        if question.solutions_allowed:
            return None
        if not any(p.search(question.lower) for p in _PATTERNS):
            return None
        return LintIssue(
            kind=self.kind,
            message=(
                "Pitches a solution: people are kind about ideas and the answer tells you "
                "nothing about the problem. Ask how they deal with the problem today."
            ),
            rewrite="What, if anything, have you tried so far to deal with this?",
        )
