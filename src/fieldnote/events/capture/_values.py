"""Field-level rules shared by the PostHog and Segment parsers.

Everything here runs once per event on the hot path, so it is plain Python over
already-parsed JSON values (no pydantic, no per-event allocation beyond the result).
A broken value raises ``Invalid`` naming the field; the parser turns that into a
located ``FieldError``.
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from fieldnote.events.capture._errors import describe, json_type

__all__ = [
    "MAX_ID_LENGTH",
    "CaptureLimits",
    "Clock",
    "Invalid",
    "canonical_uuid",
    "distinct_id_value",
    "event_name",
    "fresh_uuid",
    "json_object",
    "optional_id",
    "parse_instant",
    "parse_timestamp",
    "stable_uuid",
]

#: Longest accepted event name or distinct id: longer ones are almost always a bug
#: (a serialised object, a URL with a token) and would bloat every later query.
MAX_ID_LENGTH = 200

#: Namespace of the uuid5s that stand in for non-UUID Segment messageIds.
_MESSAGE_ID_NAMESPACE = uuid.UUID("6f1d5e8a-4c1b-5a3e-9d2f-0b7c8e4a1f36")

_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

#: Epoch numbers at or above this are milliseconds (1e11 seconds is the year 5138).
_MILLIS_THRESHOLD = 100_000_000_000


class Invalid(Exception):
    """One event's field is unacceptable; ``field`` is its dotted path in the event."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CaptureLimits:
    """The capture rules that are settings (built from ``Settings`` by the web layer)."""

    max_body_bytes: int = 20 * 1024 * 1024
    max_batch_events: int = 10_000
    oldest_timestamp_year: int = 2000
    future_tolerance_seconds: int = 23 * 3600
    #: Derived once here rather than per request by ``Clock.at``: building the
    #: datetime and the timedelta was about 1 us of a single-event request's ~5 us
    #: of validation.
    earliest: datetime = field(init=False, repr=False, compare=False)
    tolerance: timedelta = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        earliest = datetime(self.oldest_timestamp_year, 1, 1, tzinfo=UTC)
        object.__setattr__(self, "earliest", earliest)
        object.__setattr__(self, "tolerance", timedelta(seconds=self.future_tolerance_seconds))


@dataclass(frozen=True, slots=True)
class Clock:
    """One request's notion of now and of the plausible timestamp window.

    Computed once per request so every event in a batch is judged against the same
    instant, and events without a timestamp share one receive time.
    """

    now: datetime
    earliest: datetime
    latest: datetime
    oldest_year: int
    tolerance_seconds: int

    @classmethod
    def at(cls, now: datetime, limits: CaptureLimits) -> Clock:
        return cls(
            now,
            limits.earliest,
            now + limits.tolerance,
            limits.oldest_timestamp_year,
            limits.future_tolerance_seconds,
        )

    def check(self, ts: datetime, field: str, raw: object) -> datetime:
        """Refuse absurd instants: they are clock bugs, and would poison every chart."""
        if ts < self.earliest:
            raise Invalid(
                field, f"{describe(raw)} is before {self.oldest_year}: not a plausible event time"
            )
        if ts > self.latest:
            raise Invalid(
                field,
                f"{describe(raw)} is more than {self.tolerance_seconds} s in the future",
            )
        return ts

    def before_now(self, offset_ms: object, field: str) -> datetime:
        """PostHog's ``offset``: the event happened this many milliseconds ago."""
        if isinstance(offset_ms, bool) or not isinstance(offset_ms, int | float):
            raise Invalid(field, f"must be a number of milliseconds, got {json_type(offset_ms)}")
        try:
            ts = self.now - timedelta(milliseconds=offset_ms)
        except (OverflowError, ValueError):
            raise Invalid(field, f"{describe(offset_ms)} is not a usable offset") from None
        return self.check(ts, field, offset_ms)


def parse_timestamp(value: object, field: str, clock: Clock) -> datetime:
    """A plausible event time: ``parse_instant`` within the clock's window."""
    if type(value) is str:  # the fast path: what every SDK sends
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if ts.tzinfo is UTC and clock.earliest <= ts <= clock.latest:
                return ts
    return clock.check(parse_instant(value, field), field, value)


def parse_instant(value: object, field: str) -> datetime:
    """ISO-8601 (any zone, or none meaning UTC) or an epoch number (seconds or ms) → UTC."""
    if isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            raise Invalid(field, f"{describe(value)} is not an ISO-8601 timestamp") from None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        seconds = value / 1000 if abs(value) >= _MILLIS_THRESHOLD else value
        try:
            ts = datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            raise Invalid(field, f"{describe(value)} is not a usable epoch time") from None
    else:
        raise Invalid(
            field, f"must be an ISO-8601 string or an epoch number, got {json_type(value)}"
        )
    offset = ts.utcoffset()
    if offset is None:
        ts = ts.replace(tzinfo=UTC)
    elif offset or ts.tzinfo is not UTC:
        try:
            ts = ts.astimezone(UTC)
        except OverflowError:
            raise Invalid(field, f"{describe(value)} is out of range") from None
    return ts


def canonical_uuid(value: str) -> str | None:
    """The lowercase hyphenated form of a UUID string, or None if it is not one.

    The store compares uuids as strings, so ``{ABC...}`` and ``abc...`` must become
    the same text or a retry would be counted twice.
    """
    if len(value) == 36 and _CANONICAL_UUID.fullmatch(value):
        return value
    if len(value) > 45:  # urn:uuid: + 36 is the longest spelling uuid.UUID accepts
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def fresh_uuid() -> str:
    """A random (version 4) UUID for an event that came without one.

    Equivalent to ``str(uuid.uuid4())`` at a fraction of its cost, which matters when
    every event of a 50,000-events-a-second stream needs one: the UUIDs are made 512
    at a time (one ``urandom`` call, and the version and variant bits, the hex digits
    and the hyphens set by numpy for the whole block), so one costs a list ``pop``
    and, amortised, one string slice. ``list.pop`` is atomic under the GIL, so
    threads never share a UUID; a forked child starts with an empty pool so it cannot
    repeat its parent's.
    """
    try:
        return _POOL.pop()
    except IndexError:
        _refill()
        return _POOL.pop()


def _refill() -> None:
    raw = np.frombuffer(os.urandom(16 * _POOL_SIZE), np.uint8).reshape(_POOL_SIZE, 16).copy()
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    digits = np.frombuffer(raw.tobytes().hex().encode("ascii"), np.uint8).reshape(_POOL_SIZE, 32)
    text = np.full((_POOL_SIZE, 36), ord("-"), np.uint8)
    for start, stop, offset in _UUID_GROUPS:
        text[:, start + offset : stop + offset] = digits[:, start:stop]
    block = text.tobytes().decode("ascii")
    _POOL.extend(block[i : i + 36] for i in range(0, 36 * _POOL_SIZE, 36))


_POOL_SIZE = 512
_POOL: list[str] = []
#: (first hex digit, end, hyphens before it) of each group of a UUID's text.
_UUID_GROUPS = ((0, 8, 0), (8, 12, 1), (12, 16, 2), (16, 20, 3), (20, 32, 4))
os.register_at_fork(after_in_child=_POOL.clear)


def stable_uuid(project: str, message_id: str) -> str:
    """A UUID standing in for a non-UUID id: the same id always maps to the same UUID,
    so a retried message is still recognised as a duplicate."""
    return str(uuid.uuid5(_MESSAGE_ID_NAMESPACE, f"{project}\x00{message_id}"))


def event_name(value: object, field: str = "event") -> str:
    if value is None:
        raise Invalid(field, "is required")
    if not isinstance(value, str):
        raise Invalid(field, f"must be a string, got {json_type(value)}")
    if not value:
        raise Invalid(field, "must not be empty")
    if len(value) > MAX_ID_LENGTH:
        raise Invalid(field, f"is longer than {MAX_ID_LENGTH} characters")
    return value


def optional_id(value: object, field: str) -> str | None:
    """A user id: a non-empty string, or a number (SDKs in typed languages send those)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = str(value)
    else:
        raise Invalid(field, f"must be a string, got {json_type(value)}")
    if not text.strip():
        raise Invalid(field, "must not be empty")
    if len(text) > MAX_ID_LENGTH:
        raise Invalid(field, f"is longer than {MAX_ID_LENGTH} characters")
    return text


def distinct_id_value(value: object, field: str) -> str:
    found = optional_id(value, field)
    if found is None:
        raise Invalid(field, "is required")
    return found


def json_object(value: object, field: str) -> dict[str, Any]:
    """An optional JSON object: missing or null is empty, anything else is refused."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(field, f"must be a JSON object, got {json_type(value)}")
    return value
