"""In real headless Chromium: a researcher opens Participants from the project nav,
sees each participant's tier, kind and consent, and opens one to see their incentives;
a viewer has no Participants tab. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.repository import ResearchStore
from fieldnote.repository._incentives import IncentiveStore
from tests.conftest import LiveServer, run_cli, start_server
from tests.web.accounts_support import add_user, seed_events
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared

CSV = (
    "email,name,company,role,distinct_id\n"
    "user7@example.org,Ida Noor,Acme,Product Manager,user-7\n"
    "cfo@acme.example,Raf Kell,Acme,Finance,\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("panel-browser")
    home = tmp / "home"
    seed_events(home, "default", 400, days=10)
    add_user(home, "res@example.com", "researcher")
    add_user(home, "view@example.com", "viewer")
    panel = tmp / "panel.csv"
    panel.write_text(CSV)
    run_cli(home, "participants", "import", str(panel), "--json")
    fn = Fieldnote(Settings(home=home))
    try:
        research = ResearchStore(fn.repository)
        q, _ = research.open_or_update("default", anomaly_key="b", text="Why?", evidence={})
        study = research.propose_study(
            "default", q.id, plan={"segments": []}, quota=(1, 2), deadline=timedelta(hours=48)
        )
        made = IncentiveStore(fn.repository).set(
            "default", "user7@example.org", study.id, "25", "EUR"
        )
        IncentiveStore(fn.repository).act("default", made.id, "pay")
        q2, _ = research.open_or_update("default", anomaly_key="b2", text="Why?", evidence={})
        later = research.propose_study(
            "default", q2.id, plan={"segments": []}, quota=(1, 2), deadline=timedelta(hours=48)
        )
        IncentiveStore(fn.repository).set("default", "user7@example.org", later.id, "40", "USD")
    finally:
        fn.close()
    live = start_server(home)
    yield live
    live.stop()


def test_researcher_browses_the_panel_and_a_participant(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "res@example.com")
    page.goto(f"{server.url}/projects/default")
    page.get_by_role("link", name="Participants").click()
    page.wait_for_selector("#participants-table")
    rows = page.locator("#participants-table tbody tr")
    assert rows.count() == 2
    ida = rows.filter(has_text="Ida Noor")
    cells = [ida.locator("td").nth(i).inner_text() for i in (4, 5, 6)]
    assert cells == ["daily", "both", "none"]
    raf = rows.filter(has_text="Raf Kell")
    assert [raf.locator("td").nth(i).inner_text() for i in (4, 5)] == ["potential", "customer"]
    shot(page, "participants-list")
    page.get_by_role("link", name="Ida Noor").click()
    page.wait_for_selector("#incentives-table")
    assert page.locator("#participant-tier").inner_text().startswith("daily")
    rows = page.locator("#incentives-table tbody tr")
    assert "25.00 EUR" in rows.nth(0).inner_text() and "paid" in rows.nth(0).inner_text()
    promised = rows.nth(1)
    assert "40.00 USD" in promised.inner_text() and "promised" in promised.inner_text()
    shot(page, "participant-detail")
    promised.get_by_role("button", name="Mark paid").click()
    page.wait_for_load_state()
    statuses = page.locator("#incentives-table tbody tr td:nth-child(3)").all_inner_texts()
    assert statuses == ["paid", "paid"]
    assert page.get_by_role("button", name="Mark paid").count() == 0


def test_viewer_has_no_participants_tab(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "view@example.com")
    page.goto(f"{server.url}/projects/default")
    page.wait_for_selector("nav.tabs")
    assert page.get_by_role("link", name="Participants").count() == 0
    response = page.goto(f"{server.url}/projects/default/participants")
    assert response is not None and response.status == 403
    assert "Ida Noor" not in page.content()
