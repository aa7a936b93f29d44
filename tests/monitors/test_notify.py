"""Signal notifications over real sockets: a webhook receiver (http.server) that checks
the HMAC signature and fails on purpose, and a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from fieldnote.monitors import EmailNotifier, Notification, WebhookNotifier
from tests.conftest import free_port

NOTE = Notification(
    project="demo",
    monitor="activation swing",
    reason="activation went down 25% (40.0% → 30.0%).",
    question="We see activation down 25% since 2026-03-06; we do not yet know why.",
    question_id=7,
    signal_id=3,
)


class Receiver:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses
        self.requests: list[tuple[dict[str, str], bytes]] = []


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    rec = Receiver([])

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            rec.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = rec.statuses.pop(0) if rec.statuses else 200
            self.send_response(status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec, f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()
    server.server_close()


def test_webhook_is_slack_json_signed_with_hmac(receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    delivery = WebhookNotifier(url=url, secret="s3cret").send(NOTE)
    assert delivery.ok and delivery.attempts == 1
    headers, body = rec.requests[0]
    payload = json.loads(body)
    assert payload["text"].startswith("[fieldnote] demo: monitor 'activation swing' fired")
    assert payload["blocks"][1]["text"]["text"] == NOTE.reason
    stamp = headers["x-fieldnote-timestamp"]
    want = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["x-fieldnote-signature"] == f"sha256={want}"


def test_webhook_retries_with_exponential_backoff(receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    rec.statuses = [503, 429, 200]
    waits: list[float] = []
    delivery = WebhookNotifier(url=url, backoff=0.25, sleep=waits.append).send(NOTE)
    assert delivery.ok and delivery.attempts == 3
    assert waits == [0.25, 0.5]
    assert len(rec.requests) == 3


def test_webhook_client_error_is_final(receiver: tuple[Receiver, str]) -> None:
    rec, url = receiver
    rec.statuses = [404]
    delivery = WebhookNotifier(url=url, sleep=lambda _s: None).send(NOTE)
    assert not delivery.ok and delivery.attempts == 1 and "HTTP 404" in (delivery.error or "")


def test_webhook_unreachable_gives_up_after_all_attempts() -> None:
    waits: list[float] = []
    delivery = WebhookNotifier(
        url="http://127.0.0.1:9/nothing", attempts=3, backoff=0.1, sleep=waits.append
    ).send(NOTE)
    assert not delivery.ok and delivery.attempts == 3 and waits == [0.1, 0.2]


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def test_email_goes_through_a_real_smtp_server() -> None:
    inbox = _Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        delivery = EmailNotifier(
            host="127.0.0.1",
            port=port,
            sender="fieldnote@example.org",
            recipients=("team@example.org", "pm@example.org"),
        ).send(NOTE)
    finally:
        controller.stop()
    assert delivery.ok
    sender, to, content = inbox.messages[0]
    assert sender == "fieldnote@example.org"
    assert to == ["team@example.org", "pm@example.org"]
    msg = message_from_bytes(content)
    assert msg["Subject"] == "[fieldnote] demo: monitor 'activation swing' fired"
    text = msg.get_payload(decode=True).decode()
    assert NOTE.reason in text and "Question #7" in text
