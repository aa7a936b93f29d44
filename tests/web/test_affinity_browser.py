"""The affinity map in real headless Chromium: a researcher drags a card to another theme,
moves another with the keyboard only ("Move to" list and button), and both corrections
are still there after synthesis runs again. Screenshots: tests/artifacts/affinity-*.png,
theme-page.png, transcript-moment.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.test_pages_browser import browser, page, pytestmark, shot, sign_in
from tests.web.theme_pages_support import RESEARCHER, ThemeHome, synthesize, theme_home

__all__ = ["browser", "page", "pytestmark"]  # fixtures and the skip mark, shared


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, ThemeHome]]:
    made = theme_home(tmp_path_factory.mktemp("affinity-browser") / "home")
    live = start_server(made.home)
    yield live, made
    live.stop()


def _column_of(page: Any, note: str) -> str:
    card = page.locator(f'.affinity-card[data-note="{note}"]')
    theme = card.evaluate("el => el.closest('.affinity-column').dataset.theme")
    return str(theme)


def test_drag_and_keyboard_moves_survive_a_rerun(
    page: Any, setup: tuple[LiveServer, ThemeHome]
) -> None:
    live, made = setup
    a, b, c = (t["id"] for t in made.run["themes"][:3])
    dragged = next(x["id"] for x in made.run["assignments"] if x["theme"] == b)
    keyed = next(x["id"] for x in made.run["assignments"] if x["theme"] == c)
    sign_in(page, live, RESEARCHER)
    page.goto(f"{live.url}/projects/default")
    page.get_by_role("link", name="Themes").click()
    page.get_by_role("link", name=made.book).click()
    page.wait_for_selector("#affinity")
    shot(page, "affinity-map")

    # drag: the card lands in theme a's column
    card = page.locator(f'.affinity-card[data-note="{dragged}"]')
    with page.expect_navigation():
        card.drag_to(page.locator(f'.affinity-column[data-theme="{a}"] .affinity-head'))
    page.wait_for_selector("#affinity-status:not([hidden])")
    assert "Moved 1 note(s)." in page.locator("#affinity-status").inner_text()
    assert _column_of(page, dragged) == a

    # keyboard only: focus the card's "Move to" list, pick a theme with the arrow keys,
    # Tab to the Move button and press Enter
    select = page.locator(f'.affinity-card[data-note="{keyed}"] select.affinity-to')
    select.focus()
    page.keyboard.press("ArrowDown")
    target = select.input_value()
    assert target and target != c
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Move"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("#affinity-status:not([hidden])")
    assert _column_of(page, keyed) == target
    shot(page, "affinity-after-moves")

    # synthesis runs again: both notes stay where the researcher put them
    again = synthesize(live.home, made.study)
    placed = {x["id"]: x["theme"] for x in again["assignments"]}
    assert placed[dragged] == a and placed[keyed] == target
    page.reload()
    assert _column_of(page, dragged) == a and _column_of(page, keyed) == target
    pins = page.locator(f'.affinity-card[data-note="{dragged}"]').inner_text()
    assert "placed by hand" in pins


def test_rename_inline_and_split_selected_cards(
    page: Any, setup: tuple[LiveServer, ThemeHome]
) -> None:
    live, made = setup
    theme = made.run["themes"][3]["id"]
    sign_in(page, live, RESEARCHER)
    page.goto(f"{live.url}/projects/default/books/{quote(made.book, safe='')}")
    column = page.locator(f'.affinity-column[data-theme="{theme}"]')
    column.locator(f"#rename-{theme}").fill("Sync loses edits")
    with page.expect_navigation():
        column.locator(f"#rename-{theme}").press("Enter")
    page.wait_for_selector("#affinity-status:not([hidden])")
    column = page.locator(f'.affinity-column[data-theme="{theme}"]')
    assert column.locator("h2").inner_text() == "Sync loses edits"
    picks = column.locator(".affinity-pick")
    chosen = [picks.nth(0).get_attribute("value"), picks.nth(1).get_attribute("value")]
    picks.nth(0).check()
    picks.nth(1).check()
    column.locator(f"#split-{theme}").fill("Train commute")
    with page.expect_navigation():  # the status line of the rename is still showing
        column.get_by_role("button", name="Split").click()
    page.wait_for_selector("#affinity-status:not([hidden])")
    assert "Split 2 note(s) into" in page.locator("#affinity-status").inner_text()
    new = page.locator(".affinity-column", has=page.get_by_role("heading", name="Train commute"))
    assert sorted(
        new.locator(".affinity-card").evaluate_all("els => els.map(e => e.dataset.note)")
    ) == sorted(chosen)
    # merge: nothing chosen is refused on the page; then the column goes and its cards
    # join the chosen theme
    gone, into = made.run["themes"][4]["id"], made.run["themes"][0]["id"]
    source = page.locator(f'.affinity-column[data-theme="{gone}"]')
    cards = source.locator(".affinity-card").evaluate_all("els => els.map(e => e.dataset.note)")
    source.get_by_role("button", name="Merge").click()
    assert "Choose the theme to merge" in page.get_by_role("alert").inner_text()
    source.locator(f"#merge-{gone}").select_option(into)
    with page.expect_navigation():
        source.get_by_role("button", name="Merge").click()
    assert f"Merged {gone} into {into}." in page.locator("#affinity-status").inner_text()
    assert page.locator(f'.affinity-column[data-theme="{gone}"]').count() == 0
    assert {_column_of(page, n) for n in cards} == {into}
    new = page.locator(".affinity-column", has=page.get_by_role("heading", name="Train commute"))
    new.get_by_role("link", name="Train commute").click()
    page.wait_for_selector("#trend-table")
    shot(page, "theme-page")
    page.get_by_role("link", name="open in transcript").first.click()
    page.wait_for_selector("#moment")
    assert page.locator("#moment").is_visible()
    shot(page, "transcript-moment")
