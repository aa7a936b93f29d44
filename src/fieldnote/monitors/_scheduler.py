"""Running every project's monitors on a schedule (inside ``fieldnote serve``), and
emailing each project's weekly digest once its week is over (``scheduled_digests``).

One asyncio task started by the app's lifespan: it sleeps ``interval`` seconds, then
runs the job in a worker thread (monitors read DuckDB and the repository, both
blocking), logs and survives any error, and stops cleanly with the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from fieldnote.analytics import EventSource
from fieldnote.config import Settings
from fieldnote.monitors._digest_send import DigestMailer, SentOutcome, send_due_digests
from fieldnote.monitors._notify import Notifier, build_notifiers
from fieldnote.monitors._runner import MonitorRunner, RunOutcome
from fieldnote.repository import Projects, Repository

__all__ = [
    "MonitorScheduler",
    "digest_mailer_from",
    "notifiers_from",
    "run_all_projects",
    "scheduled_digests",
]

log = logging.getLogger(__name__)

SourceFor = Callable[[str], AbstractContextManager[EventSource]]


def notifiers_from(settings: Settings) -> list[Notifier]:
    return build_notifiers(
        webhook_url=settings.notify_webhook_url,
        webhook_secret=settings.notify_webhook_secret,
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        email_from=settings.notify_email_from,
        email_to=[a.strip() for a in (settings.notify_email_to or "").split(",") if a.strip()],
    )


def digest_mailer_from(settings: Settings) -> DigestMailer | None:
    """The weekly digest's SMTP mailer, or None when email is not configured: the
    digest goes to the same recipients as signal emails (``notify_email_to``)."""
    to = [a.strip() for a in (settings.notify_email_to or "").split(",") if a.strip()]
    if not settings.smtp_host or not to:
        return None
    return DigestMailer(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=settings.notify_email_from or "fieldnote@localhost",
        recipients=tuple(to),
    )


def scheduled_digests(
    repository: Repository,
    settings: Settings,
    source_for: SourceFor,
    *,
    now: datetime | None = None,
) -> list[SentOutcome]:
    """Each tick of the scheduler: last week's digests not sent yet (idempotent)."""
    mailer = digest_mailer_from(settings)
    if mailer is None:
        return []
    return send_due_digests(repository, mailer, source_for, now=now)


def run_all_projects(
    repository: Repository,
    source_for: SourceFor,
    notifiers: Sequence[Notifier] = (),
    *,
    until: datetime | None = None,
) -> dict[str, list[RunOutcome]]:
    """Every project's enabled monitors, each project on its own source."""
    runner = MonitorRunner(repository, notifiers)
    out: dict[str, list[RunOutcome]] = {}
    for project in Projects(repository).list():
        if not runner.monitors.list(project.name, enabled_only=True):
            continue
        with source_for(project.name) as source:
            out[project.name] = runner.run(source, project.name, until=until)
    return out


class MonitorScheduler:
    def __init__(self, interval: float, job: Callable[[], Any]) -> None:
        self.interval = interval
        self.job = job
        self.runs = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> MonitorScheduler:
        if self.interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._loop())
        return self

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await asyncio.to_thread(self.job)
            except Exception:
                log.exception("scheduled monitor run failed")
            self.runs += 1

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
