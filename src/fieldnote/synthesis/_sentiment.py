"""Sentiment per note with VADER: tuned for short social text, lexicon-based, offline.

Spoken answers open with discourse markers ("Yes, ...", "Well, yes. ...", "Uh, okay"):
VADER scores "yes" and "okay" as positive, so an agreeing answer about a problem read
as praise (seen on the demo interviews: "Uh, yes. And that it happens more on the
phone" scored +0.40). Leading markers are removed before scoring; the quote itself is
never changed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["opinion_words", "sentiments", "strip_markers"]

_MARKERS = (
    "uh|um|uhm|erm|er|hmm|mm|mhm|oh|ah|yeah|yes|yep|yup|ok|okay|so|well|honestly|"
    "right|sure|alright|anyway|i mean|you know"
)
_LEADING = re.compile(rf"^(?:\s*(?:{_MARKERS})\b[\s,.;:!-]*)+", re.IGNORECASE)


def strip_markers(text: str) -> str:
    """The text without leading discourse markers; the text itself if nothing else is left."""
    rest = _LEADING.sub("", text)
    return rest if rest.strip() else text


def sentiments(texts: Sequence[str]) -> NDArray[np.float64]:
    """VADER compound score in [-1, 1] per text, leading discourse markers ignored."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array(
        [analyzer.polarity_scores(strip_markers(t))["compound"] for t in texts], dtype=np.float64
    )


def opinion_words(strength: float = 1.0) -> frozenset[str]:
    """Words VADER scores at least ``strength`` either way ("love", "great", "awful")."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lexicon: dict[str, float] = SentimentIntensityAnalyzer().lexicon
    return frozenset(w for w, v in lexicon.items() if abs(v) >= strength and w.isalpha())
