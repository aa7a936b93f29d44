"""A real SMTP server (aiosmtpd) that keeps what it receives, and the link in a
diary prompt email."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from tests.conftest import free_port

LINK = re.compile(r"(https?://\S+/d/([A-Za-z0-9_\-]+))")


@dataclass
class Inbox:
    port: int = 0
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Message]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} emails arrived"
        return self.messages


def body(message: Message, kind: str = "text/plain") -> str:
    """The email's plain-text (or HTML) part."""
    for part in message.walk():
        if part.get_content_type() == kind:
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError(f"no {kind} part in {message['Subject']!r}")


def link_of(message: Message) -> tuple[str, str]:
    """(the entry URL, its token) in a prompt email."""
    found = LINK.search(body(message))
    assert found, body(message)
    return found[1], found[2]


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    box = Inbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
