"""Sending every study's queued email invitations in one step: what ``fieldnote
serve`` runs every ``invitation_interval_seconds`` (``web._invitation_scheduler``).

The same ``DeliveryService.send`` as ``fieldnote invitations send``, over every study
that has an email invitation waiting, so the email, the link and the records are the
same whichever sent it. Sending twice is impossible: each invitation is claimed by a
conditional update before its email goes out. A failed email is retried on later
ticks, but only until ``SCHEDULED_ROUNDS`` rounds of SMTP attempts were spent on it,
so a dead address is not retried forever; `invitations send` can still retry it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fieldnote.repository._delivery import DeliveryError
from fieldnote.research.delivery._service import DeliveryService, SendResult

__all__ = ["SCHEDULED_ROUNDS", "ScheduledRun", "send_queued_emails"]

SCHEDULED_ROUNDS = 3
"""Sends (each of ``invite_send_attempts`` SMTP attempts) the scheduler makes per
invitation before leaving a failed one to a person."""


@dataclass(frozen=True, kw_only=True)
class ScheduledRun:
    results: list[SendResult] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """One line per study that could not be sent (e.g. its setup removed meanwhile)."""

    @property
    def delivered(self) -> int:
        return sum(r.ok for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        return {
            "results": [r.to_dict() for r in self.results],
            "delivered": self.delivered,
            "failed": len(self.results) - self.delivered,
            "errors": self.errors,
        }


def send_queued_emails(service: DeliveryService, *, base_url: str) -> ScheduledRun:
    """Every waiting email invitation of every project's studies; one study's error
    does not stop the others."""
    smtp = service.config.smtp
    if smtp is None:
        raise DeliveryError("smtp: set FIELDNOTE_SMTP_HOST to send invitation emails")
    run = ScheduledRun()
    for queued in service.store.queued_email_studies():
        try:
            run.results.extend(
                service.send(
                    queued.project,
                    queued.study_id,
                    channel="email",
                    base_url=base_url,
                    max_attempts=SCHEDULED_ROUNDS * smtp.attempts,
                )
            )
        except DeliveryError as exc:
            run.errors.append(f"project {queued.project}, study {queued.study_id}: {exc}")
    return run
