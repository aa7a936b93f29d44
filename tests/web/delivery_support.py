"""Helpers for the delivery tests: an SMTP server (aiosmtpd) that keeps what it got,
a study set up on a live server's repository, and the link out of an email."""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import update

from fieldnote.home import Home
from fieldnote.repository import Repository
from fieldnote.repository._delivery import DeliveryRow
from tests.conftest import LiveServer, free_port, run_cli
from tests.research.delivery_support import OFFER, make_study


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append(msg)
        return "250 OK"

    def parts(self, index: int = -1) -> tuple[str, str]:
        """(plain text, html) of a received message."""
        msg = self.messages[index]
        text = html = ""
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                text = str(part.get_content())
            elif part.get_content_type() == "text/html":
                html = str(part.get_content())
        return text, html

    def link(self, index: int = -1) -> str:
        found = re.search(r"https?://\S+/r/[A-Za-z0-9_-]+", self.parts(index)[0])
        assert found, self.parts(index)[0]
        return found.group(0)


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def repository(home: Path) -> Repository:
    return Repository(Home.at(home).repository_url(None))


def set_up_study(server: LiveServer, tmp: Path) -> int:
    """A study with guide, consent text and delivery set-up (through the CLI)."""
    repo = repository(server.home)
    try:
        study = make_study(repo)
    finally:
        repo.dispose()
    offer = tmp / "offer.json"
    offer.write_text(json.dumps(OFFER))
    cli(server, "studies", "setup", str(study), "--guide", "bank-step", "--offer", str(offer))
    return study


def cli(
    server: LiveServer, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> Any:
    proc = run_cli(server.home, *args, "--json", env=env, check=check)
    return proc if not check else json.loads(proc.stdout)


def expire(home: Path, token: str) -> None:
    from datetime import UTC, datetime, timedelta

    from fieldnote.research.delivery import digest

    repo = repository(home)
    try:
        with repo.session() as s:
            s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.token_hash == digest(token))
                .values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
            )
    finally:
        repo.dispose()
