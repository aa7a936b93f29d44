"""What the repository knows about people's past contact, for the fatigue policy.

One function serves one person (an intercept match, an invitation) and many (a
study's whole candidate pool): the batch form reads the invitations and withdrawals
of all of them in a few queries instead of three per person, so recruiting from a
panel of ten thousand is not ten thousand round trips. Same rules either way:
``fieldnote.research.decide`` takes the ``ContactHistory`` built here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fieldnote.repository._consent import ConsentRecordRow
from fieldnote.repository._invitation_rows import InvitationRow
from fieldnote.repository._monitors import aware
from fieldnote.research import ContactHistory

__all__ = ["contact_histories"]

_CHUNK = 500  # bound parameters per IN list (SQLite's limit is far above)


def contact_histories(
    session: Session,
    pid: int,
    people: Sequence[str],
    *,
    now: datetime,
    rule_id: int | None = None,
    study_id: int | None = None,
    session_id: str | None = None,
) -> dict[str, ContactHistory]:
    """person → their history (invitations across all rules and studies, withdrawal,
    last completed interview) and the project's invitations today."""
    wanted = list(dict.fromkeys(people))
    rows: dict[str, list[InvitationRow]] = defaultdict(list)
    withdrawn: set[str] = set()
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        for r in session.scalars(
            select(InvitationRow).where(
                InvitationRow.project_id == pid, InvitationRow.distinct_id.in_(chunk)
            )
        ):
            rows[r.distinct_id].append(r)
        withdrawn.update(
            session.scalars(
                select(ConsentRecordRow.distinct_id).where(
                    ConsentRecordRow.project_id == pid,
                    ConsentRecordRow.action == "withdrawn",
                    ConsentRecordRow.distinct_id.in_(chunk),
                )
            )
        )
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = int(
        session.scalar(
            select(func.count(InvitationRow.id)).where(
                InvitationRow.project_id == pid, InvitationRow.created_at >= day
            )
        )
        or 0
    )
    out: dict[str, ContactHistory] = {}
    for person in wanted:
        mine = rows.get(person, [])
        completed = [aware(r.updated_at) for r in mine if r.status == "completed"]
        out[person] = ContactHistory(
            last_invited_at=max((aware(r.created_at) for r in mine), default=None),
            invited_in_session=sum(1 for r in mine if session_id and r.session_id == session_id),
            invitations_today=today,
            withdrawn=person in withdrawn,
            declined_this=any(
                r.status == "declined" and (r.rule_id, r.study_id) == (rule_id, study_id)
                for r in mine
            ),
            last_interviewed_at=max(completed, default=None),
        )
    return out
