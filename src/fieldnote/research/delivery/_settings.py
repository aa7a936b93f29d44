"""``DeliveryConfig`` from ``Settings``: the CLI and the server build it the same way
(SMTP transport and login, sender, attempts, link lifetime, the llm moderator)."""

from __future__ import annotations

from fieldnote.config import Settings
from fieldnote.interviews.moderation import LlmConfig
from fieldnote.research.delivery._email import SmtpSender
from fieldnote.research.delivery._service import DeliveryConfig

__all__ = ["config_from_settings"]


def config_from_settings(s: Settings) -> DeliveryConfig:
    smtp = None
    if s.smtp_host:
        smtp = SmtpSender(
            host=s.smtp_host,
            port=s.smtp_port,
            sender=s.invite_email_from or s.notify_email_from or "fieldnote@localhost",
            security=s.smtp_security,
            username=s.smtp_username,
            password=s.smtp_password,
            timeout=s.smtp_timeout_seconds,
            attempts=s.invite_send_attempts,
        )
    llm = None
    if s.llm_base_url and s.llm_model:
        llm = LlmConfig(
            base_url=s.llm_base_url,
            model=s.llm_model,
            api_key=s.llm_api_key,
            timeout_seconds=s.llm_timeout_seconds,
        )
    return DeliveryConfig(link_days=s.invite_link_days, smtp=smtp, llm=llm)
