"""``DeliveryStore``: a study's email and link invitations, from queueing to the start
of the interview (tables in ``_delivery``).

Queueing goes through the same contact-fatigue policy as intercepts, checked and
inserted in one transaction. A personal link is only usable while it is unexpired and
its invitation still open; consenting records the consent (with the text version),
moves the invitation to ``consented`` and creates the interview session, all in one
transaction.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fieldnote.repository._chat_sessions import ChatSessionRow
from fieldnote.repository._consent import grant_in
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
from fieldnote.repository._invitations import (
    InvitationRecord,
    InvitationRow,
    InvitationStore,
    _invitation,
)
from fieldnote.repository._models import Project
from fieldnote.repository._monitors import aware
from fieldnote.research import ContactPolicy, Decision, decide, next_status
from fieldnote.research._research_funnel import InvitationFacts

__all__ = ["DeliveryStore", "LinkView", "Outbox", "QueuedStudy", "ShareView"]


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, kw_only=True)
class LinkView:
    """What a personal link leads to; the caller decides which page that is."""

    invitation: InvitationRecord
    setup: StudySetup | None
    expires_at: datetime | None
    used_at: datetime | None
    chat_status: str | None
    """The interview session's status once consent started it."""


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


class DeliveryStore:
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

    # -- the participant's side --------------------------------------------------------

    def link(self, token_hash: str, *, open_it: bool = False) -> LinkView | None:
        """What a personal link points at (None: no such link). ``open_it`` marks an
        open invitation seen (its first opening is the funnel's "seen")."""
        with self._repo.session() as session:
            found = self._find(session, token_hash)
            if found is None:
                return None
            inv, d, project = found
            if open_it and inv.status in ("invited", "seen"):
                now = _now()
                inv.status = next_status(inv.status, "seen")
                inv.updated_at = now
                d.opened_at = d.opened_at or now
            return self._view(session, project, inv, d)

    def consent(
        self,
        token_hash: str,
        *,
        text_id: int,
        parts: dict[str, bool],
        chat_state: dict[str, Any],
    ) -> LinkView:
        """Accept, record consent and start the interview session: one transaction."""
        with self._repo.session() as session:
            found = self._find(session, token_hash, lock=True)
            if found is None or found[1].chat_hash is None:
                raise DeliveryError("this invitation link is not valid")
            inv, d, project = found
            if inv.status in ("invited", "seen"):
                inv.status = next_status(inv.status, "accept")
            inv.status = next_status(inv.status, "consent")
            now = _now()
            inv.updated_at, d.used_at = now, now
            grant_in(session, inv.project_id, inv.distinct_id, text_id, parts, inv.id)
            session.add(
                ChatSessionRow(
                    token_hash=d.chat_hash,
                    project_id=inv.project_id,
                    participant=inv.distinct_id,
                    status="consented",
                    state=json.dumps(chat_state),
                    consented_at=now,
                )
            )
            session.flush()
            return self._view(session, project, inv, d)

    def decline(self, token_hash: str) -> None:
        with self._repo.session() as session:
            found = self._find(session, token_hash, lock=True)
            if found is None:
                raise DeliveryError("this invitation link is not valid")
            inv = found[0]
            inv.status = next_status(inv.status, "decline")
            inv.updated_at = _now()

    def join(
        self,
        project: str,
        study_id: int,
        person: str,
        *,
        token_hash: str,
        chat_hash: str,
        expires_at: datetime,
    ) -> InvitationRecord:
        """A new participant through the shareable link: an invitation already seen,
        with its own personal link (the caller consents with it next)."""
        with self._repo.session() as session:
            setup = setup_record(project, setup_row(session, project, study_id))
            pid = study_in(session, project, study_id)
            now = _now()
            row = InvitationRow(
                project_id=pid,
                study_id=study_id,
                distinct_id=person,
                channel="link",
                status="seen",
                offer=json.dumps(setup.offer),
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            session.add(
                DeliveryRow(
                    invitation_id=row.id,
                    token_hash=token_hash,
                    chat_hash=chat_hash,
                    expires_at=expires_at,
                    opened_at=now,
                    state="link",
                    attempts=0,
                )
            )
            return _invitation(project, row)

    # -- the funnel ----------------------------------------------------------------------

    def facts(self, project: str, study_id: int) -> builtins.list[InvitationFacts]:
        """Per invitation of the study, what its records show (``_delivery_facts``)."""
        with self._repo.session() as session:
            study_in(session, project, study_id)
            return study_facts(session, study_id)

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def _find(
        session: Session, token_hash: str, *, lock: bool = False
    ) -> tuple[InvitationRow, DeliveryRow, str] | None:
        query = (
            select(InvitationRow, DeliveryRow, Project.name)
            .join(DeliveryRow, DeliveryRow.invitation_id == InvitationRow.id)
            .join(Project, Project.id == InvitationRow.project_id)
            .where(DeliveryRow.token_hash == token_hash)
        )
        if lock:
            query = query.with_for_update(of=InvitationRow)
        found = session.execute(query).first()
        return (found[0], found[1], found[2]) if found is not None else None

    @staticmethod
    def _view(session: Session, project: str, inv: InvitationRow, d: DeliveryRow) -> LinkView:
        setup_row_ = session.get(StudyDeliveryRow, inv.study_id) if inv.study_id else None
        chat = session.get(ChatSessionRow, d.chat_hash) if d.chat_hash else None
        return LinkView(
            invitation=_invitation(project, inv),
            setup=setup_record(project, setup_row_) if setup_row_ is not None else None,
            expires_at=aware(d.expires_at) if d.expires_at else None,
            used_at=aware(d.used_at) if d.used_at else None,
            chat_status=chat.status if chat is not None else None,
        )
