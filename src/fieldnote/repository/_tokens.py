"""Personal API tokens: act as their user, for the JSON API and the CLI against a server.

A token is shown once when it is made; only its SHA-256 digest is stored (a token is
long and random, so a fast digest is enough and keeps each API request cheap). A
revoked token stops working on the next request: nothing caches tokens.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from fieldnote.repository._accounts import AccountError, Accounts
from fieldnote.repository._db import Repository
from fieldnote.repository._models import ApiToken, User

__all__ = ["CreatedToken", "TokenInfo", "Tokens"]

TOKEN_PREFIX = "fnt_"
MAX_NAME = 100
# last_used_at is refreshed at most this often, so reads do not write on every call.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, kw_only=True)
class TokenInfo:
    id: int
    user_id: int
    email: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, kw_only=True)
class CreatedToken:
    """What creating a token returns: the only time the secret is visible."""

    info: TokenInfo
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _info(t: ApiToken, email: str) -> TokenInfo:
    return TokenInfo(
        id=t.id,
        user_id=t.user_id,
        email=email,
        name=t.name,
        prefix=t.prefix,
        created_at=t.created_at,
        last_used_at=t.last_used_at,
        revoked_at=t.revoked_at,
    )


class Tokens:
    def __init__(self, repository: Repository, accounts: Accounts) -> None:
        self._repo = repository
        self._accounts = accounts

    def create(self, email: str, name: str) -> CreatedToken:
        user = self._accounts.require(email)
        label = name.strip()
        if not label or len(label) > MAX_NAME:
            raise AccountError(f"token names need 1-{MAX_NAME} characters")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._repo.session() as s:
            row = ApiToken(
                user_id=user.id, name=label, token_hash=_digest(secret), prefix=secret[:10]
            )
            s.add(row)
            s.flush()
            info = _info(row, user.email)
        return CreatedToken(info=info, token=secret)

    def list(self, *, email: str | None = None) -> list[TokenInfo]:
        with self._repo.session() as s:
            query = (
                select(ApiToken, User.email)
                .join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.id)
            )
            if email is not None:
                query = query.where(User.email == self._accounts.require(email).email)
            return [_info(t, e) for t, e in s.execute(query).all()]

    def get(self, token_id: int) -> TokenInfo | None:
        with self._repo.session() as s:
            row = s.execute(
                select(ApiToken, User.email)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.id == token_id)
            ).first()
            return _info(row[0], row[1]) if row else None

    def revoke(self, token_id: int, *, user_id: int | None = None) -> TokenInfo:
        """Revoke a token (only one of ``user_id``'s when given). Idempotent."""
        found = self.get(token_id)
        if found is None or (user_id is not None and found.user_id != user_id):
            raise AccountError(f"no token with id {token_id}")
        if found.revoked_at is None:
            with self._repo.session() as s:
                s.execute(
                    update(ApiToken)
                    .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=datetime.now(UTC))
                )
        info = self.get(token_id)
        assert info is not None
        return info

    def authenticate(self, token: str) -> TokenInfo | None:
        """The active token matching ``token``; None for unknown or revoked ones."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        now = datetime.now(UTC)
        with self._repo.session() as s:
            row = s.execute(
                select(ApiToken, User.email)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.token_hash == _digest(token), ApiToken.revoked_at.is_(None))
            ).first()
            if row is None:
                return None
            t, email = row
            last = t.last_used_at
            if last is None or _aware(last) < now - _TOUCH_EVERY:
                t.last_used_at = now
            return _info(t, email)


def _aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were written in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
