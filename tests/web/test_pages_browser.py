"""The pages in a real headless Chromium (Debian's), driven by Playwright.

One browser for the whole module, a fresh context (cookie jar) per test. Screenshots
of every page go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.accounts_support import PASSWORD, add_project, add_user, seed_events

sync_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None and not Path(CHROMIUM).exists(),
    reason="Debian's chromium is not installed (bash .ci/setup installs it)",
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("browser") / "home"
    seed_events(home, "shop", 3000, days=45, marker="shopper")
    add_project(home, "shop")
    add_project(home, "bank")
    add_user(home, "admin@example.com", "admin")
    add_user(home, "viewer@example.com", "viewer", project="shop")
    live = start_server(home)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    pg.errors = errors
    yield pg
    context.close()
    assert not errors, errors


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page: Any, server: LiveServer, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_sign_in_switch_project_and_see_the_overview_chart(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/projects/shop")
    assert page.url.startswith(f"{server.url}/login")
    shot(page, "login")
    # The skip link is the first stop for keyboard users.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.get_by_label("Email").fill("admin@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/projects/shop")
    page.goto(f"{server.url}/projects")
    shot(page, "projects")
    assert {"bank", "default", "shop"} <= set(page.locator(".project-card h2").all_inner_texts())
    # Switch project with the header switcher (a form: works with the keyboard alone).
    page.get_by_label("Project", exact=True).select_option("bank")
    page.get_by_role("button", name="Open").click()
    page.wait_for_url(f"{server.url}/projects/bank")
    assert page.get_by_role("heading", level=1).inner_text() == "bank"
    page.get_by_label("Project", exact=True).select_option("shop")
    page.get_by_role("button", name="Open").click()
    page.wait_for_url(f"{server.url}/projects/shop")
    # Plotly (served from the plotly wheel) draws the chart as SVG.
    page.wait_for_selector("#volume-chart svg.main-svg")
    assert page.locator("#volume-chart .scatterlayer path.js-line").count() == 1
    assert page.locator("#stat-events").inner_text() == "3,000"
    assert page.locator("#stat-persons").inner_text() == "50"
    # The live list is refreshed by HTMX polling.
    with page.expect_response(
        lambda r: r.url.endswith("/projects/shop/live"), timeout=20_000
    ) as rsp:
        pass
    assert rsp.value.status == 200
    assert page.locator("#live li").count() == 10
    shot(page, "overview")
    page.get_by_role("link", name="Events").click()
    page.wait_for_url(f"{server.url}/projects/shop/events")
    assert "shopper-" in page.locator("table").inner_text()
    shot(page, "events")
    page.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"{server.url}/projects/shop/settings")
    shot(page, "settings")
    # A token named like an attack: rendered as text, no dialog opens (checked in fixture).
    page.goto(f"{server.url}/account")
    page.get_by_label("Token name").fill("<img src=x onerror=alert(1)>")
    page.get_by_role("button", name="Create token").click()
    assert page.locator("#new-token").inner_text().startswith("fnt_")
    shot(page, "account")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{server.url}/login")
    page.goto(f"{server.url}/projects/shop")
    assert page.url.startswith(f"{server.url}/login")


def test_a_failed_sign_in_says_so_clearly(page: Any, server: LiveServer) -> None:
    sign_in(page, server, "admin@example.com", "not the password")
    alert = page.get_by_role("alert")
    assert "do not match an account" in alert.inner_text()
    assert page.get_by_label("Email").input_value() == "admin@example.com"
    shot(page, "login-failed")


def test_a_viewer_sees_the_overview_but_no_personal_data_or_admin_pages(
    page: Any, server: LiveServer
) -> None:
    sign_in(page, server, "viewer@example.com")
    page.wait_for_url(f"{server.url}/projects")
    assert page.locator(".project-card h2").all_inner_texts() == ["shop"]
    page.goto(f"{server.url}/projects/shop")
    page.wait_for_selector("#volume-chart svg.main-svg")
    nav = page.get_by_role("navigation", name="Project sections")
    sections = nav.get_by_role("link").all_inner_texts()
    assert sections[0] == "Overview"
    assert "Events" not in sections and "Settings" not in sections  # personal data, admin
    assert "shopper" not in page.content()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: one column
    page.reload()
    page.wait_for_selector("#volume-chart svg.main-svg")
    shot(page, "overview-phone")
    for path in ("/projects/shop/events", "/projects/shop/settings", "/projects/bank"):
        response = page.goto(f"{server.url}{path}")
        assert response.status == 403
        assert "Not allowed" in page.get_by_role("heading", level=1).inner_text()
        assert "shopper" not in page.content()
    shot(page, "viewer-refused")
