"""In real headless Chromium against a live server on the demo's events: a researcher
clicks a retention heatmap cell, then a trend point, and each click lands on the
members page of the users behind that number. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.analytics_pages_support import demo_home
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(demo_home(tmp_path_factory.mktemp("segment-links-browser") / "home"))
    yield live
    live.stop()


def _size(page: Any) -> int:
    heading = page.locator("#members-title").inner_text()
    found = re.match(r"([\d,]+) users", heading)
    assert found, heading
    return int(found.group(1).replace(",", ""))


def test_click_a_retention_cell_then_a_trend_point_to_see_who(
    page: Any, server: LiveServer
) -> None:
    sign_in(page, server, "researcher@example.com")
    page.goto(f"{server.url}/projects/demo/retention")
    page.get_by_label("First event (empty: first seen)").fill("signup")
    page.get_by_label("Buckets").select_option("week")
    page.get_by_role("button", name="Show retention").click()
    page.wait_for_selector("#retention-heatmap")
    cell = page.get_by_role("button", name=re.compile(r"back 1 week later\?$")).first
    label = cell.get_attribute("aria-label") or ""
    wanted = int(re.search(r"Who are the (\d+) users", label).group(1))  # type: ignore[union-attr]
    cohort = re.search(r"cohort (\d{4}-\d\d-\d\d)", label).group(1)  # type: ignore[union-attr]
    cell.click()
    page.wait_for_url("**/members")
    assert _size(page) == wanted > 0
    assert page.locator("#members-table tbody tr").count() == min(wanted, 200)
    assert f"first in the week of {cohort}" in page.locator(".lede").inner_text()
    shot(page, "segment-retention-cell-members")

    page.get_by_role("link", name="Trends").click()
    page.get_by_label("Event (stickiness, churn: any event when empty)").fill("signup")
    page.get_by_label("Measure (events only)").fill("users")
    page.get_by_label("Per", exact=True).select_option("week")
    page.get_by_role("button", name="Show trend").click()
    page.wait_for_selector("#trend-table")
    # the first week with signups (the default range starts before the demo's data)
    row = page.locator("#trend-table tbody tr", has=page.locator("button.who-link")).first
    period, users = row.locator("td").nth(0).inner_text(), row.locator("td").nth(1).inner_text()
    row.get_by_role("button", name=f"Who are the users behind {period.rstrip('*')}?").click()
    page.wait_for_url("**/members")
    assert _size(page) == int(users.replace(",", "")) > 0
    assert "did signup in the week of" in page.locator(".lede").inner_text()
    page.get_by_role("link", name="the trend").click()
    page.wait_for_selector("#trend-table")
    assert "event=signup" in page.url
    shot(page, "segment-trend-point-source")
