"""Typed results of synthesis: themes, quotes, assignments and the reusable model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np
from numpy.typing import NDArray

from fieldnote.synthesis._embed import Embedder
from fieldnote.synthesis._notes import Note
from fieldnote.synthesis._stable import PriorTheme

__all__ = ["Assignment", "Quote", "Synthesis", "Theme", "ThemeModel"]


@dataclass(frozen=True, slots=True)
class Quote:
    note_id: str
    text: str
    participant: str | None
    source: str
    start: float | None = None


@dataclass(frozen=True, slots=True)
class Theme:
    """A cluster of notes as a researcher reads it.

    ``participants`` counts distinct people (a note without a participant counts as its
    own source); ``share`` is that count over all participants in the input.
    ``intensity`` is the mean over notes of the absolute VADER compound (how strongly
    people spoke, whichever the direction), at least 0.5 for a note whose kind is a
    pain point, workaround or unmet need. ``score`` = participants x intensity orders the themes.
    """

    id: str
    label: str
    keyphrases: list[str]
    size: int
    participants: int
    share: float
    sentiment: float
    intensity: float
    kind: str
    quotes: list[Quote]
    score: float

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Assignment:
    note_id: str
    theme: str | None


@dataclass(slots=True)
class ThemeModel:
    """What incremental assignment needs: the fitted embedder and one centroid per theme."""

    embedder: Embedder
    theme_ids: list[str]
    centroids: NDArray[np.float32]
    cutoffs: NDArray[np.float32]

    def assign(self, notes: Sequence[Note]) -> list[Assignment]:
        """Nearest centroid, or no theme when below that theme's similarity cut-off."""
        if not notes:
            return []
        if not self.theme_ids:
            return [Assignment(n.id, None) for n in notes]
        vectors = self.embedder.transform([n.context for n in notes])
        sims = vectors @ self.centroids.T
        best = np.argmax(sims, axis=1)
        ok = sims[np.arange(len(notes)), best] >= self.cutoffs[best]
        return [
            Assignment(n.id, self.theme_ids[b] if good else None)
            for n, b, good in zip(notes, best.tolist(), ok.tolist(), strict=True)
        ]


@dataclass(slots=True)
class Synthesis:
    """Themes ranked by score, one assignment per note (``theme`` None = outlier)."""

    themes: list[Theme]
    assignments: list[Assignment]
    notes: list[Note]
    model: ThemeModel
    embedder: str
    clusterer: str
    warnings: list[str] = field(default_factory=list)

    @property
    def coverage(self) -> float:
        if not self.assignments:
            return 0.0
        return sum(a.theme is not None for a in self.assignments) / len(self.assignments)

    def as_prior(self, renamed: frozenset[str] = frozenset()) -> list[PriorTheme]:
        """This run's themes as the ``prior`` of the next run (``renamed``: ids named by hand)."""
        text = {n.id: n.text for n in self.notes}
        members: dict[str, dict[str, str]] = {}
        for a in self.assignments:
            if a.theme is not None:
                members.setdefault(a.theme, {})[a.note_id] = text[a.note_id]
        return [
            PriorTheme(t.id, t.label, members.get(t.id, {}), t.id in renamed) for t in self.themes
        ]

    def to_dict(self) -> dict[str, object]:
        return {
            "themes": [t.to_dict() for t in self.themes],
            "assignments": [{"id": a.note_id, "theme": a.theme} for a in self.assignments],
            "notes": len(self.notes),
            "coverage": round(self.coverage, 4),
            "embedder": self.embedder,
            "clusterer": self.clusterer,
            "warnings": self.warnings,
        }
