"""``fieldnote serve`` sends queued email invitations on its own schedule
(``FIELDNOTE_INVITATION_INTERVAL_SECONDS``) to a real SMTP server (aiosmtpd): each
invitation is emailed exactly once however many ticks pass, a concurrent
`invitations send` finds nothing left, the link in the email opens the offer, and a
refused address is retried only up to the scheduler's cap."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller

from fieldnote.repository._delivery_store import DeliveryStore
from fieldnote.research.delivery import SCHEDULED_ROUNDS
from tests.conftest import LiveServer, free_port, start_server
from tests.web.delivery_support import cli, repository, set_up_study

DEAD = "gone@example.org"


class Mailbox:
    """Keeps every message and counts the tries to reach a refused address."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refused = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address == DEAD:
            self.refused += 1
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"


def _wait(condition: Any, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def served(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> Iterator[LiveServer]:
    server = start_server(
        tmp_path / "home",
        env={
            "FIELDNOTE_SMTP_HOST": "127.0.0.1",
            "FIELDNOTE_SMTP_PORT": str(mailbox[1]),
            "FIELDNOTE_INVITATION_INTERVAL_SECONDS": "1",
            "FIELDNOTE_INVITE_SEND_ATTEMPTS": "1",
            "FIELDNOTE_INVITE_EMAIL_FROM": "research@bank.example",
        },
    )
    try:
        yield server
    finally:
        server.stop()


def test_serve_emails_each_queued_invitation_once(
    served: LiveServer, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, _ = mailbox
    study = set_up_study(served, tmp_path)
    for person in ("ana", "bo"):
        added = cli(served, "invitations", "add", str(study), person, "--email", f"{person}@x.io")
        assert added["queued"]
    _wait(lambda: len(box.messages) == 2)
    time.sleep(3.5)  # three more ticks: nothing is sent again
    assert sorted(m["To"] for m in box.messages) == ["ana@x.io", "bo@x.io"]
    assert all(m["From"] == "research@bank.example" for m in box.messages)

    rows = cli(served, "invitations", "list", str(study))["invitations"]
    assert [(r["delivery"], r["attempts"]) for r in rows] == [("sent", 1), ("sent", 1)]
    smtp = {"FIELDNOTE_SMTP_HOST": "127.0.0.1", "FIELDNOTE_SMTP_PORT": str(mailbox[1])}
    again = cli(served, "invitations", "send", str(study), "--base-url", served.url, env=smtp)
    assert again["results"] == []  # a concurrent manual send finds nothing left

    body = box.messages[0].get_body(("plain",))
    assert body is not None
    found = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", str(body.get_content()))
    assert found and found[0].startswith(f"{served.url}/r/")  # the server's own address
    page = httpx.get(found[0], timeout=30)
    assert page.status_code == 200 and "Help us fix bank connections" in page.text

    # A new invitation queued later goes out on a later tick, still once.
    cli(served, "invitations", "add", str(study), "cy", "--email", "cy@x.io")
    _wait(lambda: len(box.messages) == 3)
    time.sleep(2.5)
    assert [m["To"] for m in box.messages].count("cy@x.io") == 1


def test_refused_address_is_retried_only_up_to_the_cap(
    served: LiveServer, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, _ = mailbox
    study = set_up_study(served, tmp_path)
    cli(served, "invitations", "add", str(study), "dee", "--email", DEAD)
    cap = SCHEDULED_ROUNDS * 1  # FIELDNOTE_INVITE_SEND_ATTEMPTS=1, a refusal is final
    _wait(lambda: box.refused == cap)
    time.sleep(3.5)
    assert box.refused == cap and box.messages == []
    [row] = cli(served, "invitations", "list", str(study))["invitations"]
    assert row["delivery"] == "failed" and row["attempts"] == cap
    assert "550" in row["last_error"]


def test_an_invitation_is_claimed_by_one_sender_only(tmp_path: Path) -> None:
    """The claim the scheduler and `invitations send` both go through."""
    from tests.research.delivery_support import make_study

    repo = repository(tmp_path / "home")
    try:
        study = make_study(repo)
        store = DeliveryStore(repo)
        store.setup(
            "default",
            study,
            guide="bank-step",
            guide_version=None,
            moderator="rule-based",
            offer={"title": "t", "why": "w", "minutes": 5},
        )
        _, inv = store.add("default", study, "ana", channel="email", email="ana@x.io")
        assert inv is not None
        expires = datetime.now(UTC) + timedelta(days=7)
        first = store.issue(inv.id, token_hash="a" * 64, chat_hash="b" * 64, expires_at=expires)
        second = store.issue(inv.id, token_hash="c" * 64, chat_hash="d" * 64, expires_at=expires)
        assert (first, second) == (True, False)
        assert [q.study_id for q in store.queued_email_studies()] == []
        store.record_send(inv.id, ok=False, attempts=1, error="421 try later")
        assert [q.study_id for q in store.queued_email_studies()] == [study]
        assert store.issue(inv.id, token_hash="e" * 64, chat_hash="f" * 64, expires_at=expires)
    finally:
        repo.dispose()


def test_interval_zero_sends_nothing(tmp_path: Path, mailbox: tuple[Mailbox, int]) -> None:
    """0 turns the schedule off (not "no pause between sends")."""
    box, port = mailbox
    server = start_server(
        tmp_path / "home",
        env={
            "FIELDNOTE_SMTP_HOST": "127.0.0.1",
            "FIELDNOTE_SMTP_PORT": str(port),
            "FIELDNOTE_INVITATION_INTERVAL_SECONDS": "0",
            "FIELDNOTE_DIARY_INTERVAL_SECONDS": "1",  # another scheduler ticking meanwhile
        },
    )
    try:
        study = set_up_study(server, tmp_path)
        cli(server, "invitations", "add", str(study), "ana", "--email", "ana@x.io")
        time.sleep(3.5)
        assert box.messages == []
        [row] = cli(server, "invitations", "list", str(study))["invitations"]
        assert row["delivery"] == "pending"
    finally:
        server.stop()
