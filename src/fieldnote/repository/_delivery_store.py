"""``DeliveryStore``: a study's email and link invitations, from queueing to the start
of the interview (tables in ``_delivery``).

Queueing goes through the same contact-fatigue policy as intercepts, checked and
inserted in one transaction. The participant's side (a personal link, consenting,
declining, joining) lives in ``_delivery_links`` and is mixed in; ``LinkView`` is
re-exported here.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update

from fieldnote.repository._db import Repository
from fieldnote.repository._delivery import (
    DeliveryError,
    DeliveryRow,
    StudyDeliveryRow,
    StudySetup,
    count_view,
    save_setup,
    set_share,
    setup_record,
    setup_row,
    study_in,
)
from fieldnote.repository._delivery_facts import study_facts, sync_completed
from fieldnote.repository._delivery_links import LinkView, ParticipantLinks
from fieldnote.repository._invitations import (
    InvitationRecord,
    InvitationRow,
    InvitationStore,
    _invitation,
)
from fieldnote.repository._models import Project
from fieldnote.repository._monitors import aware
from fieldnote.research import ContactPolicy, Decision, decide
from fieldnote.research._research_funnel import InvitationFacts

__all__ = ["DeliveryStore", "LinkView", "Outbox", "QueuedStudy", "ShareView"]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class ShareView:
    setup: StudySetup
    open: bool


@dataclass(frozen=True, kw_only=True)
class Outbox:
    """One invitation waiting for a link (and, by email, for its message)."""

    invitation: InvitationRecord
    email: str | None
    state: str
    attempts: int


@dataclass(frozen=True, kw_only=True)
class QueuedStudy:
    """A study with email invitations waiting to be sent."""

    project: str
    study_id: int


class DeliveryStore(ParticipantLinks):
    def __init__(self, repository: Repository, policy: ContactPolicy | None = None) -> None:
        self._repo = repository
        self._invitations = InvitationStore(repository, policy)

    # -- study setup and the shareable link --------------------------------------------

    def setup(self, project: str, study_id: int, **fields: Any) -> StudySetup:
        with self._repo.session() as session:
            return save_setup(session, project, study_id, **fields)

    def require_study(self, project: str, study_id: int) -> None:
        with self._repo.session() as session:
            study_in(session, project, study_id)

    def study(self, project: str, study_id: int) -> StudySetup:
        with self._repo.session() as session:
            return setup_record(project, setup_row(session, project, study_id))

    def set_share(self, project: str, study_id: int, token_hash: str | None) -> StudySetup:
        with self._repo.session() as session:
            return set_share(session, project, study_id, token_hash, now=_now())

    def share(self, token_hash: str, *, view: bool = False) -> ShareView | None:
        """The study behind a shareable link (None: no such link); ``view`` counts one
        opening of its page."""
        with self._repo.session() as session:
            found = session.execute(
                select(StudyDeliveryRow, Project.name)
                .join(Project, Project.id == StudyDeliveryRow.project_id)
                .where(StudyDeliveryRow.share_token_hash == token_hash)
            ).first()
            if found is None:
                return None
            row, project = found
            is_open = row.share_closed_at is None
            if view and is_open:
                count_view(session, row.study_id)
            return ShareView(setup=setup_record(project, row), open=is_open)

    # -- queueing and sending ----------------------------------------------------------

    def add(
        self,
        project: str,
        study_id: int,
        person: str,
        *,
        channel: str,
        email: str | None,
        now: datetime | None = None,
    ) -> tuple[Decision, InvitationRecord | None]:
        """Queue an email or link invitation to the study if the policy allows it."""
        if channel not in ("email", "link"):
            raise DeliveryError(f"channel: must be email or link, not {channel!r}")
        if channel == "email" and not email:
            raise DeliveryError("email: an email invitation needs an address")
        now = now or _now()
        with self._repo.session() as session:
            setup = setup_record(project, setup_row(session, project, study_id))
            pid = study_in(session, project, study_id)
            sync_completed(session, pid, person)
            hist = self._invitations.history(session, pid, person, now=now, study_id=study_id)
            decision = decide(hist, self._invitations.policy, now=now)
            if not decision.invite:
                return decision, None
            row = InvitationRow(
                project_id=pid,
                study_id=study_id,
                distinct_id=person,
                channel=channel,
                offer=json.dumps(setup.offer),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            session.add(DeliveryRow(invitation_id=row.id, email=email, state="pending", attempts=0))
            return decision, _invitation(project, row)

    def outbox(self, project: str, study_id: int, channel: str) -> builtins.list[Outbox]:
        """Invitations of this channel still without a delivered link: pending, and
        (by email) failed ones, which the next send tries again."""
        states = ("pending", "failed") if channel == "email" else ("pending",)
        with self._repo.session() as session:
            study_in(session, project, study_id)
            rows = session.execute(
                select(InvitationRow, DeliveryRow)
                .join(DeliveryRow, DeliveryRow.invitation_id == InvitationRow.id)
                .where(
                    InvitationRow.study_id == study_id,
                    InvitationRow.channel == channel,
                    InvitationRow.status.in_(("invited",)),
                    DeliveryRow.state.in_(states),
                )
                .order_by(InvitationRow.id)
            ).all()
            return [
                Outbox(
                    invitation=_invitation(project, inv),
                    email=d.email,
                    state=d.state,
                    attempts=d.attempts,
                )
                for inv, d in rows
            ]

    def issue(
        self, invitation_id: int, *, token_hash: str, chat_hash: str, expires_at: datetime
    ) -> bool:
        """Give a waiting invitation (pending, or a failed email) a new personal link; an
        earlier one stops working. One conditional UPDATE, so when two senders (the
        CLI and ``serve``'s scheduler) reach the same invitation, only one gets True
        and sends: never two emails for one invitation."""
        with self._repo.session() as session:
            result = session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.invitation_id == invitation_id,
                    DeliveryRow.state.in_(("pending", "failed")),
                )
                .values(
                    token_hash=token_hash, chat_hash=chat_hash, expires_at=expires_at, state="link"
                )
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def queued_email_studies(self) -> builtins.list[QueuedStudy]:
        """(project, study id) of every study with an email invitation still waiting
        to be sent (pending or failed): what ``serve``'s scheduler visits."""
        with self._repo.session() as session:
            rows = session.execute(
                select(Project.name, InvitationRow.study_id)
                .join(Project, Project.id == InvitationRow.project_id)
                .join(DeliveryRow, DeliveryRow.invitation_id == InvitationRow.id)
                .where(
                    InvitationRow.channel == "email",
                    InvitationRow.status == "invited",
                    DeliveryRow.state.in_(("pending", "failed")),
                )
                .distinct()
                .order_by(Project.name, InvitationRow.study_id)
            ).all()
            return [
                QueuedStudy(project=name, study_id=int(study))
                for name, study in rows
                if study is not None
            ]

    def record_send(
        self, invitation_id: int, *, ok: bool, attempts: int, error: str | None
    ) -> None:
        with self._repo.session() as session:
            row = session.get(DeliveryRow, invitation_id)
            if row is None:
                raise DeliveryError(f"invitation {invitation_id}: not an email or link invitation")
            row.state = "sent" if ok else "failed"
            row.attempts += attempts
            row.last_error = None if ok else error
            if ok:
                row.sent_at = _now()

    def deliveries(self, project: str, study_id: int) -> builtins.list[dict[str, Any]]:
        """Per invitation: channel, status and how its delivery went (no tokens)."""
        with self._repo.session() as session:
            study_in(session, project, study_id)
            rows = session.execute(
                select(InvitationRow, DeliveryRow)
                .join(DeliveryRow, DeliveryRow.invitation_id == InvitationRow.id)
                .where(InvitationRow.study_id == study_id)
                .order_by(InvitationRow.id)
            ).all()
            return [
                {
                    "invitation_id": inv.id,
                    "distinct_id": inv.distinct_id,
                    "channel": inv.channel,
                    "status": inv.status,
                    "email": d.email,
                    "delivery": d.state,
                    "attempts": d.attempts,
                    "last_error": d.last_error,
                    "expires_at": aware(d.expires_at).isoformat() if d.expires_at else None,
                }
                for inv, d in rows
            ]

    # -- the funnel ----------------------------------------------------------------------

    def facts(self, project: str, study_id: int) -> builtins.list[InvitationFacts]:
        """Per invitation of the study, what its records show (``_delivery_facts``)."""
        with self._repo.session() as session:
            study_in(session, project, study_id)
            return study_facts(session, study_id)
