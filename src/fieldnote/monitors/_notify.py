"""Telling the team: a Signal goes out by webhook and by email.

* **webhook**: Slack-compatible JSON (``text`` plus a ``blocks`` section), POSTed with
  ``X-Fieldnote-Timestamp`` and ``X-Fieldnote-Signature: sha256=<hex>``, the HMAC-
  SHA256 of ``"<timestamp>.<body>"`` under the shared secret, so the receiver can
  check who sent it and refuse replays. Retried with exponential backoff on
  connection errors, 429 and 5xx; any other 4xx is final (a retry would fail too).
* **email**: plain text over SMTP, retried the same way.

``NOTIFIERS`` maps a channel name to its class; entry points build them from
Settings (``build_notifiers``).
"""

from __future__ import annotations

import hashlib
import hmac
import smtplib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, Protocol

import httpx
import orjson

__all__ = [
    "NOTIFIERS",
    "Delivery",
    "EmailNotifier",
    "Notification",
    "Notifier",
    "WebhookNotifier",
    "build_notifiers",
    "send_email",
    "sign",
]


@dataclass(frozen=True)
class Notification:
    project: str
    monitor: str
    reason: str
    question: str | None
    question_id: int | None
    signal_id: int

    @property
    def title(self) -> str:
        return f"[fieldnote] {self.project}: monitor '{self.monitor}' fired"

    def text(self) -> str:
        lines = [self.title, self.reason]
        if self.question:
            lines.append(f"Question #{self.question_id}: {self.question}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Delivery:
    channel: str
    ok: bool
    attempts: int
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "ok": self.ok,
            "attempts": self.attempts,
            "error": self.error,
        }


class Notifier(Protocol):
    @property
    def channel(self) -> str: ...

    def send(self, note: Notification) -> Delivery: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


class _Final(Exception):
    """A failure a retry cannot fix."""


def _retry(
    channel: str,
    attempts: int,
    backoff: float,
    once: Callable[[], None],
    sleep: Callable[[float], None],
) -> Delivery:
    error = None
    for attempt in range(1, attempts + 1):
        try:
            once()
            return Delivery(channel, True, attempt)
        except _Final as exc:
            return Delivery(channel, False, attempt, str(exc))
        except Exception as exc:  # network errors of any kind: try again
            error = f"{type(exc).__name__}: {exc}"
        if attempt < attempts:
            sleep(backoff * 2 ** (attempt - 1))
    return Delivery(channel, False, attempts, error)


@dataclass(frozen=True)
class WebhookNotifier:
    url: str
    secret: str | None = None
    attempts: int = 4
    backoff: float = 0.5
    timeout: float = 5.0
    sleep: Callable[[float], None] = time.sleep
    channel: str = "webhook"

    def payload(self, note: Notification) -> dict[str, Any]:
        return {
            "text": note.text(),
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": f"*{note.title}*"}},
                {"type": "section", "text": {"type": "mrkdwn", "text": note.reason}},
                *(
                    [{"type": "section", "text": {"type": "mrkdwn", "text": note.question}}]
                    if note.question
                    else []
                ),
            ],
            "fieldnote": {
                "project": note.project,
                "monitor": note.monitor,
                "signal_id": note.signal_id,
                "question_id": note.question_id,
            },
        }

    def send(self, note: Notification) -> Delivery:
        body = orjson.dumps(self.payload(note))

        def once() -> None:
            stamp = str(int(time.time()))
            headers = {"content-type": "application/json", "x-fieldnote-timestamp": stamp}
            if self.secret:
                headers["x-fieldnote-signature"] = sign(self.secret, stamp, body)
            response = httpx.post(self.url, content=body, headers=headers, timeout=self.timeout)
            if response.status_code == 429 or response.status_code >= 500:
                raise RuntimeError(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise _Final(f"HTTP {response.status_code}: {response.text[:200]}")

        return _retry(self.channel, self.attempts, self.backoff, once, self.sleep)


@dataclass(frozen=True)
class EmailNotifier:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    attempts: int = 3
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = time.sleep
    channel: str = "email"

    def send(self, note: Notification) -> Delivery:
        message = EmailMessage()
        message["Subject"] = note.title
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(note.text() + "\n")
        return send_email(
            self.host,
            self.port,
            message,
            attempts=self.attempts,
            backoff=self.backoff,
            timeout=self.timeout,
            sleep=self.sleep,
            channel=self.channel,
        )


def send_email(
    host: str,
    port: int,
    message: EmailMessage,
    *,
    attempts: int = 3,
    backoff: float = 0.5,
    timeout: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    channel: str = "email",
) -> Delivery:
    """Send one message over SMTP, retried with backoff; refused recipients are final.
    Shared by signal emails and diary prompts (``fieldnote.interviews.diaries``)."""

    def once() -> None:
        with smtplib.SMTP(host, port, timeout=timeout) as smtp:
            refused = smtp.send_message(message)
        if refused:
            raise _Final(f"refused recipients: {', '.join(refused)}")

    return _retry(channel, attempts, backoff, once, sleep)


NOTIFIERS: dict[str, type[WebhookNotifier] | type[EmailNotifier]] = {
    "webhook": WebhookNotifier,
    "email": EmailNotifier,
}


def build_notifiers(
    *,
    webhook_url: str | None,
    webhook_secret: str | None,
    smtp_host: str | None,
    smtp_port: int,
    email_from: str | None,
    email_to: Sequence[str],
) -> list[Notifier]:
    """The channels the settings configure (none: signals are only stored)."""
    out: list[Notifier] = []
    if webhook_url:
        out.append(WebhookNotifier(url=webhook_url, secret=webhook_secret))
    if smtp_host and email_to:
        out.append(
            EmailNotifier(
                host=smtp_host,
                port=smtp_port,
                sender=email_from or "fieldnote@localhost",
                recipients=tuple(email_to),
            )
        )
    return out
