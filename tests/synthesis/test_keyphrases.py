"""Keyphrases: c-TF-IDF against a plain-Python reference; distinctive beats frequent."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis import ctfidf, keyphrases, label_from


def _reference(rows: list[list[int]]) -> list[list[float]]:
    n_terms = len(rows[0])
    total = [sum(r[j] for r in rows) for j in range(n_terms)]
    avg = sum(sum(r) for r in rows) / len(rows)
    out = []
    for r in rows:
        size = max(sum(r), 1)
        out.append([r[j] / size * math.log(1 + avg / max(total[j], 1)) for j in range(n_terms)])
    return out


@given(
    st.integers(1, 5).flatmap(
        lambda terms: st.lists(
            st.lists(st.integers(0, 30), min_size=terms, max_size=terms), min_size=1, max_size=6
        )
    )
)
def test_ctfidf_matches_reference(rows: list[list[int]]) -> None:
    got = ctfidf(np.array(rows, dtype=np.float64))
    assert np.allclose(got, np.array(_reference(rows)))


def test_distinctive_words_outrank_words_every_theme_uses() -> None:
    texts = [
        "the app sync is slow on mobile",
        "the app sync fails on mobile",
        "mobile sync in the app is slow",
        "the app export to excel",
        "the app excel export every week",
        "excel export from the app",
    ]
    labels = np.array([0, 0, 0, 1, 1, 1])
    phrases = keyphrases(texts, labels, 2)
    assert "app" not in phrases[0][:2] and "app" not in phrases[1][:2]
    assert {"sync", "mobile"} & set(phrases[0][:2])
    assert {"excel", "export", "excel export"} & set(phrases[1][:2])


def test_label_is_readable() -> None:
    assert label_from(["sync", "mobile sync", "slow"]) == "Mobile sync / slow"
    assert label_from([]) == "(unlabelled)"


def test_label_names_the_subject_not_the_feeling() -> None:
    from fieldnote.synthesis._sentiment import opinion_words

    avoid = opinion_words()
    assert {"love", "great", "awful"} <= avoid and "battery" not in avoid
    assert (
        label_from(["love", "great", "battery life", "charger"], avoid) == "Battery life / charger"
    )
    assert label_from(["love", "great"], avoid) == "Love / great"
