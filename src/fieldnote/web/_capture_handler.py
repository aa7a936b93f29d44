"""One capture request, at the ASGI level: bytes in, one committed batch, bytes out.

Both the raw fast path (``_capture_asgi``, which answers capture POSTs before FastAPI
routing) and the documented FastAPI routes (``_capture``) run this same code, so the
behaviour is one thing whichever way a request arrives. It works on the ASGI ``scope``
and ``receive`` directly: no ``Request`` object, no header multidict, no query-string
parsing unless there is a query string. The parsing, validation and mapping live in
``fieldnote.events.capture``; the commit in the group-commit writer.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import orjson

from fieldnote.events import Event, WriterClosedError
from fieldnote.events.capture import (
    SEGMENT_TYPES,
    CaptureError,
    CaptureLimits,
    Envelope,
    decode_body,
    posthog_envelope,
    posthog_events,
    segment_envelope,
    segment_events,
)
from fieldnote.web._state import AppState

__all__ = [
    "CAPTURE_ROUTES",
    "POSTHOG_PATHS",
    "SEGMENT_PATHS",
    "CaptureReply",
    "CaptureRoute",
    "ClientGoneError",
    "capture",
    "capture_limits",
]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]

POSTHOG_PATHS = ("/capture/", "/batch/", "/e/", "/i/v0/e/")
SEGMENT_PATHS = tuple(f"/v1/{kind}" for kind in (*SEGMENT_TYPES, "batch"))

#: Past the size limit the rest of the body is still read (and dropped) up to this
#: much more, so an ordinary oversize request gets its 413 instead of a reset connection.
_DRAIN_BYTES = 64 * 1024 * 1024

_CODES = {400: "invalid_request", 401: "unauthorized", 413: "too_large", 415: "unsupported"}
_JSON = (b"content-type", b"application/json")
_CHALLENGE = (b"www-authenticate", b'Basic realm="fieldnote"')


class ClientGoneError(Exception):
    """The client disconnected before its body arrived: there is nobody to answer."""


@dataclass(frozen=True, slots=True)
class CaptureReply:
    """What to send back: status, JSON body and any extra headers."""

    status: int
    body: bytes
    headers: tuple[tuple[bytes, bytes], ...] = ()

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        return [_JSON, (b"content-length", str(len(self.body)).encode()), *self.headers]


@dataclass(frozen=True, slots=True)
class _Family:
    """How one SDK family's requests are read, authenticated and answered."""

    ok: CaptureReply
    key_hint: str
    segment: bool
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


_FAMILIES = {
    "posthog": _Family(
        ok=CaptureReply(200, b'{"status":1}'),
        key_hint="send the project's write key as api_key or token",
        segment=False,
        envelope=_posthog_envelope,
        events=_posthog_events,
    ),
    "segment": _Family(
        ok=CaptureReply(200, b'{"success":true}'),
        key_hint="send the write key as the Basic-auth user, or as writeKey",
        segment=True,
        envelope=_segment_envelope,
        events=_segment_events,
    ),
}


@dataclass(frozen=True, slots=True)
class CaptureRoute:
    """A capture path: its SDK family and (Segment) the message kind it implies."""

    family: str
    kind: str = ""


def _routes() -> dict[str, CaptureRoute]:
    routes: dict[str, CaptureRoute] = {}
    for path in POSTHOG_PATHS:  # PostHog SDKs disagree on the trailing slash
        routes[path] = routes[path.rstrip("/")] = CaptureRoute("posthog")
    for path in SEGMENT_PATHS:
        routes[path] = routes[path + "/"] = CaptureRoute("segment", path.rsplit("/", 1)[1])
    return routes


#: Every capture spelling → its route; the fast path's whole routing table.
CAPTURE_ROUTES = _routes()


def capture_limits(state: Any) -> CaptureLimits:
    """The capture rules from the settings, built once per app (``state`` is app.state)."""
    limits: CaptureLimits | None = getattr(state, "capture_limits", None)
    if limits is None:
        s = state.fieldnote.fieldnote.settings
        limits = CaptureLimits(
            max_body_bytes=s.max_body_bytes,
            max_batch_events=s.max_batch_events,
            oldest_timestamp_year=s.oldest_timestamp_year,
            future_tolerance_seconds=s.future_tolerance_seconds,
        )
        state.capture_limits = limits
    return limits


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole body, refused with 413 past ``limit`` (after draining a sane amount)."""
    message = await receive()
    if message["type"] == "http.disconnect":
        raise ClientGoneError
    body: bytes = message.get("body", b"")
    if not message.get("more_body", False) and len(body) <= limit:
        return body  # the common case: one message
    chunks = [body]
    size = len(body)
    while message.get("more_body", False) and size <= limit:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGoneError
        chunk = message.get("body", b"")
        size += len(chunk)
        chunks.append(chunk)
    if size > limit:
        drained = 0
        while message.get("more_body", False) and drained <= _DRAIN_BYTES:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientGoneError
            drained += len(message.get("body", b""))
        raise CaptureError.one(413, f"body is larger than the limit of {limit} bytes")
    return b"".join(chunks)


def _basic_user(header: str) -> str | None:
    """The Basic-auth user name, which is where Segment SDKs put the write key."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded.partition(":")[0] or None


def _compression(query_string: bytes) -> str:
    found = ""
    for name, value in parse_qsl(query_string.decode("latin-1"), keep_blank_values=True):
        if name == "compression":
            found = value  # the last one wins, as Starlette's query_params.get does
    return found


def _refusal(exc: CaptureError, *, segment: bool) -> CaptureReply:
    """The error document, plus the keys each SDK family reads its message from
    (posthog-python logs ``detail``; analytics-python ``code`` and ``message``)."""
    body = exc.body()
    body["code"] = _CODES.get(exc.status, "invalid_request")
    if segment:
        body["message"] = exc.message
    else:
        body["type"] = "authentication_error" if exc.status == 401 else "validation_error"
        body["detail"] = exc.message
        body["attr"] = body["field"]
    headers = (_CHALLENGE,) if exc.status == 401 else ()
    return CaptureReply(exc.status, orjson.dumps(body), headers)


def _error(status: int, message: str) -> CaptureReply:
    return CaptureReply(status, orjson.dumps({"error": message}))


async def capture(state: Any, route: CaptureRoute, scope: Scope, receive: Receive) -> CaptureReply:
    """Read, validate, authenticate and commit one capture request; answer after commit.

    ``state`` is ``app.state`` (holding the ``AppState`` as ``fieldnote``). Raises
    ``ClientGoneError`` only when the client left before sending its body.
    """
    st: AppState = state.fieldnote
    family = _FAMILIES[route.family]
    limits = capture_limits(state)
    content_type = content_encoding = authorization = ""
    for name, value in scope["headers"]:
        if name == b"content-type":
            content_type = content_type or value.decode("latin-1")
        elif name == b"content-encoding":
            content_encoding = content_encoding or value.decode("latin-1")
        elif name == b"authorization":
            authorization = authorization or value.decode("latin-1")
    query = scope.get("query_string", b"")
    try:
        body = await read_body(receive, limits.max_body_bytes)
        data = decode_body(
            body,
            content_type=content_type,
            content_encoding=content_encoding,
            compression=_compression(query) if query else "",
            max_bytes=limits.max_body_bytes,
        )
        basic = _basic_user(authorization) if family.segment and authorization else None
        envelope = family.envelope(data, route.kind, basic)
        if envelope.key is None:
            raise CaptureError.one(401, f"missing write key: {family.key_hint}")
        info = st.keys.project_for_write_key(envelope.key)
        if info is None:
            raise CaptureError.one(401, "unknown write key: use the project's write key")
        events = family.events(envelope, route.kind, info.name, limits, datetime.now(UTC))
    except CaptureError as exc:
        return _refusal(exc, segment=family.segment)
    try:
        await st.writer.append_events(events)
    except WriterClosedError:
        return _error(503, "the server is shutting down; retry shortly")
    except Exception:
        log.exception("committing %d captured events failed", len(events))
        return _error(500, "the events could not be committed; nothing was stored, retry")
    return family.ok
