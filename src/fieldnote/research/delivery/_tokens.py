"""Personal and shareable link tokens.

A token is 32 random bytes (URL-safe base64); only its SHA-256 is stored, like API
tokens, so a copy of the database opens no link. The interview a personal link starts
gets its own token derived from the link's (HMAC-SHA256 keyed by the link token): the
person can always get back to their interview through the link, and the database
holds no token that could be replayed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

__all__ = ["chat_token", "digest", "expiry", "is_expired", "new_token"]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def chat_token(link_token: str) -> str:
    mac = hmac.new(link_token.encode(), b"fieldnote interview", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def expiry(now: datetime, days: int) -> datetime:
    return now + timedelta(days=days)


def is_expired(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is not None and now >= expires_at
