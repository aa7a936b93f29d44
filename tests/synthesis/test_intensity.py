"""Intensity: leading discourse markers do not count as sentiment; blockers weigh more."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.synthesis._intensity import (
    BLOCKER_FLOOR,
    FELT_FLOOR,
    FELT_KINDS,
    felt,
    is_blocker,
)
from fieldnote.synthesis._sentiment import sentiments, strip_markers

_MARKERS = ["uh", "um", "yes", "yeah", "well", "okay", "so", "honestly", "right", "oh"]
_TAILS = [
    "And that it happens more on the phone than on the laptop.",
    "The export is broken again.",
    "I love the new charts.",
    "It said I need admin permission.",
]


def _reference_strip(text: str) -> str:
    """Word by word: drop leading words that are markers (punctuation around them)."""
    words = text.split(" ")
    i = 0
    while i < len(words) and words[i].strip(",.;:!-").lower() in _MARKERS:
        i += 1
    rest = " ".join(words[i:])
    return rest if rest.strip() else text


@given(
    st.lists(st.sampled_from(_MARKERS), max_size=3),
    st.sampled_from([", ", ". ", " "]),
    st.sampled_from(_TAILS),
    st.booleans(),
)
def test_strip_markers_matches_reference(
    markers: list[str], joint: str, tail: str, capital: bool
) -> None:
    head = "".join(m.capitalize() if capital else m for m in (m + joint for m in markers))
    assert strip_markers(head + tail) == _reference_strip(head + tail)


def test_agreement_is_not_praise() -> None:
    said = "Uh, yes. And that it happens more on the phone than on the laptop."
    assert sentiments([said])[0] == 0.0
    assert strip_markers("Yes.") == "Yes."  # nothing else: kept as is
    assert sentiments(["Yes, I love the new charts."])[0] > 0.3  # opinion after it still counts


def test_blocker_cues() -> None:
    for text in (
        "It said I need admin permission.",
        "I don't have admin rights in Stripe, my manager does.",
        "it stopped me with an error about admin access",
        "I tried twice, same message, so I gave up on the phone.",
        "I couldn't connect Slack from my phone.",
        "There is no way to send a request to the admin.",
    ):
        assert is_blocker(text), text
    for text in (
        "The admin set everything up for me.",
        "Slack connected in a minute.",
        "I can export it to a spreadsheet.",
    ):
        assert not is_blocker(text), text


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["It said I need admin permission.", "It is slow.", "Fine.", "I gave up."]
            ),
            st.floats(-1, 1, allow_nan=False),
            st.sampled_from(["pain point", "praise", "observation", "workaround", "question"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_felt_matches_reference(rows: list[tuple[str, float, str]]) -> None:
    texts = [r[0] for r in rows]
    compound = np.array([r[1] for r in rows])
    kinds = [r[2] for r in rows]
    expected = []
    for text, c, kind in rows:
        floor = 0.0
        if kind in FELT_KINDS:
            floor = FELT_FLOOR
        if "admin" in text or "gave up" in text:
            floor = BLOCKER_FLOOR
        expected.append(max(abs(c), floor))
    assert np.allclose(felt(texts, compound, kinds), expected)
