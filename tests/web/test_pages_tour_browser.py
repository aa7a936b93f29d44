"""A tour of every section in the navigation, as an admin, in real headless Chromium.

The pages grew from many hands; this walks all of them on a project with data (the demo
loop: events, a monitor that fired, a question, a study, interviews, themes, evidence,
a release) and holds each to the same floor: it answers 200 with one <h1>, logs no
console error, never scrolls sideways (at 1280 px, and on a 390 px phone), and every
same-origin link on it answers below 400 for the admin who sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urlparse

import pytest

from tests.conftest import LiveServer, run_cli, start_server
from tests.web.accounts_support import PASSWORD, add_user
from tests.web.test_pages_browser import ARGS, CHROMIUM, pytestmark  # noqa: F401 - skip rule

sync_api = pytest.importorskip("playwright.sync_api")

ADMIN = "tour-admin@example.com"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home = tmp_path_factory.mktemp("tour") / "home"
    # The whole loop on a small population: about ten seconds, every page has something.
    run_cli(home, "demo", "--no-serve", "--users", "600", "--days", "60", "--seed", "7")
    add_user(home, ADMIN, "admin")
    live = start_server(home)
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _sign_in(page: Any, server: LiveServer) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{server.url}/projects")


def _overflow(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def test_every_nav_page_answers_has_a_heading_fits_and_links_nowhere_broken(
    browser: Any, server: LiveServer
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: console.append(str(exc)))
    _sign_in(page, server)
    page.goto(f"{server.url}/projects/demo")
    nav = page.get_by_role("navigation", name="Project sections")
    sections = nav.get_by_role("link").evaluate_all("els => els.map(e => e.href)")
    # An admin sees every section, personal data and settings included.
    assert len(sections) >= 16, sections
    assert f"{server.url}/projects/demo/settings" in sections
    tour = [f"{server.url}/projects", f"{server.url}/account", *sections]

    phone = context.new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.on("pageerror", lambda exc: console.append(f"phone: {exc}"))

    problems: list[str] = []
    links: dict[str, str] = {}
    for url in tour:
        console.clear()
        response = page.goto(url)
        page.wait_for_load_state("load")
        path = urlparse(url).path
        if response is None or response.status != 200:
            problems.append(f"{path}: status {response and response.status}")
            continue
        headings = page.locator("h1").all_inner_texts()
        if len(headings) != 1 or not headings[0].strip():
            problems.append(f"{path}: h1 {headings}")
        if _overflow(page) > 0:
            problems.append(f"{path}: {_overflow(page)} px wider than a 1280 px window")
        for href in page.locator("a[href]").evaluate_all("els => els.map(e => e.href)"):
            target, _ = urldefrag(href)
            if target.startswith(server.url) and target not in links:
                links[target] = path
        phone.goto(url)
        phone.wait_for_load_state("load")
        if _overflow(phone) > 0:
            problems.append(f"{path}: {_overflow(phone)} px wider than a 390 px phone")
        if console:
            problems.append(f"{path}: console {console[:3]}")

    # The tour reaches the whole loop, not just empty shells.
    reached = {urlparse(u).path for u in links}
    for expected in ("/projects/demo/questions/1", "/projects/demo/books/demo"):
        assert expected in reached, sorted(reached)

    for target, found_on in sorted(links.items()):
        status = page.request.get(target, max_redirects=0).status
        if status >= 400:
            problems.append(f"{found_on}: link {urlparse(target).path} answers {status}")
    context.close()
    assert not problems, "\n".join(problems)
