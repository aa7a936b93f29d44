"""Sentiment per note with VADER: tuned for short social text, lexicon-based, offline."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["opinion_words", "sentiments"]


def sentiments(texts: Sequence[str]) -> NDArray[np.float64]:
    """VADER compound score in [-1, 1] per text."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts], dtype=np.float64)


def opinion_words(strength: float = 1.0) -> frozenset[str]:
    """Words VADER scores at least ``strength`` either way ("love", "great", "awful")."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    lexicon: dict[str, float] = SentimentIntensityAnalyzer().lexicon
    return frozenset(w for w, v in lexicon.items() if abs(v) >= strength and w.isalpha())
