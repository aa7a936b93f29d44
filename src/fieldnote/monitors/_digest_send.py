"""Emailing the weekly digest, once per project and week, from ``fieldnote serve``.

Each scheduler tick (``MonitorScheduler``) calls ``send_due_digests``: for every project
with something to say, the digest of the *previous* ISO week (complete by then) is
claimed in the repository (a unique project+week row), rendered as Markdown with an
HTML alternative and sent over SMTP. A week already claimed is skipped, so restarts
and every later tick send nothing twice; a failed send gives the claim back, so the
next tick retries it.
"""

from __future__ import annotations

import smtplib
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.monitors._digest import Digest, Week, build_digest
from fieldnote.monitors._digest_render import digest_html, digest_markdown
from fieldnote.monitors._notify import Delivery, _Final, _retry
from fieldnote.repository import Projects, Repository
from fieldnote.repository._digests import DigestStore

__all__ = ["DigestMailer", "SentOutcome", "send_digest", "send_due_digests"]

SourceFor = Callable[[str], AbstractContextManager[EventSource]]


@dataclass(frozen=True)
class DigestMailer:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    attempts: int = 3
    backoff: float = 0.5
    timeout: float = 10.0
    sleep: Callable[[float], None] = time.sleep

    def send(self, digest: Digest) -> Delivery:
        message = EmailMessage()
        message["Subject"] = f"[fieldnote] {digest.project}: weekly digest {digest.week}"
        message["From"] = self.sender
        message["To"] = ", ".join(self.recipients)
        message.set_content(digest_markdown(digest))
        message.add_alternative(digest_html(digest), subtype="html")

        def once() -> None:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                refused = smtp.send_message(message)
            if refused:
                raise _Final(f"refused recipients: {', '.join(refused)}")

        return _retry("email", self.attempts, self.backoff, once, self.sleep)


@dataclass(frozen=True)
class SentOutcome:
    project: str
    week: str
    status: str
    """sent, already sent, failed, or empty (nothing to report: not sent)."""
    delivery: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "project": self.project,
            "week": self.week,
            "status": self.status,
            "delivery": self.delivery,
        }


def send_digest(
    repository: Repository,
    mailer: DigestMailer,
    project: str,
    week: Week,
    *,
    source: EventSource | None = None,
    now: datetime | None = None,
) -> SentOutcome:
    """Send ``week``'s digest of ``project`` unless it was sent before."""
    store = DigestStore(repository)
    digest = build_digest(repository, project, week, source=source, now=now)
    if digest.empty:
        return SentOutcome(project, str(week), "empty")
    if not store.claim(project, str(week), mailer.recipients, now=now):
        return SentOutcome(project, str(week), "already sent")
    delivery = mailer.send(digest)
    if not delivery.ok:
        store.release(project, str(week))
        return SentOutcome(project, str(week), "failed", delivery.to_dict())
    store.record_outcome(project, str(week), delivery.to_dict())
    return SentOutcome(project, str(week), "sent", delivery.to_dict())


def send_due_digests(
    repository: Repository,
    mailer: DigestMailer,
    source_for: SourceFor | None = None,
    *,
    now: datetime | None = None,
    projects: Sequence[str] | None = None,
) -> list[SentOutcome]:
    """The previous week's digest of every project (or those named), each at most once."""
    now = now or datetime.now(UTC)
    week = Week.of(now.date()).previous()
    names = list(projects) if projects else [p.name for p in Projects(repository).list()]
    out = []
    for name in names:
        if source_for is None:
            out.append(send_digest(repository, mailer, name, week, now=now))
            continue
        with source_for(name) as source:
            out.append(send_digest(repository, mailer, name, week, source=source, now=now))
    return out
