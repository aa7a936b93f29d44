"""The analytics pages in-process (TestClient over the real app, a real DuckDB store
with the demo product's events): numbers match the library, bad input is shown
inline, "who are these users" saves one segment and its members page is audited."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient

from tests.web.analytics_pages_support import STEPS, as_user, client, home, table

__all__ = ["client", "home"]  # module-scoped fixtures, one demo per test module


def funnel_url(**extra: str) -> str:
    return "/projects/demo/funnels?" + urlencode([("step", s) for s in STEPS] + list(extra.items()))


def api_funnel(c: TestClient, **extra: str) -> dict[str, object]:
    q = urlencode([("step", s) for s in STEPS] + list(extra.items()))
    r = c.get(f"/api/projects/demo/analytics/funnel?{q}")
    assert r.status_code == 200, r.text
    data: dict[str, object] = r.json()
    return data


def test_funnel_page_shows_the_librarys_counts_rates_and_breakdown(client: TestClient) -> None:
    as_user(client, "researcher@example.com")
    r = client.get(funnel_url(breakdown="platform"))
    assert r.status_code == 200, r.text
    data = api_funnel(client, breakdown="platform")
    rows = table(r.text, "funnel-steps")
    assert len(rows) == len(STEPS)
    for row, step in zip(rows, data["steps"], strict=True):  # type: ignore[call-overload]
        assert row.startswith(f"{step['index']} {step['step']} {step['count']:,}")
        if step["index"] > 1:
            rate = f"{step['conversion_from_previous'] * 100:.1f} %"
            low = f"{step['ci_low'] * 100:.1f} to {step['ci_high'] * 100:.1f} %"
            assert rate in row and low in row
            assert f"{step['dropped_from_previous']:,} dropped before step" in row
    assert data["steps"][0]["count"] > 100  # type: ignore[index]
    labels = [row.split(" ")[0] for row in table(r.text, "funnel-breakdown")]
    assert labels == [v["label"] for v in data["breakdown"]["values"]]  # type: ignore[index]
    assert {"web", "ios", "android"} <= set(labels)
    assert 'data-analytics-chart="over-time-data"' in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'self'")


def test_builder_rows_ask_the_same_question_as_step_parameters(client: TestClient) -> None:
    as_user(client, "viewer@example.com")
    by_steps = client.get(funnel_url(window="7d"))
    rows = [("event", s) for s in STEPS for _ in (0,)]
    pairs: list[tuple[str, str]] = []
    for _, event in rows:
        pairs += [("event", event), ("where", "")]
    by_rows = client.get("/projects/demo/funnels?" + urlencode([*pairs, ("window", "7d")]))
    assert by_rows.status_code == by_steps.status_code == 200
    assert table(by_rows.text, "funnel-steps") == table(by_steps.text, "funnel-steps")
    # A condition narrows step 2 (the demo's onboarding events carry a platform).
    narrowed = pairs.copy()
    narrowed[3] = ("where", "platform=ios")
    r = client.get("/projects/demo/funnels?" + urlencode(narrowed))
    assert r.status_code == 200
    assert "onboarding_started where platform=ios" in r.text
    assert table(r.text, "funnel-steps")[1] != table(by_steps.text, "funnel-steps")[1]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"window": "fortnight"}, "cannot read duration &#39;fortnight&#39;"),
        ({"from": "2026-02-30"}, "cannot read date &#39;2026-02-30&#39;"),
        ({"from": "2026-02-10", "to": "2026-02-01"}, "is before &#39;from&#39;"),
        ({"breakdown": "a[b]"}, "breakdown &#39;a[b]&#39;"),
    ],
)
def test_bad_funnel_input_is_explained_beside_its_field(
    client: TestClient, query: dict[str, str], message: str
) -> None:
    as_user(client, "viewer@example.com")
    r = client.get(funnel_url(**query))
    assert r.status_code == 422
    assert 'class="field-error"' in r.text and message in r.text
    assert 'aria-invalid="true"' in r.text
    assert 'id="funnel-steps"' not in r.text  # no half-answered question


def test_unknown_events_and_a_lonely_step_are_named(client: TestClient) -> None:
    as_user(client, "viewer@example.com")
    r = client.get("/projects/demo/funnels?" + urlencode({"step": "signupp"}))
    assert r.status_code == 422
    assert "step 1: no event named &#39;signupp&#39; in this project; did you mean" in r.text
    assert "&#39;signup&#39;" in r.text
    assert "a funnel needs at least two steps" in r.text
    r = client.get("/projects/demo/funnels?" + urlencode({"event": "", "where": "plan=pro"}))
    assert r.status_code == 422 and "step 1 has conditions but no event" in r.text
    r = client.get(
        "/projects/demo/funnels?"
        + urlencode([("step", "signup where plan"), ("step", "activated")])
    )
    assert r.status_code == 422 and "needs an operator" in r.text


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/projects/demo/trends?metric=vibes", "unknown trend &#39;vibes&#39;"),
        (
            "/projects/demo/trends?metric=events&event=signup&interval=month",
            "interval &#39;month&#39;",
        ),
        ("/projects/demo/trends?metric=conversion&step=signup", "at least two --step"),
        ("/projects/demo/trends?metric=activation&within=soon", "cannot read duration"),
        ("/projects/demo/retention?periods=many", "periods &#39;many&#39;"),
        ("/projects/demo/retention?periods=0", "between 1 and 366"),
        ("/projects/demo/retention?to=yesterday", "cannot read date &#39;yesterday&#39;"),
    ],
)
def test_bad_trend_and_retention_input_is_a_422_page(
    client: TestClient, url: str, message: str
) -> None:
    as_user(client, "viewer@example.com")
    r = client.get(url)
    assert r.status_code == 422, r.text[:500]
    assert message in r.text


def test_trends_and_retention_show_series_and_cohorts(client: TestClient) -> None:
    as_user(client, "viewer@example.com")
    for metric in ("events", "stickiness", "churn", "activation"):
        r = client.get(f"/projects/demo/trends?metric={metric}&start=signup&target=activated")
        assert r.status_code == 200, (metric, r.text[:400])
        assert 'id="trend-table"' in r.text and 'data-analytics-chart="trend-data"' in r.text
    r = client.get("/projects/demo/trends?metric=stickiness")
    assert all(f'class="num">{s}</th>' in r.text for s in ("dau", "wau", "mau"))
    r = client.get("/projects/demo/retention?start=signup&interval=week&periods=4")
    assert r.status_code == 200
    api = client.get("/api/projects/demo/analytics/retention?start=signup&interval=week&periods=4")
    cohorts = [c for c in api.json()["cohorts"] if c["size"]]  # empty cohorts left out
    rows = table(r.text, "retention-heatmap")
    assert len(rows) == len(cohorts) > 0
    for row, cohort in zip(rows, cohorts, strict=True):
        assert row.startswith(f"{cohort['period']} {cohort['size']:,}")


def test_dropoff_saves_one_segment_whose_members_are_the_dropped_users(
    client: TestClient,
) -> None:
    csrf = as_user(client, "researcher@example.com")
    data = api_funnel(client)
    dropped = data["steps"][2]["dropped_from_previous"]  # type: ignore[index]
    form = {"csrf_token": csrf, "step": list(STEPS), "window": "14d", "at": "2", "kind": "dropped"}
    first = client.post("/projects/demo/funnels/segment", data=form, follow_redirects=False)
    again = client.post("/projects/demo/funnels/segment", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    r = client.get(first.headers["location"])
    assert r.status_code == 200
    assert f"{dropped:,} users" in r.text
    assert len(table(r.text, "members-table")) == min(dropped, 200)
    assert all(row.endswith(" 2") for row in table(r.text, "members-table"))
    listing = client.get("/projects/demo/segments")
    assert listing.text.count("Dropped after step 2 (onboarding_started)") == 1
    as_user(client, "admin@example.com")
    entries = client.get("/api/projects/demo/audit?limit=100").json()["entries"]
    assert any(
        e["action"] == "personal_data.read"
        and e["actor"] == "user:researcher@example.com"
        and e["target"].startswith("segment:Dropped after")
        for e in entries
    )


def test_viewers_see_sizes_but_never_the_users(client: TestClient) -> None:
    csrf = as_user(client, "researcher@example.com")
    form = {"csrf_token": csrf, "step": list(STEPS[:2]), "at": "2", "kind": "reached"}
    made = client.post("/projects/demo/funnels/segment", data=form, follow_redirects=False)
    members = made.headers["location"]
    detail = members.removesuffix("/members")
    csrf = as_user(client, "viewer@example.com")
    page = client.get(funnel_url())
    assert page.status_code == 200 and "dropped before step" not in page.text
    assert "Researchers and admins can open the users" in page.text
    r = client.get(detail)
    assert r.status_code == 200 and "users now" in r.text and "members-link" not in r.text
    r = client.get(members)
    assert r.status_code == 403 and "members-table" not in r.text
    r = client.post(
        "/projects/demo/funnels/segment",
        data={**form, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 403
    as_user(client, "outsider@example.com")
    for url in (detail, members, funnel_url(), "/projects/demo/segments"):
        assert client.get(url).status_code == 403
    client.cookies.clear()
    for url in (detail, members, funnel_url(), "/projects/demo/retention"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def test_segment_post_needs_the_csrf_token_and_a_sound_question(client: TestClient) -> None:
    csrf = as_user(client, "researcher@example.com")
    form = {"step": list(STEPS), "at": "1", "kind": "dropped"}
    r = client.post("/projects/demo/funnels/segment", data=form, follow_redirects=False)
    assert r.status_code == 403
    for bad, why in (
        ({"at": "9"}, "step must be between 1 and 4"),
        ({"kind": "maybe"}, "kind=dropped or kind=reached"),
        ({"at": "4"}, "nobody can drop after the last step"),
        ({"window": "0d"}, "must be positive"),
    ):
        r = client.post(
            "/projects/demo/funnels/segment",
            data={**form, "csrf_token": csrf, **bad},
            follow_redirects=False,
        )
        assert r.status_code == 422 and why in r.text, r.text[:300]


def test_a_segment_name_with_a_slash_opens(client: TestClient) -> None:
    from fieldnote.analytics.funnels import Funnel
    from fieldnote.analytics.segments import SegmentDefinition
    from fieldnote.repository import SavedSegments

    repo = client.app.state.fieldnote.fieldnote.repository  # type: ignore[attr-defined]
    definition = SegmentDefinition(funnel=Funnel.parse(list(STEPS[:2])), step=1, dropped=True)
    SavedSegments(repo).create("demo", "ios/web drop", definition.to_dict(), created_by="test")
    as_user(client, "researcher@example.com")
    r = client.get("/projects/demo/segments")
    assert 'href="/projects/demo/segments/ios%2Fweb%20drop"' in r.text
    detail = client.get("/projects/demo/segments/ios%2Fweb%20drop")
    assert detail.status_code == 200 and "ios/web drop" in detail.text
    members = client.get("/projects/demo/segments/ios%2Fweb%20drop/members")
    assert members.status_code == 200 and 'id="members-table"' in members.text
    assert client.get("/projects/demo/segments/no-such/members").status_code == 404


def test_person_breakdown_and_vertical_bars(client: TestClient) -> None:
    as_user(client, "viewer@example.com")
    r = client.get(funnel_url(breakdown="person.plan", layout="vertical", over="day"))
    assert r.status_code == 200, r.text[:400]
    assert 'class="funnel-bars funnel-vertical"' in r.text
    data = api_funnel(client, breakdown="person.plan")
    labels = [row.split(" ")[0] for row in table(r.text, "funnel-breakdown")]
    assert labels == [v["label"] for v in data["breakdown"]["values"]]  # type: ignore[index]
    assert len(labels) >= 2  # the demo's persons carry a plan
    assert "Conversion over time, by day of entry" in r.text
