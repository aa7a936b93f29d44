"""The participant chat page in headless Chromium: consent, answers, probes, a
dropped connection (the page is closed mid-interview and the link reopened), and the
transcript stored with consent. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import httpx
import pytest

from fieldnote.home import Home
from tests.conftest import LiveServer

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (bash .ci/setup installs it)",
)


def _link(server: LiveServer) -> str:
    server.cli("guides", "new", "Chat", "--minutes", "10")
    info = Home.at(server.home).running_server()
    assert info is not None
    made = httpx.post(
        f"{server.url}/api/projects/default/interview-sessions",
        json={"guide": "Chat", "participant": "Lena Novak"},
        headers={"Authorization": f"Bearer {info.admin_token}"},
        timeout=30,
    )
    made.raise_for_status()
    return f"{server.url}{made.json()['url']}"


def _answer(page: object, text: str, turns_before: int) -> None:
    page.fill("#answer", text)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_function(  # type: ignore[attr-defined]
        f"document.querySelectorAll('#log li').length > {turns_before + 1}"
    )


def _turns(page: object) -> list[str]:
    return page.locator("#log li").all_inner_texts()  # type: ignore[attr-defined,no-any-return]


def test_chat_in_chromium_with_a_reopened_link(live_server: LiveServer) -> None:
    link = _link(live_server)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        page = phone.new_page()
        page.goto(link)
        page.wait_for_selector("#consent:not([hidden])")
        assert "research" in page.inner_text("#consent-text")
        assert page.locator("#reply").is_hidden()  # consent first
        page.click("#agree")
        page.wait_for_selector("#reply:not([hidden])")
        _answer(page, "Okay.", len(_turns(page)))
        assert _turns(page)[-1] == "Tell me more about that."  # the too-short probe
        _answer(page, "I usually look at it on my phone on the bus.", len(_turns(page)))
        before = _turns(page)
        page.screenshot(path=str(ARTIFACTS / "interview-chat.png"), full_page=True)
        page.close()  # the connection drops

        page = phone.new_page()
        page.goto(link)
        page.wait_for_function(f"document.querySelectorAll('#log li').length == {len(before)}")
        assert _turns(page) == before and page.locator("#consent").is_hidden()
        for _ in range(60):
            if page.locator("#reply").is_hidden():
                break
            _answer(page, "It was stuck at the HubSpot step and I gave up.", len(_turns(page)))
        assert "interview is complete" in page.inner_text("#status")
        page.screenshot(path=str(ARTIFACTS / "interview-chat-done.png"), full_page=True)
        browser.close()
    listed = json.loads(live_server.cli("transcripts", "list", "--json").stdout)["interviews"]
    assert [i["format"] for i in listed] == ["chat"]
