"""The research funnel: invited → seen → accepted → consented → completed, per study
and per channel (intercept, email, link).

Each invitation counts at the furthest step any record shows it reached, and at every
step before it (one who completed an interview was necessarily invited, saw, accepted
and consented), so the counts only fall from step to step, like any funnel's. The
evidence per step:

* **seen**: the invitation's status moved past ``invited`` (a decline or dismissal was
  seen too), its personal link was opened, or the widget captured ``survey shown``
  with its ``$invitation_id``;
* **accepted**: status accepted, consented or completed;
* **consented**: a consent record names the invitation (or its status says so);
* **completed**: the interview session it started is completed (or its status).

The result is an ordinary ``FunnelResult`` (rates with Wilson intervals), so the page
shows it with the funnel page's bars and table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fieldnote.analytics._stats import Interval, wilson_interval
from fieldnote.analytics.funnels import Funnel, FunnelAggregate, FunnelResult
from fieldnote.analytics.funnels._result import build_result

__all__ = [
    "FUNNEL_STEPS",
    "SMALL_FUNNEL",
    "InvitationFacts",
    "ResearchFunnel",
    "furthest_step",
    "research_funnel",
]

FUNNEL_STEPS = ("invited", "seen", "accepted", "consented", "completed")
#: Below this many invitations the completion rate's interval is wide: the result says so.
SMALL_FUNNEL = 30
_SEEN = {"seen", "accepted", "consented", "completed", "declined", "dismissed"}
_ACCEPTED = {"accepted", "consented", "completed"}


@dataclass(frozen=True, kw_only=True)
class InvitationFacts:
    """What the records say about one invitation."""

    id: int
    channel: str
    status: str
    opened: bool = False
    """Its personal link was opened."""
    consented: bool = False
    """A consent record names it."""
    completed: bool = False
    """Its interview session is completed."""


def furthest_step(facts: InvitationFacts, shown: bool = False) -> int:
    """0-based index into FUNNEL_STEPS of the furthest step reached; ``shown``: the
    widget captured ``survey shown`` for this invitation."""
    if facts.completed or facts.status == "completed":
        return 4
    if facts.consented or facts.status == "consented":
        return 3
    if facts.status in _ACCEPTED:
        return 2
    if facts.status in _SEEN or facts.opened or shown:
        return 1
    return 0


@dataclass(frozen=True)
class ResearchFunnel:
    study_id: int
    total: FunnelResult
    channels: dict[str, FunnelResult]
    """One funnel per channel that has invitations, in CHANNELS order."""
    declined: int
    dismissed: int
    link_views: int
    """Openings of the study's shareable link page (people who joined are invitations)."""
    shown_events: int = 0
    """Invitations with a ``survey shown`` event (widget evidence for "seen")."""
    notes: tuple[str, ...] = field(default=())

    @property
    def invited(self) -> int:
        return self.total.steps[0].count

    @property
    def completed(self) -> int:
        return self.total.steps[-1].count

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.invited if self.invited else None

    @property
    def completion_ci(self) -> Interval | None:
        return wilson_interval(self.completed, self.invited)

    @property
    def small_sample(self) -> bool:
        return self.invited < SMALL_FUNNEL

    def to_dict(self) -> dict[str, Any]:
        ci = self.completion_ci
        return {
            "study_id": self.study_id,
            "steps": [s.to_dict() for s in self.total.steps],
            "channels": {c: [s.to_dict() for s in f.steps] for c, f in self.channels.items()},
            "invited": self.invited,
            "completed": self.completed,
            "completion_rate": self.completion_rate,
            "completion_ci_low": ci.low if ci else None,
            "completion_ci_high": ci.high if ci else None,
            "small_sample": self.small_sample,
            "declined": self.declined,
            "dismissed": self.dismissed,
            "link_views": self.link_views,
            "shown_events": self.shown_events,
            "notes": list(self.notes),
        }


def _funnel() -> Funnel:
    return Funnel.parse(list(FUNNEL_STEPS))


def _result(reached: list[int]) -> FunnelResult:
    counts = tuple(sum(1 for r in reached if r >= k) for k in range(len(FUNNEL_STEPS)))
    agg = FunnelAggregate(
        total=True, breakdown_value=None, counts=counts, seconds=(None,) * len(counts)
    )
    return build_result(_funnel(), [agg])


def research_funnel(
    study_id: int,
    facts: Iterable[InvitationFacts],
    *,
    shown: set[int] | None = None,
    link_views: int = 0,
    channels: Iterable[str] = ("intercept", "email", "link"),
) -> ResearchFunnel:
    """Count each invitation at its furthest step, for the study and per channel."""
    shown = shown or set()
    rows = list(facts)
    reached = {f.id: furthest_step(f, f.id in shown) for f in rows}
    per_channel = {
        c: _result([reached[f.id] for f in rows if f.channel == c])
        for c in channels
        if any(f.channel == c for f in rows)
    }
    notes = []
    if len(rows) < SMALL_FUNNEL:
        notes.append(
            f"small sample: {len(rows)} invitation{'s' if len(rows) != 1 else ''} "
            f"(fewer than {SMALL_FUNNEL}); read the 95 % intervals, not the point estimates"
        )
    return ResearchFunnel(
        study_id=study_id,
        total=_result(list(reached.values())),
        channels=per_channel,
        declined=sum(1 for f in rows if f.status == "declined"),
        dismissed=sum(1 for f in rows if f.status == "dismissed"),
        link_views=link_views,
        shown_events=sum(1 for f in rows if f.id in shown),
        notes=tuple(notes),
    )
