"""The participant's side of a study's delivery: what a personal link leads to, and
consenting, declining or joining through it (``ParticipantLinks``, mixed into
``DeliveryStore``; tables in ``_delivery``).

A personal link is only usable while it is unexpired and its invitation still open;
consenting records the consent (with the text version), moves the invitation to
``consented`` and creates the interview session, all in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnote.repository._chat_sessions import ChatSessionRow
from fieldnote.repository._consent import grant_in
from fieldnote.repository._db import Repository
from fieldnote.repository._delivery import (
    DeliveryError,
    DeliveryRow,
    StudyDeliveryRow,
    StudySetup,
    setup_record,
    setup_row,
    study_in,
)
from fieldnote.repository._invitations import InvitationRecord, InvitationRow, _invitation
from fieldnote.repository._models import Project
from fieldnote.repository._monitors import aware
from fieldnote.research import next_status

__all__ = ["LinkView", "ParticipantLinks"]


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


class ParticipantLinks:
    """The personal-link half of ``DeliveryStore`` (it supplies ``_repo``)."""

    _repo: Repository

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
