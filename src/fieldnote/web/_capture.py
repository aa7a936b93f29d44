"""Capture endpoints, PostHog and Segment compatible, as FastAPI routes.

These routes are what the OpenAPI document describes. In the running server the
capture requests are answered one layer earlier, by the ASGI fast path
(``_capture_asgi.CaptureFastPath``), which skips FastAPI's per-request machinery; both
run the same ``_capture_handler.capture``, so the behaviour is identical either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from fieldnote.events.capture import (
    ERROR_SCHEMA,
    POSTHOG_BODY_SCHEMA,
    SEGMENT_BATCH_SCHEMA,
    segment_body_schema,
)
from fieldnote.web._capture_handler import (
    POSTHOG_PATHS,
    SEGMENT_PATHS,
    CaptureRoute,
    ClientGoneError,
    capture,
)

__all__ = ["POSTHOG_PATHS", "SEGMENT_PATHS", "router"]

router = APIRouter(tags=["capture"])


def _handler(route: CaptureRoute, doc: str) -> Callable[[Request], Awaitable[Response]]:
    async def capture_route(request: Request) -> Response:
        try:
            reply = await capture(request.app.state, route, request.scope, request.receive)
        except ClientGoneError:
            return Response(status_code=400)  # nobody is left to read it
        return Response(
            reply.body,
            status_code=reply.status,
            headers={k.decode(): v.decode() for k, v in reply.headers},
            media_type="application/json",
        )

    capture_route.__doc__ = doc
    return capture_route


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

_posthog_capture = _handler(
    CaptureRoute("posthog"), "PostHog capture: one event, a batch object or an array."
)

for _path in POSTHOG_PATHS:
    _name = _path.strip("/").replace("/", "_") or "root"
    for _spelling, _listed in ((_path, True), (_path.rstrip("/"), False)):
        router.add_api_route(
            _spelling,
            _posthog_capture,
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
            _handler(CaptureRoute("segment", _kind), f"Segment {_kind}."),
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
