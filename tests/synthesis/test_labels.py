"""Theme labels: a phrase people said, naming the subject, not the feeling."""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis._keyphrases import LABEL_FILLER, Keyphrase, scored_keyphrases
from fieldnote.synthesis._labels import LONGEST, phrase_spans, theme_label
from fieldnote.synthesis._sentiment import opinion_words
from fieldnote.synthesis._stopwords import stop_words

STOP = frozenset(stop_words())
AVOID = opinion_words() | LABEL_FILLER


def _label(texts: list[str], people: list[str], background: list[str]) -> str:
    everything = texts + background
    labels = np.array([0] * len(texts) + [-1] * len(background), dtype=np.int64)
    [ranked] = scored_keyphrases(everything, labels, 1)
    return theme_label(ranked, texts, people, STOP, AVOID)


BACKGROUND = [
    "the app is slow on my phone",
    "export to excel every monday",
    "the charts are hard to read",
    "pricing is not clear to me",
    "sync fails on the train",
] * 4


def test_a_single_word_grows_into_the_phrase_several_people_said() -> None:
    texts = [
        "when I hit connect it said I should ask an admin. Which, fine",
        "it said my role is not allowed and I should ask an admin. Which, fine",
        "there was no way to ask from the app",
        "I had to ask them from my laptop",
        "the app gave me no way to ask",
    ]
    label = _label(texts, ["a", "b", "c", "d", "e"], BACKGROUND)
    assert label == "Ask an admin"  # not "Admin fine / ask": "fine" is filler, "." a border


def test_a_phrase_one_person_said_is_not_a_label() -> None:
    texts = [
        "I had to ask an admin for it",
        "I had to ask the founder",
        "I asked the lead to ask someone",
        "ask and wait",
    ]
    label = _label(texts, ["a", "a", "b", "c"], BACKGROUND)
    assert "admin" not in label.lower()  # only person "a" said "ask an admin"


def test_the_label_keeps_the_case_people_wrote() -> None:
    texts = [
        "I asked the founder to approve the Google Sheets install",
        "I pinged our lead to approve the Google Sheets install",
        "only an administrator of Google Sheets can install it",
        "Google Sheets for the raw data",
    ]
    assert _label(texts, ["a", "b", "c", "d"], BACKGROUND).startswith("Google Sheets")


def test_feelings_and_filler_do_not_name_a_theme() -> None:
    ranked = [Keyphrase("love", 0.9), Keyphrase("fine", 0.8), Keyphrase("battery life", 0.5)]
    texts = ["love the battery life", "battery life is fine", "fine battery life"]
    assert theme_label(ranked, texts, ["a", "b", "c"], STOP, AVOID) == "Battery life"
    # with nothing but feelings, the keyphrases still give a label
    only = [Keyphrase("love", 0.9), Keyphrase("great", 0.8)]
    assert theme_label(only, ["love it", "great"], ["a", "b"], STOP, AVOID) == "Love / great"


def test_no_shared_phrase_falls_back_to_two_keyphrases() -> None:
    ranked = [Keyphrase("keyboard", 0.9), Keyphrase("backlit", 0.4)]
    texts = ["keyboard is ok", "keyboard backlit nice", "the keyboard"]
    label = theme_label(ranked, texts, ["a", "b", "c"], STOP, AVOID)
    assert label == "Keyboard / backlit"


def _spans_reference(head: str, text: str, stop: frozenset[str]) -> list[str]:
    """Every (i, j) span of every clause, filtered: the plain way."""
    found: set[str] = set()
    for clause in re.split(r"[.,;:!?]+", text.lower()):
        words = re.findall(r"[a-z0-9][a-z0-9']*", clause)
        for i in range(len(words)):
            for j in range(i + 1, min(len(words), i + LONGEST)):
                edges_ok = all(
                    len(w) > 1 and w not in stop and not w.isdigit() for w in (words[i], words[j])
                )
                if edges_ok and head in words[i : j + 1]:
                    found.add(" ".join(words[i : j + 1]))
    return sorted(found)


_VOCAB = ["admin", "access", "the", "to", "ask", "an", "i", "google", "7", "sheets", "it's"]
_TEXT = st.lists(st.sampled_from([*_VOCAB, ".", ",", "!"]), max_size=14).map(" ".join)


@given(st.sampled_from(["admin", "ask", "sheets"]), st.lists(_TEXT, max_size=4))
def test_phrase_spans_match_reference(head: str, texts: list[str]) -> None:
    got = phrase_spans(head, texts, STOP)
    assert got == [_spans_reference(head, t, STOP) for t in texts]


@given(st.lists(_TEXT, min_size=1, max_size=8), st.lists(st.sampled_from("abc"), min_size=8))
def test_every_label_part_was_said_in_a_note(texts: list[str], people: list[str]) -> None:
    label = _label(texts, people[: len(texts)], BACKGROUND)
    said = [" " + " ".join(re.findall(r"[a-z0-9']+", t.lower())) + " " for t in texts]
    if label == "(unlabelled)":
        return
    for part in label.split(" / "):
        words = " " + " ".join(re.findall(r"[a-z0-9']+", part.lower())) + " "
        assert any(words in s for s in said), (label, texts)
