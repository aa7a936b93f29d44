"""One capture request, from its bytes to validated events: the whole domain side.

The web layer reads the body and the headers into a ``RawCapture`` and calls
``parse_capture`` with a way to find the project of a write key: what a request
means, and the order its checks run in (body, envelope, key, events), is decided
here, not in the web layer, so every way of receiving a request (the ASGI fast
path, the FastAPI routes, a test) gets the same events and the same refusals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fieldnote.events._model import Event
from fieldnote.events.capture._body import decode_body
from fieldnote.events.capture._envelope import Envelope
from fieldnote.events.capture._errors import CaptureError
from fieldnote.events.capture._posthog import posthog_envelope, posthog_events
from fieldnote.events.capture._segment import segment_envelope, segment_events
from fieldnote.events.capture._values import CaptureLimits

__all__ = ["FAMILIES", "CaptureFamily", "RawCapture", "parse_capture"]


@dataclass(frozen=True, slots=True)
class CaptureFamily:
    """How one SDK family's requests are read: where the key and events are, how an
    event is validated, and what to tell a client that sent no key."""

    key_hint: str
    envelope: Callable[[Any, str, str | None], Envelope]
    events: Callable[[Envelope, str, str, CaptureLimits, datetime], list[Event]]


def _posthog_envelope(data: Any, _kind: str, _basic_user: str | None) -> Envelope:
    return posthog_envelope(data)


def _posthog_events(
    envelope: Envelope, _kind: str, project: str, limits: CaptureLimits, now: datetime
) -> list[Event]:
    return posthog_events(envelope, project=project, limits=limits, now=now)


def _segment_envelope(data: Any, kind: str, basic_user: str | None) -> Envelope:
    return segment_envelope(data, kind=kind, basic_user=basic_user)


def _segment_events(
    envelope: Envelope, kind: str, project: str, limits: CaptureLimits, now: datetime
) -> list[Event]:
    return segment_events(envelope, kind=kind, project=project, limits=limits, now=now)


#: The SDK families by name (a registry: a new family is one entry here).
FAMILIES: dict[str, CaptureFamily] = {
    "posthog": CaptureFamily(
        key_hint="send the project's write key as api_key or token",
        envelope=_posthog_envelope,
        events=_posthog_events,
    ),
    "segment": CaptureFamily(
        key_hint="send the write key as the Basic-auth user, or as writeKey",
        envelope=_segment_envelope,
        events=_segment_events,
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class RawCapture:
    """A capture request as it came in: its body and the few headers that matter.

    ``family`` names an entry of ``FAMILIES``; ``kind`` is the Segment message type a
    path implies (``"track"`` for ``/v1/track``, ``""`` otherwise); ``basic_user`` the
    Basic-auth user name, where Segment SDKs put the write key.
    """

    body: bytes
    family: str
    kind: str = ""
    content_type: str = ""
    content_encoding: str = ""
    compression: str = ""
    basic_user: str | None = None


def parse_capture(
    raw: RawCapture,
    *,
    project_for_key: Callable[[str], str | None],
    limits: CaptureLimits,
    now: datetime,
) -> list[Event]:
    """Decode, authenticate and validate ``raw``; every event or a ``CaptureError``.

    ``project_for_key`` maps a write key to its project's name (None: not a write
    key, refused with 401). Nothing is written here: a request is accepted whole.
    """
    family = FAMILIES[raw.family]
    data = decode_body(
        raw.body,
        content_type=raw.content_type,
        content_encoding=raw.content_encoding,
        compression=raw.compression,
        max_bytes=limits.max_body_bytes,
    )
    envelope = family.envelope(data, raw.kind, raw.basic_user)
    if envelope.key is None:
        raise CaptureError.one(401, f"missing write key: {family.key_hint}")
    project = project_for_key(envelope.key)
    if project is None:
        raise CaptureError.one(401, "unknown write key: use the project's write key")
    return family.events(envelope, raw.kind, project, limits, now)
