"""From interviews to decisions: the top theme, its funnel step and behavioural effect,
the hypothesis it supports, the ranked opportunities, and the fix release's verdict.

Every value is computed by the library on the stored data: the theme ranking is the
synthesis pipeline's own (participants x intensity), the step is where the theme's
participants stopped in the study's funnel, the effect is ``theme_behaviour`` on the
conversion to the next step, the hypothesis status follows a stated rule, RICE comes
from ``fieldnote.evidence`` (reach from segment sizes, impact and confidence from the
themes and their behavioural checks), and the verdict is ``release_verdict``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics.explain import rate_metric
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentMembers
from fieldnote.evidence import (
    Comparison,
    Opportunity,
    ReleaseVerdict,
    ThemeBehaviour,
    confidence_from_evidence,
    effort_entered,
    impact_from_theme,
    person_metric,
    rank,
    release_verdict,
    theme_behaviour,
)
from fieldnote.evidence._rice import QUARTER_DAYS, Component
from fieldnote.synthesis import Synthesis, Theme

__all__ = [
    "ALPHA",
    "StepLink",
    "confirms",
    "hypothesis_status",
    "link_step",
    "opportunities",
    "theme_effect",
    "verdict_for",
]

ALPHA = 0.05
#: The demo enters the same effort for every item, so RICE ranks on evidence alone.
DEMO_EFFORT = 1.0


@dataclass(frozen=True)
class StepLink:
    """The funnel step a theme's participants stopped at, and how many of them did."""

    step_from: str
    step_to: str
    index: int
    participants: int
    of: int

    def label(self) -> str:
        return f"{self.step_from} → {self.step_to}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "step_from": self.step_from,
            "step_to": self.step_to,
            "index": self.index,
            "participants": self.participants,
            "of": self.of,
            "label": self.label(),
        }


def link_step(
    people: Sequence[str], furthest: Mapping[str, int | None], funnel: Funnel
) -> StepLink | None:
    """The most common furthest step among ``people`` (a step, not the funnel's end)."""
    steps = Counter(furthest[p] for p in people if furthest.get(p))
    if not steps:
        return None
    index, count = steps.most_common(1)[0]
    assert index is not None
    if index >= len(funnel.steps):
        return None
    return StepLink(
        funnel.steps[index - 1].event, funnel.steps[index].event, index, count, len(people)
    )


def theme_effect(
    source: EventSource,
    synthesis: Synthesis,
    theme: Theme,
    people: Sequence[str],
    participants: Sequence[str],
    step: StepLink,
    dates: DateRange,
) -> ThemeBehaviour:
    """Conversion to the step after the theme's step: the theme's people against the
    other participants and against everyone active in ``dates``."""
    metric = person_metric("conversion", {"event": step.step_to})
    return theme_behaviour(source, metric, dates, theme.label, people, participants)


def confirms(c: Comparison) -> bool:
    """p < ALPHA and the interval of the difference excludes zero."""
    ci, p = c.difference_ci, c.p_value
    return ci is not None and p is not None and p < ALPHA and (ci.low > 0 or ci.high < 0)


def hypothesis_status(citing: int, participants: int, effect: Comparison) -> tuple[str, str]:
    """supported: most participants cite it and behaviour confirms it; refuted: behaviour
    shows the opposite of a drop (the theme's people convert *better*); else
    inconclusive. Returns the status and the reason in words."""
    share = citing / participants if participants else 0.0
    p = "n/a" if effect.p_value is None else f"{effect.p_value:.3g}"
    said = f"{citing} of {participants} participants cite it"
    diff = "n/a" if effect.difference is None else f"{effect.difference:+.3f}"
    seen = f"{effect.metric}: difference {diff}, p = {p}"
    if confirms(effect) and (effect.difference or 0) > 0:
        return "refuted", f"{said}; behaviour goes the other way ({seen})"
    if share >= 0.5 and confirms(effect):
        return "supported", f"{said}; behaviour confirms it ({seen})"
    return "inconclusive", f"{said}; {seen}"


def _reach(theme: Theme, members: Mapping[str, SegmentMembers]) -> Component:
    """Users the theme plausibly affects per quarter: the study segments' size in their
    window, times the share of participants who cite the theme, scaled to a quarter."""
    size = sum(m.size for m in members.values())
    days = max(
        (m.dates.end - m.dates.start).total_seconds() / 86400
        for m in members.values()
        if m.dates.start is not None and m.dates.end is not None
    )
    value = size * theme.share * QUARTER_DAYS / days
    return Component(
        value,
        f"study segments: {size:,} persons in {days:g} days x {theme.share:.0%} citing "
        f"{theme.label!r} = {value:,.0f} per quarter",
    )


def opportunities(
    synthesis: Synthesis,
    members: Mapping[str, SegmentMembers],
    validations: Mapping[str, Comparison | None],
    *,
    top: int = 5,
) -> list[Opportunity]:
    """One opportunity per leading theme (not praise), RICE-ranked."""
    themes = [t for t in synthesis.themes if t.kind != "praise"][:top]
    n = max(1, len({note.participant for note in synthesis.notes if note.participant}))
    out = []
    for t in themes:
        out.append(
            Opportunity(
                name=f"Fix: {t.label}",
                reach=_reach(t, members),
                impact=impact_from_theme(t.label, t.participants, n, min(1.0, t.intensity)),
                confidence=confidence_from_evidence(t.participants, validations.get(t.id)),
                effort=effort_entered(DEMO_EFFORT, "the demo (the same for every item)"),
            )
        )
    return rank(out)


def verdict_for(
    source: EventSource,
    released_at: datetime,
    steps: Sequence[str],
    by: Sequence[str],
    window: timedelta,
    funnel_window: str,
) -> ReleaseVerdict:
    metric = rate_metric("conversion", {"steps": list(steps), "window": funnel_window})
    return release_verdict(source, metric, released_at, window, by)
