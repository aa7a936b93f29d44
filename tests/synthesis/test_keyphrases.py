"""Keyphrases: c-TF-IDF against a plain-Python reference; distinctive beats frequent."""

from __future__ import annotations

import math
import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis import ctfidf, keyphrases, label_from
from fieldnote.synthesis._keyphrases import Keyphrase, candidates, mmr, overlap
from fieldnote.synthesis._stopwords import stop_words


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


# -- candidates: runs of adjacent content words within one clause ---------------------

STOP = frozenset(stop_words())


def test_no_phrase_across_punctuation_or_a_removed_stop_word() -> None:
    found = set(candidates("I should ask an admin. Which, fine", STOP))
    assert "admin fine" not in found and "ask admin" not in found
    assert {"ask", "admin", "fine"} <= found
    found = set(candidates("a shared Excel file that the founder maintains", STOP))
    assert "shared excel file" in found and "file founder" not in found


def _runs_reference(text: str) -> int:
    """How many candidates: a run of L content words gives L + (L-1) + (L-2) phrases."""
    total = 0
    for clause in re.split(r"[.,;:!?]+", text.lower()):
        run = 0
        for word in [*re.findall(r"[a-z0-9][a-z0-9']*", clause), "the"]:
            if len(word) > 1 and word not in STOP and not word.isdigit():
                run += 1
                continue
            total += sum(max(0, run - n + 1) for n in (1, 2, 3))
            run = 0
    return total


_VOCAB = ["admin", "access", "the", "to", "sync", "fails", "i", "google", "7", "sheets", "it's"]


@given(st.lists(st.sampled_from([*_VOCAB, ".", ",", "!"]), max_size=20).map(" ".join))
def test_candidates_match_reference(text: str) -> None:
    got = list(candidates(text, STOP))
    assert len(got) == _runs_reference(text)
    flat = [" " + " ".join(re.findall(r"[a-z0-9']+", c)) + " " for c in re.split(r"[.,!]", text)]
    for phrase in got:
        words = phrase.split()
        assert 1 <= len(words) <= 3 and not set(words) & STOP
        assert any(f" {phrase} " in c for c in flat)  # said, in that order, in one clause


# -- MMR: relevant and not repeating itself ----------------------------------------------


def test_mmr_keeps_a_phrase_and_drops_its_parts() -> None:
    ranked = [
        Keyphrase("admin permission", 1.0),
        Keyphrase("permissions", 0.9),
        Keyphrase("admin rights", 0.85),
        Keyphrase("waited", 0.8),
    ]
    assert [k.phrase for k in mmr(ranked, 3)] == ["admin permission", "waited", "admin rights"]


def _greedy(ranked: list[Keyphrase], top: int) -> list[str]:
    """With weight 1 MMR is the old rule: best first, skipping phrases inside kept ones."""
    kept: list[str] = []
    for k in ranked:
        if len(kept) == top:
            break
        if k.score > 0 and all(overlap(k.phrase, c) < 1.0 for c in kept):
            kept.append(k.phrase)
    return kept


_PHRASES = st.lists(
    st.sampled_from(["admin", "access", "admin access", "sync", "sync fails", "fails", "rights"]),
    min_size=1,
    max_size=2,
).map(" ".join)


@given(
    st.lists(st.tuples(_PHRASES, st.floats(0, 1)), max_size=10, unique_by=lambda t: t[0]),
    st.integers(1, 8),
)
def test_mmr_against_the_greedy_rule_and_without_repeats(
    rows: list[tuple[str, float]], top: int
) -> None:
    ranked = [Keyphrase(p, s) for p, s in sorted(rows, key=lambda r: -r[1])]
    assert [k.phrase for k in mmr(ranked, top, weight=1.0)] == _greedy(ranked, top)
    chosen = mmr(ranked, top)
    assert len(chosen) <= top
    assert all(
        overlap(a.phrase, b.phrase) < 1.0 for i, a in enumerate(chosen) for b in chosen[i + 1 :]
    )
    if chosen:
        assert chosen[0] == next(k for k in ranked if k.score > 0)
