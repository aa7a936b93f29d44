"""AI-moderated interview sessions: the participant's link, consent, and the moderator
state between requests (so a dropped connection resumes where it stopped).

The link carries a random token; only its SHA-256 is stored, like API tokens. The
state is the moderator's ``SessionState`` as JSON; the finished transcript goes to
``interviews`` like any imported one.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from fieldnote.repository._db import Repository
from fieldnote.repository._models import Base, Project
from fieldnote.repository._monitors import project_id

__all__ = [
    "ChatSession",
    "ChatSessionConflict",
    "ChatSessionError",
    "ChatSessionRow",
    "ChatSessions",
]

STATUSES = ("invited", "consented", "declined", "completed")


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ChatSessionRow(Base):
    __tablename__ = "interview_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True
    )
    participant: Mapped[str | None] = mapped_column(String(200), nullable=True)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="invited")
    state: Mapped[str] = mapped_column(Text, nullable=False)
    interview_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)
    consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_now)


class ChatSessionError(ValueError):
    """An unknown or unusable session link; the message says why."""


class ChatSessionConflict(ChatSessionError):
    """The session changed since it was read (another request answered first)."""


@dataclass(frozen=True, kw_only=True)
class ChatSession:
    project: str
    participant: str | None
    status: str
    state: dict[str, Any]
    interview_id: str | None
    consented_at: datetime | None
    #: The stored state text as read: ``update(expected=...)`` writes only if the row
    #: still holds it, so two requests that read the same state cannot both answer.
    version: str = ""


class ChatSessions:
    def __init__(self, repository: Repository) -> None:
        self._repo = repository

    def create(self, project: str, state: dict[str, Any], *, participant: str | None) -> str:
        """A new session; returns the link token (shown once)."""
        token = secrets.token_urlsafe(24)
        with self._repo.session() as session:
            session.add(
                ChatSessionRow(
                    token_hash=_digest(token),
                    project_id=project_id(session, project, ChatSessionError),
                    participant=participant,
                    status="invited",
                    state=json.dumps(state),
                )
            )
        return token

    def get(self, token: str) -> ChatSession:
        with self._repo.session() as session:
            found = session.execute(
                select(ChatSessionRow, Project.name)
                .join(Project, Project.id == ChatSessionRow.project_id)
                .where(ChatSessionRow.token_hash == _digest(token))
            ).first()
            if found is None:
                raise ChatSessionError("this interview link is not valid")
            row, project = found
            return ChatSession(
                project=project,
                participant=row.participant,
                status=row.status,
                state=json.loads(row.state),
                interview_id=row.interview_id,
                consented_at=row.consented_at,
                version=hashlib.sha256(row.state.encode()).hexdigest(),
            )

    def update(
        self,
        token: str,
        *,
        status: str,
        state: dict[str, Any],
        interview_id: str | None = None,
        expected: str | None = None,
    ) -> None:
        """Store the session's new state.

        With ``expected`` (a ``ChatSession.version``) this is a compare-and-swap: the
        write happens only if the stored state is still the one that was read, else
        ``ChatSessionConflict``. One conditional UPDATE is atomic on SQLite and
        PostgreSQL alike, so two simultaneous answers cannot both be taken, without
        holding a lock while the moderator thinks.
        """
        if status not in STATUSES:
            raise ChatSessionError(f"status must be one of {', '.join(STATUSES)}")
        with self._repo.session() as session:
            row = session.get(ChatSessionRow, _digest(token))
            if row is None:
                raise ChatSessionError("this interview link is not valid")
            old_state = row.state
            if expected is not None and hashlib.sha256(old_state.encode()).hexdigest() != expected:
                raise ChatSessionConflict("this interview changed meanwhile; reload it")
            now = _now()
            values: dict[str, Any] = {
                "status": status,
                "state": json.dumps(state),
                "interview_id": interview_id or row.interview_id,
                "updated_at": now,
            }
            if status == "consented" and row.consented_at is None:
                values["consented_at"] = now
            done = session.execute(
                update(ChatSessionRow)
                .where(ChatSessionRow.token_hash == row.token_hash)
                .where(ChatSessionRow.state == old_state)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if expected is not None and getattr(done, "rowcount", 1) != 1:
                raise ChatSessionConflict("this interview changed meanwhile; reload it")

    def states(self, project: str, *, completed_only: bool = True) -> list[dict[str, Any]]:
        """The moderator states of the project's sessions (for the consistency report)."""
        with self._repo.session() as session:
            query = select(ChatSessionRow.state).where(
                ChatSessionRow.project_id == project_id(session, project, ChatSessionError)
            )
            if completed_only:
                query = query.where(ChatSessionRow.status == "completed")
            return [
                json.loads(s) for s in session.scalars(query.order_by(ChatSessionRow.created_at))
            ]
