"""Draft a Study's guide from its Question and Segment.

Seed 002: instead of "Was this step confusing?", ask "What were you trying to accomplish
right before this screen, and what did you expect to happen next?". The drafted guide
asks the first half as the question and the second as its probe (one question at a
time: the linter flags the combined form as double-barrelled).
"""

from __future__ import annotations

import re
from dataclasses import replace

from fieldnote.interviews.guides._model import Guide, GuideError, GuideQuestion
from fieldnote.interviews.guides._templates import new_guide, with_questions

__all__ = ["draft_guide", "step_phrase"]

_DEVICE = {
    "mobile": "phone",
    "ios": "phone",
    "iphone": "phone",
    "android": "phone",
    "web": "computer",
    "desktop": "computer",
}
_PLATFORM = re.compile(r"\b(mobile|ios|iphone|android|phone|tablet|desktop|web|laptop)\b", re.I)


def step_phrase(step: str) -> str:
    """An event name or a phrase → words for a question ("integration_step_viewed" →
    "the integration step")."""
    text = step.strip()
    if re.fullmatch(r"[a-z0-9_]+", text):
        words = [w for w in text.split("_") if w not in {"viewed", "started", "clicked", "shown"}]
        text = "the " + " ".join(words)
    return text


def draft_guide(
    name: str,
    *,
    question: str,
    step: str,
    segment: str = "",
    template: str = "discovery",
    minutes: int = 30,
) -> Guide:
    if not question.strip() or not step.strip():
        raise GuideError("a draft needs the research question and the step it is about")
    where = step_phrase(step)
    base = new_guide(name, template=template, minutes=minutes, goal=question.strip())
    problem_key = "tasks" if template == "usability" else "problem"
    drafted = (
        GuideQuestion(
            text=f"What were you trying to accomplish right before {where}?",
            probes=("What did you expect to happen next?", "What happened instead?"),
        ),
        GuideQuestion(
            text=f"Tell me about the last time you got to {where}. What happened?",
            probes=("How did you get around it?", "Who else was involved?"),
        ),
    )
    context: tuple[GuideQuestion, ...] = ()
    if platform := _PLATFORM.search(segment):
        context = (
            GuideQuestion(
                text=(
                    f"Tell me about the device and the place you were in the last time you "
                    f"tried {where}."
                ),
                probes=(
                    f"What made you use your "
                    f"{_DEVICE.get(platform.group(1).lower(), platform.group(1).lower())} that time?",
                ),
            ),
        )
    sections = tuple(
        with_questions(s, drafted)
        if s.key == problem_key
        else with_questions(s, context)
        if s.key == "context"
        else s
        for s in base.sections
    )
    return replace(
        base,
        sections=sections,
        meta={"question": question.strip(), "segment": segment.strip(), "step": step.strip()},
    )
