"""The guide editor in real headless Chromium: a researcher types a leading question,
sees it flagged live, applies the linter's rewrite with one click and saves a new
version. Screenshot: tests/artifacts/guide-editor.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.guide_pages_support import guide_home
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(guide_home(tmp_path_factory.mktemp("guide-browser") / "home"))
    yield live
    live.stop()


def test_flag_a_leading_question_apply_the_rewrite_and_save(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "res@example.org")
    page.goto(f"{server.url}/projects/default")
    page.get_by_role("link", name="Guides").click()
    page.get_by_role("link", name="Onboarding").click()
    page.wait_for_selector("#guide-form")
    block = page.locator("#section-2 .guide-question").last  # the empty "add a question" slot
    field = block.locator("textarea").first.get_attribute("name")
    box = page.locator(f'textarea[name="{field}"]')
    box.fill("Don't you think the integration screen is confusing?")
    box.press("End")  # an input event: htmx lints after the typing pause
    flagged = page.locator(f'#lint-{field} .lint-issue[data-kind="leading"]')
    flagged.wait_for()
    assert "leading" in flagged.inner_text().lower()
    rewrite = flagged.get_by_role("button", name="Use rewrite").get_attribute("aria-label")
    assert rewrite is not None
    shot(page, "guide-editor")
    flagged.get_by_role("button", name="Use rewrite").click()
    page.locator(f"#q-{field} .lint-ok").wait_for()
    new_text = page.locator(f'textarea[name="{field}"]').input_value()
    assert new_text == rewrite.removeprefix("Use rewrite: ")
    assert "confusing" not in new_text
    page.get_by_role("button", name="Save as a new version").click()
    page.wait_for_selector("#guide-saved")
    assert "Saved as version 2." in page.locator("#guide-saved").inner_text()
    assert new_text in [t.input_value() for t in page.locator("#section-2 textarea").all()]
