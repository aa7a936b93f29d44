"""Email/link invitations in the repository (SQLite and PostgreSQL): set-up checks,
the contact policy, personal links (one person, expiring, single study), consent that
starts the interview on its first question, declines, the shareable link, and the
research funnel computed from the records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from fieldnote.interviews.guides import GuideError
from fieldnote.repository import ChatSessions, Repository
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._delivery import DeliveryError, DeliveryRow
from fieldnote.research.delivery import DeliveryService, LinkState, chat_token, digest
from tests.repository.conftest import repository
from tests.research.delivery_support import OFFER, make_study

__all__ = ["repository"]  # the fixture: SQLite and PostgreSQL

BASE = "https://research.example.com"
PARTS = {"data_use": True, "recording": False, "contact": True}


@pytest.fixture
def service(repository: Repository) -> tuple[DeliveryService, int]:
    study = make_study(repository)
    svc = DeliveryService(repository)
    svc.setup("default", study, guide="bank-step", offer=OFFER)
    return svc, study


def _link(svc: DeliveryService, study: int, person: str) -> str:
    decision, made = svc.add("default", study, person, channel="link", email=None)
    assert decision.invite and made is not None
    [sent] = [r for r in svc.send("default", study, channel="link", base_url=BASE)]
    assert sent.url is not None and sent.url.startswith(f"{BASE}/r/")
    return sent.url.rsplit("/", 1)[1]


def test_setup_refuses_what_cannot_work(repository: Repository) -> None:
    study = make_study(repository)
    svc = DeliveryService(repository)
    with pytest.raises(DeliveryError, match=r"offer\.minutes"):
        svc.setup("default", study, guide="bank-step", offer={**OFFER, "minutes": 0})
    with pytest.raises(GuideError, match="no guide 'nope'"):
        svc.setup("default", study, guide="nope", offer=OFFER)
    with pytest.raises(DeliveryError, match="no study 999"):
        svc.setup("default", 999, guide="bank-step", offer=OFFER)
    with pytest.raises(DeliveryError, match="not set up"):
        svc.add("default", study, "u1", channel="email", email="u1@example.com")
    svc.setup("default", study, guide="bank-step", offer=OFFER)
    with pytest.raises(DeliveryError, match="not an email address"):
        svc.add("default", study, "u1", channel="email", email="not-an-address")
    with pytest.raises(DeliveryError, match="SMTP_HOST"):
        svc.send("default", study, channel="email", base_url=BASE)


def test_a_personal_link_opens_consents_and_starts_the_interview(
    service: tuple[DeliveryService, int], repository: Repository
) -> None:
    svc, study = service
    token = _link(svc, study, "u1")
    assert svc.send("default", study, channel="link", base_url=BASE) == []  # shown once
    page = svc.page(token)
    assert page.state is LinkState.OFFER and page.consent is not None
    assert page.view is not None and page.view.invitation.status == "seen"
    assert page.view.invitation.offer["incentive"] == "€25 voucher"
    chat = svc.consent(token, consent_text_id=page.consent.id, parts=PARTS)
    assert chat == chat_token(token)
    session = ChatSessions(repository).get(chat)
    assert session.status == "consented" and session.participant == "u1"
    assert session.state["turns"][0]["role"] == "interviewer"  # the first question waits
    [record] = ConsentStore(repository).records("default", "u1")
    assert record.version == 1 and record.invitation_id == page.view.invitation.id
    assert svc.page(token).state is LinkState.RESUME
    assert svc.consent(token, consent_text_id=page.consent.id, parts=PARTS) == chat  # retry


def test_consent_without_data_use_changes_nothing(
    service: tuple[DeliveryService, int], repository: Repository
) -> None:
    svc, study = service
    token = _link(svc, study, "u2")
    page = svc.page(token)
    assert page.consent is not None
    with pytest.raises(ValueError, match="data_use"):
        svc.consent(token, consent_text_id=page.consent.id, parts={"data_use": False})
    assert svc.page(token).state is LinkState.OFFER  # no half-applied write
    assert ConsentStore(repository).records("default", "u2") == []


def test_expired_declined_unknown_and_reused_links(
    service: tuple[DeliveryService, int], repository: Repository
) -> None:
    svc, study = service
    old, declined = _link(svc, study, "u3"), _link(svc, study, "u4")
    with repository.session() as s:
        s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.token_hash == digest(old))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert svc.page(old).state is LinkState.EXPIRED
    with pytest.raises(DeliveryError, match="expired"):
        svc.consent(old, consent_text_id=1, parts=PARTS)
    svc.decline(declined)
    assert svc.page(declined).state is LinkState.DECLINED
    assert svc.page("made-up-token").state is LinkState.UNKNOWN
    # The contact policy applies to email/link invitations as to intercepts.
    decision, made = svc.add("default", study, "u3", channel="link", email=None)
    assert made is None and decision.code == "cooldown"


def test_shareable_link_starts_new_participants_until_closed(
    service: tuple[DeliveryService, int],
) -> None:
    svc, study = service
    setup, url = svc.open_share("default", study, BASE)
    share = url.rsplit("/", 1)[1]
    assert setup.share_open and url.startswith(f"{BASE}/s/")
    found = svc.share(share, view=True)
    assert found is not None and found.open and found.setup.offer["minutes"] == 20
    personal = svc.join(share)
    page = svc.page(personal)
    assert page.state is LinkState.OFFER and page.consent is not None
    svc.consent(personal, consent_text_id=page.consent.id, parts=PARTS)
    other = svc.page(svc.join(share))
    assert other.view is not None and page.view is not None
    assert other.view.invitation.distinct_id != page.view.invitation.distinct_id
    svc.close_share("default", study)
    closed = svc.share(share)
    assert closed is not None and not closed.open
    with pytest.raises(DeliveryError, match="closed"):
        svc.join(share)
    assert svc.share("made-up") is None


def test_research_funnel_from_the_records(
    service: tuple[DeliveryService, int], repository: Repository
) -> None:
    svc, study = service
    tokens = [_link(svc, study, f"p{i}") for i in range(5)]
    for t in tokens[:4]:
        svc.page(t)  # seen
    consent = ConsentStore(repository).current("default", study_id=study)
    assert consent is not None
    chats = [svc.consent(t, consent_text_id=consent.id, parts=PARTS) for t in tokens[:2]]
    sessions = ChatSessions(repository)
    done = sessions.get(chats[0])
    sessions.update(chats[0], status="completed", state=done.state)
    svc.decline(tokens[2])
    funnel = svc.funnel("default", study, shown=set())
    assert [s.count for s in funnel.total.steps] == [5, 4, 2, 2, 1]
    assert list(funnel.channels) == ["link"] and funnel.declined == 1
    assert funnel.completion_rate == pytest.approx(0.2) and funnel.small_sample
    ci = funnel.completion_ci
    assert ci is not None and ci.low < 0.2 < ci.high
    # The interview finished on the chat page: its invitation is completed now.
    statuses = {d["distinct_id"]: d["status"] for d in svc.store.deliveries("default", study)}
    assert statuses["p0"] == "completed" and statuses["p1"] == "consented"


def test_a_finished_interview_uses_up_the_link_and_counts_for_the_policy(
    service: tuple[DeliveryService, int], repository: Repository
) -> None:
    svc, study = service
    token = _link(svc, study, "q1")
    page = svc.page(token)
    assert page.consent is not None
    chat = svc.consent(token, consent_text_id=page.consent.id, parts=PARTS)
    sessions = ChatSessions(repository)
    sessions.update(chat, status="completed", state=sessions.get(chat).state)
    assert svc.page(token).state is LinkState.USED
    decision, made = svc.add("default", study, "q1", channel="link", email=None)
    assert made is None and decision.code == "interviewed"
