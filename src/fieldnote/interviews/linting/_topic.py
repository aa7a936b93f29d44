"""Find what a question is about, so a rewrite can keep the participant's subject."""

from __future__ import annotations

import re

__all__ = ["LOADED", "topic"]

#: Evaluative words that tell the participant which answer is expected.
LOADED = frozenset(
    [
        "helpful",
        "useful",
        "confusing",
        "confused",
        "easy",
        "easier",
        "hard",
        "harder",
        "difficult",
        "complicated",
        "simple",
        "great",
        "good",
        "bad",
        "intuitive",
        "frustrating",
        "frustrate",
        "frustrated",
        "annoying",
        "annoyed",
        "happy",
        "unhappy",
        "enjoy",
        "like",
        "love",
        "hate",
        "relief",
        "clear",
        "fast",
        "slow",
        "quick",
        "painful",
        "convenient",
        "seamless",
        "frictionless",
        "beautiful",
        "better",
        "worse",
        "reliable",
        "accurate",
        "fair",
        "nice",
        "valuable",
        "powerful",
        "satisfied",
        "amazing",
        "awesome",
        "terrible",
        "clunky",
        "time-saving",
        "broken",
    ]
)
_DETERMINER = r"(?:the|our|this|these|those|your|their|its)"
_STOP = frozenset(
    [
        "and",
        "or",
        "to",
        "for",
        "with",
        "on",
        "in",
        "at",
        "of",
        "was",
        "is",
        "were",
        "are",
        "did",
        "do",
        "does",
        "make",
        "made",
        "cause",
        "save",
        "meet",
        "work",
        "feel",
        "be",
        "been",
        "you",
        "it",
        "that",
        "this",
    ]
)
_NP = re.compile(rf"\b{_DETERMINER}\s+((?:[a-z0-9'-]+\s*){{1,4}})")


def topic(lower: str) -> str | None:
    """The first noun phrase after a determiner, loaded adjectives removed
    ("our beautiful new charts" → "the new charts"), or None."""
    for match in _NP.finditer(lower):
        kept: list[str] = []
        for word in match.group(1).split():
            if word in _STOP:
                break
            if word in LOADED:
                continue
            kept.append(word)
        if kept:
            return "the " + " ".join(kept)
    return None
