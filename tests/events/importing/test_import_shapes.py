"""Each export shape lands as the same events capture would have stored, persons included."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa

from fieldnote.events import DuckDBEventStore
from tests.events.importing.import_helpers import (
    persons,
    run_import,
    stored,
    write_csv,
    write_jsonl,
    write_parquet,
)

T = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

POSTHOG_ROWS = [
    {
        "uuid": "01963f0e-5b1c-7a3e-9f00-3c1d2a4b5e61",
        "event": "$pageview",
        "distinct_id": "anon-7f3a",
        "timestamp": "2026-03-02T09:30:00.000Z",
        "properties": {"$current_url": "https://shop.example.com/", "$browser": "Firefox"},
        "elements_chain": "",
    },
    {
        "uuid": "01963f0e-5b1c-7a3e-9f00-3c1d2a4b5e62",
        "event": "$identify",
        "distinct_id": "ada@example.com",
        "timestamp": "2026-03-02T09:31:10.250+00:00",
        "properties": {"$anon_distinct_id": "anon-7f3a", "$set": {"plan": "trial"}},
        "elements_chain": "",
    },
    {
        "uuid": "01963f0e-5b1c-7a3e-9f00-3c1d2a4b5e63",
        "event": "checkout_started",
        "distinct_id": "ada@example.com",
        "timestamp": "2026-03-02 10:31:40+01:00",  # same instant written with an offset
        "properties": {"cart_value": 49.9, "items": 2},
        "person_properties": {"plan": "pro", "country": "DE"},
        "elements_chain": "",
    },
]


def test_posthog_csv_export(store: DuckDBEventStore, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "posthog-events.csv", POSTHOG_ROWS)

    result = run_import(store, path)

    assert (result.imported, result.duplicates, result.rejected) == (3, 0, 0)
    assert result.shape == "posthog" and result.format == "csv"
    events = stored(store)
    first = events["01963f0e-5b1c-7a3e-9f00-3c1d2a4b5e61"]
    assert first.event == "$pageview" and first.distinct_id == "anon-7f3a"
    assert first.timestamp == T
    assert first.properties == {"$current_url": "https://shop.example.com/", "$browser": "Firefox"}
    checkout = events["01963f0e-5b1c-7a3e-9f00-3c1d2a4b5e63"]
    assert checkout.timestamp == datetime(2026, 3, 2, 9, 31, 40, tzinfo=UTC)
    # person_properties are the person's state: they arrive as $set beside the event's own.
    assert checkout.properties == {
        "cart_value": 49.9,
        "items": 2,
        "$set": {"plan": "pro", "country": "DE"},
    }
    # $identify merged the anonymous visitor into Ada; the latest $set wins.
    assert persons(store) == {
        frozenset({"anon-7f3a", "ada@example.com"}): {"plan": "pro", "country": "DE"}
    }


def test_posthog_jsonl_with_properties_as_object_or_text(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    rows = [
        {**POSTHOG_ROWS[0]},
        {**POSTHOG_ROWS[1], "properties": '{"$anon_distinct_id": "anon-7f3a"}'},
        {**POSTHOG_ROWS[2], "$set": {"plan": "team"}, "person_properties": None},
    ]
    path = write_jsonl(tmp_path / "export.jsonl", rows)

    result = run_import(store, path)

    assert (result.imported, result.rejected) == (3, 0)
    events = stored(store)
    assert events[rows[1]["uuid"]].properties == {"$anon_distinct_id": "anon-7f3a"}
    assert events[rows[2]["uuid"]].properties == {
        "cart_value": 49.9,
        "items": 2,
        "$set": {"plan": "team"},
    }
    assert persons(store) == {frozenset({"anon-7f3a", "ada@example.com"}): {"plan": "team"}}


def test_posthog_parquet_with_typed_timestamps(store: DuckDBEventStore, tmp_path: Path) -> None:
    table = pa.table(
        {
            "uuid": [r["uuid"] for r in POSTHOG_ROWS],
            "event": [r["event"] for r in POSTHOG_ROWS],
            "distinct_id": [r["distinct_id"] for r in POSTHOG_ROWS],
            "timestamp": pa.array(
                [T, T.replace(minute=31, second=10), T.replace(minute=31, second=40)],
                pa.timestamp("us", tz="UTC"),
            ),
            "properties": [
                '{"$current_url": "https://shop.example.com/"}',
                '{"$anon_distinct_id": "anon-7f3a", "$set": {"plan": "trial"}}',
                None,
            ],
        }
    )
    path = write_parquet(tmp_path / "events.parquet", table)

    result = run_import(store, path)

    assert (result.imported, result.rejected, result.format) == (3, 0, "parquet")
    events = stored(store)
    assert events[POSTHOG_ROWS[0]["uuid"]].timestamp == T
    assert events[POSTHOG_ROWS[2]["uuid"]].properties == {}
    assert persons(store) == {frozenset({"anon-7f3a", "ada@example.com"}): {"plan": "trial"}}


SEGMENT_MESSAGES = [
    {
        "type": "page",
        "anonymousId": "0b7f-anon",
        "messageId": "ajs-next-1709371800000-7c1e",
        "timestamp": "2026-03-02T09:30:00.000Z",
        "name": "Pricing",
        "properties": {"url": "https://shop.example.com/pricing", "path": "/pricing"},
        "context": {
            "campaign": {"source": "newsletter", "medium": "email", "name": "spring-sale"},
            "page": {"url": "https://Shop.example.com/pricing?ref=nl"},
            "userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) "
            "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Mobile/15E148 Safari/604.1",
            "library": {"name": "analytics.js", "version": "next-1.64.0"},
        },
    },
    {
        "type": "identify",
        "userId": "user-1042",
        "anonymousId": "0b7f-anon",
        "messageId": "ajs-next-1709371805000-1a2b",
        "timestamp": "2026-03-02T09:31:00.000Z",
        "traits": {"email": "grace@example.com", "plan": "starter"},
    },
    {
        "type": "track",
        "event": "Order Completed",
        "userId": "user-1042",
        "messageId": "5f0c7d2e-8a41-4b7e-9d3c-2e1f0a9b8c7d",
        "timestamp": "2026-03-02T09:35:00.000Z",
        "properties": {"order_id": "A-5521", "revenue": 120.0, "currency": "EUR"},
        "context": {
            "os": {"name": "iOS", "version": "17.3"},
            "device": {"type": "ios", "model": "iPhone15,2", "manufacturer": "Apple"},
            "screen": {"width": 393, "height": 852},
            "ip": "198.51.100.23",
        },
    },
    {
        "type": "alias",
        "userId": "user-1042",
        "previousId": "legacy-88",
        "messageId": "ajs-next-1709371900000-9f9f",
        "timestamp": "2026-03-02T09:36:00.000Z",
    },
    {
        "type": "screen",
        "userId": "legacy-88",
        "messageId": "ios-4c1d",
        "timestamp": "2026-03-02T09:37:00.000Z",
        "name": "Checkout",
        "properties": {},
    },
]


def test_segment_export_maps_like_capture(store: DuckDBEventStore, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "segment.jsonl", SEGMENT_MESSAGES)

    result = run_import(store, path)

    assert (result.imported, result.rejected, result.shape) == (5, 0, "segment")
    by_event = {e.event: e for e in stored(store).values()}
    page = by_event["$pageview"]
    assert page.distinct_id == "0b7f-anon"
    assert page.properties["$current_url"] == "https://shop.example.com/pricing"
    assert page.properties["$pathname"] == "/pricing"
    assert page.properties["$host"] == "shop.example.com"
    assert page.properties["$page_name"] == "Pricing"
    assert (page.properties["utm_source"], page.properties["utm_medium"]) == (
        "newsletter",
        "email",
    )
    assert page.properties["utm_campaign"] == "spring-sale"
    assert page.properties["$browser"] == "Mobile Safari"
    assert page.properties["$os"] == "iOS"
    assert page.properties["$device_type"] == "Mobile"
    assert page.properties["$lib"] == "analytics.js"

    identify = by_event["$identify"]
    assert identify.distinct_id == "user-1042"
    assert identify.properties == {
        "$set": {"email": "grace@example.com", "plan": "starter"},
        "$anon_distinct_id": "0b7f-anon",
    }
    order = by_event["Order Completed"]
    assert order.uuid == "5f0c7d2e-8a41-4b7e-9d3c-2e1f0a9b8c7d"
    assert order.properties["revenue"] == 120.0
    assert order.properties["$os"] == "iOS" and order.properties["$os_version"] == "17.3"
    assert order.properties["$device_type"] == "Mobile"  # "ios" is a platform, not a form
    assert order.properties["$screen_width"] == 393  # numbers stay numbers
    assert order.properties["$ip"] == "198.51.100.23"
    alias = by_event["$create_alias"]
    assert (alias.distinct_id, alias.properties) == ("user-1042", {"alias": "legacy-88"})
    assert by_event["$screen"].properties == {"$screen_name": "Checkout"}

    # identify merged the anonymous visitor, alias the legacy id: one person.
    assert persons(store) == {
        frozenset({"0b7f-anon", "user-1042", "legacy-88"}): {
            "email": "grace@example.com",
            "plan": "starter",
        }
    }


def test_segment_message_ids_hash_to_the_uuid_capture_derives(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    from fieldnote.events.capture import stable_uuid

    path = write_jsonl(tmp_path / "segment.jsonl", SEGMENT_MESSAGES)
    run_import(store, path, project="shop")

    uuids = {e.event: e.uuid for e in stored(store, "shop").values()}
    assert uuids["$pageview"] == stable_uuid("shop", "ajs-next-1709371800000-7c1e")
    assert uuids["$screen"] == stable_uuid("shop", "ios-4c1d")


def test_segment_import_of_captured_messages_finds_them_all(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    """Capture's own parser and the importer turn the same messages into the same rows."""
    from fieldnote.events import events_to_arrow
    from fieldnote.events.capture import CaptureLimits, segment_envelope, segment_events

    envelope = segment_envelope({"batch": SEGMENT_MESSAGES}, kind="batch", basic_user="wk")
    captured = segment_events(
        envelope, kind="batch", project="default", limits=CaptureLimits(), now=T
    )
    store.append(events_to_arrow(captured))

    result = run_import(store, write_jsonl(tmp_path / "segment.jsonl", SEGMENT_MESSAGES))

    assert (result.imported, result.duplicates) == (0, len(SEGMENT_MESSAGES))
    # And field by field, into another project (uuids depend on the project there).
    run_import(store, tmp_path / "segment.jsonl", project="copy")
    imported = {(e.event, e.timestamp): e for e in stored(store, "copy").values()}
    for event in captured:
        twin = imported[(event.event, event.timestamp)]
        assert twin.distinct_id == event.distinct_id
        import json

        assert twin.properties == json.loads(event.properties_json), event.event


AMPLITUDE_ROWS = [
    {
        "event_type": "song_played",
        "user_id": None,
        "device_id": "C8F9E604-F01A-4BD9-95C6-8E5357DF265D",
        "event_time": "2026-03-02 09:30:00.123000",
        "insert_id": "5f7e2c3a-0a1b-4c2d-8e9f-aa11bb22cc33",
        "event_properties": {"genre": "jazz", "duration_s": 241},
        "user_properties": {},
        "os_name": "ios",
        "country": "Germany",
        "platform": "iOS",
    },
    {
        "event_type": "subscription_started",
        "user_id": "listener-77",
        "device_id": "C8F9E604-F01A-4BD9-95C6-8E5357DF265D",
        "event_time": "2026-03-02 09:40:00.000000",
        "insert_id": "amp-insert-000981",  # not a UUID: hashed into one
        "event_properties": {"tier": "family"},
        "user_properties": {"tier": "family", "trial": False},
        "os_name": "ios",
        "country": "Germany",
        "platform": "iOS",
    },
]


def test_amplitude_export(store: DuckDBEventStore, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "amplitude.jsonl", AMPLITUDE_ROWS)

    result = run_import(store, path)

    assert (result.imported, result.rejected, result.shape) == (2, 0, "amplitude")
    by_event = {e.event: e for e in stored(store).values()}
    played = by_event["song_played"]
    assert played.distinct_id == "C8F9E604-F01A-4BD9-95C6-8E5357DF265D"  # anonymous: device
    assert played.uuid == "5f7e2c3a-0a1b-4c2d-8e9f-aa11bb22cc33"
    assert played.timestamp == datetime(2026, 3, 2, 9, 30, 0, 123000, tzinfo=UTC)
    assert played.properties["genre"] == "jazz" and played.properties["duration_s"] == 241
    assert played.properties["$os"] == "ios"
    assert played.properties["$geoip_country_name"] == "Germany"
    assert "$set" not in played.properties
    started = by_event["subscription_started"]
    assert started.distinct_id == "listener-77"
    assert started.properties["$set"] == {"tier": "family", "trial": False}
    assert persons(store)[frozenset({"listener-77"})] == {"tier": "family", "trial": False}


def test_amplitude_csv_export_reimports_as_duplicates(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "amplitude.csv", AMPLITUDE_ROWS)

    first = run_import(store, path)
    second = run_import(store, path)

    assert (first.imported, first.rejected) == (2, 0)
    assert (second.imported, second.duplicates, second.rejected) == (0, 2, 0)


def test_generic_file_with_map_and_extra_columns_as_properties(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = tmp_path / "legacy-tracking.csv"
    path.write_text(
        "user,action,ts,plan,country\n"
        "u-1,report_created,2026-03-02T09:30:00Z,pro,DE\n"
        "u-2,report_created,1772443800,free,FR\n"  # Unix seconds
        "u-1,report_shared,1772443800000,pro,DE\n"  # Unix milliseconds
    )

    result = run_import(store, path, field_map="distinct_id=user,event=action,timestamp=ts")

    assert (result.imported, result.rejected, result.shape) == (3, 0, "generic")
    events = sorted(stored(store).values(), key=lambda e: (e.distinct_id, e.event))
    assert [(e.distinct_id, e.event, e.timestamp) for e in events] == [
        ("u-1", "report_created", T),
        ("u-1", "report_shared", T),
        ("u-2", "report_created", T),
    ]
    assert events[0].properties == {"plan": "pro", "country": "DE"}
    # No uuid column: each row's uuid comes from its content, so a re-run dedupes.
    again = run_import(
        store, path, field_map={"distinct_id": "user", "event": "action", "timestamp": "ts"}
    )
    assert (again.imported, again.duplicates) == (0, 3)
