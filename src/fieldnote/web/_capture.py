"""Capture endpoints, PostHog and Segment compatible. Thin: the parsing, validation
and mapping live in ``fieldnote.events.capture``; this module reads the bytes,
authenticates the write key and hands the events to the group-commit writer.

The hot path stays lean on purpose (a 2-core box must take tens of thousands of
events a second): the raw body is read once, parsed by orjson, validated in plain
Python, turned into one Arrow batch and answered only after the writer committed it.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from fieldnote.events import Event, WriterClosedError, events_to_arrow
from fieldnote.events.capture import (
    ERROR_SCHEMA,
    POSTHOG_BODY_SCHEMA,
    SEGMENT_BATCH_SCHEMA,
    SEGMENT_TYPES,
    CaptureError,
    CaptureLimits,
    Envelope,
    decode_body,
    posthog_envelope,
    posthog_events,
    segment_body_schema,
    segment_envelope,
    segment_events,
)
from fieldnote.web._responses import FastJSONResponse
from fieldnote.web._state import AppState

__all__ = ["POSTHOG_PATHS", "SEGMENT_PATHS", "router"]

log = logging.getLogger(__name__)

router = APIRouter(tags=["capture"])

POSTHOG_PATHS = ("/capture/", "/batch/", "/e/", "/i/v0/e/")
SEGMENT_PATHS = tuple(f"/v1/{kind}" for kind in (*SEGMENT_TYPES, "batch"))

_POSTHOG_OK = b'{"status":1}'
_SEGMENT_OK = b'{"success":true}'

#: Past the size limit the rest of the body is still read (and dropped) up to this
#: much more, so an ordinary oversize request gets its 413 instead of a reset connection.
_DRAIN_BYTES = 64 * 1024 * 1024

_CODES = {400: "invalid_request", 401: "unauthorized", 413: "too_large", 415: "unsupported"}


async def _read_body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > limit:
            drained = 0
            async for rest in stream:  # the same iterator: starlette streams only once
                drained += len(rest)
                if drained > _DRAIN_BYTES:
                    break
            raise CaptureError.one(413, f"body is larger than the limit of {limit} bytes")
        chunks.append(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _limits(request: Request) -> CaptureLimits:
    limits: CaptureLimits | None = getattr(request.app.state, "capture_limits", None)
    if limits is None:
        s = request.app.state.fieldnote.fieldnote.settings
        limits = CaptureLimits(
            max_body_bytes=s.max_body_bytes,
            max_batch_events=s.max_batch_events,
            oldest_timestamp_year=s.oldest_timestamp_year,
            future_tolerance_seconds=s.future_tolerance_seconds,
        )
        request.app.state.capture_limits = limits
    return limits


async def _decoded(request: Request, limits: CaptureLimits) -> Any:
    body = await _read_body(request, limits.max_body_bytes)
    headers = request.headers
    compression = (
        request.query_params.get("compression", "") if request.scope["query_string"] else ""
    )
    return decode_body(
        body,
        content_type=headers.get("content-type", ""),
        content_encoding=headers.get("content-encoding", ""),
        compression=compression,
        max_bytes=limits.max_body_bytes,
    )


def _project(st: AppState, envelope: Envelope, how: str) -> str:
    if envelope.key is None:
        raise CaptureError.one(401, f"missing write key: {how}")
    info = st.keys.project_for_write_key(envelope.key)
    if info is None:
        raise CaptureError.one(401, "unknown write key: use the project's write key")
    return info.name


def _basic_user(request: Request) -> str | None:
    """The Basic-auth user name, which is where Segment SDKs put the write key."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded.partition(":")[0] or None


async def _commit(st: AppState, events: list[Event], ok: bytes) -> Response:
    try:
        await st.writer.append(events_to_arrow(events))
    except WriterClosedError:
        return FastJSONResponse(
            {"error": "the server is shutting down; retry shortly"}, status_code=503
        )
    except Exception:
        log.exception("committing %d captured events failed", len(events))
        return FastJSONResponse(
            {"error": "the events could not be committed; nothing was stored, retry"},
            status_code=500,
        )
    return Response(ok, media_type="application/json")


def _refusal(exc: CaptureError, *, segment: bool) -> Response:
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
    headers = {"WWW-Authenticate": 'Basic realm="fieldnote"'} if exc.status == 401 else None
    return FastJSONResponse(body, status_code=exc.status, headers=headers)


async def posthog_capture(request: Request) -> Response:
    """PostHog capture: one event, ``{"api_key", "batch": [...]}`` or an array."""
    st: AppState = request.app.state.fieldnote
    limits = _limits(request)
    try:
        envelope = posthog_envelope(await _decoded(request, limits))
        project = _project(st, envelope, "send the project's write key as api_key or token")
        events = posthog_events(envelope, project=project, limits=limits, now=datetime.now(UTC))
    except CaptureError as exc:
        return _refusal(exc, segment=False)
    return await _commit(st, events, _POSTHOG_OK)


def _segment_handler(kind: str) -> Callable[[Request], Awaitable[Response]]:
    async def segment_capture(request: Request) -> Response:
        st: AppState = request.app.state.fieldnote
        limits = _limits(request)
        try:
            envelope = segment_envelope(
                await _decoded(request, limits), kind=kind, basic_user=_basic_user(request)
            )
            project = _project(
                st, envelope, "send the write key as the Basic-auth user, or as writeKey"
            )
            events = segment_events(
                envelope, kind=kind, project=project, limits=limits, now=datetime.now(UTC)
            )
        except CaptureError as exc:
            return _refusal(exc, segment=True)
        return await _commit(st, events, _SEGMENT_OK)

    segment_capture.__doc__ = f"Segment {kind}."
    return segment_capture


def _responses(ok: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    error = {"application/json": {"schema": ERROR_SCHEMA}}
    return {
        200: {
            "description": "committed (a retry of a stored event is counted once)",
            "content": {"application/json": {"schema": ok}},
        },
        400: {"description": "malformed; nothing was written", "content": error},
        401: {"description": "missing or unknown write key", "content": error},
        413: {"description": "body or batch over the limit", "content": error},
        415: {"description": "unsupported encoding or compression", "content": error},
        503: {"description": "shutting down; retry", "content": error},
    }


_POSTHOG_OPENAPI: dict[str, Any] = {
    "parameters": [
        {
            "name": "compression",
            "in": "query",
            "required": False,
            "description": "gzip-js: the body is gzip (posthog-js); base64: a form's data is base64",
            "schema": {"type": "string", "enum": ["gzip-js", "gzip", "base64"]},
        }
    ],
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": POSTHOG_BODY_SCHEMA},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {
                            "type": "string",
                            "description": "the JSON body, or its base64",
                        },
                        "compression": {"type": "string", "enum": ["base64", "gzip-js"]},
                    },
                }
            },
        },
    },
}
_POSTHOG_OK_SCHEMA = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "integer", "const": 1}},
}
_SEGMENT_OK_SCHEMA = {
    "type": "object",
    "required": ["success"],
    "properties": {"success": {"type": "boolean", "const": True}},
}

for _path in POSTHOG_PATHS:
    _name = _path.strip("/").replace("/", "_") or "root"
    for _spelling, _listed in ((_path, True), (_path.rstrip("/"), False)):
        router.add_api_route(
            _spelling,
            posthog_capture,
            methods=["POST"],
            summary=f"PostHog capture ({_path})",
            operation_id=f"posthog_{_name}" + ("" if _listed else "_no_slash"),
            include_in_schema=_listed,
            response_model=None,
            responses=_responses(_POSTHOG_OK_SCHEMA),
            openapi_extra=_POSTHOG_OPENAPI,
        )

for _path in SEGMENT_PATHS:
    _kind = _path.rsplit("/", 1)[1]
    _schema = SEGMENT_BATCH_SCHEMA if _kind == "batch" else segment_body_schema(_kind)
    for _spelling, _listed in ((_path, True), (_path + "/", False)):
        router.add_api_route(
            _spelling,
            _segment_handler(_kind),
            methods=["POST"],
            summary=f"Segment {_kind}",
            operation_id=f"segment_{_kind}" + ("" if _listed else "_slash"),
            include_in_schema=_listed,
            response_model=None,
            responses=_responses(_SEGMENT_OK_SCHEMA),
            openapi_extra={
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _schema}},
                },
                "description": (
                    "Authenticate with the write key as the HTTP Basic user (empty "
                    "password), as Segment SDKs do, or as writeKey in the body."
                ),
            },
        )
