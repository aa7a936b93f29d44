"""Email and link invitations against a live server and a real SMTP server (aiosmtpd):
the email's content, the personal link's pages (offer, consent, resume, expired,
unknown), failures retried and recorded, the shareable link with its rate limit and
closing, and the research funnel from the CLI and the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import LiveServer, free_port, start_server
from tests.web.delivery_support import Inbox, cli, expire, set_up_study, smtp_server
from tests.web.intercept_support import admin


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, int, Path]]:
    tmp = tmp_path_factory.mktemp("delivery-http")
    server = start_server(tmp / "home", env={"FIELDNOTE_SHARE_LINK_PER_IP_PER_HOUR": "2"})
    study = set_up_study(server, tmp)
    yield server, study, tmp
    server.stop()


def _env(server: LiveServer, port: int) -> dict[str, str]:
    return {
        "FIELDNOTE_SMTP_HOST": "127.0.0.1",
        "FIELDNOTE_SMTP_PORT": str(port),
        "FIELDNOTE_PUBLIC_URL": server.url,
        "FIELDNOTE_INVITE_EMAIL_FROM": "research@bank.example",
    }


def test_email_invitation_to_the_first_question(site: tuple[LiveServer, int, Path]) -> None:
    server, study, _ = site
    with smtp_server() as (inbox, port):
        added = cli(server, "invitations", "add", str(study), "ana", "--email", "ana@example.com")
        assert added["queued"] and added["invitation"]["channel"] == "email"
        sent = cli(server, "invitations", "send", str(study), env=_env(server, port))
        assert sent["delivered"] == 1 and sent["results"][0]["url"] is None  # only in the email
        text, html = inbox.parts()
        msg = inbox.messages[-1]
    assert msg["To"] == "ana@example.com" and msg["From"] == "research@bank.example"
    assert msg["Subject"] == "Help us fix bank connections"
    assert "about 20 minutes" in text and "€25 voucher" in text and "valid until" in text
    assert "<strong>about 20 minutes</strong>" in html and "€25 voucher" in html
    url = inbox.link()
    assert url.startswith(f"{server.url}/r/") and url in html
    assert cli(server, "invitations", "send", str(study), env=_env(server, 1))["results"] == []

    landing = httpx.get(url, timeout=30)
    assert landing.status_code == 200 and "€25 voucher" in landing.text
    assert "ana" not in landing.text.replace("data_use", "")  # nobody's name or id
    token = url.rsplit("/", 1)[1]
    form = {"consent_text_id": _text_id(landing.text), "action": "consent"}
    refused = httpx.post(url, data=form, timeout=30)
    assert refused.status_code == 422 and "agree to the use of your answers" in refused.text
    agreed = httpx.post(url, data={**form, "data_use": "yes"}, timeout=30)
    assert agreed.status_code == 303 and agreed.headers["location"].startswith("/i/")
    chat = agreed.headers["location"].split("/")[-1]
    view = httpx.get(f"{server.url}/api/i/{chat}", timeout=30).json()
    assert view["status"] == "consented" and view["turns"][0]["role"] == "interviewer"
    again = httpx.get(url, timeout=30)
    assert again.status_code == 303 and again.headers["location"] == f"/i/{chat}"
    records = cli(server, "participants", "consent", "ana")["records"]
    assert [r["version"] for r in records] == [1]
    assert token not in (server.home / "repository.sqlite").read_bytes().decode("latin-1")


def _text_id(page: str) -> str:
    marker = 'name="consent_text_id" value="'
    return page.split(marker, 1)[1].split('"', 1)[0]


def test_expired_unknown_and_declined_links(site: tuple[LiveServer, int, Path]) -> None:
    server, study, _ = site
    for person in ("bo", "cy"):
        cli(server, "invitations", "add", str(study), person, "--channel", "link")
    links = cli(
        server, "invitations", "send", str(study), "--channel", "link", "--base-url", server.url
    )["results"]
    old, declining = (r["url"] for r in links)
    expire(server.home, old.rsplit("/", 1)[1])
    gone = httpx.get(old, timeout=30)
    assert gone.status_code == 410 and "This invitation has expired" in gone.text
    assert "bank connections" not in gone.text  # nothing about the study either
    late = httpx.post(old, data={"action": "consent", "data_use": "yes"}, timeout=30)
    assert late.status_code == 410
    forged = httpx.get(f"{server.url}/r/not-a-real-token", timeout=30)
    assert forged.status_code == 404 and "not valid" in forged.text
    no = httpx.post(declining, data={"action": "decline"}, timeout=30)
    assert no.status_code == 200 and "We will not ask you" in no.text
    assert "We will not ask you" in httpx.get(declining, timeout=30).text


def test_failed_sends_are_retried_and_recorded(site: tuple[LiveServer, int, Path]) -> None:
    server, study, _ = site
    cli(server, "invitations", "add", str(study), "dee", "--email", "dee@example.com")
    env = {**_env(server, free_port()), "FIELDNOTE_INVITE_SEND_ATTEMPTS": "2"}
    failed = cli(server, "invitations", "send", str(study), env=env, check=False)
    assert failed.returncode == 2
    [result] = json.loads(failed.stdout)["results"]
    assert not result["ok"] and result["attempts"] == 2 and "ConnectionRefused" in result["error"]
    row = next(
        r
        for r in cli(server, "invitations", "list", str(study))["invitations"]
        if r["distinct_id"] == "dee"
    )
    assert row["delivery"] == "failed" and row["attempts"] == 2 and row["last_error"]
    with smtp_server() as (inbox, port):
        retried = cli(server, "invitations", "send", str(study), env=_env(server, port))
        assert retried["delivered"] == 1 and len(inbox.messages) == 1
    row = next(
        r
        for r in cli(server, "invitations", "list", str(study))["invitations"]
        if r["distinct_id"] == "dee"
    )
    assert row["delivery"] == "sent" and row["attempts"] == 3 and row["last_error"] is None


def test_shareable_link_rate_limit_and_close(site: tuple[LiveServer, int, Path]) -> None:
    server, study, _ = site
    made = cli(server, "studies", "link", str(study), "--base-url", server.url)
    url = made["url"]
    page = httpx.get(url, timeout=30)
    assert page.status_code == 200 and "€25 voucher" in page.text
    form = {"consent_text_id": _text_id(page.text), "data_use": "yes", "action": "consent"}
    assert httpx.post(url, data={"action": "consent"}, timeout=30).status_code == 422
    chats = set()
    for _ in range(2):
        started = httpx.post(url, data=form, timeout=30)
        assert started.status_code == 303
        chats.add(started.headers["location"])
    assert len(chats) == 2  # two new participants
    limited = httpx.post(url, data=form, timeout=30)
    assert limited.status_code == 429 and "try again" in limited.text
    cli(server, "studies", "link", str(study), "--close")
    closed = httpx.get(url, timeout=30)
    assert closed.status_code == 410 and "closed" in closed.text


def test_research_funnel_cli_api_and_page(site: tuple[LiveServer, int, Path]) -> None:
    server, study, _ = site
    data = cli(server, "studies", "funnel", str(study))
    by_step = {s["step"]: s["count"] for s in data["steps"]}
    assert by_step["invited"] >= by_step["seen"] >= by_step["accepted"] >= by_step["consented"]
    assert by_step["consented"] >= 1 and data["small_sample"]
    assert set(data["channels"]) <= {"email", "link"}
    with admin(server) as client:
        api = client.get(f"/api/projects/default/studies/{study}/funnel")
        assert api.status_code == 200 and api.json()["steps"] == data["steps"]
        assert client.get("/api/projects/default/studies/999/funnel").status_code == 404
    anonymous = httpx.get(f"{server.url}/api/projects/default/studies/{study}/funnel", timeout=30)
    assert anonymous.status_code in (401, 403)


def test_cli_errors_are_precise(site: tuple[LiveServer, int, Path]) -> None:
    server, study, tmp = site
    bad = cli(server, "invitations", "add", str(study), "x", "--email", "nope", check=False)
    assert bad.returncode == 1 and "not an email address" in json.loads(bad.stdout)["error"]
    offer = tmp / "bad-offer.json"
    offer.write_text(json.dumps({"title": "t", "why": "w", "minutes": "ten"}))
    refused = cli(
        server,
        "studies",
        "setup",
        str(study),
        "--guide",
        "bank-step",
        "--offer",
        str(offer),
        check=False,
    )
    assert "offer.minutes" in json.loads(refused.stdout)["error"]
    missing = cli(server, "studies", "funnel", "999", check=False)
    assert missing.returncode == 1 and "no study 999" in json.loads(missing.stdout)["error"]


__all__ = ["Inbox"]


def test_staff_api(site: tuple[LiveServer, int, Path]) -> None:
    server, study, _ = site
    base = f"/api/projects/default/studies/{study}"
    with admin(server) as client:
        bad = client.put(f"{base}/delivery", json={"guide": "bank-step", "offer": {"title": "t"}})
        assert bad.status_code == 422 and bad.json()["error"].startswith("offer.why")
        missing = client.put(
            "/api/projects/default/studies/999/delivery", json={"guide": "g", "offer": {}}
        )
        assert missing.status_code == 404
        made = client.post(f"{base}/invitations", json={"distinct_id": "eve", "channel": "link"})
        assert made.status_code == 201 and made.json()["invitation"]["channel"] == "link"
        again = client.post(f"{base}/invitations", json={"distinct_id": "eve", "channel": "link"})
        assert again.status_code == 200 and again.json()["code"] == "cooldown"
        sent = client.post(f"{base}/invitations/send", json={"channel": "link"}).json()
        [result] = sent["results"]
        assert result["distinct_id"] == "eve" and result["url"].startswith(f"{server.url}/r/")
        assert httpx.get(result["url"], timeout=30).status_code == 200
        rows = client.get(f"{base}/invitations").json()["invitations"]
        assert any(r["distinct_id"] == "eve" and r["delivery"] == "link" for r in rows)
        share = client.post(f"{base}/share-link")
        assert share.status_code == 201 and "/s/" in share.json()["url"]
        assert httpx.get(share.json()["url"], timeout=30).status_code == 200
        assert client.delete(f"{base}/share-link").json()["share_link"]["open"] is False
        audit = cli(server, "audit", "--limit", "5", check=False)
    assert audit.returncode == 0 and f"study:{study}:invitations" in audit.stdout
