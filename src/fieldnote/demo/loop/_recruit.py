"""The demo study's invitations: the plan's segments, evaluated as of the monitor run.

A Study plan stores saved-segment definitions relative to "now" (``last 14 days``).
The demo's monitor runs as of two weeks after the planted release, while the stored
events go on past the fix, so each segment is pinned to the window ending at that
moment before it is evaluated. Invitations go through ``InvitationStore.queue``, the
same contact-fatigue policy every intercept and study uses.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics.segments import SegmentDefinition, SegmentMembers
from fieldnote.repository import Repository, StudyRecord
from fieldnote.repository._invitations import InvitationRecord, InvitationStore

__all__ = ["Invited", "invite_study", "study_members"]

#: Invite this many people per place in the quota: not everyone accepts.
OVERSAMPLE = 3


@dataclass(frozen=True)
class Invited:
    """One invitation with the segment it came from and the person behind it."""

    invitation: InvitationRecord
    segment: str
    person_id: str
    distinct_ids: tuple[str, ...]
    furthest_step: int | None


def study_members(
    source: EventSource, study: StudyRecord, as_of: datetime, *, limit: int = 1000
) -> dict[str, SegmentMembers]:
    """Each plan segment's members in the ``last`` window ending at ``as_of``."""
    out = {}
    for seg in study.plan["segments"]:
        definition = SegmentDefinition.from_dict(seg["definition"])
        if definition.last is not None:
            dates = DateRange(as_of - definition.last, as_of)
            definition = replace(
                definition, funnel=replace(definition.funnel, dates=dates), last=None
            )
        out[str(seg["name"])] = definition.resolve(source, limit)
    return out


def _user_id(distinct_ids: tuple[str, ...]) -> str:
    """The signed-in id (what the app identifies with), else the first one."""
    named = [d for d in distinct_ids if d.startswith("usr_")]
    return (named or list(distinct_ids))[0]


def invite_study(
    repository: Repository,
    project: str,
    study: StudyRecord,
    members: dict[str, SegmentMembers],
    *,
    offer: dict[str, Any],
) -> list[Invited]:
    """Queue in-app invitations round-robin over the segments (by person id) until
    ``OVERSAMPLE`` x the quota's maximum; people already invited are skipped by the
    contact policy, so running the demo again invites nobody twice."""
    store = InvitationStore(repository)
    wanted = OVERSAMPLE * study.quota_max
    queues = [list(m.members) for m in members.values()]
    names = list(members)
    out: list[Invited] = []
    i = 0
    while len(out) < wanted and any(queues):
        k = i % len(queues)
        i += 1
        if not queues[k]:
            continue
        member = queues[k].pop(0)
        person = _user_id(member.distinct_ids)
        _decision, record = store.queue(
            project, person, offer=offer, channel="intercept", study_id=study.id
        )
        if record is None:
            continue
        out.append(
            Invited(record, names[k], member.person_id, member.distinct_ids, member.furthest_step)
        )
    return out
