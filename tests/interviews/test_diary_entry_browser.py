"""The diary entry page in headless Chromium on a phone-sized screen: the prompt from
the email's link, writing and saving an entry, reopening the link, and stopping the
diary from another prompt's link. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import start_server
from tests.interviews.diary_support import Inbox, inbox, link_of
from tests.interviews.test_diaries_server import prepare

__all__ = ["inbox"]

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (bash .ci/setup installs it)",
)


def test_diary_entry_page_on_a_phone(tmp_path: Path, inbox: Inbox) -> None:
    home = tmp_path / "home"
    prepare(home, tmp_path, [0, 0], ["rui"])  # two prompts due at once
    server = start_server(
        home,
        env={
            "FIELDNOTE_SMTP_HOST": "127.0.0.1",
            "FIELDNOTE_SMTP_PORT": str(inbox.port),
            "FIELDNOTE_DIARY_INTERVAL_SECONDS": "1",
        },
    )
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        messages = sorted(inbox.wait_for(2), key=lambda m: str(m["Subject"]))
        first, second = (link_of(m)[0] for m in messages)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
            )
            phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
            page = phone.new_page()
            page.goto(first)
            page.wait_for_selector("#entry:not([hidden])")
            assert page.inner_text("#progress") == "Entry 1 of 2"
            assert "checked your numbers" in page.inner_text("#log")
            assert page.inner_text("h1") == "Phone week"
            page.fill("#text", "I opened the weekly report on the train; the chart was cut off.")
            page.screenshot(path=str(ARTIFACTS / "diary-entry.png"), full_page=True)
            page.get_by_role("button", name="Save my entry").click()
            page.wait_for_selector("#entry[hidden]", state="attached")
            assert page.inner_text("#status") == "Thank you, your entry is saved."
            assert page.locator("#log li.participant").inner_text().startswith("I opened")

            page.reload()  # the link again: the entry is shown, no form
            page.wait_for_selector("#log li.participant")
            assert page.locator("#entry").is_hidden()

            page.goto(second)
            page.wait_for_selector("#entry:not([hidden])")
            page.click("#stop")
            page.click("#stop-yes")
            page.wait_for_function(
                "document.getElementById('status').textContent.includes('stopped')"
            )
            assert page.locator("#entry").is_hidden() and page.locator("#stop-area").is_hidden()
            page.screenshot(path=str(ARTIFACTS / "diary-stopped.png"), full_page=True)
            browser.close()
    finally:
        server.stop()
    records = server.cli("participants", "consent", "rui", "--json").stdout
    assert '"withdrawn"' in records
