"""The records behind the research funnel, and the completion of invitations whose
interview finished on the chat page (the chat page knows nothing of invitations: the
link between them is the interview token's hash, kept on the delivery row)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fieldnote.repository._chat_sessions import ChatSessionRow
from fieldnote.repository._consent import ConsentRecordRow
from fieldnote.repository._delivery import DeliveryRow
from fieldnote.repository._invitations import InvitationRow
from fieldnote.research._research_funnel import InvitationFacts

__all__ = ["study_facts", "sync_completed"]


def _now() -> datetime:
    return datetime.now(UTC)


def study_facts(session: Session, study_id: int) -> list[InvitationFacts]:
    """Per invitation of the study, the evidence of each funnel step. An interview
    finished on the chat page marks its invitation completed here."""
    rows = session.execute(
        select(InvitationRow, DeliveryRow.opened_at, ChatSessionRow.status)
        .outerjoin(DeliveryRow, DeliveryRow.invitation_id == InvitationRow.id)
        .outerjoin(ChatSessionRow, ChatSessionRow.token_hash == DeliveryRow.chat_hash)
        .where(InvitationRow.study_id == study_id)
        .order_by(InvitationRow.id)
    ).all()
    consented_ids = set(
        session.scalars(
            select(ConsentRecordRow.invitation_id).where(
                ConsentRecordRow.action == "granted",
                ConsentRecordRow.invitation_id.in_([r[0].id for r in rows]),
            )
        )
    )
    out = []
    for inv, opened_at, chat_status in rows:
        if chat_status == "completed" and inv.status == "consented":
            inv.status, inv.updated_at = "completed", _now()
        out.append(
            InvitationFacts(
                id=inv.id,
                channel=inv.channel,
                status=inv.status,
                opened=opened_at is not None,
                consented=inv.id in consented_ids,
                completed=inv.status == "completed" or chat_status == "completed",
            )
        )
    return out


def sync_completed(session: Session, pid: int, person: str) -> None:
    """Invitations whose interview finished on the chat page become ``completed``, so
    the contact policy's "interviewed recently" sees them."""
    rows = session.execute(
        select(InvitationRow)
        .join(DeliveryRow, DeliveryRow.invitation_id == InvitationRow.id)
        .join(ChatSessionRow, ChatSessionRow.token_hash == DeliveryRow.chat_hash)
        .where(
            InvitationRow.project_id == pid,
            InvitationRow.distinct_id == person,
            InvitationRow.status == "consented",
            ChatSessionRow.status == "completed",
        )
    ).scalars()
    for inv in rows:
        inv.status, inv.updated_at = "completed", _now()
