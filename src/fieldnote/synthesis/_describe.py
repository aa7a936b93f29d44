"""Sentiment, intensity and kind of any set of notes, computed as the pipeline computes
them for a theme (VADER compound, severity floors, rule-based kinds). A theme a person
made (split off, imported from QDPX) or changed (notes moved in or out) gets its figures
from its notes now, instead of showing the last run's or none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from fieldnote.synthesis._intensity import felt
from fieldnote.synthesis._kinds import note_kind, theme_kind
from fieldnote.synthesis._sentiment import sentiments

__all__ = ["NotesFeeling", "describe_notes"]


@dataclass(frozen=True, slots=True)
class NotesFeeling:
    sentiment: float
    intensity: float
    kind: str


def describe_notes(texts: Sequence[str]) -> NotesFeeling | None:
    """Mean VADER compound, mean felt intensity and the dominant kind; None without notes."""
    if not texts:
        return None
    compound = sentiments(list(texts))
    kinds = [note_kind(t, float(c)) for t, c in zip(texts, compound.tolist(), strict=True)]
    return NotesFeeling(
        sentiment=round(float(np.mean(compound)), 4),
        intensity=round(float(np.mean(felt(list(texts), compound, kinds))), 4),
        kind=theme_kind(kinds),
    )
