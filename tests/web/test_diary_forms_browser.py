"""In real headless Chromium: a researcher creates a diary with the "New diary" form,
fixes a mistake the form reports, and enrols a participant from the diary's page; the
participant appears in the progress table. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer, run_cli, start_server
from tests.web.accounts_support import add_user
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("diary-forms-browser")
    home = tmp / "home"
    live = start_server(home)
    consent = tmp / "consent.json"
    consent.write_text(
        json.dumps(
            {
                "recording": "Your written entries are stored.",
                "data_use": "Read by the team for research only.",
                "contact": "Short prompts by email during the study.",
            }
        )
    )
    run_cli(home, "participants", "consent-text", str(consent))
    add_user(home, "res@example.com", "researcher")
    yield live
    live.stop()


def test_researcher_creates_a_diary_and_enrols_someone(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "res@example.com")
    page.goto(f"{server.url}/projects/default/diaries")
    form = page.locator("#diary-create")
    form.get_by_label("Name", exact=True).fill("Week one")
    form.get_by_label("Prompts, one per line (asked in turn)").fill(
        "Tell me about the last time you exported a report today.\nWhat did you do next?"
    )
    form.get_by_label("Schedule").select_option("offsets")
    form.get_by_label("Hours after enrolment (comma-separated)").fill("0, 24, nine")
    form.get_by_role("button", name="Create diary").click()
    page.wait_for_selector("#diary-error")
    assert page.locator("#diary-error").inner_text().startswith("hours: expected numbers")
    again = page.locator("#diary-create")
    assert again.get_by_label("Name", exact=True).input_value() == "Week one"  # kept
    shot(page, "diary-create-error")
    again.get_by_label("Hours after enrolment (comma-separated)").fill("0, 24, 48")
    again.get_by_role("button", name="Create diary").click()
    page.wait_for_selector("#diary-enrol")
    assert page.locator("h1").inner_text() == "Week one"
    enrol = page.locator("#diary-enrol")
    enrol.get_by_label("Participant (distinct id)").fill("priya")
    enrol.get_by_label("Email").fill("priya@example.in")
    enrol.get_by_label("Time zone (IANA)").fill("Asia/Kolkata")
    enrol.get_by_role("button", name="Enrol").click()
    page.wait_for_selector("#diary-progress")
    row = page.locator("#diary-progress tbody tr")
    assert row.count() == 1 and row.first.locator("td").first.inner_text() == "priya"
    shot(page, "diary-enrolled")
