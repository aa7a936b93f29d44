"""The analytics pages in real headless Chromium (Debian's) against a live server on
the demo product's events: build a funnel by clicking, read the bars and the
breakdown, open the users who dropped; the retention heatmap; no personal data for a
viewer. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.analytics_pages_support import demo_home
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(demo_home(tmp_path_factory.mktemp("analytics-browser") / "home"))
    yield live
    live.stop()


def test_build_a_funnel_by_clicking_and_open_who_dropped(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "researcher@example.com")
    page.goto(f"{server.url}/projects/demo")
    page.get_by_role("link", name="Funnels").click()
    page.wait_for_url(f"{server.url}/projects/demo/funnels")
    page.get_by_label("Step 1 event").fill("signup")
    page.get_by_label("Step 2 event").fill("workspace_created")
    page.get_by_role("button", name="+ Add a step").click()
    page.get_by_label("Step 3 event").fill("onboarding_started")
    # Wrong order: move the new step up, by keyboard-reachable buttons.
    page.get_by_role("button", name="Move step 3 up").click()
    assert page.get_by_label("Step 2 event").input_value() == "onboarding_started"
    page.get_by_role("button", name="+ Add a step").click()
    page.get_by_label("Step 4 event").fill("kyc_failed")
    page.get_by_role("button", name="Remove step 4").click()
    assert page.locator(".step-row").count() == 3
    page.get_by_label("Breakdown").fill("platform")
    page.get_by_role("button", name="Show funnel").click()
    page.wait_for_selector("#funnel-result")
    assert "event=signup" in page.url and "breakdown=platform" in page.url
    bars = page.locator(".funnel-bar")
    assert bars.count() == 3
    widths = [
        b.evaluate("e => e.querySelector('.funnel-bar-fill').offsetWidth") for b in bars.all()
    ]
    assert widths[0] > widths[1] > widths[2] > 0
    assert page.locator("#funnel-breakdown tbody tr").count() >= 3
    page.wait_for_selector("#over-time-chart svg.main-svg")
    shot(page, "analytics-funnel")
    # The shareable link reproduces the same funnel.
    share = page.locator("#share-link").get_attribute("href")
    assert "step=signup" in share and "step=onboarding_started" in share
    dropped = page.locator("#funnel-steps tbody tr").nth(1).locator("td").nth(3).inner_text()
    page.get_by_role("button", name="dropped before step 2").click()
    page.wait_for_url("**/members")
    heading = page.get_by_role("heading", level=2).first.inner_text()
    assert heading.startswith(dropped.split(" ")[0] + " users")
    assert page.locator("#members-table tbody tr").count() > 0
    shot(page, "analytics-segment-members")
    page.get_by_role("link", name="Segments").click()
    assert page.locator("#segments-table tbody tr").count() == 1


def test_unknown_event_is_explained_inline(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "viewer@example.com")
    page.goto(f"{server.url}/projects/demo/funnels?step=signup&step=activatd&window=2x")
    errors = page.locator(".field-error").all_inner_texts()
    assert any("no event named 'activatd'" in e and "'activated'" in e for e in errors)
    assert any("cannot read duration '2x'" in e for e in errors)
    assert page.get_by_label("Step 2 event").get_attribute("aria-invalid") == "true"
    shot(page, "analytics-funnel-errors")


def test_retention_heatmap_and_trend_chart_render(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "viewer@example.com")
    page.goto(f"{server.url}/projects/demo/retention")
    page.get_by_label("First event (empty: first seen)").fill("signup")
    page.get_by_label("Buckets").select_option("week")
    page.get_by_role("button", name="Show retention").click()
    page.wait_for_selector("#retention-heatmap")
    cells = page.locator("#retention-heatmap td.cell")
    assert cells.count() >= 8
    colours = {c.evaluate("e => getComputedStyle(e).backgroundColor") for c in cells.all()}
    assert len(colours) > 2  # shaded by rate, not one flat colour
    shot(page, "analytics-retention")
    page.get_by_role("link", name="Trends").click()
    page.get_by_label("Series").select_option("stickiness")
    page.get_by_role("button", name="Show trend").click()
    page.wait_for_selector("#trend-chart svg.main-svg")
    assert page.locator("#trend-chart .scatterlayer .trace").count() >= 3
    shot(page, "analytics-trends")


def test_a_viewer_gets_no_personal_data(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "viewer@example.com")
    page.goto(f"{server.url}/projects/demo/funnels?step=signup&step=onboarding_started")
    page.wait_for_selector("#funnel-result")
    assert page.get_by_role("button", name="dropped before step 2").count() == 0
    page.goto(f"{server.url}/projects/demo/segments")
    link = page.locator("#segments-table a").first
    if link.count():
        link.click()
        assert page.locator("#members-link").count() == 0
        response = page.goto(page.url + "/members")
        assert response is not None and response.status == 403
        assert page.locator("#members-table").count() == 0


def test_the_builder_works_from_the_keyboard(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "viewer@example.com")
    page.goto(f"{server.url}/projects/demo/funnels")
    page.get_by_label("Step 1 event").focus()
    page.keyboard.type("signup")
    page.keyboard.press("Tab")  # conditions
    page.keyboard.press("Tab")  # move up
    page.keyboard.press("Tab")  # move down
    page.keyboard.press("Tab")  # remove
    page.keyboard.press("Tab")  # step 2 event
    page.keyboard.type("activated")
    page.get_by_role("button", name="+ Add a step").focus()
    page.keyboard.press("Enter")  # adds a row and focuses its event field
    page.keyboard.type("workspace_created")
    assert page.get_by_label("Step 3 event").input_value() == "workspace_created"
    page.get_by_role("button", name="Move step 3 up").focus()
    page.keyboard.press("Enter")
    assert page.get_by_label("Step 2 event").input_value() == "workspace_created"
    page.get_by_role("button", name="Show funnel").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("#funnel-result")
    labels = page.locator("#funnel-steps tbody th").all_inner_texts()
    assert [t.split(maxsplit=1)[1] for t in labels] == ["signup", "workspace_created", "activated"]
