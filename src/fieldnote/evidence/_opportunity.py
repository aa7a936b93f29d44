"""Score a stored opportunity by RICE from its linked evidence.

The components come from where the repository points: Reach from the saved segment's
size per quarter (``reach_from_segment``), Impact from the theme book (the share of
the book's participants with a note in the theme x the theme's mean felt intensity,
as synthesis ranks themes: max(|VADER|, severity floor)), Confidence from the number
of those participants and the behaviour check, Effort as entered. A component that
cannot be computed (no theme, no segment) is a precise error rather than a guess.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from fieldnote.analytics.segments import SegmentMembers
from fieldnote.evidence._compare import Comparison
from fieldnote.evidence._rice import (
    CSV_COLUMNS,
    Component,
    Opportunity,
    confidence_from_evidence,
    effort_entered,
    impact_from_theme,
    reach_from_segment,
)
from fieldnote.repository._opportunities import OpportunityRecord

__all__ = ["ThemeEvidence", "ranked_csv", "score_opportunity", "theme_evidence"]


@dataclass(frozen=True, kw_only=True)
class ThemeEvidence:
    theme: str
    label: str
    citing: int
    """Distinct participants with at least one note in the theme."""
    participants: int
    """Distinct participants in the whole book."""
    intensity: float
    """Mean felt intensity of the theme's notes (0..1)."""


def theme_evidence(
    theme: str, label: str, notes: Sequence[tuple[str | None, str, str | None]]
) -> ThemeEvidence:
    """From a book's ``(participant, text, theme)`` notes."""
    from fieldnote.synthesis._intensity import felt
    from fieldnote.synthesis._kinds import note_kind
    from fieldnote.synthesis._sentiment import sentiments

    people = {p for p, _, _ in notes if p}
    mine = [(p, t) for p, t, th in notes if th == theme]
    if not mine:
        raise ValueError(f"theme {theme!r} has no notes in the book")
    texts = [t for _, t in mine]
    compound = sentiments(texts)
    kinds = [note_kind(t, float(c)) for t, c in zip(texts, compound, strict=True)]
    intensity = float(felt(texts, compound, kinds).mean())
    return ThemeEvidence(
        theme=label,
        label=label,
        citing=len({p for p, _ in mine if p}),
        participants=len(people),
        intensity=intensity,
    )


def score_opportunity(
    name: str,
    *,
    segment: str,
    reach: SegmentMembers,
    evidence: ThemeEvidence,
    validation: Comparison | None,
    effort: float,
    effort_by: str,
) -> Opportunity:
    impact: Component = impact_from_theme(
        evidence.label, evidence.citing, evidence.participants, evidence.intensity
    )
    return Opportunity(
        name=name,
        reach=reach_from_segment(segment, reach),
        impact=impact,
        confidence=confidence_from_evidence(evidence.citing, validation),
        effort=effort_entered(effort, effort_by),
    )


def ranked_csv(records: Sequence[OpportunityRecord]) -> str:
    """Stored opportunities as CSV in rank order, each component beside its source
    (unscored items last, with empty components)."""
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=("rank", *CSV_COLUMNS[1:], "theme", "segment"), lineterminator="\n"
    )
    writer.writeheader()
    ranked = sorted(records, key=lambda r: (r.score is None, -(r.score or 0.0), r.name))
    for i, r in enumerate(ranked, start=1):
        writer.writerow(
            {
                **{k: "" for k in CSV_COLUMNS},
                **r.components,
                "rank": i,
                "name": r.name,
                "score": "" if r.score is None else r.score,
                "theme": f"{r.book}:{r.theme}" if r.theme else "",
                "segment": r.segment or "",
            }
        )
    return out.getvalue()
