"""Keyphrases by class-based TF-IDF (c-TF-IDF, as in BERTopic).

All notes of a theme form one document; a phrase scores by its frequency in the theme
times log(1 + average theme length / its frequency across all themes and outliers).
A word every theme uses ("app", "really") scores low even when frequent: keyphrases
are what is *distinctive* about a theme. A unigram already inside a higher-ranked
bigram is skipped so the list does not repeat itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._stopwords import stop_words

__all__ = ["LABEL_FILLER", "ctfidf", "keyphrases", "label_from"]

LABEL_FILLER = frozenset(
    [
        "got",
        "get",
        "getting",
        "gets",
        "goes",
        "going",
        "went",
        "thing",
        "things",
        "especially",
        "really",
        "just",
        "say",
        "said",
        "like",
        "use",
        "used",
        "using",
        "way",
        "lot",
        "bit",
        "know",
        "think",
        "make",
        "made",
        "did",
        "does",
        "come",
        "came",
        "far",
        "later",
        "probably",
        "thanks",
        "maybe",
        "actually",
        "pretty",
        "stuff",
        "kind",
        "sure",
        "want",
        "wanted",
        "need",
    ]
)
"""Conversational words that pass scikit-learn's stop list but name nothing in a label."""


def ctfidf(per_class: NDArray[np.float64]) -> NDArray[np.float64]:
    """c-TF-IDF of a class x term count matrix: tf within the class x log(1 + A / f_term).

    ``A`` is the average number of term occurrences per class, ``f_term`` the term's
    count over all classes.
    """
    total = per_class.sum(axis=0)
    avg_len = per_class.sum() / max(per_class.shape[0], 1)
    idf = np.log1p(avg_len / np.maximum(total, 1.0))
    tf = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1.0)
    return np.asarray(tf * idf, dtype=np.float64)


def keyphrases(
    texts: Sequence[str], labels: NDArray[np.int64], n_themes: int, top: int = 8
) -> list[list[str]]:
    """Top ``top`` keyphrases per theme ``0..n_themes-1`` (outliers are background)."""
    from sklearn.feature_extraction.text import CountVectorizer

    if n_themes == 0:
        return []
    vectorizer = CountVectorizer(
        ngram_range=(1, 2),
        stop_words=stop_words(),
        min_df=2 if len(texts) >= 20 else 1,
        token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z0-9']+\b",
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        return [[] for _ in range(n_themes)]
    vocab = vectorizer.get_feature_names_out()
    rows = np.where(labels >= 0, labels, n_themes)
    from scipy.sparse import csr_matrix

    member = csr_matrix(
        (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(n_themes + 1, len(rows))
    )
    per_class = np.asarray((member @ counts).todense(), dtype=np.float64)
    scores = ctfidf(per_class)
    result: list[list[str]] = []
    for c in range(n_themes):
        order = np.lexsort((vocab, -scores[c]))
        chosen: list[str] = []
        for j in order:
            if per_class[c, j] < 1 or len(chosen) >= top:
                break
            phrase = str(vocab[j])
            if any(phrase in kept.split() or kept in phrase.split() for kept in chosen):
                continue
            chosen.append(phrase)
        result.append(chosen)
    return result


def label_from(phrases: Sequence[str], avoid: frozenset[str] = frozenset()) -> str:
    """A short readable label: the leading two-word phrase (if any in the top three),
    then the next keyphrase that shares no word with it.

    Phrases with a word in ``avoid`` (opinion words such as "love", "great": they say
    how people feel, which sentiment already reports, not *what about*) are passed over
    while other keyphrases remain, so a label names the subject.
    """
    if not phrases:
        return "(unlabelled)"
    subject = [p for p in phrases if not avoid & set(p.split())] or list(phrases)
    top = subject[:3]
    head = next((p for p in top if len(p.split()) > 1), top[0])
    used = set(head.split())
    rest = next((p for p in subject[:5] if p != head and not used & set(p.split())), None)
    text = head if rest is None else f"{head} / {rest}"
    return text[:1].upper() + text[1:]
