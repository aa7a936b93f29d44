"""A theme at scale: turn what some participants said into a behavioural proxy
(a segment of all users) and count how many users it plausibly affects.

Interviews reach a dozen people; the funnel reaches everyone. The proxy is the funnel
step where the theme's participants stopped: their furthest step (from the events,
per person), taken as the most common one among them. Everyone who stopped at that
step in the range is the segment ("dropped after step 2 of signup → integration
viewed → connected"), or, when the team knows better, a definition they chose. Its
size is then set against the users active in the range and scaled to a quarter, so
the theme's Reach is a count of users, not of interviews. The basis is reported in
words ("4 of 6 participants who expressed it stopped there"): a proxy built on one
or two people is flagged, not hidden.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics._relations import events_from
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentDefinition, members
from fieldnote.analytics.trends._common import fetch, params_for
from fieldnote.evidence._journey import furthest_steps
from fieldnote.evidence._rice import QUARTER_DAYS

__all__ = ["MIN_BASIS", "ThemeReach", "active_users", "proxy_segment", "theme_reach"]

#: Fewer theme participants than this placed on the funnel: the proxy is a guess.
MIN_BASIS = 3


@dataclass(frozen=True, kw_only=True)
class ThemeReach:
    theme: str
    definition: SegmentDefinition
    description: str
    basis: str
    """Why this segment: how many of the theme's participants stopped at its step, or
    that the team chose it."""
    dates: DateRange
    size: int
    active_users: int
    share: float | None
    per_quarter: float
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "segment": self.definition.to_dict(),
            "description": self.description,
            "basis": self.basis,
            "dates": self.dates.to_dict(),
            "size": self.size,
            "active_users": self.active_users,
            "share": self.share,
            "per_quarter": self.per_quarter,
            "warnings": list(self.warnings),
        }


def active_users(source: EventSource, dates: DateRange) -> int:
    """Persons with at least one event in ``dates`` (persons, as analytics counts them)."""
    params = params_for(source)
    rel = events_from(params, source.tables, start=dates.start, end=dates.end)
    cols = fetch(source, f"SELECT count(DISTINCT {rel.actor}) AS n {rel.from_where}", params)
    return int(cols["n"][0]) if len(cols["n"]) else 0


def proxy_segment(
    funnel: Funnel, furthest: dict[str, int], theme_people: Collection[str]
) -> tuple[SegmentDefinition, str, tuple[str, ...]]:
    """The segment the theme's people share: stopped at their most common furthest step
    (ties: the earlier step); with the basis sentence and warnings."""
    placed = Counter(furthest[p] for p in theme_people if p in furthest)
    if not placed:
        raise ValueError(
            "none of the theme's participants entered the funnel in the range: "
            "choose a segment for it instead"
        )
    step, count = min(placed.items(), key=lambda kv: (-kv[1], kv[0]))
    last = len(funnel.steps)
    definition = SegmentDefinition(funnel=funnel, step=step, dropped=step < last)
    basis = (
        f"{count} of {len(theme_people)} participants who expressed it "
        f"{'stopped at' if step < last else 'completed'} step {step} "
        f"({funnel.steps[step - 1].event})"
    )
    warnings: list[str] = []
    if count < MIN_BASIS:
        warnings.append(
            f"only {count} participant(s) behind this proxy (fewer than {MIN_BASIS}): "
            "treat the segment as a guess"
        )
    missing = len(theme_people) - sum(placed.values())
    if missing:
        warnings.append(f"{missing} participant(s) not found in the funnel's events")
    return definition, basis, tuple(warnings)


def theme_reach(
    source: EventSource,
    theme: str,
    dates: DateRange,
    *,
    funnel: Funnel | None = None,
    theme_people: Collection[str] = (),
    chosen: SegmentDefinition | None = None,
) -> ThemeReach:
    """How many users the theme plausibly affects in ``dates`` (bounded): through the
    proxy segment derived from ``theme_people`` on ``funnel``, or ``chosen``."""
    if dates.start is None or dates.end is None:
        raise ValueError("reach needs a bounded date range (from and to)")
    warnings: tuple[str, ...] = ()
    if chosen is not None:
        definition = replace(chosen, funnel=replace(chosen.funnel, dates=dates), last=None)
        basis = "segment chosen by the team"
    else:
        if funnel is None:
            raise ValueError("give a funnel to derive the segment from, or a segment")
        ranged = replace(funnel, dates=dates)
        furthest = furthest_steps(source, ranged, theme_people)
        definition, basis, warnings = proxy_segment(ranged, furthest, theme_people)
    found = members(source, definition, limit=1)
    active = active_users(source, dates)
    days = (dates.end - dates.start).total_seconds() / 86400
    return ThemeReach(
        theme=theme,
        definition=definition,
        description=definition.describe(),
        basis=basis,
        dates=dates,
        size=found.size,
        active_users=active,
        share=found.size / active if active else None,
        per_quarter=found.size * QUARTER_DAYS / days,
        warnings=warnings,
    )
