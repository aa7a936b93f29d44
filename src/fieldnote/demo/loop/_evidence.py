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
from fieldnote.analytics._sql import Params
from fieldnote.analytics.explain import rate_metric
from fieldnote.analytics.funnels import Funnel
from fieldnote.evidence import (
    Comparison,
    Opportunity,
    PersonMetric,
    ReleaseVerdict,
    ThemeBehaviour,
    compare_groups,
    confidence_from_evidence,
    effort_entered,
    impact_from_theme,
    person_metric,
    person_values,
    rank,
    release_verdict,
    theme_behaviour,
)
from fieldnote.evidence._reach import ThemeReach, theme_reach
from fieldnote.evidence._rice import Component
from fieldnote.synthesis import Synthesis, Theme

__all__ = [
    "ALPHA",
    "Effect",
    "StepLink",
    "confirms",
    "hypothesis_status",
    "link_step",
    "opportunities",
    "reach_at_scale",
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


@dataclass(frozen=True)
class Effect:
    """The theme's people against the other participants, against everyone active, and
    against everyone else who reached the same step (the validation used: recruited
    among those who stopped there, participants differ from each other only in what
    they said)."""

    behaviour: ThemeBehaviour
    vs_reached_step: Comparison

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.behaviour.to_dict(),
            "vs_reached_step": self.vs_reached_step.to_dict(),
            "summary": self.vs_reached_step.summary(
                f"Participants who talk about {self.behaviour.theme}",
                "everyone else who reached the step",
            ),
        }


def _converted_if_reached(step: StepLink) -> PersonMetric:
    """1/0: did ``step_to`` in the range, for people who did ``step_from``; else -1
    (dropped before comparing: SQL NULLs do not survive the columnar fetch)."""

    def expression(params: Params, dates: DateRange) -> str:
        reached = f"max(CASE WHEN e.event = {params.add(step.step_from)} THEN 1 ELSE 0 END)"
        did = f"max(CASE WHEN e.event = {params.add(step.step_to)} THEN 1.0 ELSE 0.0 END)"
        return f"CASE WHEN {reached} = 1 THEN {did} ELSE -1.0 END"

    return PersonMetric(
        "conversion_at_step",
        f"conversion to {step.step_to} of those who reached {step.step_from}",
        expression,
    )


def theme_effect(
    source: EventSource,
    theme: Theme,
    people: Sequence[str],
    participants: Sequence[str],
    step: StepLink,
    dates: DateRange,
) -> Effect:
    """Conversion to the step after the theme's step, three ways (``Effect``)."""
    metric = person_metric("conversion", {"event": step.step_to})
    behaviour = theme_behaviour(source, metric, dates, theme.label, people, participants)
    at_step = _converted_if_reached(step)
    values = person_values(source, at_step, dates, people, participants)
    v = values.values
    ok = v >= 0
    g = values.in_group & ok
    return Effect(behaviour, compare_groups(at_step.label, v[g], v[~values.in_group & ok]))


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
    if effect.warnings:
        seen += "; " + "; ".join(effect.warnings)
    if share >= 0.5 and confirms(effect):
        return "supported", f"{said}; behaviour confirms it ({seen})"
    return "inconclusive", f"{said}; {seen}"


def reach_at_scale(
    source: EventSource, theme: Theme, people: Sequence[str], funnel: Funnel, dates: DateRange
) -> tuple[Component, ThemeReach]:
    """Reach through the theme's behavioural proxy (``evidence._reach.theme_reach``):
    everyone who stopped where most of the theme's participants stopped, per quarter."""
    found = theme_reach(
        source, theme.label, dates, funnel=funnel, theme_people=people, attributes=("platform",)
    )
    return Component(
        found.per_quarter,
        f"proxy segment ({found.basis}): {found.size:,} users in the range = "
        f"{found.per_quarter:,.0f} per quarter",
    ), found


def opportunities(
    synthesis: Synthesis,
    reaches: Mapping[str, Component],
    validations: Mapping[str, Comparison | None],
    *,
    top: int = 5,
) -> list[Opportunity]:
    """One opportunity per leading theme (not praise) with a reach, RICE-ranked."""
    themes = [t for t in synthesis.themes if t.kind != "praise" and t.id in reaches][:top]
    n = max(1, len({note.participant for note in synthesis.notes if note.participant}))
    out = []
    for t in themes:
        out.append(
            Opportunity(
                name=f"Fix: {t.label}",
                reach=reaches[t.id],
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
