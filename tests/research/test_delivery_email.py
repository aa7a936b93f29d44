"""Invitation emails against a real SMTP server (aiosmtpd): the message's parts and
content, HTML escaping, SMTP login, and which failures are retried (temporary) and
which are final (refused recipient, refused login)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from fieldnote.research.delivery import SmtpSender, compose
from tests.conftest import free_port
from tests.research.delivery_support import OFFER

EXPIRES = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)
URL = "https://research.example.com/r/tok_123"


class Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.data_answers: list[str] = []  # answers to give DATA before accepting
        self.refuse: set[str] = set()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_answers:
            return self.data_answers.pop(0)
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"


def _auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"fn", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    port = free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=_auth,
        auth_require_tls=False,
    )
    controller.start()
    yield handler, port
    controller.stop()


def _sender(port: int, **kw: Any) -> SmtpSender:
    return SmtpSender(
        host="127.0.0.1", port=port, sender="research@bank.example", sleep=lambda _s: None, **kw
    )


def _parts(msg: EmailMessage) -> tuple[str, str]:
    plain = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert plain is not None and html is not None
    return str(plain.get_content()), str(html.get_content())


def test_plain_text_and_html_with_time_incentive_and_link(smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    mail = compose(OFFER, to="ana@example.com", url=URL, expires_at=EXPIRES)
    assert _sender(port).send(mail).ok
    [msg] = handler.messages
    assert msg["Subject"] == OFFER["title"] and msg["To"] == "ana@example.com"
    assert msg["From"] == "research@bank.example" and msg["Message-ID"]
    text, html = _parts(msg)
    for body in (text, html):
        assert str(OFFER["why"]) in body and "20 minutes" in body and "€25 voucher" in body
        assert URL in body and "07 December 2026" in body


def test_offer_text_is_escaped_in_html() -> None:
    offer = {**OFFER, "why": '<script>alert("x")</script> & more', "incentive": "<b>€5</b>"}
    mail = compose(offer, to="a@example.com", url=URL + '"><x', expires_at=EXPIRES)
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    assert "<b>€5</b>" not in mail.html and '"><x' not in mail.html
    assert '<script>alert("x")</script>' in mail.text  # plain text stays verbatim


def test_login_and_a_refused_login_is_final(smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    mail = compose(OFFER, to="ana@example.com", url=URL, expires_at=EXPIRES)
    assert _sender(port, username="fn", password="s3cret").send(mail).ok
    refused = _sender(port, username="fn", password="wrong", attempts=3).send(mail)
    assert not refused.ok and refused.attempts == 1 and "login refused" in (refused.error or "")
    assert len(handler.messages) == 1


def test_a_refused_recipient_is_final(smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    handler.refuse.add("gone@example.com")
    mail = compose(OFFER, to="gone@example.com", url=URL, expires_at=EXPIRES)
    out = _sender(port, attempts=3).send(mail)
    assert not out.ok and out.attempts == 1 and "550" in (out.error or "")


def test_temporary_failures_are_retried(smtp: tuple[Handler, int]) -> None:
    handler, port = smtp
    handler.data_answers = ["451 4.3.0 try again later"]
    mail = compose(OFFER, to="ana@example.com", url=URL, expires_at=EXPIRES)
    waits: list[float] = []
    sender = SmtpSender(
        host="127.0.0.1", port=port, sender="r@bank.example", attempts=3, sleep=waits.append
    )
    out = sender.send(mail)
    assert out.ok and out.attempts == 2 and waits == [0.5] and len(handler.messages) == 1
    handler.data_answers = ["451 busy"] * 3
    failed = sender.send(mail)
    assert not failed.ok and failed.attempts == 3 and "451" in (failed.error or "")
    assert waits == [0.5, 0.5, 1.0]
