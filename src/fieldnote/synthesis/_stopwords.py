"""Stop words for embedding and keyphrases: scikit-learn's English list plus spoken filler.

Transcripts are full of "um", "yeah", "honestly"; left in, they dominate TF-IDF and
keyphrases (seen on the demo interviews: a top theme labelled "Um / uh").

Built on first use: importing scikit-learn costs ~0.8 s, which every CLI command would
pay at start-up if this module read the list at import time.
"""

from __future__ import annotations

from functools import cache

from fieldnote.synthesis._notes import CONVERSATIONAL_STOP_WORDS

__all__ = ["stop_words"]


@cache
def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | CONVERSATIONAL_STOP_WORDS)
