"""Security properties of every route, generated from ``app.routes``.

A route added later is covered without editing this file: anonymous callers must be
refused on every route outside the explicit public allow-list, guarded routes must
refuse roles below their permission, and cookie-authenticated writes must carry the
CSRF token. Payloads aimed at SQL and at the pages' HTML must come back inert.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from fieldnote.config import Settings
from fieldnote.repository import ROLE_PERMISSIONS, Role
from fieldnote.web import create_app
from fieldnote.web._guards import Guard
from tests.conftest import LiveServer, start_server
from tests.web.accounts_support import (
    add_project,
    add_user,
    csrf_from,
    make_token,
    seed_events,
    sign_in,
)

#: The only routes anyone may call without credentials (the intercept widget's script
#: is a static asset that a product's pages load for every visitor).
PUBLIC_PATHS = {"/healthz", "/login", "/static/{name}", "/intercept.js"}
#: Participant-facing interview links: the unguessable token in the path is the
#: credential, so a caller without a valid one is refused with 404 (nothing to find).
LINK_PREFIXES = ("/i/", "/api/i/", "/d/", "/api/d/", "/r/", "/s/")
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
MARKER = "secret-marker-person"  # a distinct id: must never leak to the wrong caller

XSS = '<script>alert("xss")</script>'
SQLI = "' OR 1=1; DROP TABLE users; --"


@dataclass(frozen=True)
class Route:
    """One route as served: full path (router prefixes applied), methods, handler."""

    path: str
    methods: frozenset[str]
    tags: tuple[str, ...]
    endpoint: Callable[..., Any]
    dependant: Dependant


def flatten(routes: Sequence[Any]) -> Iterator[Route]:
    """Every API route of the app, also inside included routers.

    FastAPI may keep included routers as branches (``effective_candidates``) rather
    than copying their routes into ``app.routes``; both shapes are walked.
    """
    for r in routes:
        if hasattr(r, "effective_candidates"):
            for c in r.effective_candidates():
                if hasattr(c, "effective_candidates"):
                    yield from flatten([c])
                elif isinstance(c.original_route, APIRoute):
                    o = c.original_route
                    yield Route(
                        c.path,
                        frozenset(c.methods),
                        tuple(map(str, c.tags)),
                        o.endpoint,
                        o.dependant,
                    )
        elif isinstance(r, APIRoute):
            yield Route(
                r.path, frozenset(r.methods), tuple(map(str, r.tags)), r.endpoint, r.dependant
            )


def is_capture(route: Route) -> bool:
    return "capture" in route.tags or route.endpoint.__module__.startswith("fieldnote.web._capture")


ROUTES = list(flatten(create_app(Settings(home=Path("/nonexistent-never-started"))).routes))


def guard_of(route: Route) -> Guard | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if isinstance(dep.call, Guard):
            return dep.call
        stack.extend(dep.dependencies)
    return None


def fill(path: str) -> str:
    values = {"project": "shop", "token_id": "1", "email": "viewer@example.com", "name": "x"}
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m.group(1), "x"), path)


def calls(routes: list[Route]) -> list[tuple[str, str, str]]:
    """(method, filled path, route path) for every method of every route."""
    return [
        (m, fill(r.path), r.path) for r in routes for m in sorted(r.methods or ()) if m != "HEAD"
    ]


def is_link(route: Route) -> bool:
    return route.path.startswith(LINK_PREFIXES) and not is_capture(route)  # /i/v0/e/


PROTECTED = [
    r for r in ROUTES if r.path not in PUBLIC_PATHS and not is_capture(r) and not is_link(r)
]
LINKS = [r for r in ROUTES if is_link(r)]


def is_preflight(method: str, route: str) -> bool:
    """CORS preflight of the widget's write-key endpoints: answered before any key."""
    return method == "OPTIONS" and route.startswith("/intercept/v1/")


@dataclass
class Site:
    server: LiveServer
    write_key: str
    secret: str
    viewer_token: str
    admin_token: str

    @property
    def url(self) -> str:
        return self.server.url


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("security") / "home"
    seed_events(home, "shop", 40, marker=MARKER)
    secret = add_project(home, "shop")
    add_user(home, "admin@example.com", "admin")
    add_user(home, "viewer@example.com", "viewer", project="shop")
    _, viewer_token = make_token(home, "viewer@example.com", "viewer")
    _, admin_token = make_token(home, "admin@example.com", "admin")
    server = start_server(home)
    yield Site(
        server=server,
        write_key=server.write_key("shop"),
        secret=secret,
        viewer_token=viewer_token,
        admin_token=admin_token,
    )
    server.stop()


def _assert_refused_without_data(r: httpx.Response, what: str) -> None:
    if r.status_code in (302, 303, 307):
        assert r.headers["location"].startswith("/login"), what
        assert not r.content, what
        return
    assert r.status_code in (401, 403), f"{what}: {r.status_code} {r.text[:200]}"
    assert MARKER not in r.text, what
    if r.headers.get("content-type", "").startswith("application/json"):
        assert set(r.json()) <= {"error", "errors"}, what


def test_every_non_public_route_has_a_guard_or_refuses_on_its_own() -> None:
    assert PROTECTED, "no routes found"
    unguarded = [r.path for r in PROTECTED if guard_of(r) is None]
    # Routes of other modules may check credentials in their handlers; the anonymous
    # test below holds them to the same rule. Ours all declare a Guard.
    ours = [p for p in unguarded if p.startswith(("/projects", "/account", "/logout", "/api/me"))]
    assert not ours, f"web routes without a Guard: {ours}"


@pytest.mark.parametrize(
    ("method", "path", "route"), [c for c in calls(PROTECTED) if not is_preflight(c[0], c[2])]
)
def test_anonymous_callers_are_refused_everywhere_but_the_allow_list(
    site: Site, method: str, path: str, route: str
) -> None:
    r = httpx.request(method, site.url + path, json={}, timeout=30)
    _assert_refused_without_data(r, f"{method} {route}")


@pytest.mark.parametrize(("method", "path", "route"), calls(LINKS))
def test_a_forged_interview_link_finds_nothing(
    site: Site, method: str, path: str, route: str
) -> None:
    r = httpx.request(method, site.url + path, json={}, timeout=30)
    assert r.status_code in (401, 403, 404), f"{method} {route}: {r.status_code}"
    assert MARKER not in r.text
    if r.headers.get("content-type", "").startswith("application/json"):
        assert set(r.json()) <= {"error", "errors"}


def test_the_widget_preflight_carries_no_data(site: Site) -> None:
    preflights = [c for c in calls(PROTECTED) if is_preflight(c[0], c[2])]
    for method, path, route in preflights:
        r = httpx.request(method, site.url + path, timeout=30)
        assert r.status_code in (200, 204, 401, 403), route
        assert MARKER not in r.text and len(r.content) < 200, route


def test_a_forged_bearer_token_is_refused_not_ignored(site: Site) -> None:
    for token in ("fnt_forged", "fns_forged", "not-a-key", site.write_key):
        r = httpx.get(f"{site.url}/api/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401, token


def _viewer_lacks(route: Route) -> bool:
    guard = guard_of(route)
    return guard is not None and (
        guard.permission is not None and guard.permission not in ROLE_PERMISSIONS[Role.VIEWER]
    )


@pytest.mark.parametrize(
    ("method", "path", "route"), calls([r for r in ROUTES if _viewer_lacks(r)])
)
def test_a_viewer_is_refused_on_every_route_above_their_role(
    site: Site, method: str, path: str, route: str
) -> None:
    r = httpx.request(
        method,
        site.url + path,
        json={},
        headers={"Authorization": f"Bearer {site.viewer_token}"},
        timeout=30,
    )
    assert r.status_code == 403, f"{method} {route}: {r.status_code} {r.text[:200]}"
    assert MARKER not in r.text


@pytest.mark.parametrize(
    ("method", "path", "route"),
    calls([r for r in ROUTES if (g := guard_of(r)) is not None and g.users_only]),
)
def test_a_project_secret_key_cannot_act_as_a_person(
    site: Site, method: str, path: str, route: str
) -> None:
    r = httpx.request(
        method, site.url + path, json={}, headers={"Authorization": f"Bearer {site.secret}"}
    )
    assert r.status_code == 403, f"{method} {route}"


@pytest.fixture(scope="module")
def admin_browser(site: Site) -> Iterator[httpx.Client]:
    signed = sign_in(site.url, "admin@example.com")
    yield signed.http
    signed.close()


@pytest.mark.parametrize(
    ("method", "path", "route"),
    [c for c in calls([r for r in ROUTES if guard_of(r) is not None]) if c[0] in _UNSAFE],
)
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_cookie_authenticated_writes_without_the_csrf_token_are_refused(
    site: Site, admin_browser: httpx.Client, method: str, path: str, route: str, token: str | None
) -> None:
    headers = {"X-CSRF-Token": token} if token else {}
    form = {"csrf_token": token} if token else {}
    for kwargs in ({"json": {}}, {"data": {**form, "email": "a@b.co", "role": "admin"}}):
        r = admin_browser.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
        assert r.status_code == 403, f"{method} {route}: {r.status_code}"
        assert "CSRF" in r.text


def test_the_same_write_with_the_csrf_token_goes_through(
    site: Site, admin_browser: httpx.Client
) -> None:
    csrf = csrf_from(admin_browser.get("/account").text)
    r = admin_browser.post("/api/tokens", json={"name": "ok"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 201


def test_payloads_in_text_fields_are_stored_verbatim_and_rendered_inert(
    site: Site, admin_browser: httpx.Client
) -> None:
    csrf = csrf_from(admin_browser.get("/account").text)
    email = f"{XSS.replace(' ', '')}@evil.example"
    sqli_email = "o'brien--@example.com"
    for address in (email, sqli_email):
        r = admin_browser.post(
            "/projects/shop/settings/members",
            data={"email": address, "role": "viewer", "csrf_token": csrf},
        )
        assert r.status_code == 200, r.text[:300]
    for name in (XSS, SQLI, "{{ 7*7 }}"):
        r = admin_browser.post("/account/tokens", data={"name": name, "csrf_token": csrf})
        assert r.status_code == 200
    # A failed sign-in with payloads lands in the audit log, which admins read.
    httpx.post(f"{site.url}/login", data={"email": XSS, "password": SQLI, "csrf_token": "x"})
    with httpx.Client(base_url=site.url) as anon:
        token = csrf_from(anon.get("/login").text)
        r = anon.post("/login", data={"email": SQLI, "password": SQLI, "csrf_token": token})
        assert r.status_code == 401  # not signed in, no server error
        token = csrf_from(r.text)  # each answer carries a fresh form token
        r = anon.post("/login", data={"email": XSS, "password": "x", "csrf_token": token})
        assert r.status_code == 401 and XSS not in r.text and "&lt;script&gt;" in r.text
    pages = [
        admin_browser.get("/projects/shop/settings").text,
        admin_browser.get("/account").text,
    ]
    for html in pages:
        assert "<script>alert" not in html and "<script>" not in html.replace(
            '<script src="/static/', ""
        ).replace('<script type="application/json"', "")
    settings_html, account_html = pages
    assert "&lt;script&gt;alert" in settings_html  # the email, escaped
    assert "o&#39;brien--@example.com" in settings_html
    assert "&lt;script&gt;alert(&#34;xss&#34;)&lt;/script&gt;" in account_html
    assert "{{ 7*7 }}" in account_html and ">49<" not in account_html  # no template injection
    names = {t["name"] for t in admin_browser.get("/api/tokens").json()["tokens"]}
    assert {XSS, SQLI, "{{ 7*7 }}"} <= names  # stored verbatim
    members = admin_browser.get("/api/projects/shop/members").json()["members"]
    assert {m["email"] for m in members} >= {email.lower(), sqli_email}
    # The users table survived the DROP TABLE attempt.
    assert admin_browser.get("/api/me").json()["email"] == "admin@example.com"


@pytest.mark.parametrize(
    "path",
    [
        "/projects/shop'%20OR%201=1--",
        "/projects/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/api/projects/shop%27%3B%20DROP%20TABLE%20projects%3B--/overview",
        "/projects/switch?project=%3Cscript%3Ealert(1)%3C/script%3E",
        "/projects/switch?project=//evil.example",
    ],
)
def test_payloads_in_urls_are_refused_cleanly(
    site: Site, admin_browser: httpx.Client, path: str
) -> None:
    r = admin_browser.get(path)
    assert r.status_code in (403, 404, 422), f"{path}: {r.status_code}"
    assert "<script>alert" not in r.text
    assert "location" not in r.headers


@pytest.mark.parametrize(
    "raw_path",
    [
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%5c..%5cpyproject.toml",
        "/static/....//....//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/fieldnote.css%00.js",
        "/static/_render.py",
        "/static/../templates/base.html",
    ],
)
def test_static_files_cannot_be_escaped(site: Site, raw_path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", site.server.port, timeout=30)
    try:
        conn.request("GET", raw_path)  # sent as is: no client-side normalisation
        r = conn.getresponse()
        body = r.read().decode(errors="replace")
    finally:
        conn.close()
    assert r.status in (400, 404), f"{raw_path}: {r.status}"
    assert "root:" not in body and "[project]" not in body and "{%" not in body


def test_static_files_are_served_from_the_packages(site: Site) -> None:
    for name, needle in (
        ("htmx.min.js", "htmx"),
        ("plotly.min.js", "plotly"),
        ("fieldnote.css", "--accent"),
    ):
        r = httpx.get(f"{site.url}/static/{name}")
        assert r.status_code == 200 and needle in r.text[:5000].lower()
        assert r.headers["x-content-type-options"] == "nosniff"


def test_pages_send_strict_security_headers(site: Site, admin_browser: httpx.Client) -> None:
    for path in ("/login", "/projects", "/projects/shop", "/projects/shop/settings"):
        r = (admin_browser if path != "/login" else httpx).get(  # type: ignore[operator]
            path if path != "/login" else f"{site.url}/login"
        )
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["cache-control"] == "no-store"


# -- capture: only the write key, and nothing to read ---------------------------------

CAPTURE = [r for r in ROUTES if is_capture(r)]


@pytest.mark.skipif(not CAPTURE, reason="no capture endpoints in this build")
@pytest.mark.parametrize(("method", "path", "route"), calls(CAPTURE))
def test_capture_endpoints_read_nothing_whatever_the_credentials(
    site: Site, method: str, path: str, route: str
) -> None:
    for credential in (site.admin_token, site.secret, site.write_key):
        r = httpx.request(
            method,
            site.url + path,
            content=b"{}",
            headers={"Authorization": f"Bearer {credential}", "Content-Type": "application/json"},
        )
        assert MARKER not in r.text, f"{method} {route} leaked stored events"
        assert r.status_code < 500
        if r.status_code < 300 and r.content:
            assert len(r.content) < 200, f"{method} {route} answered with data: {r.text[:200]}"


@pytest.mark.skipif(
    not any(r.path == "/batch/" for r in CAPTURE), reason="no PostHog capture endpoint"
)
def test_posthog_capture_takes_only_the_write_key(site: Site) -> None:
    event = {"event": "x", "distinct_id": "d", "properties": {}}
    for key in (site.secret, site.admin_token, site.viewer_token):
        r = httpx.post(f"{site.url}/batch/", json={"api_key": key, "batch": [event]})
        assert r.status_code in (401, 403), key[:4]
    r = httpx.post(f"{site.url}/batch/", json={"api_key": site.write_key, "batch": [event]})
    assert r.is_success
    assert json.dumps(r.json()).find(MARKER) == -1
