"""Kinds by transparent rules: each kind from a typical sentence; first matching rule wins."""

from __future__ import annotations

import pytest

from fieldnote.synthesis import note_kind, theme_kind
from fieldnote.synthesis._sentiment import sentiments


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("How do I invite someone without admin rights?", "question"),
        ("I export it to Excel and build the chart there", "workaround"),
        ("We copy and paste the numbers every week", "workaround"),
        ("I wish there was a way to schedule the report", "unmet need"),
        ("There is no way to see who changed the budget", "unmet need"),
        ("Sync keeps crashing on my phone", "pain point"),
        ("This is the worst, awful experience", "pain point"),
        ("I love how clean and fast the dashboard is", "praise"),
        ("I open it on Mondays", "observation"),
    ],
)
def test_note_kinds(text: str, kind: str) -> None:
    compound = float(sentiments([text])[0])
    assert note_kind(text, compound) == kind


def test_theme_kind_is_the_majority_with_pain_first_on_ties() -> None:
    assert theme_kind(["praise", "praise", "pain point"]) == "praise"
    assert theme_kind(["praise", "pain point"]) == "pain point"
    assert theme_kind([]) == "observation"


def test_sentiment_sign() -> None:
    good, bad = sentiments(["I love it, great work", "This is terrible and I hate it"])
    assert good > 0.5 > -0.5 > bad
