"""The real analytics-python (Segment) SDK, pointed at fieldnote, just works.

Every call type lands as its PostHog-style event, with the channel (campaign) and
platform (OS, device, browser) flattened into the properties analyses break down by.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from segment.analytics import Client
from segment.analytics.request import APIError

from tests.conftest import LiveServer

IOS = {
    "campaign": {
        "source": "newsletter",
        "medium": "email",
        "name": "november-launch",
        "term": "funnels",
        "content": "hero",
    },
    "os": {"name": "iOS", "version": "17.1"},
    "device": {"type": "ios", "manufacturer": "Apple", "model": "iPhone15,2"},
    "app": {"name": "Fieldnote Demo", "version": "4.2.0"},
    "ip": "203.0.113.9",
}
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1 Safari/605.1.15"
)


def tail(server: LiveServer, n: int = 50) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(
        server.cli("events", "tail", "--json", "--limit", str(n)).stdout
    )["events"]
    return events


def test_every_segment_call_lands_with_channel_and_platform(live_server: LiveServer) -> None:
    key = live_server.write_key()
    segment = Client(write_key=key, host=live_server.url, sync_mode=True)
    gzipped = Client(write_key=key, host=live_server.url, sync_mode=True, gzip=True)
    at = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)

    segment.track(
        user_id="user-42",
        event="Report Exported",
        properties={"format": "csv", "rows": 1200},
        context=IOS,
        timestamp=at,
        message_id="ios-7d1c-0001",  # not a UUID: mapped to a stable one
    )
    segment.identify(
        user_id="maria@acme.io",
        anonymous_id="anon-7f3",
        traits={"email": "maria@acme.io", "plan": "team"},
        context=IOS,
    )
    segment.page(
        anonymous_id="anon-7f3",
        category="Marketing",
        name="Pricing",
        properties={"url": "https://example.com/pricing?ref=hn", "path": "/pricing"},
        context={"userAgent": SAFARI, "campaign": {"source": "hn", "medium": "social"}},
    )
    gzipped.screen(
        user_id="user-42", name="Report Detail", properties={"report_id": 7}, context=IOS
    )
    segment.alias(previous_id="anon-7f3", user_id="maria@acme.io")
    segment.group(user_id="maria@acme.io", group_id="acme", traits={"employees": 120})
    # The SDK's retry of the track call (same messageId): acknowledged, counted once.
    segment.track(
        user_id="user-42",
        event="Report Exported",
        context=IOS,
        timestamp=at,
        message_id="ios-7d1c-0001",
    )
    segment.flush()

    events = {e["event"]: e for e in tail(live_server)}
    assert sorted(events) == sorted(
        ["Report Exported", "$identify", "$pageview", "$screen", "$create_alias", "$groupidentify"]
    )
    assert json.loads(live_server.cli("events", "count", "--json").stdout) == {"count": 6}

    track = events["Report Exported"]
    assert track["distinct_id"] == "user-42"
    assert datetime.fromisoformat(track["timestamp"]) == at
    p = track["properties"]
    assert {k: p[k] for k in ("format", "rows")} == {"format": "csv", "rows": 1200}
    assert {
        k: p[k] for k in ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
    } == {
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "november-launch",
        "utm_term": "funnels",
        "utm_content": "hero",
    }
    assert (p["$os"], p["$os_version"]) == ("iOS", "17.1")
    assert (p["$device_type"], p["$device_manufacturer"], p["$device_model"]) == (
        "Mobile",
        "Apple",
        "iPhone15,2",
    )
    assert (p["$lib"], p["$ip"], p["$app_version"]) == ("analytics-python", "203.0.113.9", "4.2.0")
    assert p["$segment_context"]["campaign"] == IOS["campaign"]
    assert p["$segment_context"]["library"]["name"] == "analytics-python"

    identify = events["$identify"]
    assert identify["distinct_id"] == "maria@acme.io"
    assert identify["properties"]["$anon_distinct_id"] == "anon-7f3"
    assert identify["properties"]["$set"] == {"email": "maria@acme.io", "plan": "team"}

    page = events["$pageview"]["properties"]
    assert events["$pageview"]["distinct_id"] == "anon-7f3"
    assert (page["$page_name"], page["$page_category"]) == ("Pricing", "Marketing")
    assert page["$current_url"] == "https://example.com/pricing?ref=hn"
    assert (page["$browser"], page["$os"], page["$device_type"]) == (
        "Safari",
        "Mac OS X",
        "Desktop",
    )
    assert (page["utm_source"], page["utm_medium"]) == ("hn", "social")

    assert events["$screen"]["properties"]["$screen_name"] == "Report Detail"
    assert events["$screen"]["properties"]["report_id"] == 7
    alias = events["$create_alias"]
    assert (alias["distinct_id"], alias["properties"]["alias"]) == ("maria@acme.io", "anon-7f3")
    group = events["$groupidentify"]["properties"]
    assert (group["$group_key"], group["$group_set"]) == ("acme", {"employees": 120})


def test_a_wrong_write_key_is_a_401_the_sdk_reports(live_server: LiveServer) -> None:
    segment = Client(
        write_key="fnw_not-a-real-key", host=live_server.url, sync_mode=True, max_retries=0
    )
    with pytest.raises(APIError) as info:
        segment.track(user_id="user-42", event="Report Exported")
    assert info.value.status == 401
    assert info.value.code == "unauthorized"
    assert info.value.message == "unknown write key: use the project's write key"
    assert json.loads(live_server.cli("events", "count", "--json").stdout) == {"count": 0}
