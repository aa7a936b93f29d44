"""Intercept rules and invitations, per project.

A rule's definition is JSON the repository does not interpret (``fieldnote.research``
does). An invitation is queued only after the contact-fatigue policy said yes, and that
check and the insert run in one transaction, so two matches for the same person at the
same moment cannot both get through. A study's invitations link to ``studies.id``.
"""

from __future__ import annotations

import builtins
import json
import random
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    func,
    select,
)
from sqlalchemy.orm import Session

from fieldnote.repository._consent import ConsentRecord, grant_in, withdrawn_at
from fieldnote.repository._contact_history import contact_histories
from fieldnote.repository._db import Repository
from fieldnote.repository._invitation_rows import (
    InterceptRuleRow,
    InvitationError,
    InvitationRecord,
    InvitationRow,
    RuleRecord,
    invitation_record,
)
from fieldnote.repository._models import Project
from fieldnote.repository._monitors import aware, project_id
from fieldnote.research import (
    OPEN_STATUSES,
    ContactHistory,
    ContactPolicy,
    Decision,
    InvitationStateError,
    decide,
    next_status,
)

__all__ = [
    "InterceptRuleRow",
    "InvitationError",
    "InvitationRecord",
    "InvitationRow",
    "InvitationStore",
    "RuleRecord",
]


#: The row → record mapping under its old name (other stores import it from here).
_invitation = invitation_record


def _now() -> datetime:
    return datetime.now(UTC)


class InvitationStore:
    def __init__(self, repository: Repository, policy: ContactPolicy | None = None) -> None:
        self._repo = repository
        self.policy = policy or ContactPolicy()

    # -- rules ---------------------------------------------------------------------

    def create_rule(self, project: str, name: str, definition: dict[str, Any]) -> RuleRecord:
        with self._repo.session() as session:
            pid = project_id(session, project, InvitationError)
            taken = session.scalar(
                select(InterceptRuleRow.id).where(
                    InterceptRuleRow.project_id == pid, InterceptRuleRow.name == name
                )
            )
            if taken is not None:
                raise InvitationError(f"name: a rule named {name!r} already exists")
            row = InterceptRuleRow(project_id=pid, name=name, definition=json.dumps(definition))
            session.add(row)
            session.flush()
            return RuleRecord(
                id=row.id,
                project=project,
                name=name,
                definition=definition,
                enabled=True,
                created_at=aware(row.created_at),
            )

    def rules(self, project: str | None = None) -> list[RuleRecord]:
        """Enabled rules of one project, or of every project (for the matcher)."""
        with self._repo.session() as session:
            query = (
                select(InterceptRuleRow, Project.name)
                .join(Project, Project.id == InterceptRuleRow.project_id)
                .where(InterceptRuleRow.enabled.is_(True))
                .order_by(InterceptRuleRow.id)
            )
            if project is not None:
                query = query.where(Project.name == project)
            return [
                RuleRecord(
                    id=r.id,
                    project=name,
                    name=r.name,
                    definition=json.loads(r.definition),
                    enabled=r.enabled,
                    created_at=aware(r.created_at),
                )
                for r, name in session.execute(query)
            ]

    # -- invitations ---------------------------------------------------------------

    def history(
        self, session: Session, pid: int, person: str, *, now: datetime, **origin: Any
    ) -> ContactHistory:
        """One person's contact history (``contact_histories`` for many at once)."""
        return contact_histories(
            session,
            pid,
            [person],
            now=now,
            rule_id=origin.get("rule_id"),
            study_id=origin.get("study_id"),
            session_id=origin.get("session_id"),
        )[person]

    def queue(
        self,
        project: str,
        person: str,
        *,
        offer: dict[str, Any],
        channel: str = "intercept",
        rule_id: int | None = None,
        study_id: int | None = None,
        session_id: str | None = None,
        sampling_rate: float = 1.0,
        now: datetime | None = None,
        rng: random.Random | None = None,
    ) -> tuple[Decision, InvitationRecord | None]:
        """Queue an invitation if the policy allows; the decision says why (not)."""
        now = now or _now()
        with self._repo.session() as session:
            pid = project_id(session, project, InvitationError)
            hist = self.history(
                session,
                pid,
                person,
                now=now,
                rule_id=rule_id,
                study_id=study_id,
                session_id=session_id,
            )
            decision = decide(hist, self.policy, now=now, sampling_rate=sampling_rate, rng=rng)
            if not decision.invite:
                return decision, None
            row = InvitationRow(
                project_id=pid,
                rule_id=rule_id,
                study_id=study_id,
                distinct_id=person,
                channel=channel,
                session_id=session_id,
                offer=json.dumps(offer),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return decision, invitation_record(project, row)

    def pending(self, project: str, person: str) -> InvitationRecord | None:
        """The person's oldest open intercept invitation, if any (and not withdrawn)."""
        with self._repo.session() as session:
            pid = session.scalar(select(Project.id).where(Project.name == project))
            if pid is None or _withdrawn(session, pid, person):
                return None
            row = session.scalars(
                select(InvitationRow)
                .where(
                    InvitationRow.project_id == pid,
                    InvitationRow.distinct_id == person,
                    InvitationRow.channel == "intercept",
                    InvitationRow.status.in_(OPEN_STATUSES),
                )
                .order_by(InvitationRow.id)
                .limit(1)
            ).first()
            return invitation_record(project, row) if row is not None else None

    def open_intercepts(self) -> set[tuple[str, str]]:
        """(project, distinct_id) of every open intercept invitation, all projects: the
        server keeps this in memory so "nothing pending" is answered without a query."""
        with self._repo.session() as session:
            rows = session.execute(
                select(Project.name, InvitationRow.distinct_id)
                .join(Project, Project.id == InvitationRow.project_id)
                .where(
                    InvitationRow.channel == "intercept",
                    InvitationRow.status.in_(OPEN_STATUSES),
                )
            ).all()
        return {(str(p), str(d)) for p, d in rows}

    def list(self, project: str, *, status: str | None = None) -> list[InvitationRecord]:
        with self._repo.session() as session:
            pid = project_id(session, project, InvitationError)
            query = select(InvitationRow).where(InvitationRow.project_id == pid)
            if status is not None:
                query = query.where(InvitationRow.status == status)
            rows = session.scalars(query.order_by(InvitationRow.id)).all()
            return [invitation_record(project, r) for r in rows]

    def act(
        self,
        project: str,
        invitation_id: int,
        person: str,
        action: str,
        *,
        answers: builtins.list[str] | None = None,
    ) -> InvitationRecord:
        """Move the person's own invitation along (``TRANSITIONS``); another person's
        invitation is reported as unknown, so ids reveal nothing."""
        with self._repo.session() as session:
            pid = project_id(session, project, InvitationError)
            return _act_in(session, pid, project, invitation_id, person, action, answers)

    def consent(
        self,
        project: str,
        invitation_id: int,
        person: str,
        *,
        text_id: int,
        parts: dict[str, bool],
    ) -> tuple[InvitationRecord, ConsentRecord]:
        """Record consent and move the invitation to ``consented``: both or neither."""
        with self._repo.session() as session:
            pid = project_id(session, project, InvitationError)
            moved = _act_in(session, pid, project, invitation_id, person, "consent", None)
            return moved, grant_in(session, pid, person, text_id, parts, invitation_id)

    def funnel(self, project: str) -> dict[str, int]:
        """invited → seen → accepted → consented → completed: how many reached each."""
        order = ("invited", "seen", "accepted", "consented", "completed")
        with self._repo.session() as session:
            pid = project_id(session, project, InvitationError)
            counts = dict(
                session.execute(
                    select(InvitationRow.status, func.count(InvitationRow.id))
                    .where(InvitationRow.project_id == pid)
                    .group_by(InvitationRow.status)
                ).all()
            )
        reached = {
            name: sum(int(counts.get(s, 0)) for s in order[i:]) for i, name in enumerate(order)
        }
        reached["invited"] = sum(int(n) for n in counts.values())
        return reached


def _act_in(
    session: Session,
    pid: int,
    project: str,
    invitation_id: int,
    person: str,
    action: str,
    answers: list[str] | None,
) -> InvitationRecord:
    row = session.get(InvitationRow, invitation_id, with_for_update=True)
    if row is None or row.project_id != pid or row.distinct_id != person:
        raise InvitationError(f"no invitation {invitation_id} for this person")
    if _withdrawn(session, pid, person):
        raise InvitationError("this person withdrew consent")
    try:
        row.status = next_status(row.status, action)
    except InvitationStateError as exc:
        raise InvitationError(str(exc)) from exc
    if answers is not None:
        row.answers = json.dumps(answers)
    row.updated_at = _now()
    return invitation_record(project, row)


def _withdrawn(session: Session, pid: int, person: str) -> bool:
    return withdrawn_at(session, pid, person) is not None
