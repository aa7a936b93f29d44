"""Segment messages → PostHog-style events, with channel and platform flattened."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.events import Event
from fieldnote.events.capture import (
    CaptureError,
    CaptureLimits,
    context_properties,
    segment_envelope,
    segment_events,
    stable_uuid,
    user_agent_properties,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIMITS = CaptureLimits()
KEY = "fnw_seg_8Hq2"

IOS_CONTEXT = {
    "app": {"name": "Fieldnote Demo", "version": "4.2.0", "build": "512"},
    "campaign": {
        "source": "newsletter",
        "medium": "email",
        "name": "november-launch",
        "term": "reports",
        "content": "hero-button",
    },
    "device": {"type": "ios", "manufacturer": "Apple", "model": "iPhone15,2", "id": "B5372DB0"},
    "os": {"name": "iOS", "version": "17.1"},
    "library": {"name": "analytics-ios", "version": "4.1.8"},
    "ip": "203.0.113.9",
    "locale": "fr-FR",
    "timezone": "Europe/Paris",
    "screen": {"width": 393, "height": 852},
}
CHROME_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
)


def parse(
    body: Any, kind: str, *, basic_user: str | None = KEY, project: str = "shop"
) -> list[Event]:
    env = segment_envelope(body, kind=kind, basic_user=basic_user)
    return segment_events(env, kind=kind, project=project, limits=LIMITS, now=NOW)


def one(body: Any, kind: str) -> tuple[Event, dict[str, Any]]:
    (event,) = parse(body, kind)
    return event, orjson.loads(event.properties_json)


def refusal(body: Any, kind: str) -> CaptureError:
    with pytest.raises(CaptureError) as info:
        parse(body, kind)
    return info.value


def test_track_keeps_its_name_and_flattens_campaign_device_and_os() -> None:
    event, props = one(
        {
            "userId": "user-42",
            "event": "Report Exported",
            "properties": {"format": "csv", "rows": 1200},
            "context": IOS_CONTEXT,
            "timestamp": "2026-11-20T10:00:00.000Z",
            "messageId": "3d5b6f0e-2a7c-4e1b-9f3a-6c8d2e1f0a9b",
        },
        "track",
    )
    assert (event.event, event.distinct_id, event.uuid) == (
        "Report Exported",
        "user-42",
        "3d5b6f0e-2a7c-4e1b-9f3a-6c8d2e1f0a9b",
    )
    assert event.timestamp == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert props == {
        "format": "csv",
        "rows": 1200,
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "november-launch",
        "utm_term": "reports",
        "utm_content": "hero-button",
        "$os": "iOS",
        "$os_version": "17.1",
        "$device_type": "Mobile",
        "$device_manufacturer": "Apple",
        "$device_model": "iPhone15,2",
        "$device_id": "B5372DB0",
        "$app_name": "Fieldnote Demo",
        "$app_version": "4.2.0",
        "$app_build": "512",
        "$lib": "analytics-ios",
        "$lib_version": "4.1.8",
        "$screen_width": 393,
        "$screen_height": 852,
        "$ip": "203.0.113.9",
        "$locale": "fr-FR",
        "$timezone": "Europe/Paris",
        "$segment_context": IOS_CONTEXT,
    }


def test_an_explicit_property_beats_the_one_derived_from_context() -> None:
    _, props = one(
        {
            "userId": "u",
            "event": "Signed Up",
            "properties": {"utm_source": "partner-x"},
            "context": IOS_CONTEXT,
        },
        "track",
    )
    assert props["utm_source"] == "partner-x"
    assert props["utm_medium"] == "email"


def test_web_sources_get_browser_os_and_form_factor_from_the_user_agent() -> None:
    ctx = {
        "userAgent": CHROME_UA,
        "page": {
            "url": "https://app.example.com/reports?id=7",
            "path": "/reports",
            "referrer": "https://www.google.com/",
            "title": "Reports",
        },
        "library": {"name": "analytics.js", "version": "next-1.64.0"},
    }
    _, props = one({"anonymousId": "anon-7f3", "event": "Report Viewed", "context": ctx}, "track")
    assert {k: props[k] for k in ("$browser", "$browser_version", "$os", "$device_type")} == {
        "$browser": "Chrome",
        "$browser_version": "120.0.0.0",
        "$os": "Mac OS X",
        "$device_type": "Desktop",
    }
    assert props["$current_url"] == "https://app.example.com/reports?id=7"
    assert props["$host"] == "app.example.com"
    assert props["$pathname"] == "/reports"
    assert props["$referrer"] == "https://www.google.com/"
    assert props["$raw_user_agent"] == CHROME_UA


@pytest.mark.parametrize(
    ("agent", "expected"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
            ("Mobile Safari", "iOS", "Mobile"),
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
            ("Microsoft Edge", "Windows", "Desktop"),
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/120.0.6099.144 Mobile Safari/537.36",
            ("Chrome", "Android", "Mobile"),
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            "CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
            ("Chrome iOS", "iOS", "Tablet"),
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
            ("Firefox", "Linux", "Desktop"),
        ),
    ],
)
def test_user_agents(agent: str, expected: tuple[str, str, str]) -> None:
    got = user_agent_properties(agent)
    assert (got["$browser"], got["$os"], got["$device_type"]) == expected


def test_context_os_and_device_beat_what_the_user_agent_suggests() -> None:
    props = context_properties(
        {"userAgent": CHROME_UA, "os": {"name": "iPadOS"}, "device": {"type": "tablet"}}
    )
    assert (props["$os"], props["$device_type"], props["$browser"]) == (
        "iPadOS",
        "Tablet",
        "Chrome",
    )


def test_wrongly_typed_context_sections_are_kept_but_not_flattened() -> None:
    _, props = one(
        {"userId": "u", "event": "x", "context": {"campaign": "spring", "os": ["iOS"]}}, "track"
    )
    assert "utm_campaign" not in props and "$os" not in props
    assert props["$segment_context"] == {"campaign": "spring", "os": ["iOS"]}


def test_identify_with_both_ids_merges_the_anonymous_person_and_sets_traits() -> None:
    event, props = one(
        {
            "userId": "maria@acme.io",
            "anonymousId": "anon-7f3",
            "traits": {"email": "maria@acme.io", "plan": "team", "company": {"name": "Acme"}},
        },
        "identify",
    )
    assert (event.event, event.distinct_id) == ("$identify", "maria@acme.io")
    assert props == {
        "$set": {"email": "maria@acme.io", "plan": "team", "company": {"name": "Acme"}},
        "$anon_distinct_id": "anon-7f3",
    }


def test_identify_of_an_anonymous_visitor_only_sets_traits() -> None:
    event, props = one({"anonymousId": "anon-7f3", "traits": {"plan": "free"}}, "identify")
    assert event.distinct_id == "anon-7f3"
    assert props == {"$set": {"plan": "free"}}


def test_alias_links_the_previous_id_to_the_user_id() -> None:
    event, props = one({"userId": "maria@acme.io", "previousId": "anon-7f3"}, "alias")
    assert (event.event, event.distinct_id, props) == (
        "$create_alias",
        "maria@acme.io",
        {"alias": "anon-7f3"},
    )


def test_page_and_screen() -> None:
    page, p = one(
        {
            "userId": "u1",
            "name": "Pricing",
            "category": "Marketing",
            "properties": {
                "url": "https://example.com/pricing",
                "path": "/pricing",
                "title": "Pricing",
            },
        },
        "page",
    )
    assert page.event == "$pageview"
    assert p["$page_name"] == "Pricing"
    assert p["$page_category"] == "Marketing"
    assert p["$current_url"] == "https://example.com/pricing"
    assert p["$pathname"] == "/pricing"
    screen, s = one(
        {"userId": "u1", "name": "Report Detail", "properties": {"report_id": 7}}, "screen"
    )
    assert (screen.event, s) == ("$screen", {"report_id": 7, "$screen_name": "Report Detail"})


def test_group() -> None:
    event, props = one({"userId": "u1", "groupId": "acme", "traits": {"employees": 120}}, "group")
    assert event.event == "$groupidentify"
    assert props == {"$group_type": "group", "$group_key": "acme", "$group_set": {"employees": 120}}


def test_a_batch_mixes_types_and_its_context_applies_to_every_message() -> None:
    body = {
        "batch": [
            {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
            {
                "type": "track",
                "userId": "u1",
                "event": "Report Created",
                "context": {"os": {"name": "Android"}},
            },
            {"type": "page", "anonymousId": "a1", "name": "Home"},
        ],
        "context": {"os": {"name": "iOS"}, "campaign": {"source": "google"}},
        "sentAt": "2026-11-20T10:00:00Z",
    }
    events = parse(body, "batch")
    assert [e.event for e in events] == ["$identify", "Report Created", "$pageview"]
    props = [orjson.loads(e.properties_json) for e in events]
    assert [p["$os"] for p in props] == ["iOS", "Android", "iOS"]
    assert all(p["utm_source"] == "google" for p in props)


def test_the_write_key_comes_from_basic_auth_or_the_body() -> None:
    assert segment_envelope({"event": "x"}, kind="track", basic_user=KEY).key == KEY
    assert (
        segment_envelope({"event": "x", "writeKey": "wk"}, kind="track", basic_user=None).key
        == "wk"
    )
    assert (
        segment_envelope({"batch": [{"writeKey": "wk2"}]}, kind="batch", basic_user=None).key
        == "wk2"
    )
    assert (
        segment_envelope({"event": "x", "writeKey": 5}, kind="track", basic_user=None).key is None
    )


def test_message_ids_become_uuids_deterministically_per_project() -> None:
    msg = {"userId": "u1", "event": "Clicked", "messageId": "ajs-next-1700000000000-5a1b"}
    (a,) = parse(msg, "track", project="shop")
    (b,) = parse(msg, "track", project="shop")
    (c,) = parse(msg, "track", project="blog")
    assert a.uuid == b.uuid == stable_uuid("shop", "ajs-next-1700000000000-5a1b")
    assert c.uuid != a.uuid
    (d,) = parse({**msg, "messageId": "3D5B6F0E-2A7C-4E1B-9F3A-6C8D2E1F0A9B"}, "track")
    assert d.uuid == "3d5b6f0e-2a7c-4e1b-9f3a-6c8d2e1f0a9b"
    (e,) = parse({"userId": "u1", "event": "Clicked"}, "track")
    assert uuid.UUID(e.uuid).version == 4


def test_original_timestamp_is_corrected_for_device_clock_skew_using_sent_at() -> None:
    # The device clock runs 2 hours fast: it says the event happened 30 s before sending.
    body = {
        "userId": "u1",
        "event": "Opened App",
        "originalTimestamp": "2026-11-20T13:59:30Z",
        "sentAt": "2026-11-20T14:00:00Z",
    }
    (event,) = parse(body, "track")
    assert event.timestamp == NOW - timedelta(seconds=30)
    (plain,) = parse(
        {"userId": "u1", "event": "x", "originalTimestamp": "2026-11-20T09:00:00Z"}, "track"
    )
    assert plain.timestamp == datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    (explicit,) = parse({**body, "timestamp": "2026-11-20T08:00:00Z"}, "track")
    assert explicit.timestamp.hour == 8


@pytest.mark.parametrize(
    ("kind", "body", "message", "field"),
    [
        ("track", {"event": "x"}, "userId: either userId or anonymousId is required", "userId"),
        ("track", {"userId": "u"}, "event: is required", "event"),
        ("track", {"userId": "u", "event": 7}, "event: must be a string, got number", "event"),
        (
            "track",
            {"userId": {"id": 1}, "event": "x"},
            "userId: must be a string, got object",
            "userId",
        ),
        (
            "track",
            {"userId": "u", "event": "x", "properties": []},
            "properties: must be a JSON object, got array",
            "properties",
        ),
        (
            "track",
            {"userId": "u", "event": "x", "context": "web"},
            "context: must be a JSON object, got string",
            "context",
        ),
        (
            "identify",
            {"userId": "u", "traits": "vip"},
            "traits: must be a JSON object, got string",
            "traits",
        ),
        ("alias", {"userId": "u"}, "previousId: is required for alias", "previousId"),
        ("alias", {"previousId": "a"}, "userId: is required for alias", "userId"),
        ("group", {"userId": "u"}, "groupId: is required for group", "groupId"),
        (
            "track",
            {"userId": "u", "event": "x", "messageId": ["m"]},
            "messageId: must be a string, got array",
            "messageId",
        ),
        (
            "track",
            {"userId": "u", "event": "x", "timestamp": "2026-13-45"},
            "timestamp: '2026-13-45' is not an ISO-8601 timestamp",
            "timestamp",
        ),
        (
            "track",
            {
                "userId": "u",
                "event": "x",
                "originalTimestamp": "2026-11-20T10:00:00Z",
                "sentAt": "later",
            },
            "sentAt: 'later' is not an ISO-8601 timestamp",
            "sentAt",
        ),
        (
            "track",
            {"userId": "u", "event": "x", "timestamp": "1970-01-01T00:00:00Z"},
            "timestamp: '1970-01-01T00:00:00Z' is before 2000: not a plausible event time",
            "timestamp",
        ),
    ],
)
def test_invalid_messages_are_refused_naming_the_field(
    kind: str, body: dict[str, Any], message: str, field: str
) -> None:
    err = refusal(body, kind)
    assert (err.status, err.message, err.errors[0].field) == (400, message, field)


def test_batch_errors_name_the_index() -> None:
    body = {
        "batch": [
            {"type": "track", "userId": "u", "event": "ok"},
            {"type": "pageview", "userId": "u"},
            {"userId": "u"},
            {"type": "alias", "userId": "u"},
        ]
    }
    err = refusal(body, "batch")
    assert [e.message for e in err.errors] == [
        "batch[1].type: 'pageview' is not a message type: use one of track, identify, page, screen, alias, group",
        "batch[2].type: is required: use one of track, identify, page, screen, alias, group",
        "batch[3].previousId: is required for alias",
    ]
    assert err.body()["index"] == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"batch": []}, "batch: is empty; send at least one event"),
        ({}, "batch: is required"),
        ({"batch": "x"}, "batch: must be an array of messages, got string"),
        ({"batch": [{}], "context": 3}, "context: must be a JSON object, got number"),
        ([{"type": "track"}], "body must be a JSON object, got array"),
    ],
)
def test_batch_request_refusals(body: Any, message: str) -> None:
    err = refusal(body, "batch")
    assert (err.status, err.message) == (400, message)


segment_like = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(
            ["track", "identify", "page", "screen", "alias", "group", "nope", ""]
        ),
        "event": st.one_of(st.text(max_size=10), st.integers(), st.none()),
        "userId": st.one_of(
            st.text(max_size=10), st.integers(), st.none(), st.lists(st.integers(), max_size=1)
        ),
        "anonymousId": st.one_of(st.text(max_size=10), st.none()),
        "previousId": st.one_of(st.text(max_size=10), st.none()),
        "groupId": st.one_of(st.text(max_size=10), st.booleans()),
        "messageId": st.one_of(st.text(max_size=40), st.uuids().map(str), st.integers(), st.none()),
        "timestamp": st.one_of(
            st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=10), st.floats()
        ),
        "originalTimestamp": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.none()),
        "sentAt": st.one_of(st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=5)),
        "properties": st.one_of(
            st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
            st.text(max_size=3),
        ),
        "traits": st.one_of(
            st.dictionaries(st.text(max_size=5), st.integers(), max_size=3), st.integers()
        ),
        "context": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "campaign": st.one_of(
                        st.dictionaries(st.sampled_from(["source", "name"]), st.text(max_size=5)),
                        st.text(max_size=3),
                    ),
                    "os": st.one_of(
                        st.dictionaries(st.sampled_from(["name", "version"]), st.text(max_size=5)),
                        st.integers(),
                    ),
                    "device": st.dictionaries(
                        st.sampled_from(["type", "model"]),
                        st.one_of(st.text(max_size=8), st.integers()),
                    ),
                    "userAgent": st.one_of(st.text(max_size=60), st.integers()),
                    "page": st.dictionaries(
                        st.sampled_from(["url", "path"]),
                        st.one_of(st.text(max_size=30), st.integers()),
                    ),
                },
            ),
            st.text(max_size=3),
        ),
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(segment_like, max_size=4))
def test_any_message_either_maps_to_valid_events_or_is_refused_as_a_400(
    messages: list[dict[str, Any]],
) -> None:
    try:
        events = parse({"batch": messages}, "batch")
    except CaptureError as exc:
        assert exc.status == 400
        return
    for e in events:
        assert e.event and e.distinct_id
        assert str(uuid.UUID(e.uuid)) == e.uuid
        assert isinstance(orjson.loads(e.properties_json), dict)
