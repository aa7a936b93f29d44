"""The question linter: each rule family on the questions it exists for, and rewrites
that actually fix what they were proposed for."""

from __future__ import annotations

import pytest

from bench.lint_bench import load
from fieldnote.interviews.linting import RULES, IssueKind, lint_question, lint_questions


def kinds(text: str, **kw: bool) -> set[str]:
    return {k.value for k in lint_question(text, **kw).kinds}


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Do you find the dashboard helpful?", {"leading", "closed"}),
        ("Was this step confusing?", {"leading", "closed"}),
        ("Would you use the app every day?", {"hypothetical", "closed"}),
        ("How much would you pay for automatic reports?", {"hypothetical"}),
        ("Why did you cancel your subscription?", {"why"}),
        ("How often do you use the app and what do you use it for?", {"double_barrelled"}),
        ("How did the onboarding funnel feel on mobile?", {"jargon"}),
        ("What if we added a button to request admin approval?", {"solution_pitch"}),
        ("Tell me about the last time you built a report for your team.", set()),
        ("Could you walk me through your Monday morning?", set()),
        ("What did you expect to happen after you tapped connect?", set()),
    ],
)
def test_each_kind_on_its_textbook_case(question: str, expected: set[str]) -> None:
    assert kinds(question) == expected


def test_every_kind_has_a_registered_rule() -> None:
    assert set(RULES) == set(IssueKind)
    assert all(rule.kind is kind for kind, rule in RULES.items())


def test_issue_carries_message_and_rewrite() -> None:
    (issue,) = lint_question("Why did you cancel your subscription?").issues
    assert issue.to_dict()["kind"] == "why"
    assert "rationalisation" in issue.message or "justification" in issue.message
    assert issue.rewrite.startswith("Take me back to when you decided to cancel your subscription")


def test_jargon_rewrite_uses_plain_words() -> None:
    (issue,) = lint_question("What friction did you hit in the user journey?").issues
    assert issue.rewrite == "What trouble did you hit in the steps you went through?"
    assert '"friction" → "trouble"' in issue.message


def test_double_barrelled_rewrite_keeps_the_first_question_and_names_the_second() -> None:
    (issue,) = lint_question("Who set up your account and how long did it take?").issues
    assert issue.rewrite == "Who set up your account?"
    assert "How long did it take?" in issue.message


def test_pitching_is_allowed_in_a_concept_tests_solution_section() -> None:
    q = "What do you think of a dark mode for the dashboards?"
    assert kinds(q) == {"solution_pitch"}
    assert kinds(q, solutions_allowed=True) == set()


def test_conditional_main_clause_decides_closedness() -> None:
    assert "closed" in kinds("If the price doubled, would you still subscribe?")
    assert "closed" not in kinds("If your manager asked for a report, how did you build it?")


@pytest.mark.parametrize("row", [r for r in load() if r.kinds], ids=lambda r: r.text[:40])
def test_rewrites_fix_the_problem_they_were_proposed_for(row: object) -> None:
    """Every rewrite the linter proposes, on every flagged question of the labelled set,
    is free of the kind of problem it replaces (a rewrite that is itself leading or
    closed would teach the wrong habit)."""
    text = row.text  # type: ignore[attr-defined]
    for issue in lint_question(text).issues:
        assert issue.kind not in lint_question(issue.rewrite).kinds, (issue.kind, issue.rewrite)


def test_lint_questions_skips_blank_lines_and_keeps_order() -> None:
    out = lint_questions(["Why did you leave?", "  ", "What happened next?"])
    assert [r.text for r in out] == ["Why did you leave?", "What happened next?"]
    assert [r.clean for r in out] == [False, True]
