"""Opportunities scored by RICE, every component traceable to its evidence.

RICE = Reach x Impact x Confidence / Effort. A score is only as good as its inputs,
so each component is a ``Component``: a value *and* the sentence saying where it came
from, shown beside the score and written to the CSV export:

* Reach: a segment's size in its date range, scaled to a quarter (91.25 days);
* Impact: the share of participants citing the theme x its intensity (both 0..1),
  on RICE's 0..3 scale (3 = "massive": everyone cited it, as strongly as possible);
* Confidence: 50 % / 80 % / 100 % (RICE's low / medium / high) by evidence strength,
  one step each for ``CONFIDENT_PARTICIPANTS`` or more participants citing the theme
  and for a quantitative validation (a behavioural comparison with p < 0.05 whose
  interval excludes zero);
* Effort: person-months, entered by the team.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics.segments import SegmentMembers
from fieldnote.evidence._compare import Comparison

__all__ = [
    "CONFIDENCE_LEVELS",
    "CONFIDENT_PARTICIPANTS",
    "QUARTER_DAYS",
    "Component",
    "Opportunity",
    "confidence_from_evidence",
    "effort_entered",
    "impact_from_theme",
    "rank",
    "reach_from_segment",
    "rice_csv",
]

QUARTER_DAYS = 91.25
CONFIDENCE_LEVELS = (0.5, 0.8, 1.0)
#: Participants citing a theme from which qualitative evidence counts as solid.
CONFIDENT_PARTICIPANTS = 5
ALPHA = 0.05


@dataclass(frozen=True)
class Component:
    value: float
    source: str
    """Where the value came from, in words."""


def reach_from_segment(segment: str, result: SegmentMembers) -> Component:
    """Persons in the segment per quarter, from its size over its (bounded) range."""
    dates = result.dates
    if dates.start is None or dates.end is None:
        raise ValueError(f"segment {segment!r} has an open date range: reach needs from and to")
    days = (dates.end - dates.start).total_seconds() / 86400
    value = result.size * QUARTER_DAYS / days
    return Component(
        value,
        f"segment {segment!r}: {result.size:,} persons in {days:g} days = {value:,.0f} per quarter",
    )


def impact_from_theme(theme: str, citing: int, participants: int, intensity: float) -> Component:
    """3 x share of participants citing ``theme`` x its intensity (0..1)."""
    if participants <= 0 or not 0 <= citing <= participants:
        raise ValueError(f"theme {theme!r}: {citing} citing of {participants} participants")
    if not 0 <= intensity <= 1:
        raise ValueError(f"theme {theme!r}: intensity {intensity} outside 0..1")
    share = citing / participants
    value = 3 * share * intensity
    return Component(
        value,
        f"theme {theme!r}: {citing} of {participants} participants ({share:.0%}) "
        f"x intensity {intensity:.2f} x 3",
    )


def confidence_from_evidence(citing: int, validation: Comparison | None) -> Component:
    """RICE's 50 / 80 / 100 % by how many people said it and whether behaviour agrees."""
    reasons = [f"{citing} participants cite it"]
    level = 0
    if citing >= CONFIDENT_PARTICIPANTS:
        level += 1
    else:
        reasons[0] += f" (fewer than {CONFIDENT_PARTICIPANTS})"
    if validation is None:
        reasons.append("no behavioural check")
    else:
        ci, p = validation.difference_ci, validation.p_value
        validated = ci is not None and p is not None and p < ALPHA and (ci.low > 0 or ci.high < 0)
        level += validated
        shown = "n/a" if p is None else f"{p:.3g}"
        reasons.append(
            f"behaviour {'confirms' if validated else 'does not confirm'} it "
            f"({validation.metric}, p = {shown}, n = {validation.group.n} vs "
            f"{validation.other.n})"
        )
    return Component(CONFIDENCE_LEVELS[level], "; ".join(reasons))


def effort_entered(person_months: float, by: str) -> Component:
    if not person_months > 0:
        raise ValueError(f"effort must be a positive number of person-months, not {person_months}")
    return Component(person_months, f"entered by {by}")


@dataclass(frozen=True)
class Opportunity:
    name: str
    reach: Component
    impact: Component
    confidence: Component
    effort: Component

    @property
    def score(self) -> float:
        return self.reach.value * self.impact.value * self.confidence.value / self.effort.value

    def to_dict(self) -> dict[str, Any]:
        parts = ("reach", "impact", "confidence", "effort")
        out: dict[str, Any] = {"name": self.name, "score": self.score}
        for part in parts:
            c: Component = getattr(self, part)
            out[part] = c.value
            out[f"{part}_source"] = c.source
        return out


def rank(opportunities: Iterable[Opportunity]) -> list[Opportunity]:
    """Highest score first; ties by name, so the order is stable."""
    return sorted(opportunities, key=lambda o: (-o.score, o.name))


CSV_COLUMNS = (
    "rank", "name", "score", "reach", "reach_source", "impact", "impact_source",
    "confidence", "confidence_source", "effort", "effort_source",
)  # fmt: skip


def rice_csv(opportunities: Iterable[Opportunity]) -> str:
    """The ranked list as CSV, every component beside its source."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for i, o in enumerate(rank(opportunities), start=1):
        writer.writerow({"rank": i, **o.to_dict()})
    return out.getvalue()
