"""A home with the demo product's events (the funnel, platforms, plans) and one user
per role, for the analytics page tests (in-process and in the browser); the
in-process tests' app, sign-in and table reader."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from fieldnote.config import Settings
from fieldnote.demo import DemoConfig, generate_demo
from fieldnote.events import DuckDBEventStore
from fieldnote.web import create_app
from tests.web.accounts_support import PASSWORD, add_project, add_user

DEMO = DemoConfig(users=800, days=42, seed=11, start=date(2026, 1, 5), project="demo")
STEPS = ("signup", "onboarding_started", "workspace_created", "integration_step_viewed")


def demo_home(home: Path) -> Path:
    """Events first (the store file is free), then the project and the users."""
    home.mkdir(parents=True, exist_ok=True)
    store = DuckDBEventStore(home / "events.duckdb")
    try:
        generate_demo(store, DEMO)
    finally:
        store.close()
    add_project(home, "demo")
    add_project(home, "other")
    add_user(home, "admin@example.com", "admin")
    add_user(home, "researcher@example.com", "researcher", project="demo")
    add_user(home, "viewer@example.com", "viewer", project="demo")
    add_user(home, "outsider@example.com", "researcher", project="other")
    return home


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_ROW = re.compile(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", re.S)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_home(tmp_path_factory.mktemp("pages") / "home")


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=home))) as c:
        yield c


def as_user(c: TestClient, email: str) -> str:
    """Sign in as ``email`` (a fresh cookie jar); returns the session's CSRF token."""
    c.cookies.clear()
    token = _CSRF.search(c.get("/login").text)
    assert token
    r = c.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    found = _CSRF.search(c.get("/account").text)
    assert found
    return found.group(1)


def table(html: str, table_id: str) -> list[str]:
    """The text of each row that starts with a row header, in the table with that id."""
    start = html.index(f'id="{table_id}"')
    body = html[start : html.index("</table>", start)]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in _ROW.findall(body)]
