"""Server-side web sessions: the cookie holds a random id, the database its digest.

Each sign-in creates a fresh session (and the caller deletes the one the browser
came with), so a session id planted before sign-in never becomes authenticated
(session fixation). Signing out deletes the record: the cookie is then worthless
even if it was copied. Each session carries its own CSRF synchronizer token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select

from fieldnote.repository._db import Repository
from fieldnote.repository._models import WebSession

__all__ = ["NewSession", "SessionInfo", "Sessions"]

_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class SessionInfo:
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True, kw_only=True)
class NewSession:
    """A session just created: ``cookie`` goes to the browser and nowhere else."""

    cookie: str
    info: SessionInfo


def _digest(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _info(row: WebSession) -> SessionInfo:
    return SessionInfo(
        user_id=row.user_id,
        csrf_token=row.csrf_token,
        created_at=_aware(row.created_at),
        expires_at=_aware(row.expires_at),
    )


class Sessions:
    def __init__(self, repository: Repository, *, max_age: timedelta) -> None:
        self._repo = repository
        self.max_age = max_age

    def create(self, user_id: int) -> NewSession:
        cookie = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        row = WebSession(
            id_hash=_digest(cookie),
            user_id=user_id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            last_seen_at=now,
            expires_at=now + self.max_age,
        )
        with self._repo.session() as s:
            s.add(row)
            # Expired sessions of anyone are swept here: sign-ins are rare enough.
            s.execute(delete(WebSession).where(WebSession.expires_at < now))
        return NewSession(cookie=cookie, info=_info(row))

    def get(self, cookie: str) -> SessionInfo | None:
        """The live session behind ``cookie``; None when unknown, ended or expired."""
        if not cookie or len(cookie) > 128:
            return None
        now = datetime.now(UTC)
        with self._repo.session() as s:
            row = s.scalar(select(WebSession).where(WebSession.id_hash == _digest(cookie)))
            if row is None:
                return None
            if _aware(row.expires_at) <= now:
                s.delete(row)
                return None
            if _aware(row.last_seen_at) < now - _TOUCH_EVERY:
                row.last_seen_at = now
            return _info(row)

    def end(self, cookie: str) -> bool:
        """Delete the session behind ``cookie``; True when there was one."""
        with self._repo.session() as s:
            result = s.execute(delete(WebSession).where(WebSession.id_hash == _digest(cookie)))
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def end_all(self, user_id: int) -> int:
        """Sign a user out everywhere (after a password change or removal)."""
        with self._repo.session() as s:
            result = s.execute(delete(WebSession).where(WebSession.user_id == user_id))
            return int(result.rowcount)  # type: ignore[attr-defined]
