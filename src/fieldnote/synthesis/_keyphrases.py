"""Keyphrases by class-based TF-IDF (c-TF-IDF, as in BERTopic), chosen with MMR.

All notes of a theme form one document; a phrase scores by its frequency in the theme
times log(1 + average theme length / its frequency across all themes and outliers).
A word every theme uses ("app", "really") scores low even when frequent: keyphrases
are what is *distinctive* about a theme.

Candidates are runs of one to three adjacent content words inside one clause
(``candidates``): no stop word inside, nothing across punctuation. Before, stop words
were removed first and bigrams formed over the gap, so "the admin. Which, fine" gave
the keyphrase "admin fine", and "a file that the founder maintains" "file founder" —
phrases nobody said (seen on the demo). Then maximal marginal relevance picks the list:
each next phrase maximises ``LAMBDA`` x score - (1 - ``LAMBDA``) x its word overlap with
the phrases already kept, and a phrase whose words are all inside a kept one (or the
reverse: "permission" after "admin permission") is skipped, so the list does not
repeat itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._stopwords import stop_words

__all__ = [
    "LABEL_FILLER",
    "LAMBDA",
    "Keyphrase",
    "candidates",
    "clauses",
    "ctfidf",
    "keyphrases",
    "label_from",
    "mmr",
    "overlap",
    "scored_keyphrases",
    "stem",
    "tokens",
]

LABEL_FILLER = frozenset(
    [
        *("got", "get", "getting", "gets", "goes", "going", "went", "thing", "things"),
        *("especially", "really", "just", "say", "said", "like", "use", "used", "using"),
        *("way", "lot", "bit", "know", "think", "make", "made", "did", "does", "come"),
        *("came", "far", "later", "probably", "thanks", "maybe", "actually", "pretty"),
        *("stuff", "kind", "sure", "want", "wanted", "need", "fine", "mainly", "basically"),
        *("anyway", "mean", "guess", "tell", "told", "let", "try", "tried"),
    ]
)
"""Conversational words that pass scikit-learn's stop list but name nothing in a label
("fine" is what people say before the complaint: "Which, fine")."""

LAMBDA = 0.7
"""MMR weight of relevance against redundancy (BERTopic's and KeyBERT's usual range)."""

_CLAUSE = re.compile(
    "[.,;:!?()\\[\\]{}\"\u201c\u201d\u2026/]+|\\s[-\u2013\u2014]+\\s|\\s'|'\\s|^'|'$"
)
_TOKEN = re.compile(r"[a-z0-9][a-z0-9']*")


@dataclass(frozen=True, slots=True)
class Keyphrase:
    phrase: str
    score: float


def clauses(text: str) -> list[str]:
    """Lower-cased pieces of ``text`` between punctuation: phrases never cross them."""
    folded = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    return [c for c in _CLAUSE.split(folded) if c.strip()]


def tokens(clause: str) -> list[str]:
    return _TOKEN.findall(clause)


def _content(word: str, stop: frozenset[str]) -> bool:
    return len(word) > 1 and word not in stop and not word.isdigit()


def candidates(text: str, stop: frozenset[str], longest: int = 3) -> Iterator[str]:
    """Every run of 1..``longest`` adjacent content words of ``text``, clause by clause."""
    for clause in clauses(text):
        words = tokens(clause)
        for i in range(len(words)):
            for j in range(i, min(i + longest, len(words))):
                if not _content(words[j], stop):
                    break
                yield " ".join(words[i : j + 1])


def stem(word: str) -> str:
    """Crude plural/tense fold so "permission" and "permissions" count as one word."""
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 3:
            return word[: -len(suffix)]
    return word


def overlap(a: str, b: str) -> float:
    """Shared (stemmed) words over the shorter phrase's words: 1.0 when one is inside the other."""
    x, y = {stem(w) for w in a.split()}, {stem(w) for w in b.split()}
    return len(x & y) / max(min(len(x), len(y)), 1)


def mmr(ranked: Sequence[Keyphrase], top: int, weight: float = LAMBDA) -> list[Keyphrase]:
    """Up to ``top`` phrases by maximal marginal relevance, scores normalised by the best.

    ``ranked`` is best first; a phrase fully inside a kept one (overlap 1.0) is skipped.
    Ties go to the earlier phrase.
    """
    pool = [k for k in ranked if k.score > 0]
    if not pool:
        return []
    best = pool[0].score
    chosen: list[Keyphrase] = []
    while pool and len(chosen) < top:
        pick, value = -1, -np.inf
        for i, k in enumerate(pool):
            redundancy = max((overlap(k.phrase, c.phrase) for c in chosen), default=0.0)
            if redundancy >= 1.0:
                continue
            v = weight * k.score / best - (1 - weight) * redundancy
            if v > value:
                pick, value = i, v
        if pick < 0:
            break
        chosen.append(pool.pop(pick))
    return chosen


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


def scored_keyphrases(
    texts: Sequence[str], labels: NDArray[np.int64], n_themes: int, top: int = 8
) -> list[list[Keyphrase]]:
    """Top ``top`` keyphrases with their c-TF-IDF per theme ``0..n_themes-1``.

    Outliers (label -1) are background. Equal scores rank longer phrases first, then
    alphabetically (the vectorizer's vocabulary is sorted), so results are stable.
    """
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import CountVectorizer

    if n_themes == 0:
        return []
    stop = frozenset(stop_words())
    vectorizer = CountVectorizer(
        analyzer=lambda text: list(candidates(text, stop)),
        min_df=2 if len(texts) >= 20 else 1,
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:
        return [[] for _ in range(n_themes)]
    vocab = vectorizer.get_feature_names_out()
    length = np.array([p.count(" ") + 1 for p in vocab.tolist()])
    rows = np.where(labels >= 0, labels, n_themes)
    member = csr_matrix(
        (np.ones(len(rows)), (rows, np.arange(len(rows)))), shape=(n_themes + 1, len(rows))
    )
    per_class = np.asarray((member @ counts).todense(), dtype=np.float64)
    scores = ctfidf(per_class)
    result: list[list[Keyphrase]] = []
    for c in range(n_themes):
        present = np.flatnonzero(per_class[c] >= 1)
        order = present[np.lexsort((present, -length[present], -scores[c, present]))]
        ranked = [Keyphrase(str(vocab[j]), float(scores[c, j])) for j in order[: top * 6]]
        result.append(mmr(ranked, top))
    return result


def keyphrases(
    texts: Sequence[str], labels: NDArray[np.int64], n_themes: int, top: int = 8
) -> list[list[str]]:
    """Top ``top`` keyphrases per theme ``0..n_themes-1`` (outliers are background)."""
    return [[k.phrase for k in ks] for ks in scored_keyphrases(texts, labels, n_themes, top)]


def label_from(phrases: Sequence[str], avoid: frozenset[str] = frozenset()) -> str:
    """A short label from keyphrases alone: the leading two-word phrase (if any in the
    top three), then the next keyphrase that shares no word with it.

    Phrases with a word in ``avoid`` (opinion words such as "love", "great": they say
    how people feel, which sentiment already reports, not *what about*) are passed over
    while other keyphrases remain, so a label names the subject. The pipeline prefers
    ``theme_label`` (a phrase people said); this is its fallback.
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
