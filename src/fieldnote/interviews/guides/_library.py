"""The reusable question library: neutral, open, past-behaviour questions with probes,
grouped by the section they serve. Templates draw from it; every entry passes the
linter (a test checks), so a guide built from the library starts clean."""

from __future__ import annotations

from dataclasses import dataclass

from fieldnote.interviews.guides._model import GuideQuestion

__all__ = ["LIBRARY", "LibraryQuestion", "library_question"]


@dataclass(frozen=True, kw_only=True)
class LibraryQuestion:
    id: str
    section: str  # intro, context, problem, agnostic, wrapup, tasks, debrief, concept
    text: str
    probes: tuple[str, ...] = ()

    def question(self) -> GuideQuestion:
        return GuideQuestion(text=self.text, probes=self.probes)


def _q(id: str, section: str, text: str, *probes: str) -> LibraryQuestion:
    return LibraryQuestion(id=id, section=section, text=text, probes=probes)


LIBRARY: tuple[LibraryQuestion, ...] = (
    _q(
        "intro.purpose",
        "intro",
        "Before we start, what questions do you have about how this conversation will go?",
    ),
    _q("context.role", "context", "Tell me about your role and what a typical week looks like."),
    _q(
        "context.tools",
        "context",
        "Walk me through the tools you used the last time you prepared numbers for someone.",
        "Who else was involved?",
    ),
    _q(
        "context.first",
        "context",
        "Tell me about the first time you used the product. What was going on then?",
    ),
    _q(
        "problem.last_time",
        "problem",
        "Tell me about the last time you ran into trouble getting this done.",
        "What happened next?",
        "How did you get around it?",
    ),
    _q(
        "problem.hardest",
        "problem",
        "What was the hardest part of the last time you did this?",
        "What did that mean for the rest of your day?",
    ),
    _q(
        "problem.workaround",
        "problem",
        "What have you tried so far to deal with it?",
        "How well did that work out?",
    ),
    _q(
        "agnostic.outcome",
        "agnostic",
        "When this goes well, what does the outcome look like for you?",
        "Tell me about a time it went that way.",
    ),
    _q(
        "agnostic.others",
        "agnostic",
        "How do other people around you handle the same situation?",
    ),
    _q(
        "agnostic.cost",
        "agnostic",
        "What has this problem cost you, in time or otherwise, over the last month?",
    ),
    _q("wrapup.missed", "wrapup", "What else should I have asked you?"),
    _q(
        "wrapup.anything",
        "wrapup",
        "What is one thing about this topic we have not talked about yet?",
    ),
    _q(
        "churn.moment",
        "problem",
        "Take me back to the moment you decided to stop using the product. What was going on?",
        "What happened right before that?",
        "Who else was part of that decision?",
    ),
    _q(
        "churn.instead",
        "agnostic",
        "What are you using instead now?",
        "How did you come across it?",
    ),
    _q(
        "usability.task",
        "tasks",
        "Please show me how you set up a new report, thinking aloud as you go.",
        "What are you looking for right now?",
        "What did you expect to happen there?",
    ),
    _q(
        "usability.debrief",
        "debrief",
        "Looking back at what you just did, what stood out for you?",
    ),
    _q(
        "concept.reaction",
        "concept",
        "Here is a sketch of an idea. Talk me through what you see.",
        "Where does this fit in what you described earlier?",
    ),
    _q(
        "concept.last_time",
        "concept",
        "Thinking of the last time you had this problem, how does this compare with what you did?",
    ),
)


def library_question(question_id: str) -> LibraryQuestion:
    for q in LIBRARY:
        if q.id == question_id:
            return q
    raise KeyError(question_id)
