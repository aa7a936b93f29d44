"""One capture request, at the ASGI level: bytes in, one committed batch, bytes out.

Both the raw fast path (``_capture_asgi``, which answers capture POSTs before FastAPI
routing) and the documented FastAPI routes (``_capture``) run this same code, so the
behaviour is one thing whichever way a request arrives. It works on the ASGI ``scope``
and ``receive`` directly: no ``Request`` object, no header multidict, no query-string
parsing unless there is a query string. What the request means (decoding, the key,
validation) is ``fieldnote.events.capture.parse_capture``; the commit is the
group-commit writer's.
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

from fieldnote.config import Settings
from fieldnote.events import WriterClosedError
from fieldnote.events.capture import (
    SEGMENT_TYPES,
    CaptureError,
    CaptureLimits,
    RawCapture,
    parse_capture,
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


#: What each SDK family answers on success, and whether it authenticates with Basic auth.
_OK = {
    "posthog": CaptureReply(200, b'{"status":1}'),
    "segment": CaptureReply(200, b'{"success":true}'),
}
_BASIC_AUTH = {"posthog": False, "segment": True}


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
        limits = limits_from_settings(state.fieldnote.fieldnote.settings)
        state.capture_limits = limits
    return limits


def limits_from_settings(settings: Settings) -> CaptureLimits:
    """The capture rules the settings set."""
    return CaptureLimits(
        max_body_bytes=settings.max_body_bytes,
        max_batch_events=settings.max_batch_events,
        oldest_timestamp_year=settings.oldest_timestamp_year,
        future_tolerance_seconds=settings.future_tolerance_seconds,
    )


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
    segment = _BASIC_AUTH[route.family]
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
        raw = RawCapture(
            body=body,
            family=route.family,
            kind=route.kind,
            content_type=content_type,
            content_encoding=content_encoding,
            compression=_compression(query) if query else "",
            basic_user=_basic_user(authorization) if segment and authorization else None,
        )
        events = parse_capture(
            raw, project_for_key=st.keys.project_name, limits=limits, now=datetime.now(UTC)
        )
    except CaptureError as exc:
        return _refusal(exc, segment=segment)
    try:
        await st.writer.append_events(events)
    except WriterClosedError:
        return _error(503, "the server is shutting down; retry shortly")
    except Exception:
        log.exception("committing %d captured events failed", len(events))
        return _error(500, "the events could not be committed; nothing was stored, retry")
    return _OK[route.family]
