"""Contact data and secrets: email addresses and URLs that carry tokens."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from fieldnote.interviews.redaction._types import Found, RedactionContext

__all__ = ["EmailDetector", "TokenUrlDetector"]

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


class EmailDetector:
    label = "EMAIL"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        return [Found(m.start(), m.end(), self.label) for m in _EMAIL.finditer(text)]


_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.I)
_SECRET_KEYS = re.compile(
    r"token|key|secret|sig|signature|code|password|pass|pwd|auth|session|sid|jwt|otp|invite|reset",
    re.I,
)
#: A path segment that looks generated: long, letters and digits mixed.
_RANDOM_SEGMENT = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9_-]{20,}$")


def _has_token(url: str) -> bool:
    parts = urlsplit(url if "://" in url else "https://" + url)
    if any(_SECRET_KEYS.search(k) for k, _ in parse_qsl(parts.query, keep_blank_values=True)):
        return True
    if parts.username or parts.password:
        return True
    return any(_RANDOM_SEGMENT.match(seg) for seg in parts.path.split("/")) or bool(
        _SECRET_KEYS.search(parts.fragment)
    )


class TokenUrlDetector:
    label = "URL"

    def find(self, text: str, context: RedactionContext) -> list[Found]:
        out = []
        for m in _URL.finditer(text):
            url = m.group(0).rstrip(".,;:!?)")
            if _has_token(url):
                out.append(Found(m.start(), m.start() + len(url), self.label))
        return out
