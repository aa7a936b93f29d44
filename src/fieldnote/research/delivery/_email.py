"""Invitation emails: composed as plain text plus HTML, sent over SMTP with retries.

The message says what the study is about, how long it takes and the incentive, and
carries the person's own link with its expiry date. Every value from the offer is
HTML-escaped in the HTML part. Sending retries with exponential backoff on connection
errors and temporary (4xx) SMTP answers; a refused recipient or a failed login is
final, since a retry would fail the same way.
"""

from __future__ import annotations

import html
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any, Literal

__all__ = ["InvitationEmail", "SendOutcome", "SmtpSender", "compose"]


@dataclass(frozen=True, kw_only=True)
class InvitationEmail:
    to: str
    subject: str
    text: str
    html: str


def _minutes(offer: Mapping[str, Any]) -> str:
    minutes = offer.get("minutes")
    return f"about {minutes} minutes" if minutes else "a few minutes"


def compose(
    offer: Mapping[str, Any], *, to: str, url: str, expires_at: datetime
) -> InvitationEmail:
    """The invitation for one person: the study's offer and their personal link."""
    title = str(offer.get("title") or "A short research conversation")
    why = str(offer.get("why") or "")
    incentive = offer.get("incentive")
    until = expires_at.strftime("%d %B %Y")
    thanks = f"As a thank-you: {incentive}." if incentive else ""
    lines = [
        "Hello,",
        "",
        why,
        "",
        f"It takes {_minutes(offer)}. {thanks}".strip(),
        "",
        f"Your personal link (valid until {until}; please do not forward it):",
        url,
        "",
        "You will first read what is recorded and how your answers are used, and you "
        "can say no there. If you do not want to take part, simply ignore this email.",
    ]
    e = html.escape
    body = (
        f"<p>Hello,</p><p>{e(why)}</p>"
        f"<p>It takes <strong>{e(_minutes(offer))}</strong>.{' ' + e(thanks) if thanks else ''}</p>"
        f'<p><a href="{e(url, quote=True)}">Take part</a> '
        f"(your personal link, valid until {e(until)}; please do not forward it)</p>"
        "<p>You will first read what is recorded and how your answers are used, and you can "
        "say no there. If you do not want to take part, simply ignore this email.</p>"
    )
    page = f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title></head><body>{body}</body></html>'
    text = "\n".join(line for line in lines if line is not None) + "\n"
    return InvitationEmail(to=to, subject=title, text=text, html=page)


@dataclass(frozen=True, kw_only=True)
class SendOutcome:
    ok: bool
    attempts: int
    error: str | None = None


class _Final(Exception):
    """A failure a retry cannot fix."""


@dataclass(frozen=True, kw_only=True)
class SmtpSender:
    host: str
    port: int
    sender: str
    security: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0
    attempts: int = 3
    backoff: float = 0.5
    sleep: Callable[[float], None] = time.sleep

    def message(self, mail: InvitationEmail) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = mail.subject
        msg["From"] = self.sender
        msg["To"] = mail.to
        msg["Message-ID"] = make_msgid(domain="fieldnote")
        msg.set_content(mail.text)
        msg.add_alternative(mail.html, subtype="html")
        return msg

    def _once(self, msg: EmailMessage) -> None:
        smtp: smtplib.SMTP
        if self.security == "tls":
            smtp = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with smtp:
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                try:
                    smtp.login(self.username, self.password or "")
                except smtplib.SMTPAuthenticationError as exc:
                    raise _Final(f"SMTP login refused: {exc.smtp_code}") from exc
            try:
                smtp.send_message(msg)
            except smtplib.SMTPRecipientsRefused as exc:
                codes = ", ".join(f"{addr}: {code}" for addr, (code, _) in exc.recipients.items())
                if all(code >= 500 for code, _ in exc.recipients.values()):
                    raise _Final(f"recipient refused ({codes})") from exc
                raise

    def send(self, mail: InvitationEmail) -> SendOutcome:
        msg = self.message(mail)
        error = None
        for attempt in range(1, self.attempts + 1):
            try:
                self._once(msg)
                return SendOutcome(ok=True, attempts=attempt)
            except _Final as exc:
                return SendOutcome(ok=False, attempts=attempt, error=str(exc))
            except (OSError, smtplib.SMTPException) as exc:
                error = f"{type(exc).__name__}: {exc}"
            if attempt < self.attempts:
                self.sleep(self.backoff * 2 ** (attempt - 1))
        return SendOutcome(ok=False, attempts=self.attempts, error=error)
