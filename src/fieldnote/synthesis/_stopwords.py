"""Stop words for embedding and keyphrases: scikit-learn's English list plus spoken filler.

Transcripts are full of "um", "yeah", "honestly"; left in, they dominate TF-IDF and
keyphrases (seen on the demo interviews: a top theme labelled "Um / uh").

Built on first use: importing scikit-learn costs ~0.8 s, which every CLI command would
pay at start-up if this module read the list at import time.
"""

from __future__ import annotations

from functools import cache

from fieldnote.synthesis._notes import CONVERSATIONAL_STOP_WORDS

__all__ = ["PRONOUN_CONTRACTIONS", "stop_words"]

PRONOUN_CONTRACTIONS = frozenset(
    [
        *("i'm", "i've", "i'd", "i'll", "you're", "you've", "you'd", "it's", "that's"),
        *("there's", "here's", "what's", "let's", "we're", "we've", "they're", "they've"),
        *("he's", "she's"),
    ]
)
"""Speech is full of these and scikit-learn's list has only their parts ("i", "there"):
left in, they became keyphrases and labels on the demo ("Permission there's / waited").
Negations ("can't", "doesn't") stay: they carry the complaint."""


@cache
def stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | CONVERSATIONAL_STOP_WORDS | PRONOUN_CONTRACTIONS)
