"""The monitor pages in real headless Chromium against a live server: a researcher goes
from the monitors list to the signal (its chart drawn), to its question (the evidence
and the proposed study with its tier mix), marks the study started, then the question
diagnosed, and reads the time to diagnosis. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer, run_cli, start_server
from tests.web.question_actions_support import MONITOR, seed_question_home
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("monitor-walk") / "home"
    seed_question_home(home)
    run_cli(home, *MONITOR)
    live = start_server(home, env={"FIELDNOTE_MONITOR_INTERVAL_SECONDS": "0"})
    assert json.loads(live.cli("monitors", "run", "--json").stdout)["results"][0]["fired"]
    yield live
    live.stop()


def test_from_monitor_to_signal_to_question_to_diagnosed(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "researcher@example.com")
    page.goto(f"{server.url}/projects/default")
    page.get_by_role("link", name="Monitors", exact=True).click()
    page.wait_for_url("**/monitors")
    assert "connects" in page.locator("main").inner_text()
    page.get_by_role("link", name=re.compile(r"^#\d+ connects$")).first.click()
    page.wait_for_url(re.compile(r"/signals/\d+$"))
    page.wait_for_selector("[data-analytics-chart] svg.main-svg")
    assert "went down" in page.locator("main").inner_text()
    shot(page, "monitor-walk-signal")
    page.get_by_role("link", name=re.compile(r"^Question #\d+$")).click()
    page.wait_for_url(re.compile(r"/questions/\d+$"))
    assert page.locator("#question-text").inner_text().startswith("We see conversion signup")
    page.wait_for_selector("[data-analytics-chart] svg.main-svg")  # the evidence's series
    tiers = page.locator("[id$='-tiers']").inner_text()
    assert re.search(r"\d+ daily, \d+ occasional, \d+ churned", tiers)
    assert page.locator("#question-diagnosed").inner_text() == "not yet"
    page.get_by_role("button", name=re.compile(r"^Mark study #\d+ started$")).click()
    page.wait_for_url(re.compile(r"/questions/\d+$"))
    started = page.locator("[id$='-started']").inner_text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", started)
    assert page.get_by_role("button", name=re.compile(r"started$")).count() == 0
    page.get_by_role("button", name="Mark diagnosed").click()
    page.wait_for_url(re.compile(r"/questions/\d+$"))
    assert page.locator("h1 .badge").inner_text() == "diagnosed"
    assert re.fullmatch(r"\d+\.\d hours", page.locator("#time-to-diagnosis").inner_text())
    assert page.get_by_role("button", name="Mark diagnosed").count() == 0
    shot(page, "monitor-walk-diagnosed")
