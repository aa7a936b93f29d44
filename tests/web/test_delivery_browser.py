"""Email invitations in real headless Chromium: the link received by a real SMTP server
(aiosmtpd) opens the offer, consent is given from the keyboard, and the interview's
first question appears; an expired link shows the expiry page; the study's research
funnel page shows the result. Screenshots in tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from fieldnote.repository import ResearchStore
from tests.conftest import LiveServer, start_server
from tests.web.accounts_support import add_user
from tests.web.delivery_support import cli, expire, repository, set_up_study, smtp_server
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int]]:
    tmp = tmp_path_factory.mktemp("delivery-browser")
    home = tmp / "home"
    add_user(home, "admin@example.com", "admin")
    server = start_server(home)
    study = set_up_study(server, tmp)
    yield server, study
    server.stop()


def _emailed_link(server: LiveServer, study: int, person: str) -> str:
    with smtp_server() as (inbox, port):
        cli(server, "invitations", "add", str(study), person, "--email", f"{person}@example.com")
        env = {
            "FIELDNOTE_SMTP_HOST": "127.0.0.1",
            "FIELDNOTE_SMTP_PORT": str(port),
            "FIELDNOTE_PUBLIC_URL": server.url,
        }
        assert cli(server, "invitations", "send", str(study), env=env)["delivered"] == 1
        return inbox.link()


def test_emailed_link_consent_and_the_first_question(
    page: Any, site: tuple[LiveServer, int]
) -> None:
    server, study = site
    link = _emailed_link(server, study, "ana")
    response = page.goto(link)
    assert response.status == 200
    assert page.get_by_role("heading", name="Help us fix bank connections").is_visible()
    assert "About 20 minutes · €25 voucher" in page.locator("#offer-meta").inner_text()
    shot(page, "delivery-offer")
    # Keyboard only: Tab to the required consent box, Space ticks it, Enter submits.
    page.locator("body").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "data_use"
    page.keyboard.press("Space")
    page.locator("#consent-button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/i/**")
    first = page.locator("#log li.interviewer").first
    first.wait_for(state="visible")
    assert first.inner_text().strip()
    assert page.locator("#reply").is_visible() and page.locator("#consent").is_hidden()
    shot(page, "delivery-first-question")
    page.goto(link)  # the same link later: back to the same interview
    page.wait_for_url(f"{server.url}/i/**")


def test_expired_link_shows_the_expiry_page(page: Any, site: tuple[LiveServer, int]) -> None:
    server, study = site
    link = _emailed_link(server, study, "bo")
    expire(server.home, link.rsplit("/", 1)[1])
    response = page.goto(link)
    assert response.status == 410
    assert page.get_by_role("heading", name="This invitation has expired").is_visible()
    assert page.locator("form").count() == 0
    shot(page, "delivery-expired")


def test_research_funnel_page(page: Any, site: tuple[LiveServer, int]) -> None:
    server, study = site
    sign_in(page, server, "admin@example.com")
    repo = repository(server.home)
    try:
        [question] = ResearchStore(repo).list("default")
    finally:
        repo.dispose()
    page.goto(f"{server.url}/projects/default/questions/{question.id}")
    page.locator(f"#study-{study}-funnel").click()
    page.wait_for_url(f"{server.url}/projects/default/studies/{study}/funnel")
    assert page.get_by_role("heading", name=f"Study #{study}: research funnel").is_visible()
    assert page.locator("#funnel-email .funnel-bar").count() == 5
    assert "invited" in page.locator("#completion").inner_text()
    shot(page, "delivery-funnel")
