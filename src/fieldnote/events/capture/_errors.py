"""Why a capture request is refused, located precisely enough for a client to fix it.

A request is all-or-nothing, so a refusal lists every invalid event (up to a cap)
rather than stopping at the first: an SDK author fixes the whole batch in one go.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["MAX_REPORTED_ERRORS", "CaptureError", "FieldError", "describe", "json_type"]

#: A batch of 10,000 broken events gets this many errors back, not 10,000.
MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True, slots=True)
class FieldError:
    """One reason for a refusal: ``index`` is the event's position in the request
    (None for request-level problems) and ``field`` its dotted path inside the event."""

    message: str
    index: int | None = None
    field: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.message, "index": self.index, "field": self.field}


class CaptureError(Exception):
    """A capture request refused as a whole: nothing of it is written.

    ``status`` is the HTTP status the web layer answers with (400 malformed, 401 bad
    key, 413 too large, 415 unsupported encoding); the domain code picks it because
    only it knows which rule was broken.
    """

    def __init__(self, status: int, errors: list[FieldError]) -> None:
        if not errors:
            raise ValueError("a CaptureError needs at least one error")
        super().__init__(errors[0].message)
        self.status = status
        self.errors = errors

    @classmethod
    def one(
        cls, status: int, message: str, *, field: str | None = None, index: int | None = None
    ) -> CaptureError:
        return cls(status, [FieldError(message, index, field)])

    @property
    def message(self) -> str:
        return self.errors[0].message

    def body(self) -> dict[str, Any]:
        """The JSON error document: the first error spelled out, then all of them."""
        first = self.errors[0]
        return {
            "error": first.message,
            "errors": [e.as_dict() for e in self.errors],
            "index": first.index,
            "field": first.field,
        }


_JSON_TYPES = {
    dict: "object",
    list: "array",
    str: "string",
    int: "number",
    float: "number",
    bool: "boolean",
    type(None): "null",
}


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, as a client would call it."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def describe(value: object, limit: int = 60) -> str:
    """A short quoted rendering of a bad value for an error message."""
    if isinstance(value, str):
        text = value if len(value) <= limit else value[:limit] + "…"
        return repr(text)
    if isinstance(value, dict | list):
        return f"a JSON {json_type(value)}"
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"
