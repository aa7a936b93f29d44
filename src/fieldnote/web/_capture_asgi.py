"""The capture fast path: a pure ASGI layer that answers capture POSTs itself.

Capture is the one hot path of the server (tens of thousands of events a second on
two cores), and FastAPI's routing, dependency resolution and ``Request``/``Response``
objects cost about as much per request as parsing a batch. So capture requests are
recognised by an exact path lookup before any of that and handed to
``_capture_handler.capture`` directly; everything else goes on to FastAPI untouched.
The FastAPI routes stay registered (``_capture``), so the OpenAPI document still
describes them, and they run the same handler should a request ever reach them.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fieldnote.web._capture_handler import (
    CAPTURE_ROUTES,
    CaptureReply,
    ClientGoneError,
    capture,
)

__all__ = ["CaptureFastPath"]

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_CRASH = CaptureReply(500, b'{"error":"internal error while capturing; nothing was stored"}')


class CaptureFastPath:
    """ASGI middleware: ``POST`` to a capture path is answered here, the rest passes on.

    Two ways to install it. ``app.add_middleware(CaptureFastPath)`` (what
    ``create_app`` does, so every way of running the app has it): the app's state is
    then found through ``scope["app"]``, which Starlette sets before any middleware
    runs. Or around the whole app, ``CaptureFastPath(app, owner=app)`` (what ``serve``
    hands to uvicorn): capture requests then also skip FastAPI's own per-request work
    (its telemetry check reads the environment on every request) and Starlette's
    middleware wrappers, about a tenth of a single-event request's CPU.
    """

    def __init__(self, app: ASGIApp, *, owner: Any = None) -> None:
        self.app = app
        self._owner = owner

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            route = CAPTURE_ROUTES.get(scope["path"])
            if route is not None:
                try:
                    owner = self._owner if self._owner is not None else scope["app"]
                    reply = await capture(owner.state, route, scope, receive)
                except ClientGoneError:
                    return
                except Exception:
                    # A bug must cost one 500, never the connection or the server.
                    log.exception("capture request to %s failed", scope["path"])
                    reply = _CRASH
                await send(
                    {
                        "type": "http.response.start",
                        "status": reply.status,
                        "headers": reply.raw_headers(),
                    }
                )
                await send({"type": "http.response.body", "body": reply.body})
                return
        await self.app(scope, receive, send)
