"""Invitations: their life cycle and the contact-fatigue policy that gates them.

The policy is project-wide, across *all* studies and rules: a person is not invited
twice within ``cooldown`` (30 days by default), at most ``per_session`` times in one
session, the project sends at most ``daily_cap`` invitations a day, and people who
withdrew consent, declined this study or rule before, or were interviewed within
``recent_interview`` are left alone. A sampling rate below 1 asks only that share of
the people who match. Each refusal has a reason, so a researcher can see why nobody
was invited.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "INVITATION_STATUSES",
    "OPEN_STATUSES",
    "TRANSITIONS",
    "ContactHistory",
    "ContactPolicy",
    "Decision",
    "InvitationStateError",
    "decide",
    "next_status",
]

INVITATION_STATUSES = (
    "invited",
    "seen",
    "accepted",
    "consented",
    "completed",
    "declined",
    "dismissed",
    "withdrawn",
)

#: Still waiting for the person: the widget may show these.
OPEN_STATUSES = ("invited", "seen")

#: action → (statuses it may follow, status it leads to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "seen": (("invited", "seen"), "seen"),
    "accept": (("invited", "seen"), "accepted"),
    "consent": (("invited", "seen", "accepted"), "consented"),
    "complete": (("consented",), "completed"),
    "decline": (("invited", "seen", "accepted"), "declined"),
    "dismiss": (("invited", "seen"), "dismissed"),
}


class InvitationStateError(ValueError):
    """An action the invitation's current status does not allow."""


def next_status(current: str, action: str) -> str:
    if action not in TRANSITIONS:
        raise InvitationStateError(
            f"action: must be one of {', '.join(TRANSITIONS)}, not {action!r}"
        )
    allowed, target = TRANSITIONS[action]
    if current not in allowed:
        raise InvitationStateError(f"cannot {action} an invitation that is {current}")
    return target


@dataclass(frozen=True, slots=True)
class ContactPolicy:
    cooldown: timedelta = timedelta(days=30)
    per_session: int = 1
    daily_cap: int = 200
    recent_interview: timedelta = timedelta(days=90)


@dataclass(frozen=True, slots=True)
class ContactHistory:
    """What the repository knows about one person (and the project today)."""

    last_invited_at: datetime | None = None
    invited_in_session: int = 0
    invitations_today: int = 0
    withdrawn: bool = False
    declined_this: bool = False
    last_interviewed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    invite: bool
    reason: str
    code: str = "eligible"
    """Stable name of the rule that decided: withdrawn, declined, interviewed, cooldown,
    session, cap, sampled or eligible."""


def decide(
    history: ContactHistory,
    policy: ContactPolicy,
    *,
    now: datetime,
    sampling_rate: float = 1.0,
    rng: random.Random | None = None,
) -> Decision:
    """May this person be invited now? The first reason not to wins."""
    if history.withdrawn:
        return Decision(False, "the person withdrew consent", "withdrawn")
    if history.declined_this:
        return Decision(False, "the person declined this before", "declined")
    if history.last_interviewed_at and now - history.last_interviewed_at < policy.recent_interview:
        return Decision(False, "interviewed recently", "interviewed")
    if history.last_invited_at and now - history.last_invited_at < policy.cooldown:
        return Decision(False, f"invited within the last {policy.cooldown.days} days", "cooldown")
    if history.invited_in_session >= policy.per_session:
        return Decision(False, "already invited in this session", "session")
    if history.invitations_today >= policy.daily_cap:
        return Decision(False, f"the project's daily cap of {policy.daily_cap} is reached", "cap")
    if sampling_rate < 1.0 and (rng or random).random() >= sampling_rate:
        return Decision(False, "not sampled", "sampled")
    return Decision(True, "eligible")
