"""``fieldnote serve`` sends queued email invitations on its own.

Every ``invitation_interval_seconds`` (0, or no SMTP server configured: never) the
server runs ``send_queued_emails`` on its repository, on the monitors' scheduler class,
so an invitation queued with `fieldnote invitations add` or the API goes out without
anyone running `fieldnote invitations send`. Links point at ``FIELDNOTE_PUBLIC_URL``,
else at the server's own address.
"""

from __future__ import annotations

import logging

from fieldnote.monitors._scheduler import MonitorScheduler
from fieldnote.research.delivery import (
    DeliveryService,
    ScheduledRun,
    config_from_settings,
    send_queued_emails,
)
from fieldnote.web._state import AppState

__all__ = ["send_invitations_now", "start_invitation_scheduler"]

log = logging.getLogger(__name__)


def send_invitations_now(app_state: AppState) -> ScheduledRun | None:
    """One sending step; None when there is no address for the links yet."""
    fn = app_state.fieldnote
    base_url = fn.settings.public_url
    if not base_url:
        info = fn.home.running_server()
        if info is None:
            log.warning("invitation emails wait: set FIELDNOTE_PUBLIC_URL for their links")
            return None
        base_url = info.base_url
    service = DeliveryService(fn.repository, config_from_settings(fn.settings))
    run = send_queued_emails(service, base_url=base_url)
    for error in run.errors:
        log.warning("invitation emails: %s", error)
    failed = [r for r in run.results if not r.ok]
    for result in failed:
        log.warning("invitation %d: email failed: %s", result.invitation_id, result.error)
    if run.results:
        log.info("invitation emails: %d delivered, %d failed", run.delivered, len(failed))
    return run


def start_invitation_scheduler(app_state: AppState) -> MonitorScheduler:
    settings = app_state.fieldnote.settings
    interval = settings.invitation_interval_seconds if settings.smtp_host else 0

    def job() -> None:
        send_invitations_now(app_state)

    return MonitorScheduler(interval, job).start()
