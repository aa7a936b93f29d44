"""Guide templates: discovery, churn, usability and concept test.

The discovery template uses the default budget of seed 001: introduction 5%, context
20%, problem 40%, solution-agnostic 25%, wrap-up 10% of the planned length.
"""

from __future__ import annotations

from collections.abc import Callable

from fieldnote.interviews.guides._library import library_question
from fieldnote.interviews.guides._model import Guide, GuideQuestion, Section

__all__ = ["DEFAULT_SHARES", "TEMPLATES", "new_guide"]

#: key → (title, share of the planned length)
DEFAULT_SHARES: dict[str, tuple[str, float]] = {
    "intro": ("Introduction", 0.05),
    "context": ("Context", 0.20),
    "problem": ("Problem", 0.40),
    "agnostic": ("Solution-agnostic", 0.25),
    "wrapup": ("Wrap-up", 0.10),
}


def _section(key: str, title: str, share: float, *ids: str, concept: bool = False) -> Section:
    return Section(
        key=key,
        title=title,
        share=share,
        questions=tuple(library_question(i).question() for i in ids),
        solutions_allowed=concept,
    )


def _default(key: str, *ids: str) -> Section:
    title, share = DEFAULT_SHARES[key]
    return _section(key, title, share, *ids)


def _discovery() -> tuple[Section, ...]:
    return (
        _default("intro", "intro.purpose"),
        _default("context", "context.role", "context.tools"),
        _default("problem", "problem.last_time", "problem.hardest", "problem.workaround"),
        _default("agnostic", "agnostic.outcome", "agnostic.others", "agnostic.cost"),
        _default("wrapup", "wrapup.missed"),
    )


def _churn() -> tuple[Section, ...]:
    return (
        _default("intro", "intro.purpose"),
        _default("context", "context.role", "context.first"),
        _default("problem", "churn.moment", "problem.workaround"),
        _default("agnostic", "churn.instead", "agnostic.outcome"),
        _default("wrapup", "wrapup.missed"),
    )


def _usability() -> tuple[Section, ...]:
    return (
        _section("intro", "Introduction", 0.05, "intro.purpose"),
        _section("context", "Context", 0.15, "context.role"),
        _section("tasks", "Tasks", 0.55, "usability.task"),
        _section("debrief", "Debrief", 0.15, "usability.debrief"),
        _section("wrapup", "Wrap-up", 0.10, "wrapup.missed"),
    )


def _concept_test() -> tuple[Section, ...]:
    return (
        _section("intro", "Introduction", 0.05, "intro.purpose"),
        _section("context", "Context", 0.20, "context.role", "context.tools"),
        _section("problem", "Problem", 0.30, "problem.last_time", "problem.workaround"),
        _section(
            "concept",
            "Concept",
            0.35,
            "concept.reaction",
            "concept.last_time",
            concept=True,
        ),
        _section("wrapup", "Wrap-up", 0.10, "wrapup.missed"),
    )


TEMPLATES: dict[str, Callable[[], tuple[Section, ...]]] = {
    "discovery": _discovery,
    "churn": _churn,
    "usability": _usability,
    "concept_test": _concept_test,
}


def new_guide(
    name: str, *, template: str = "discovery", minutes: int = 30, goal: str = ""
) -> Guide:
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}; one of {', '.join(TEMPLATES)}")
    return Guide(
        name=name,
        template=template,
        planned_minutes=minutes,
        sections=TEMPLATES[template](),
        goal=goal,
    )


def with_questions(section: Section, first: tuple[GuideQuestion, ...]) -> Section:
    return Section(
        key=section.key,
        title=section.title,
        share=section.share,
        questions=first + section.questions,
        solutions_allowed=section.solutions_allowed,
    )
