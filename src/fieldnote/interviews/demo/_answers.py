"""What a demo participant says: phrase banks (``_phrases``) expanded per person.

Each answer is a template with alternatives (``[a|b]``) and persona details, then
varied with openers and self-corrections, so no two interviews read alike while the
same underlying problems recur across participants in their own words. Someone who
hit the admin screen answers the follow-ups about that episode from their side (who
holds the rights, what they tried), as people do; everyone else answers them about
their own experience.
"""

from __future__ import annotations

import random
import re

from fieldnote.interviews.demo._people import Persona
from fieldnote.interviews.demo._phrases import ADMIN, ADMIN_FOLLOW_UPS, INTENTS, STORIES

__all__ = ["ADMIN", "STORIES", "answer_for", "story"]

_CHOICE = re.compile(r"\[([^\[\]]*)\]")
_OPENERS = ("", "", "", "Um, ", "So, ", "Honestly, ", "Uh, ", "Well, ", "Yeah, ")
_CORRECTIONS = (
    " It was Tuesday, no wait, Wednesday.",
    " I mean, that's how I remember it.",
    " Or something like that.",
    " Sorry, I'm rambling.",
    " If that makes sense.",
    " Anyway.",
)


def expand(template: str, rng: random.Random) -> str:
    """One paraphrase: every ``[a|b|c]`` replaced by one of its alternatives."""
    return _CHOICE.sub(lambda m: rng.choice(m.group(1).split("|")), template)


def _fill(template: str, p: Persona, rng: random.Random) -> str:
    text = expand(template, rng).format(
        place=p.place,
        integration=p.integration,
        phone=p.phone,
        owner=p.owner,
        job=p.job,
        tracks=p.tracks,
        team=p.team_size,
        minutes=p.minutes_lost,
    )
    text = _reword(text, rng)
    return text[:1].upper() + text[1:]


# Words people swap freely; applied per occurrence, so two people telling the same
# template still differ in wording (as paraphrases do), not only in persona details.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "phone": ("phone", "mobile", "cell"),
    "app": ("app", "app", "application"),
    "numbers": ("numbers", "figures", "data"),
    "meeting": ("meeting", "call", "review"),
    "honestly": ("honestly", "frankly", "to be fair"),
    "quickly": ("quickly", "fast", "in a hurry"),
    "annoying": ("annoying", "irritating", "a pain"),
    "slow": ("slow", "sluggish", "laggy"),
    "screen": ("screen", "page", "dialog"),
    "message": ("message", "error", "notice"),
    "week": ("week", "week", "fortnight"),
    "spreadsheet": ("spreadsheet", "sheet", "Excel file"),
    "laptop": ("laptop", "computer", "desktop"),
    "dashboard": ("dashboard", "board", "overview"),
    "report": ("report", "summary", "report"),
    "tried": ("tried", "attempted", "tried"),
    "maybe": ("maybe", "perhaps", "about"),
}
_WORDS = re.compile(r"\b(" + "|".join(_SYNONYMS) + r")\b")


def _reword(text: str, rng: random.Random) -> str:
    return _WORDS.sub(lambda m: rng.choice(_SYNONYMS[m.group(1)]), text)


_KEEP_CASE = re.compile(r"^(?:I\b|I'|HubSpot|Salesforce|Slack|Google|Stripe|Pulseboard|[A-Z]{2})")


def _vary(text: str, rng: random.Random) -> str:
    opener = rng.choice(_OPENERS)
    if opener:
        text = opener + (text if _KEEP_CASE.match(text) else text[:1].lower() + text[1:])
    if rng.random() < 0.12:
        text += rng.choice(_CORRECTIONS)
    return text


def story(topic: str, p: Persona, rng: random.Random) -> str:
    return _vary(_fill(rng.choice(STORIES[topic]), p, rng), rng)


def answer_for(question: str, p: Persona, rng: random.Random) -> str | None:
    """A reply to a question by intent, or None when the question is about the problem
    itself (the caller tells a story from the participant's topics instead)."""
    lowered = question.lower()
    if p.hit_admin_problem:
        for pattern, options in ADMIN_FOLLOW_UPS.items():
            if re.search(pattern, lowered):
                return _vary(_fill(rng.choice(options), p, rng), rng)
    for pattern, options in INTENTS:
        if re.search(pattern, lowered):
            return _vary(_fill(rng.choice(options), p, rng), rng)
    return None
