"""A recorded-response OpenAI-compatible server over real HTTP, for the llm moderator.

``POST /v1/chat/completions`` replays ``data/llm_recorded.json`` in order; a queued
fault ("slow": sleep past the client's timeout, "error": HTTP 500, "garbage": a body
that is not a completion) is served instead of the next recording. Requests are kept
for assertions (model, messages, Authorization header).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).resolve().parent / "data" / "llm_recorded.json"


@dataclass
class RecordedLlm:
    responses: list[dict[str, Any]]
    faults: list[str] = field(default_factory=list)
    requests: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    url: str = ""


def _handler(llm: RecordedLlm) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            llm.requests.append((body, self.headers.get("Authorization")))
            if self.path != "/v1/chat/completions":
                self.send_error(404)
                return
            fault = llm.faults.pop(0) if llm.faults else None
            if fault == "slow":
                time.sleep(1.5)
            if fault == "error":
                self.send_error(500, "model crashed")
                return
            payload: Any = {"unexpected": True} if fault == "garbage" else llm.responses.pop(0)
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)  # the client may have timed out already

    return Handler


@contextmanager
def recorded_llm() -> Iterator[RecordedLlm]:
    llm = RecordedLlm(responses=json.loads(RECORDED.read_text())["responses"])
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(llm))
    llm.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield llm
    finally:
        server.shutdown()
        server.server_close()
