"""The intercept widget in real headless Chromium, embedded in a host page served from
another origin under a strict nonce-based CSP: shown only to the person whose events
matched, keyboard-operable, accept records consent and answers, a decline is never
shown again, no CSP violation, widget events captured. Screenshots in tests/artifacts/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.intercept_support import admin, send, set_up, wait_for_invitation, write_key
from tests.web.test_pages_browser import browser, page, pytestmark, shot

__all__ = ["browser", "page", "pytestmark"]

NONCE = "r4nd0mN0nce"
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Demo bank</title>
<style nonce="{nonce}">body{{font-family:Georgia,serif;margin:2rem}}</style>
<script nonce="{nonce}">window.__violations=[];document.addEventListener(
"securitypolicyviolation",function(e){{window.__violations.push(e.violatedDirective+" "+e.blockedURI)}});
</script></head><body><h1>Demo bank</h1><p>Verify your identity.</p>
<button id="host-button">Host button</button>
<script nonce="{nonce}" src="{fieldnote}/intercept.js"></script>
<script nonce="{nonce}">window.__ready=FieldnoteIntercept.init({{host:"{fieldnote}",
key:"{key}",distinctId:new URLSearchParams(location.search).get("user"),sessionId:"s-1"}});
</script></body></html>"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(tmp_path_factory.mktemp("intercept-browser") / "home")
    set_up(live)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def host(server: LiveServer) -> Iterator[str]:
    """The product's page: another origin, a strict CSP with a per-page nonce."""
    body = HOST_PAGE.format(nonce=NONCE, fieldnote=server.url, key=write_key(server)).encode()
    csp = (
        f"default-src 'none'; script-src 'nonce-{NONCE}'; style-src 'nonce-{NONCE}'; "
        f"connect-src {server.url}; img-src 'none'; base-uri 'none'; form-action 'none'"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://localhost:{httpd.server_address[1]}"
    httpd.shutdown()


def is_respond(response: Any) -> bool:
    """The widget's answer to an offer reached the server (decline, dismiss, accept)."""
    return bool(response.url.endswith("/intercept/v1/respond"))


def open_as(page: Any, host: str, person: str) -> Any:
    page.goto(f"{host}/?user={person}")
    return page.evaluate("window.__ready")


def fail_kyc_twice(server: LiveServer, person: str) -> None:
    for _ in range(2):
        send(server, person, "kyc_failed", platform="mobile", **{"$session_id": "s-1"})
    wait_for_invitation(server, person)


def tail(server: LiveServer) -> list[dict[str, Any]]:
    with admin(server) as client:
        events: list[dict[str, Any]] = client.get(
            "/api/projects/default/events/tail", params={"limit": 100}
        ).json()["events"]
    return events


def test_shown_only_after_the_events_keyboard_accept_consent_and_answers(
    page: Any, server: LiveServer, host: str
) -> None:
    assert open_as(page, host, "alice") is None  # nothing happened yet
    assert page.locator("#fieldnote-intercept").count() == 0
    fail_kyc_twice(server, "alice")
    send(server, "bob", "kyc_failed", platform="mobile")  # once: not enough
    assert open_as(page, host, "bob") is None
    invitation = open_as(page, host, "alice")
    dialog = page.get_by_role("dialog", name="Help us fix identity checks")
    dialog.wait_for()
    assert "About 2 minutes · €10 voucher" in dialog.inner_text()
    yes = page.get_by_role("button", name="Yes, take part")
    assert yes.evaluate("b => b.getRootNode().activeElement === b")  # focus moved in
    shot(page, "intercept-invitation")
    page.keyboard.press("Enter")  # without agreeing to the data use: explained, not sent
    assert "Please agree" in page.get_by_role("alert").first.inner_text()
    page.keyboard.press("Space")  # focus went to the data-use box
    assert page.get_by_role("checkbox", name="Use of my answers").is_checked()
    for _ in range(3):  # recording, contact, then the button
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    first = page.get_by_role("textbox", name="What were you trying to do?")
    first.wait_for()
    page.keyboard.type("Upload my passport")
    page.keyboard.press("Tab")
    page.keyboard.type("The camera kept failing")
    shot(page, "intercept-micro-survey")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Thank you!").wait_for()
    assert page.evaluate("window.__violations") == []
    with admin(server) as client:
        listed = client.get("/api/projects/default/invitations").json()["invitations"]
        consent = client.get("/api/projects/default/participants/alice/consent").json()
    mine = next(i for i in listed if i["id"] == invitation["id"])
    assert mine["status"] == "completed"
    assert mine["answers"] == ["Upload my passport", "The camera kept failing"]
    assert [(r["version"], r["parts"]["data_use"]) for r in consent["records"]] == [(1, True)]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        names = [
            (e["event"], e["properties"].get("$survey_id"))
            for e in tail(server)
            if e["distinct_id"] == "alice" and e["event"].startswith("survey")
        ]
        if len(names) == 2:
            break
        time.sleep(0.2)
    assert names == [("survey shown", mine["survey_id"]), ("survey sent", mine["survey_id"])]


def test_decline_and_escape_are_never_shown_again(page: Any, server: LiveServer, host: str) -> None:
    fail_kyc_twice(server, "carol")
    open_as(page, host, "carol")
    page.get_by_role("dialog").wait_for()
    page.keyboard.press("Tab")  # from "Yes, take part" to "No thanks"
    with page.expect_response(is_respond):  # recorded before the page is opened again
        page.keyboard.press("Enter")
    assert page.get_by_role("dialog").count() == 0
    shot(page, "intercept-declined")
    assert open_as(page, host, "carol") is None
    assert page.get_by_role("dialog").count() == 0
    fail_kyc_twice(server, "dave")
    open_as(page, host, "dave")
    page.get_by_role("dialog").wait_for()
    with page.expect_response(is_respond):
        page.keyboard.press("Escape")
    assert page.get_by_role("dialog").count() == 0
    assert open_as(page, host, "dave") is None
    page.locator("#host-button").focus()  # the host page still works
    assert page.evaluate("window.__violations") == []
    with admin(server) as client:
        statuses = {
            i["distinct_id"]: i["status"]
            for i in client.get("/api/projects/default/invitations").json()["invitations"]
        }
    assert statuses["carol"] == "declined" and statuses["dave"] == "dismissed"
