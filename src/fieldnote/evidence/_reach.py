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
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics._filters import Operator, PropertyFilter
from fieldnote.analytics._relations import events_from
from fieldnote.analytics.funnels import Funnel, FunnelStep
from fieldnote.analytics.segments import SegmentDefinition, members
from fieldnote.analytics.trends._common import fetch, params_for
from fieldnote.evidence._journey import furthest_steps
from fieldnote.evidence._personas import participant_attributes
from fieldnote.evidence._rice import QUARTER_DAYS

__all__ = [
    "MIN_BASIS",
    "SHARED",
    "SharedValue",
    "ThemeReach",
    "active_users",
    "proxy_segment",
    "shared_values",
    "theme_reach",
]

#: Fewer theme participants than this placed on the funnel: the proxy is a guess.
MIN_BASIS = 3
#: Share of the proxy step's participants that must have one value of an attribute
#: (their most frequent on their own events) for it to narrow the segment.
SHARED = 0.75


@dataclass(frozen=True)
class SharedValue:
    key: str
    value: str
    people: int


def shared_values(
    people: Collection[str], attributes: Mapping[str, Mapping[str, str]], keys: Sequence[str]
) -> list[SharedValue]:
    """Per attribute, the value most of ``people`` share, kept when at least
    ``MIN_BASIS`` of them and ``SHARED`` of all of them have it."""
    out = []
    for key in keys:
        counts = Counter(attributes[p][key] for p in people if key in attributes.get(p, {}))
        if not counts:
            continue
        value, n = min(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        if n >= MIN_BASIS and n / len(people) >= SHARED:
            out.append(SharedValue(key, value, n))
    return out


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
    funnel: Funnel,
    furthest: dict[str, int],
    theme_people: Collection[str],
    shared: Callable[[set[str], str], list[SharedValue]] | None = None,
) -> tuple[SegmentDefinition, str, tuple[str, ...]]:
    """The segment the theme's people share: stopped at their most common furthest step
    (ties: the earlier step), narrowed on that step to the attribute values ``shared``
    finds on that step's event among the people there (a property the step's event
    does not carry cannot narrow it); with the basis sentence and warnings."""
    placed = Counter(furthest[p] for p in theme_people if p in furthest)
    if not placed:
        raise ValueError(
            "none of the theme's participants entered the funnel in the range: "
            "choose a segment for it instead"
        )
    step, count = min(placed.items(), key=lambda kv: (-kv[1], kv[0]))
    last = len(funnel.steps)
    there = {p for p in theme_people if furthest.get(p) == step}
    values = shared(there, funnel.steps[step - 1].event) if shared is not None else []
    if values:
        at = funnel.steps[step - 1]
        narrowed = FunnelStep(
            at.event,
            at.filters + tuple(PropertyFilter(v.key, Operator.EQ, v.value) for v in values),
        )
        steps = (*funnel.steps[: step - 1], narrowed, *funnel.steps[step:])
        funnel = replace(funnel, steps=steps)
    definition = SegmentDefinition(funnel=funnel, step=step, dropped=step < last)
    basis = (
        f"{count} of {len(theme_people)} participants who expressed it "
        f"{'stopped at' if step < last else 'completed'} step {step} "
        f"({funnel.steps[step - 1].event})"
    )
    for v in values:
        basis += f"; {v.people} of those {count} on {v.key} = {v.value}"
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
    attributes: Sequence[str] = (),
) -> ThemeReach:
    """How many users the theme plausibly affects in ``dates`` (bounded): through the
    proxy segment derived from ``theme_people`` on ``funnel`` (narrowed by any of
    ``attributes``, e.g. ``$os``, that most of them share), or ``chosen``."""
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

        def shared(people: set[str], event: str) -> list[SharedValue]:
            found = participant_attributes(source, people, attributes, dates, event=event)
            return shared_values(people, found, attributes)

        definition, basis, warnings = proxy_segment(
            ranged, furthest, theme_people, shared if attributes else None
        )
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
