"""The peer for the ingest benchmark: a bare uvicorn + orjson endpoint, fsync per request.

No database, no validation: the ceiling of what one Python process can acknowledge
durably on this machine. Run as ``python -m bench._bare_endpoint PORT FILE``.
"""

from __future__ import annotations

import os
import sys

import orjson
import uvicorn


def make_app(path: str):  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = b""
        more = True
        while more:
            msg = await receive()
            body += msg.get("body", b"")
            more = msg.get("more_body", False)
        if scope["method"] == "POST":  # a GET is the benchmark's readiness probe
            data = orjson.loads(body)
            events = data["batch"] if isinstance(data, dict) and "batch" in data else [data]
            os.write(fd, orjson.dumps(events) + b"\n")
            os.fsync(fd)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"status":1}'})

    return app


if __name__ == "__main__":
    port, path = int(sys.argv[1]), sys.argv[2]
    uvicorn.run(make_app(path), host="127.0.0.1", port=port, log_level="warning", access_log=False)
