"""Generate the demo interviews: the rule-based moderator runs a guide drafted for the
integration-step question, and simulated Pulseboard mobile users answer it.

About two thirds of the participants ran into the planted problem (the mobile apps
need an admin of the connected tool to install an integration, with no way to ask
one); everybody also brings two or three unrelated topics (slow reports, small charts,
notifications, pricing, ...), so synthesis has something real to separate. Answers are
assembled from phrase banks with persona details, openers, fillers and corrections,
and timed (a longer pause before talking about the failed connection), then run
through the same pipeline as imported files (``interview_from_turns``), so roles and
hesitation marks are computed, not asserted.
"""

from __future__ import annotations

import random
from pathlib import Path

from fieldnote.interviews._model import Interview
from fieldnote.interviews.demo._answers import ADMIN, answer_for, story
from fieldnote.interviews.demo._people import Persona, make_persona
from fieldnote.interviews.guides import draft_guide
from fieldnote.interviews.moderation import RuleBasedModerator, SessionState
from fieldnote.interviews.transcripts import WRITERS, RawTurn, interview_from_turns

__all__ = ["DEMO_QUESTION", "demo_interviews", "write_demo_files"]

DEMO_QUESTION = "Mobile users stop at the integration step; we do not know why."
INTERVIEWERS = ("Dana Reyes", "Sam Whitfield", "Aroha Ngata")
_PROBLEM_CUES = ("integration step", "trouble", "hardest part")


def _participant_reply(
    question: str, persona: Persona, queue: list[str], rng: random.Random
) -> tuple[str, float]:
    """The answer and the pause before it (seconds)."""
    reply = answer_for(question, persona, rng)
    if reply is not None:
        return reply, rng.uniform(0.4, 2.2)
    lowered = question.lower()
    topic = queue.pop(0) if queue and any(c in lowered for c in _PROBLEM_CUES) else None
    if topic is None:
        return (
            rng.choice(("I'm not sure, to be honest.", "Hard to say. It depends on the week.")),
            rng.uniform(1.0, 3.0),
        )
    pause = rng.uniform(3.5, 8.0) if topic == ADMIN else rng.uniform(0.5, 2.5)
    told = story(topic, persona, rng)
    if topic != ADMIN and "integration step" in lowered:
        told = (
            f"That part went fine, {persona.integration} connected in a minute. "
            f"What bothers me more is this. {told}"
        )
    return told, pause


def _one(index: int, rng: random.Random, *, admin_problem: bool) -> Interview:
    persona = make_persona(rng, admin_problem=admin_problem)
    interviewer = INTERVIEWERS[index % len(INTERVIEWERS)]
    guide = draft_guide(
        "Integration drop (mobile)",
        question=DEMO_QUESTION,
        step="integration_step_viewed",
        segment="dropped at the integration step on mobile, last 14 days",
        minutes=rng.choice((20, 25, 30)),
    )
    moderator = RuleBasedModerator(max_probes=rng.choice((1, 2, 2)))
    state = SessionState(guide=guide, moderator=moderator.name)
    queue = ([ADMIN] if admin_problem else []) + list(persona.topics)
    t = 0.0
    turn = moderator.start(state, t)
    turns: list[RawTurn] = []
    while True:
        said = len(turn.text.split()) / 2.6
        turns.append(
            RawTurn(speaker=interviewer, text=turn.text, start=round(t, 2), end=round(t + said, 2))
        )
        t += said
        if turn.done:
            break
        reply, pause = _participant_reply(turn.text, persona, queue, rng)
        t += pause
        talk = len(reply.split()) / 2.4
        turns.append(
            RawTurn(speaker=persona.name, text=reply, start=round(t, 2), end=round(t + talk, 2))
        )
        t += talk + rng.uniform(0.3, 1.2)
        turn = moderator.respond(state, reply, t)
    return interview_from_turns(
        turns,
        id=f"demo-{index:03d}",
        source=f"demo:{index:03d}",
        format="demo",
        participant=persona.name,
        interviewers=(interviewer,),
    )


def demo_interviews(n: int = 24, *, seed: int = 7, admin_share: float = 0.65) -> list[Interview]:
    """``n`` demo interviews; ``round(n * admin_share)`` of them hit the admin problem."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = random.Random(seed)
    hits = set(rng.sample(range(n), k=round(n * admin_share)))
    return [_one(i, rng, admin_problem=i in hits) for i in range(n)]


def write_demo_files(folder: Path, interviews: list[Interview]) -> list[Path]:
    """Write the interviews as files, cycling through every supported format."""
    folder.mkdir(parents=True, exist_ok=True)
    writers = list(WRITERS.values())
    paths = []
    for i, interview in enumerate(interviews):
        writer = writers[i % len(writers)]
        path = folder / f"interview-{i + 1:03d}-{writer.name}{writer.extension}"
        path.write_bytes(writer.write(interview))
        paths.append(path)
    return paths
