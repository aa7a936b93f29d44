"""Journey map and search in real headless Chromium: a researcher maps the funnel's
journey from the nav, reads a step's themes and quotes and the emotion curve, then
searches by segment and opens a quote at its moment in the transcript. Screenshots:
tests/artifacts/journey-map.png, search-page.png."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.evidence._artifacts_seed import INTERVIEW, seed_home, seed_interview
from tests.web.accounts_support import add_user
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home: Path = tmp_path_factory.mktemp("evidence-browser") / "home"
    seed_home(home)
    seed_interview(home)
    add_user(home, "res@example.org", "researcher", project="p")
    live = start_server(home)
    yield live
    live.stop()


def test_journey_map_in_the_browser(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "res@example.org")
    page.goto(f"{server.url}/projects/p")
    page.get_by_role("link", name="Journey").click()
    page.get_by_label("Step 1").fill("signup")
    page.get_by_label("Step 2").fill("integration_viewed")
    page.get_by_label("Step 3").fill("connect_integration")
    page.get_by_label("From").fill("2026-03-02")
    page.get_by_label("To").fill("2026-03-29")
    page.get_by_role("button", name="Map the journey").click()
    page.wait_for_selector("#journey-steps")
    second = page.locator("#step-2")
    assert "50 users" in second.inner_text() and "30 dropped" in second.inner_text()
    assert second.get_by_role("link", name="Admin access blocks integration").is_visible()
    assert "admin" in second.locator(".step-quotes").inner_text()
    curve = page.locator("#emotion-curve")
    assert curve.locator("circle").count() == 3
    assert "integration_viewed" in (curve.get_attribute("aria-label") or "")
    shot(page, "journey-map")
    assert page.errors == []


def test_search_by_segment_opens_the_quote_at_its_moment(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "res@example.org")
    page.goto(f"{server.url}/projects/p")
    page.get_by_role("link", name="Search").click()
    page.get_by_label('Words, "phrases", -excluded, OR').fill("admin")
    page.get_by_label("Segment (its people's words)").select_option("stuck at integration")
    page.get_by_label("utterance").check()
    page.get_by_role("button", name="Search").click()
    results = page.locator("#search-results li")
    results.first.wait_for()
    assert results.count() == 1
    shot(page, "search-page")
    results.first.get_by_role("link").click()
    page.wait_for_url(f"**/transcripts/{INTERVIEW}?t=65.0#moment")
    moment = page.locator("#moment")
    assert "gave up" in moment.inner_text()
    assert moment.get_attribute("aria-current") == "true"
    assert page.errors == []
