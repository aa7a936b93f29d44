"""``DeliveryService``: email and link invitations to a study, the participant's way
from the link to the first interview question, and the study's research funnel.

The CLI and the web layer are thin over this. It decides what a link shows
(``LinkState``); the repository keeps the records; the moderator starts the interview
the moment consent is recorded, so the chat page opens on the first question.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from fieldnote.interviews.moderation import LlmConfig, SessionState, get_moderator
from fieldnote.repository import GuideStore, Repository
from fieldnote.repository._consent import ConsentStore, ConsentVersion
from fieldnote.repository._delivery import DeliveryError, StudySetup
from fieldnote.repository._delivery_store import DeliveryStore, LinkView, ShareView
from fieldnote.repository._invitations import InvitationRecord
from fieldnote.research import Decision
from fieldnote.research._research_funnel import ResearchFunnel, research_funnel
from fieldnote.research.delivery._email import SmtpSender, compose
from fieldnote.research.delivery._tokens import chat_token, digest, expiry, is_expired, new_token

__all__ = ["DeliveryConfig", "DeliveryService", "LinkPage", "LinkState", "SendResult"]

_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")


@dataclass(frozen=True, kw_only=True)
class DeliveryConfig:
    link_days: int = 7
    smtp: SmtpSender | None = None
    llm: LlmConfig | None = None


class LinkState(StrEnum):
    """What a personal link shows."""

    OFFER = "offer"  # open: the offer and the consent form
    RESUME = "resume"  # consented: continue the interview
    EXPIRED = "expired"
    USED = "used"  # the interview is finished
    DECLINED = "declined"
    CLOSED = "closed"  # withdrawn, dismissed, or the study is gone
    UNKNOWN = "unknown"


@dataclass(frozen=True, kw_only=True)
class LinkPage:
    state: LinkState
    view: LinkView | None = None
    consent: ConsentVersion | None = None


@dataclass(frozen=True, kw_only=True)
class SendResult:
    invitation_id: int
    distinct_id: str
    channel: str
    ok: bool
    attempts: int
    error: str | None
    url: str | None
    """Only for the link channel (shown once: only its hash is stored)."""
    expires_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "invitation_id": self.invitation_id,
            "distinct_id": self.distinct_id,
            "channel": self.channel,
            "ok": self.ok,
            "attempts": self.attempts,
            "error": self.error,
            "url": self.url,
            "expires_at": self.expires_at.isoformat(),
        }


def validate_offer(data: Mapping[str, Any]) -> dict[str, Any]:
    """title, why and minutes are required; incentive is optional (all shown verbatim)."""
    out: dict[str, Any] = {}
    for key, limit in (("title", 120), ("why", 1000)):
        value = data.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise DeliveryError(f"offer.{key}: expected non-empty text (≤ {limit} characters)")
        out[key] = value.strip()
    minutes = data.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 240:
        raise DeliveryError("offer.minutes: expected a whole number of minutes, 1 to 240")
    out["minutes"] = minutes
    incentive = data.get("incentive")
    if incentive is not None:
        if not isinstance(incentive, str) or len(incentive) > 200:
            raise DeliveryError("offer.incentive: expected text (≤ 200 characters)")
        out["incentive"] = incentive.strip()
    return out


def link_state(view: LinkView | None, now: datetime) -> LinkState:
    if view is None:
        return LinkState.UNKNOWN
    status = view.invitation.status
    if status == "completed" or view.chat_status == "completed":
        return LinkState.USED
    if status == "consented":
        return LinkState.RESUME
    if status == "declined":
        return LinkState.DECLINED
    if status not in ("invited", "seen", "accepted") or view.setup is None:
        return LinkState.CLOSED
    if is_expired(view.expires_at, now):
        return LinkState.EXPIRED
    return LinkState.OFFER


class DeliveryService:
    def __init__(self, repository: Repository, config: DeliveryConfig | None = None) -> None:
        self.repo = repository
        self.config = config or DeliveryConfig()
        self.store = DeliveryStore(repository)

    # -- staff: setting up, queueing, sending -----------------------------------------

    def setup(
        self,
        project: str,
        study_id: int,
        *,
        guide: str,
        offer: Mapping[str, Any],
        guide_version: int | None = None,
        moderator: str = "rule-based",
    ) -> StudySetup:
        self.store.require_study(project, study_id)
        checked = validate_offer(offer)
        try:
            get_moderator(moderator, self.config.llm)
        except ValueError as exc:
            raise DeliveryError(f"moderator: {exc}") from exc
        GuideStore(self.repo).get(project, guide, guide_version)  # GuideError if missing
        if ConsentStore(self.repo).current(project, study_id=study_id) is None:
            raise DeliveryError(
                "consent: publish a consent text for this study or project first "
                "(`fieldnote participants consent-text FILE`)"
            )
        return self.store.setup(
            project,
            study_id,
            guide=guide,
            guide_version=guide_version,
            moderator=moderator,
            offer=checked,
        )

    def add(
        self, project: str, study_id: int, person: str, *, channel: str, email: str | None
    ) -> tuple[Decision, InvitationRecord | None]:
        if email is not None and (len(email) > 320 or not _EMAIL.match(email)):
            raise DeliveryError(f"email: {email!r} is not an email address")
        if not person.strip() or len(person) > 200:
            raise DeliveryError("person: expected a non-empty distinct id (≤ 200 characters)")
        return self.store.add(project, study_id, person, channel=channel, email=email)

    def send(
        self,
        project: str,
        study_id: int,
        *,
        channel: str,
        base_url: str,
        max_attempts: int | None = None,
    ) -> list[SendResult]:
        """Give every waiting invitation of ``channel`` its personal link; by email,
        send it (retried, each outcome recorded). Failed emails are tried again by
        the next call, with a fresh link, unless ``max_attempts`` SMTP attempts were
        already spent on them (the scheduler's cap; the CLI has none). An invitation
        another sender claimed meanwhile is skipped (``DeliveryStore.issue``)."""
        if channel not in ("email", "link"):
            raise DeliveryError(f"channel: must be email or link, not {channel!r}")
        if channel == "email" and self.config.smtp is None:
            raise DeliveryError("smtp: set FIELDNOTE_SMTP_HOST to send invitation emails")
        self.store.study(project, study_id)  # set up?
        out = []
        for item in self.store.outbox(project, study_id, channel):
            token = new_token()
            expires_at = expiry(datetime.now(UTC), self.config.link_days)
            inv = item.invitation
            if max_attempts is not None and item.attempts >= max_attempts:
                continue
            claimed = self.store.issue(
                inv.id,
                token_hash=digest(token),
                chat_hash=digest(chat_token(token)),
                expires_at=expires_at,
            )
            if not claimed:
                continue
            url = f"{base_url.rstrip('/')}/r/{token}"
            if channel == "link" or self.config.smtp is None:
                out.append(
                    _result(inv.id, inv.distinct_id, channel, True, 0, None, url, expires_at)
                )
                continue
            mail = compose(inv.offer, to=item.email or "", url=url, expires_at=expires_at)
            sent = self.config.smtp.send(mail)
            self.store.record_send(inv.id, ok=sent.ok, attempts=sent.attempts, error=sent.error)
            out.append(
                _result(
                    inv.id,
                    inv.distinct_id,
                    channel,
                    sent.ok,
                    sent.attempts,
                    sent.error,
                    None,
                    expires_at,
                )
            )
        return out

    def open_share(self, project: str, study_id: int, base_url: str) -> tuple[StudySetup, str]:
        """A new shareable link (an earlier one stops working); the URL is shown once."""
        token = new_token()
        setup = self.store.set_share(project, study_id, digest(token))
        return setup, f"{base_url.rstrip('/')}/s/{token}"

    def close_share(self, project: str, study_id: int) -> StudySetup:
        return self.store.set_share(project, study_id, None)

    # -- the participant ---------------------------------------------------------------

    def page(self, token: str, *, open_it: bool = True) -> LinkPage:
        view = self.store.link(digest(token), open_it=open_it)
        state = link_state(view, datetime.now(UTC))
        consent = None
        if state is LinkState.OFFER and view is not None:
            consent = ConsentStore(self.repo).current(
                view.invitation.project, study_id=view.invitation.study_id
            )
        return LinkPage(state=state, view=view, consent=consent)

    def consent(self, token: str, *, consent_text_id: int, parts: dict[str, bool]) -> str:
        """Record consent and start the interview; returns the interview's token."""
        found = self.page(token, open_it=False)
        if found.state is LinkState.RESUME:
            return chat_token(token)  # consent sent twice: continue where it is
        if found.state is not LinkState.OFFER or found.view is None or found.view.setup is None:
            raise DeliveryError(f"this invitation link is {found.state.value}")
        setup = found.view.setup
        guide = GuideStore(self.repo).get(setup.project, setup.guide, setup.guide_version)
        moderator = get_moderator(setup.moderator, self.config.llm)
        state = SessionState(guide=guide, moderator=moderator.name)
        moderator.start(state, time.time())
        self.store.consent(
            digest(token), text_id=consent_text_id, parts=parts, chat_state=state.to_dict()
        )
        return chat_token(token)

    def decline(self, token: str) -> None:
        found = self.page(token, open_it=False)
        if found.state is not LinkState.OFFER:
            raise DeliveryError(f"this invitation link is {found.state.value}")
        self.store.decline(digest(token))

    def consent_text(self, project: str, study_id: int) -> ConsentVersion | None:
        return ConsentStore(self.repo).current(project, study_id=study_id)

    def share(self, token: str, *, view: bool = False) -> ShareView | None:
        return self.store.share(digest(token), view=view)

    def join(self, share_token: str) -> str:
        """A new participant from the shareable link; returns their personal link token
        (the caller consents with it at once)."""
        found = self.store.share(digest(share_token))
        if found is None or not found.open:
            raise DeliveryError("this study link is closed")
        token = new_token()
        self.store.join(
            found.setup.project,
            found.setup.study_id,
            f"link-{uuid.uuid4().hex}",
            token_hash=digest(token),
            chat_hash=digest(chat_token(token)),
            expires_at=expiry(datetime.now(UTC), self.config.link_days),
        )
        return token

    # -- the funnel ----------------------------------------------------------------------

    def funnel(self, project: str, study_id: int, shown: set[int] | None = None) -> ResearchFunnel:
        setup_views = 0
        try:
            setup_views = self.store.study(project, study_id).share_views
        except DeliveryError as exc:
            if "not set up" not in str(exc):
                raise
        facts = self.store.facts(project, study_id)
        return research_funnel(study_id, facts, shown=shown, link_views=setup_views)


def _result(
    inv_id: int,
    person: str,
    channel: str,
    ok: bool,
    attempts: int,
    error: str | None,
    url: str | None,
    expires_at: datetime,
) -> SendResult:
    return SendResult(
        invitation_id=inv_id,
        distinct_id=person,
        channel=channel,
        ok=ok,
        attempts=attempts,
        error=error,
        url=url,
        expires_at=expires_at,
    )
