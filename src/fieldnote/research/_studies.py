"""Study plans: who to talk to about a Question, how many, by when.

A plan targets the users behind the move: per driving segment value, the users who
dropped at the step that moved ("mobile users who reached integration_step_viewed and
did not connect"), as saved-segment definitions (``fieldnote.analytics.segments``), so
recruiting later re-runs them against the events of that day. Default quota: 5-8
participants, mixing daily, occasional and churned users where the segment has them;
default deadline: 48 hours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentDefinition, members
from fieldnote.analytics.trends._common import latest_event
from fieldnote.research._mix import DEFAULT_MIX, TierMix, tier_mix

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_QUOTA",
    "MEMBERS_FOR_TIERS",
    "SegmentPlan",
    "StudyPlan",
    "plan_study",
    "with_tier_mix",
]

DEFAULT_QUOTA = (5, 8)
DEFAULT_DEADLINE = timedelta(hours=48)
#: Tiers are read for at most this many members per segment (the first by person id).
MEMBERS_FOR_TIERS = 5000


@dataclass(frozen=True)
class SegmentPlan:
    name: str
    description: str
    definition: SegmentDefinition

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "definition": self.definition.to_dict(),
        }


@dataclass(frozen=True)
class StudyPlan:
    goal: str
    segments: tuple[SegmentPlan, ...]
    quota: tuple[int, int] = DEFAULT_QUOTA
    deadline: timedelta = DEFAULT_DEADLINE
    mix: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    """Participants per usage tier: the target, or (with ``tiers``) what the segments
    can give (``_mix.propose_mix``)."""
    tiers: TierMix | None = None
    """The segments' members by tier when the plan was made (None: not computed)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "segments": [s.to_dict() for s in self.segments],
            "quota": {"min": self.quota[0], "max": self.quota[1]},
            "mix": self.mix,
            "tiers": None if self.tiers is None else self.tiers.to_dict(),
            "deadline_hours": self.deadline.total_seconds() / 3600,
        }


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)[:40]


def plan_study(
    question_id: int,
    question: str,
    *,
    steps: Sequence[str],
    dropped_at: int,
    dimension: str | None,
    values: Sequence[str],
    last_days: int,
    window: str = "14d",
) -> StudyPlan:
    """Segments of the users who dropped after step ``dropped_at`` (1-based) of
    ``steps``, one per driving value of ``dimension`` (all users when None)."""
    key = dimension.split(".", 1)[-1] if dimension else None
    plans = []
    targets: list[str | None] = list(values) or [None]
    for value in targets:
        first = steps[0] if key is None or value is None else f"{steps[0]} where {key}={value}"
        funnel = Funnel.parse([first, *steps[1 : dropped_at + 1]], window=window)
        definition = SegmentDefinition(
            funnel=funnel, step=dropped_at, dropped=True, last=timedelta(days=last_days)
        )
        who = f"{key}={value} " if key and value else ""
        plans.append(
            SegmentPlan(
                name=f"q{question_id}-"
                + _slug(f"{value or 'all'} dropped {steps[dropped_at - 1]}"),
                description=f"{who}users who {definition.describe()}",
                definition=definition,
            )
        )
    return StudyPlan(goal=question, segments=tuple(plans))


def with_tier_mix(source: EventSource, plan: StudyPlan) -> StudyPlan:
    """``plan`` with its mix proposed from its segments' members' usage tiers now."""
    people: set[str] = set()
    for segment in plan.segments:
        found = members(source, segment.definition, limit=MEMBERS_FOR_TIERS)
        people.update(m.person_id for m in found.members)
    latest = latest_event(source)
    mix = tier_mix(source, people, latest.date() if latest else None, quota_min=plan.quota[0])
    return replace(plan, mix=dict(mix.proposed), tiers=mix)
