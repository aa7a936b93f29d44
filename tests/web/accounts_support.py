"""Helpers for the web app tests: seeded homes, users, and signed-in HTTP clients.

Users are made through the library on the server's own home (SQLite takes a second
writer), which is much faster than a CLI subprocess per user; the CLI has its own tests.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyarrow as pa

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore

PASSWORD = "correct horse battery staple"
EVENT_NAMES = ("$pageview", "signup_started", "report_created", "kyc_failed")
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def seed_events(
    home: Path, project: str, n: int, *, days: int = 20, marker: str = "user"
) -> datetime:
    """Write ``n`` events straight into the home's DuckDB file (before a server owns it).

    Events are spread over ``days`` days ending yesterday, 4 event names round robin,
    distinct ids ``<marker>-<i % 50>``. Returns the newest timestamp.
    """
    home.mkdir(parents=True, exist_ok=True)
    end = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    step = timedelta(days=days) / max(n, 1)
    store = DuckDBEventStore(home / "events.duckdb")
    try:
        store.commit(
            pa.table(
                {
                    "uuid": [str(uuid.uuid4()) for _ in range(n)],
                    "project": [project] * n,
                    "distinct_id": [f"{marker}-{i % 50}" for i in range(n)],
                    "event": [EVENT_NAMES[i % len(EVENT_NAMES)] for i in range(n)],
                    "timestamp": [end - step * i for i in range(n)],
                    "properties": [
                        json.dumps({"email": f"{marker}{i % 50}@example.org"}) for i in range(n)
                    ],
                },
                schema=ARROW_SCHEMA,
            )
        )
    finally:
        store.close()
    return end


def add_user(
    home: Path, email: str, role: str, *, project: str | None = None, password: str = PASSWORD
) -> None:
    fn = Fieldnote(Settings(home=home))
    try:
        fn.accounts.create(email, role, project=project, password=password)
    finally:
        fn.close()


def add_project(home: Path, name: str) -> str:
    """Create a project; returns its secret key."""
    fn = Fieldnote(Settings(home=home))
    try:
        return fn.projects.create(name).secret_key
    finally:
        fn.close()


def make_token(home: Path, email: str, name: str = "test") -> tuple[int, str]:
    fn = Fieldnote(Settings(home=home))
    try:
        made = fn.tokens.create(email, name)
        return made.info.id, made.token
    finally:
        fn.close()


def csrf_from(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


@dataclass
class Browserless:
    """An httpx client that signs in like a browser (cookies, form CSRF token)."""

    http: httpx.Client
    csrf: str = ""

    def close(self) -> None:
        self.http.close()


def login_form(http: httpx.Client) -> str:
    r = http.get("/login")
    assert r.status_code == 200
    return csrf_from(r.text)


def sign_in(base_url: str, email: str, password: str = PASSWORD) -> Browserless:
    http = httpx.Client(base_url=base_url, timeout=30)
    token = login_form(http)
    r = http.post("/login", data={"email": email, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text
    page = http.get("/account")
    assert page.status_code == 200, page.text
    return Browserless(http=http, csrf=csrf_from(page.text))
