"""Stop words for embedding and keyphrases: scikit-learn's English list plus spoken filler.

Transcripts are full of "um", "yeah", "honestly"; left in, they dominate TF-IDF and
keyphrases (seen on the demo interviews: a top theme labelled "Um / uh").
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from fieldnote.synthesis._notes import CONVERSATIONAL_STOP_WORDS

__all__ = ["STOP_WORDS"]

STOP_WORDS: list[str] = sorted(ENGLISH_STOP_WORDS | CONVERSATIONAL_STOP_WORDS)
