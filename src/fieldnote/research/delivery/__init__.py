"""Delivering a study's invitations by email and by link, and the research funnel.

Not imported by ``fieldnote.research`` itself (it sits above the repository, which
imports ``fieldnote.research``): import it as ``fieldnote.research.delivery``.
"""

from fieldnote.research.delivery._email import InvitationEmail, SendOutcome, SmtpSender, compose
from fieldnote.research.delivery._events import shown_invitations
from fieldnote.research.delivery._limits import SlidingLimit
from fieldnote.research.delivery._scheduled import (
    SCHEDULED_ROUNDS,
    ScheduledRun,
    send_queued_emails,
)
from fieldnote.research.delivery._service import (
    DeliveryConfig,
    DeliveryService,
    LinkPage,
    LinkState,
    SendResult,
    link_state,
    validate_offer,
)
from fieldnote.research.delivery._settings import config_from_settings
from fieldnote.research.delivery._tokens import chat_token, digest, new_token

__all__ = [
    "SCHEDULED_ROUNDS",
    "DeliveryConfig",
    "DeliveryService",
    "InvitationEmail",
    "LinkPage",
    "LinkState",
    "ScheduledRun",
    "SendOutcome",
    "SendResult",
    "SlidingLimit",
    "SmtpSender",
    "chat_token",
    "compose",
    "config_from_settings",
    "digest",
    "link_state",
    "new_token",
    "send_queued_emails",
    "shown_invitations",
    "validate_offer",
]
