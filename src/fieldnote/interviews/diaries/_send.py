"""Sending due diary prompts: one email per prompt, at most once.

The step is the same whether ``fieldnote serve``'s scheduler runs it every
``diary_interval_seconds`` or a person runs ``fieldnote diaries run-due``. Each due
prompt is first *claimed* in the repository (a conditional update that only one
process can win, storing the hash of a fresh link token), then mailed, then marked
sent. A failed send releases the claim so the next run retries it; a process that dies
between claim and confirmation leaves the prompt ``unconfirmed`` rather than risk a
second email. Prompts of people who withdrew consent, and prompts so late that the
moment has passed (more than the answer window after they were due, e.g. the server
was down for days), are skipped, and say so in the report.

The repository side is the ``PromptOutbox`` protocol, so this module stays free of
storage and is tested with the real store on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import html
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from fieldnote.config import Settings
from fieldnote.interviews.diaries._definition import DiaryError

__all__ = [
    "MAX_SEND_ATTEMPTS",
    "DuePrompt",
    "MailResult",
    "Mailer",
    "PromptMail",
    "PromptOutbox",
    "RunReport",
    "SmtpMailer",
    "entry_link",
    "mailer_from",
    "prompt_email",
    "send_due",
    "token_hash",
]

#: Runs that may fail to deliver one prompt before it is given up as undeliverable.
MAX_SEND_ATTEMPTS = 5


def token_hash(token: str) -> str:
    """Only the SHA-256 of a link token is stored, like API tokens and chat links."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class DuePrompt:
    entry_id: int
    project: str
    diary: str
    distinct_id: str
    email: str
    prompt: str
    seq: int
    total: int
    due_at: datetime
    answer_within_hours: float
    withdrawn: bool
    attempts: int


@dataclass(frozen=True, kw_only=True)
class PromptMail:
    """One prompt email: plain text, and HTML with the same words and a link button."""

    to: str
    subject: str
    text: str
    html: str


@dataclass(frozen=True, kw_only=True)
class MailResult:
    ok: bool
    attempts: int
    error: str | None = None


class Mailer(Protocol):
    def send(self, mail: PromptMail) -> MailResult: ...


class PromptOutbox(Protocol):
    """What the sending step needs from the repository."""

    def due(self, now: datetime) -> list[DuePrompt]: ...

    def claim(self, entry_id: int, token_hash: str, now: datetime) -> bool: ...

    def mark_sent(self, entry_id: int, now: datetime) -> None: ...

    def release(self, entry_id: int, error: str) -> None: ...

    def skip(self, entry_id: int, reason: str) -> None: ...


@dataclass(frozen=True, kw_only=True)
class SmtpMailer:
    """SMTP through the invitation emails' sender (``research.delivery``), so diary
    prompts honour the same transport security, login, timeout and retries."""

    host: str
    port: int
    sender: str
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5

    def send(self, mail: PromptMail) -> MailResult:
        # Imported here: research.delivery sits above the repository, which imports
        # this package.
        from fieldnote.research.delivery import InvitationEmail, SmtpSender

        sender = SmtpSender(
            host=self.host,
            port=self.port,
            sender=self.sender,
            security=self.security,
            username=self.username,
            password=self.password,
            timeout=self.timeout,
            attempts=self.attempts,
            backoff=self.backoff,
        )
        done = sender.send(
            InvitationEmail(to=mail.to, subject=mail.subject, text=mail.text, html=mail.html)
        )
        return MailResult(ok=done.ok, attempts=done.attempts, error=done.error)


def mailer_from(settings: Settings) -> SmtpMailer:
    """The SMTP mailer the settings configure; diaries need one to send anything."""
    if not settings.smtp_host:
        raise DiaryError("diary prompts go by email: set FIELDNOTE_SMTP_HOST (and _PORT)")
    return SmtpMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.notify_email_from or "fieldnote@localhost",
        security=settings.smtp_security,
        username=settings.smtp_username,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout_seconds,
    )


@dataclass
class RunReport:
    sent: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"sent": self.sent, "failed": self.failed, "skipped": self.skipped}


def entry_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/d/{token}"


def prompt_email(due: DuePrompt, link: str) -> PromptMail:
    hours = f"{due.answer_within_hours:g}"
    e = html.escape
    return PromptMail(
        to=due.email,
        subject=f"Diary {due.seq + 1} of {due.total}: {due.diary}",
        text=(
            f"{due.prompt}\n\n"
            f"Write your entry here (it takes a minute or two):\n{link}\n\n"
            f"The link is yours alone and stays open for {hours} hours. "
            "Please answer through the link, not by replying to this email.\n"
            'To stop receiving these prompts, open the link and choose "Stop my diary".\n'
        ),
        html=(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{e(due.diary)}</title></head><body>"
            f"<p>{e(due.prompt)}</p>"
            f'<p><a href="{e(link, quote=True)}">Write your entry</a> '
            f"(it takes a minute or two; the link is yours alone and stays open for "
            f"{e(hours)} hours).</p>"
            "<p>Please answer through the link, not by replying to this email. To stop "
            'receiving these prompts, open the link and choose "Stop my diary".</p>'
            "</body></html>"
        ),
    )


def _row(due: DuePrompt, **extra: Any) -> dict[str, Any]:
    return {
        "project": due.project,
        "diary": due.diary,
        "participant": due.distinct_id,
        "seq": due.seq,
        "due_at": due.due_at.isoformat(),
        **extra,
    }


def send_due(
    outbox: PromptOutbox,
    mailer: Mailer,
    *,
    now: datetime,
    public_url: str,
    new_token: Callable[[], str] = lambda: secrets.token_urlsafe(24),
) -> RunReport:
    """Send every prompt due by ``now`` once; report what was sent, failed, skipped."""
    report = RunReport()
    for due in outbox.due(now):
        if due.withdrawn:
            outbox.skip(due.entry_id, "withdrawn")
            report.skipped.append(_row(due, reason="withdrawn"))
            continue
        if now - due.due_at > timedelta(hours=due.answer_within_hours):
            outbox.skip(due.entry_id, "late")
            report.skipped.append(_row(due, reason="late"))
            continue
        token = new_token()
        if not outbox.claim(due.entry_id, token_hash(token), now):
            continue  # another process took it: it sends this one
        result = mailer.send(prompt_email(due, entry_link(public_url, token)))
        if result.ok:
            outbox.mark_sent(due.entry_id, now)
            report.sent.append(_row(due, email=due.email))
            continue
        error = result.error or "not delivered"
        if due.attempts + 1 >= MAX_SEND_ATTEMPTS:
            outbox.skip(due.entry_id, "undeliverable")
            report.skipped.append(_row(due, reason="undeliverable", error=error))
        else:
            outbox.release(due.entry_id, error)
            report.failed.append(_row(due, error=error))
    return report
