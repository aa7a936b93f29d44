""" "Who are these users" on the trends and retention pages, against a live server: each
point or cell POSTs (CSRF) to save its segment and leads to the members page, whose
size is the number the page showed; viewers see no links and cannot post; bad input
is a 422 page that saves nothing; the members read is audited."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import unquote

import pytest

from tests.conftest import LiveServer, start_server
from tests.web.accounts_support import Browserless, sign_in
from tests.web.analytics_pages_support import demo_home

TREND = {
    "metric": "events",
    "event": "signup where platform=ios",
    "measure": "users",
    "interval": "week",
    "from": "2026-01-05",
    "to": "2026-02-15",
}
RETENTION = {"start": "signup", "return": "", "interval": "week", "periods": "4"}
_PERIOD = re.compile(r'name="period" value="(\d{4}-\d\d-\d\d)"')
_CELL = re.compile(r'name="cell" value="([0-9-]+/\d+)"')
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = start_server(demo_home(tmp_path_factory.mktemp("segment-links") / "home"))
    yield live
    live.stop()


def _form(html: str, form_id: str) -> list[tuple[str, str]]:
    """The hidden fields of the form with that id (the question as the page asked it)."""
    start = html.index(f'id="{form_id}"')
    body = html[start : html.index("</form>", start)]
    return [(k, v) for k, v in _HIDDEN.findall(body)]


def _data(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    """Form pairs as httpx sends them (repeated names as lists)."""
    out: dict[str, list[str]] = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def _members_size(who: Browserless, location: str) -> int:
    page = who.http.get(location)
    assert page.status_code == 200, page.text
    found = re.search(r'<h2 id="members-title">([\d,]+) users', page.text)
    assert found, page.text
    return int(found.group(1).replace(",", ""))


def _api(who: Browserless, path: str, **params: str) -> dict[str, object]:
    r = who.http.get(f"/api/projects/demo/{path}", params=params)
    assert r.status_code == 200, r.text
    out: dict[str, object] = r.json()
    return out


def test_a_trend_point_opens_the_users_behind_it(server: LiveServer) -> None:
    res = sign_in(server.url, "researcher@example.com")
    page = res.http.get("/projects/demo/trends", params=TREND)
    assert page.status_code == 200 and 'id="trend-who"' in page.text
    periods = _PERIOD.findall(page.text)
    assert periods
    fields = _form(page.text, "trend-who")
    assert ("event", "signup where platform=ios") in fields
    series = _api(
        res, "analytics/trend/events", **{k: v for k, v in TREND.items() if k != "metric"}
    )
    points = {p["period"]: p["value"] for p in series["series"][0]["points"]}  # type: ignore[index]
    period = periods[len(periods) // 2]
    saved = res.http.post(
        "/projects/demo/trends/segment",
        data=_data([*fields, ("period", period), ("csrf_token", res.csrf)]),
    )
    assert saved.status_code == 303
    location = saved.headers["location"]
    assert location.endswith("/members") and "Did signup in the week of" in unquote(location)
    assert _members_size(res, location) == points[period] > 0
    name = unquote(location.split("/segments/", 1)[1].removesuffix("/members"))
    api = _api(res, f"segments/{name}/members", limit="5")
    assert api["kind"] == "trend-point" and api["size"] == points[period]
    assert api["definition"] == {
        "kind": "trend-point",
        "event": "signup where platform=ios",
        "interval": "week",
        "period": period,
    }
    # the same point again reopens the same segment
    again = res.http.post(
        "/projects/demo/trends/segment",
        data=_data([*fields, ("period", period), ("csrf_token", res.csrf)]),
    )
    assert again.headers["location"] == location
    audit = json.loads(server.cli("audit", "--json").stdout)["entries"]
    assert any(e["target"] == f"segment:{name}" for e in audit)


def test_a_retention_cell_opens_the_users_back_that_week(server: LiveServer) -> None:
    res = sign_in(server.url, "researcher@example.com")
    page = res.http.get("/projects/demo/retention", params=RETENTION)
    assert page.status_code == 200 and 'id="retention-who"' in page.text
    cells = _CELL.findall(page.text)
    assert cells
    table = _api(res, "analytics/retention", **{k: v for k, v in RETENTION.items() if v})
    counts = {
        f"{c['period']}/{r['offset']}": (r["count"], c["size"])
        for c in table["cohorts"]  # type: ignore[attr-defined]
        for r in c["retained"]
    }
    cell = cells[0]
    fields = _form(page.text, "retention-who")
    for value, want in (
        (cell, counts[cell][0]),
        (f"{cell}/not", counts[cell][1] - counts[cell][0]),
    ):
        saved = res.http.post(
            "/projects/demo/retention/segment",
            data=_data([*fields, ("cell", value), ("csrf_token", res.csrf)]),
        )
        assert saved.status_code == 303, saved.text
        assert _members_size(res, saved.headers["location"]) == want
    cohort = cell.split("/")[0]
    whole = res.http.post(
        "/projects/demo/retention/segment",
        data=_data([*fields, ("cell", cohort), ("csrf_token", res.csrf)]),
    )
    members = res.http.get(whole.headers["location"])
    assert f"Users who did signup first in the week of {cohort}." in members.text
    assert _members_size(res, whole.headers["location"]) == counts[cell][1]
    assert 'id="source-link"' in members.text and "the retention table" in members.text


def test_viewers_get_no_links_and_bad_posts_save_nothing(server: LiveServer) -> None:
    viewer = sign_in(server.url, "viewer@example.com")
    trends = viewer.http.get("/projects/demo/trends", params=TREND)
    assert trends.status_code == 200 and 'id="trend-who"' not in trends.text
    assert "Researchers and admins can open the users" in trends.text
    retention = viewer.http.get("/projects/demo/retention", params=RETENTION)
    assert 'id="retention-who"' not in retention.text
    denied = viewer.http.post(
        "/projects/demo/retention/segment",
        data={**RETENTION, "cell": "2026-01-05/1", "csrf_token": viewer.csrf},
    )
    assert denied.status_code == 403
    res = sign_in(server.url, "researcher@example.com")
    before = res.http.get("/projects/demo/segments").text.count("<tr")
    no_csrf = res.http.post("/projects/demo/trends/segment", data={**TREND, "period": "2026-01-12"})
    assert no_csrf.status_code == 403
    bad = [
        ("/projects/demo/trends/segment", {**TREND, "period": "2026-01-14"}, "starts on a Monday"),
        ("/projects/demo/trends/segment", {**TREND, "metric": "stickiness", "period": "2026-01-12"},
         "not one set of users"),
        ("/projects/demo/retention/segment", {**RETENTION, "cell": "2026-01-05/x"}, "COHORT/K"),
        ("/projects/demo/retention/segment", {**RETENTION, "start": "signup where plan", "cell": "2026-01-05"},
         "start"),
    ]  # fmt: skip
    for path, data, why in bad:
        r = res.http.post(path, data={**data, "csrf_token": res.csrf})
        assert r.status_code == 422 and why in r.text, (path, data, r.text[-500:])
    assert res.http.get("/projects/demo/segments").text.count("<tr") == before


def test_conversion_points_open_who_converted(server: LiveServer) -> None:
    res = sign_in(server.url, "researcher@example.com")
    params: list[tuple[str, str | int | float | bool | None]] = [
        ("step", "signup"),
        ("step", "onboarding_started"),
        ("interval", "week"),
        ("from", "2026-01-05"),
        ("to", "2026-02-01"),
    ]
    page = res.http.get("/projects/demo/trends", params=[("metric", "conversion"), *params])
    assert "who converted" in page.text
    period = _PERIOD.findall(page.text)[0]
    saved = res.http.post(
        "/projects/demo/trends/segment",
        data=_data([*_form(page.text, "trend-who"), ("period", period), ("csrf_token", res.csrf)]),
    )
    assert saved.status_code == 303
    r = res.http.get("/api/projects/demo/analytics/trend/conversion", params=params)
    point = next(p for p in r.json()["series"][0]["points"] if p["period"] == period)
    assert _members_size(res, saved.headers["location"]) == point["count"] > 0
