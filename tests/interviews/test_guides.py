"""Guides: templates, budgets, the library, drafting, Markdown, JSON round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.interviews.guides import (
    LIBRARY,
    TEMPLATES,
    Guide,
    GuideError,
    draft_guide,
    new_guide,
    to_markdown,
)
from fieldnote.interviews.linting import lint_question


def test_default_budget_is_the_seed_split() -> None:
    guide = new_guide("g", minutes=60)
    assert guide.budgets() == {
        "intro": 3.0,
        "context": 12.0,
        "problem": 24.0,
        "agnostic": 15.0,
        "wrapup": 6.0,
    }


@given(st.sampled_from(list(TEMPLATES)), st.integers(5, 240))
def test_budgets_add_up_to_the_planned_length(template: str, minutes: int) -> None:
    guide = new_guide("g", template=template, minutes=minutes)
    # Reference: shares times minutes, each rounded to 0.01 min.
    assert guide.budgets() == {s.key: round(minutes * s.share, 2) for s in guide.sections}
    assert sum(guide.budgets().values()) == pytest.approx(minutes, abs=0.05)


def test_library_and_every_template_pass_the_linter() -> None:
    for q in LIBRARY:
        for text in (q.text, *q.probes):
            assert lint_question(text, solutions_allowed=q.section == "concept").clean, text
    for template in TEMPLATES:
        assert all(linted.clean for _, linted in new_guide("g", template=template).lint())


def test_concept_section_allows_showing_the_concept() -> None:
    guide = new_guide("g", template="concept_test")
    concept = next(s for s in guide.sections if s.key == "concept")
    assert concept.solutions_allowed
    assert "sketch of an idea" in concept.questions[0].text


def test_draft_from_question_and_segment() -> None:
    guide = draft_guide(
        "Integration drop",
        question="Mobile users stop at the integration step; we do not know why.",
        step="integration_step_viewed",
        segment="dropped at step 3 on mobile, last 7 d",
    )
    problem = next(s for s in guide.sections if s.key == "problem")
    first = problem.questions[0]
    assert first.text == "What were you trying to accomplish right before the integration step?"
    assert first.probes[0] == "What did you expect to happen next?"
    context = next(s for s in guide.sections if s.key == "context")
    assert "What made you use your phone that time?" in context.questions[0].probes
    assert guide.goal.startswith("Mobile users stop")
    assert guide.meta["segment"] == "dropped at step 3 on mobile, last 7 d"
    assert all(linted.clean for _, linted in guide.lint())


def test_draft_reports_jargon_in_the_step_through_the_linter() -> None:
    guide = draft_guide("g", question="Why do trials stall?", step="the OAuth flow")
    flagged = {i.kind.value for _, linted in guide.lint() for i in linted.issues}
    assert flagged == {"jargon"}


def test_markdown_has_sections_budgets_and_probes() -> None:
    md = to_markdown(new_guide("Churn check", template="churn", minutes=40, goal="Learn why"))
    assert md.startswith("# Churn check\n\n**Goal:** Learn why\n")
    assert "## Problem — 16 min (40%, from 10 min)" in md
    assert "   - *Probe:* What happened right before that?" in md


def test_json_round_trip_and_errors() -> None:
    guide = draft_guide("g", question="q?", step="export", template="usability", minutes=45)
    assert Guide.from_dict(guide.to_dict()) == guide
    bad = guide.to_dict()
    bad["sections"][0]["share"] = 0.5
    with pytest.raises(GuideError, match="add up to 100%"):
        Guide.from_dict(bad)
    bad = guide.to_dict()
    bad["sections"][2]["questions"][0]["text"] = ""
    with pytest.raises(GuideError, match=r"sections\[2\]\.questions\[0\]\.text"):
        Guide.from_dict(bad)
    with pytest.raises(GuideError, match="planned length"):
        new_guide("g", minutes=2)
