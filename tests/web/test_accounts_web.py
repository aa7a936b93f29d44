"""Sign-in, sessions, roles, tokens and the audit log, against a real ``fieldnote serve``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from tests.conftest import LiveServer, start_server
from tests.web.accounts_support import (
    PASSWORD,
    add_project,
    add_user,
    csrf_from,
    login_form,
    make_token,
    seed_events,
    sign_in,
)


@dataclass
class Site:
    server: LiveServer
    shop_secret: str

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def home(self) -> Path:
        return self.server.home

    def audit_actions(self, project: str | None = None) -> list[tuple[str, str, str]]:
        fn = Fieldnote(Settings(home=self.home))
        try:
            return [(e.actor, e.action, e.target) for e in fn.audit.entries(project=project)]
        finally:
            fn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    home = tmp_path_factory.mktemp("accounts") / "home"
    seed_events(home, "shop", 400, marker="shopper")
    secret = add_project(home, "shop")
    add_user(home, "admin@example.com", "admin")
    add_user(home, "researcher@example.com", "researcher", project="shop")
    add_user(home, "viewer@example.com", "viewer", project="shop")
    server = start_server(home)
    yield Site(server=server, shop_secret=secret)
    server.stop()


def _set_cookie_headers(r: httpx.Response, name: str) -> list[str]:
    return [v for v in r.headers.get_list("set-cookie") if v.startswith(f"{name}=")]


def test_sign_in_sets_a_hardened_session_cookie_and_sign_out_ends_it(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        token = login_form(http)
        r = http.post(
            "/login",
            data={"email": "Viewer@Example.com", "password": PASSWORD, "csrf_token": token},
        )
        assert r.status_code == 303 and r.headers["location"] == "/projects"
        (cookie,) = _set_cookie_headers(r, "fieldnote_session")
        attrs = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "path=/", "samesite=lax"} <= attrs
        assert "secure" not in attrs  # plain http: a Secure cookie would never come back
        session = http.cookies["fieldnote_session"]
        page = http.get("/projects")
        assert page.status_code == 200 and "shop" in page.text
        r = http.post("/logout", data={"csrf_token": csrf_from(page.text)})
        assert r.status_code == 303 and r.headers["location"] == "/login"
    # The old cookie is worthless now, even to someone who copied it.
    with httpx.Client(base_url=site.url, cookies={"fieldnote_session": session}) as copied:
        r = copied.get("/projects")
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        assert copied.get("/api/me").status_code == 401


def test_the_session_cookie_is_secure_behind_https(site: Site) -> None:
    # uvicorn trusts X-Forwarded-Proto from 127.0.0.1, as from a local TLS proxy.
    with httpx.Client(base_url=site.url, headers={"X-Forwarded-Proto": "https"}) as http:
        form = http.get("/login")
        (form_cookie,) = _set_cookie_headers(form, "fieldnote_login_csrf")
        assert "secure" in {a.strip().lower() for a in form_cookie.split(";")}
        token = csrf_from(form.text)
        # httpx keeps Secure cookies off plain http, so send it back by hand.
        r = httpx.post(
            f"{site.url}/login",
            data={"email": "viewer@example.com", "password": PASSWORD, "csrf_token": token},
            headers={"X-Forwarded-Proto": "https", "Cookie": f"fieldnote_login_csrf={token}"},
        )
        (cookie,) = _set_cookie_headers(r, "fieldnote_session")
        assert "secure" in {a.strip().lower() for a in cookie.split(";")}


def test_a_wrong_password_is_refused_with_a_clear_message(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        token = login_form(http)
        r = http.post(
            "/login",
            data={"email": "viewer@example.com", "password": "nope-nope-nope", "csrf_token": token},
        )
    assert r.status_code == 401
    assert "do not match an account" in r.text
    assert "fieldnote_session" not in r.headers.get("set-cookie", "")
    assert ("anonymous:127.0.0.1", "login.failure", "viewer@example.com") in site.audit_actions()


def test_a_login_post_without_the_form_token_is_refused(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        r = http.post("/login", data={"email": "viewer@example.com", "password": PASSWORD})
        assert r.status_code == 403 and "expired" in r.text
        login_form(http)  # has the cookie now, but posts another value
        r = http.post(
            "/login",
            data={"email": "viewer@example.com", "password": PASSWORD, "csrf_token": "forged"},
        )
        assert r.status_code == 403
        assert "fieldnote_session" not in http.cookies


def test_sign_in_rotates_the_session_so_a_planted_one_is_never_promoted(site: Site) -> None:
    attacker = sign_in(site.url, "viewer@example.com")
    planted = attacker.http.cookies["fieldnote_session"]
    attacker.close()
    for plant in (planted, "attacker-chosen-value"):
        with httpx.Client(base_url=site.url) as fresh:
            token = login_form(fresh)
        r = httpx.post(
            f"{site.url}/login",
            data={"email": "admin@example.com", "password": PASSWORD, "csrf_token": token},
            headers={"Cookie": f"fieldnote_session={plant}; fieldnote_login_csrf={token}"},
        )
        assert r.status_code == 303
        (cookie,) = _set_cookie_headers(r, "fieldnote_session")
        issued = cookie.split(";")[0].split("=", 1)[1]
        assert issued != plant
        me = httpx.get(f"{site.url}/api/me", headers={"Cookie": f"fieldnote_session={issued}"})
        assert me.json()["email"] == "admin@example.com"
        # The planted id is dead: it never becomes the admin's session.
        stale = httpx.get(f"{site.url}/api/me", headers={"Cookie": f"fieldnote_session={plant}"})
        assert stale.status_code == 401


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_after_sign_in_the_redirect_never_leaves_the_site(site: Site, target: str) -> None:
    with httpx.Client(base_url=site.url) as http:
        token = login_form(http)
        r = http.post(
            "/login",
            data={
                "email": "viewer@example.com",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
    assert r.status_code == 303 and r.headers["location"] == "/projects"


def test_an_anonymous_page_request_goes_to_login_and_comes_back(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        r = http.get("/projects/shop?days=7")
        assert r.status_code == 303
        assert r.headers["location"] == "/login?next=/projects/shop%3Fdays%3D7"
        token = login_form(http)
        r = http.post(
            "/login",
            data={
                "email": "viewer@example.com",
                "password": PASSWORD,
                "csrf_token": token,
                "next": "/projects/shop?days=7",
            },
        )
        assert r.headers["location"] == "/projects/shop?days=7"
        hx = http.get("/projects/shop/live", headers={"HX-Request": "true"})
        assert hx.status_code == 200


def test_an_htmx_poll_after_sign_out_sends_the_page_to_login(site: Site) -> None:
    with httpx.Client(base_url=site.url) as http:
        r = http.get("/projects/shop/live", headers={"HX-Request": "true"})
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login")


def test_a_viewer_sees_aggregates_but_no_personal_data(site: Site) -> None:
    viewer = sign_in(site.url, "viewer@example.com")
    try:
        page = viewer.http.get("/projects/shop")
        assert page.status_code == 200
        assert "400" in page.text and "shopper-" not in page.text
        assert 'href="/projects/shop/events"' not in page.text
        assert 'href="/projects/shop/settings"' not in page.text
        data = viewer.http.get("/api/projects/shop/overview").json()
        assert data["events_total"] == 400 and data["persons_total"] == 50
        assert "shopper" not in str(data)
        for path in ("/projects/shop/events", "/projects/shop/settings"):
            r = viewer.http.get(path)
            assert r.status_code == 403 and "your role: viewer" in r.text
            assert "shopper" not in r.text
        for path in ("/api/projects/shop/events/tail", "/api/projects/shop/members"):
            r = viewer.http.get(path)
            assert r.status_code == 403 and "shopper" not in r.text
        # No role in "default": not even its existence is confirmed.
        assert viewer.http.get("/api/projects/default/overview").status_code == 403
        assert viewer.http.get("/api/projects/no-such/overview").status_code == 403
    finally:
        viewer.close()


def test_a_researcher_reads_personal_data_and_each_read_is_audited(site: Site) -> None:
    researcher = sign_in(site.url, "researcher@example.com")
    try:
        page = researcher.http.get("/projects/shop/events")
        assert page.status_code == 200 and "shopper-" in page.text
        assert "shopper0@example.org" in page.text
        tail = researcher.http.get("/api/projects/shop/events/tail", params={"limit": 5}).json()
        assert len(tail["events"]) == 5
        assert researcher.http.get("/projects/shop/settings").status_code == 403
    finally:
        researcher.close()
    reads = [
        a
        for a in site.audit_actions("shop")
        if a[1] == "personal_data.read" and "researcher" in a[0]
    ]
    assert len(reads) >= 2


def test_an_admin_manages_members_and_every_change_is_audited(site: Site) -> None:
    admin = sign_in(site.url, "admin@example.com")
    try:
        settings = admin.http.get("/projects/shop/settings")
        assert settings.status_code == 200 and "viewer@example.com" in settings.text
        csrf = csrf_from(settings.text)
        r = admin.http.post(
            "/projects/shop/settings/members",
            data={"email": "new.person@example.com", "role": "researcher", "csrf_token": csrf},
        )
        assert r.status_code == 200 and "One-time password for new.person@example.com" in r.text
        password = re.search(r'id="shown-secret">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
        newcomer = sign_in(site.url, "new.person@example.com", password)
        assert newcomer.http.get("/projects/shop/events").status_code == 200
        r = admin.http.post(
            "/projects/shop/settings/members",
            data={"email": "new.person@example.com", "role": "viewer", "csrf_token": csrf},
        )
        assert r.status_code == 303
        assert newcomer.http.get("/projects/shop/events").status_code == 403  # at once
        r = admin.http.post(
            "/projects/shop/settings/members/remove",
            data={"email": "new.person@example.com", "csrf_token": csrf},
        )
        assert r.status_code == 303
        assert newcomer.http.get("/projects/shop").status_code == 403
        newcomer.close()
        r = admin.http.post(
            "/projects/shop/settings/members",
            data={"email": "not an email", "role": "viewer", "csrf_token": csrf},
        )
        assert r.status_code == 400 and "not a valid email" in r.text
        members = admin.http.get("/api/projects/shop/members").json()["members"]
        assert {"email": "viewer@example.com", "role": "viewer", "all_projects": False} in members
    finally:
        admin.close()
    actions = [(a[1], a[2]) for a in site.audit_actions("shop")]
    assert ("user.create", "new.person@example.com") in actions
    assert ("member.set_role", "new.person@example.com") in actions
    assert ("member.remove", "new.person@example.com") in actions


def test_rotating_the_secret_key_shows_the_new_one_once(site: Site) -> None:
    old = add_project(site.home, "rotating")
    assert httpx.get(
        f"{site.url}/api/projects/rotating/events/count", headers={"Authorization": f"Bearer {old}"}
    ).is_success
    admin = sign_in(site.url, "admin@example.com")
    try:
        r = admin.http.post(
            "/projects/rotating/settings/secret-key", data={"csrf_token": admin.csrf}
        )
        assert r.status_code == 200
        new = re.search(r'id="shown-secret">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
        assert new not in admin.http.get("/projects/rotating/settings").text
    finally:
        admin.close()
    for key, status in ((old, 401), (new, 200)):
        r = httpx.get(
            f"{site.url}/api/projects/rotating/events/count",
            headers={"Authorization": f"Bearer {key}"},
        )
        assert r.status_code == status


def test_personal_tokens_act_as_their_user_until_revoked(site: Site) -> None:
    researcher = sign_in(site.url, "researcher@example.com")
    try:
        r = researcher.http.post(
            "/api/tokens", json={"name": "laptop"}, headers={"X-CSRF-Token": researcher.csrf}
        )
        assert r.status_code == 201
        made = r.json()
        listed = researcher.http.get("/api/tokens").json()["tokens"]
        assert [t["name"] for t in listed] == ["laptop"] and "token" not in listed[0]
    finally:
        researcher.close()
    bearer = {"Authorization": f"Bearer {made['token']}"}
    with httpx.Client(base_url=site.url, headers=bearer) as api:
        me = api.get("/api/me").json()
        assert me["email"] == "researcher@example.com" and me["kind"] == "user"
        assert [p["name"] for p in me["projects"]] == ["shop"]
        assert api.get("/api/projects/shop/events/tail").status_code == 200
        assert api.get("/api/projects/shop/members").status_code == 403
        assert api.get("/api/projects/default/events/count").status_code == 403
        # Bearer requests are not cookie-borne: no CSRF token needed.
        assert api.delete(f"/api/tokens/{made['id']}").status_code == 200
        r = api.get("/api/me")
        assert r.status_code == 401 and "revoked" in r.json()["error"]


def test_a_token_made_in_the_cli_works_and_a_user_cannot_revoke_anothers(site: Site) -> None:
    token_id, token = make_token(site.home, "viewer@example.com", "cli")
    bearer = {"Authorization": f"Bearer {token}"}
    assert httpx.get(f"{site.url}/api/projects", headers=bearer).json()["projects"][0]["name"] == (
        "shop"
    )
    _, other = make_token(site.home, "researcher@example.com", "mine")
    r = httpx.delete(
        f"{site.url}/api/tokens/{token_id}", headers={"Authorization": f"Bearer {other}"}
    )
    assert r.status_code == 404
    assert httpx.get(f"{site.url}/api/me", headers=bearer).status_code == 200


def test_the_account_page_creates_a_token_shown_once_and_revokes_it(site: Site) -> None:
    viewer = sign_in(site.url, "viewer@example.com")
    try:
        r = viewer.http.post(
            "/account/tokens", data={"name": "page token", "csrf_token": viewer.csrf}
        )
        assert r.status_code == 200
        token = re.search(r'id="new-token">([^<]+)<', r.text).group(1)  # type: ignore[union-attr]
        page = viewer.http.get("/account")
        assert token not in page.text and "page token" in page.text
        token_id = next(
            t["id"]
            for t in viewer.http.get("/api/tokens").json()["tokens"]
            if t["name"] == "page token"
        )
        r = viewer.http.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": viewer.csrf})
        assert r.status_code == 303
    finally:
        viewer.close()
    r = httpx.get(f"{site.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401


def test_changing_the_password_signs_out_other_sessions(site: Site) -> None:
    add_user(site.home, "changer@example.com", "viewer", project="shop")
    first = sign_in(site.url, "changer@example.com")
    second = sign_in(site.url, "changer@example.com")
    try:
        r = second.http.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "a much longer new password",
                "csrf_token": second.csrf,
            },
        )
        assert r.status_code == 303
        assert second.http.get("/account").status_code == 200  # this browser stays in
        assert first.http.get("/account").status_code == 303  # the other one is out
    finally:
        first.close()
        second.close()


def test_the_json_api_mirrors_the_overview_page(site: Site) -> None:
    admin = sign_in(site.url, "admin@example.com")
    try:
        data = admin.http.get("/api/projects/shop/overview", params={"days": 7}).json()
        assert data["days"] == 7 and len(data["series"]) == 7
        assert sum(p["count"] for p in data["series"]) == data["events_in_window"]
        assert {e["event"] for e in data["top_events"]} <= {
            "$pageview",
            "signup_started",
            "report_created",
            "kyc_failed",
        }
        page = admin.http.get("/projects/shop", params={"days": 7}).text
        assert f"{data['events_in_window']:,}" in page
        spec = admin.http.get("/api/openapi.json").json()
        assert "/api/projects/{project}/overview" in spec["paths"]
        assert "/api/tokens" in spec["paths"]
    finally:
        admin.close()


def test_failed_sign_ins_are_limited_per_account_and_per_address(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for who in ("target", "other", "third"):
        add_user(home, f"{who}@example.com", "viewer")
    server = start_server(
        home,
        env={
            "FIELDNOTE_LOGIN_MAX_FAILURES_PER_ACCOUNT": "3",
            "FIELDNOTE_LOGIN_MAX_FAILURES_PER_IP": "5",
        },
    )
    try:

        def attempt(email: str, password: str, ip: str) -> httpx.Response:
            with httpx.Client(base_url=server.url, headers={"X-Forwarded-For": ip}) as http:
                token = login_form(http)
                return http.post(
                    "/login", data={"email": email, "password": password, "csrf_token": token}
                )

        # Per account: three wrong passwords from three addresses lock the account...
        for i in range(3):
            assert attempt("target@example.com", "wrong-password", f"10.0.0.{i}").status_code == 401
        r = attempt("target@example.com", PASSWORD, "10.0.0.9")  # ...even for the right one
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) > 0
        assert "Too many failed sign-in attempts for this account" in r.text
        assert "Try again in 15 minutes" in r.text
        # Per address: five failures from one address, spread over accounts.
        for email in (
            "other@example.com",
            "other@example.com",
            "nobody@example.com",
            "x@y.co",
            "z@y.co",
        ):
            assert attempt(email, "wrong-password", "10.1.1.1").status_code == 401
        r = attempt("third@example.com", PASSWORD, "10.1.1.1")
        assert r.status_code == 429 and "your network address" in r.text
        assert attempt("third@example.com", PASSWORD, "10.1.1.2").status_code == 303
    finally:
        server.stop()


def test_a_scale_out_server_says_clearly_that_it_has_no_event_store(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_user(home, "admin@example.com", "admin")
    server = start_server(home, env={"FIELDNOTE_SEGMENTS_DIR": str(tmp_path / "segments")})
    try:
        admin = sign_in(server.url, "admin@example.com")
        try:
            page = admin.http.get("/projects/default")
            assert page.status_code == 200 and "scale-out mode" in page.text
            assert admin.http.get("/projects/default/live").status_code == 200
            events = admin.http.get("/projects/default/events")
            assert events.status_code == 200 and "scale-out mode" in events.text
            api = admin.http.get("/api/projects/default/overview")
            assert api.status_code == 409 and "scale-out" in api.json()["error"]
        finally:
            admin.close()
    finally:
        server.stop()
