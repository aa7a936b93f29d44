"""PostHog bodies → events: every shape the SDKs send, and precise refusals."""

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
    MAX_REPORTED_ERRORS,
    CaptureError,
    CaptureLimits,
    posthog_envelope,
    posthog_events,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIMITS = CaptureLimits(max_batch_events=500)
KEY = "fnw_3kq9TjT2m8xV"


def pageview(**over: Any) -> dict[str, Any]:
    event = {
        "event": "$pageview",
        "distinct_id": "user-42",
        "properties": {
            "$current_url": "https://app.example.com/reports/7",
            "$os": "Mac OS X",
            "$browser": "Chrome",
            "plan": "pro",
        },
        "timestamp": "2026-11-20T10:00:00.000Z",
        "uuid": "0192f5a3-7c1e-7b4a-9a55-3f0e8d7c6b5a",
    }
    event.update(over)
    return event


def parse(body: Any, *, project: str = "shop", limits: CaptureLimits = LIMITS) -> list[Event]:
    return posthog_events(posthog_envelope(body), project=project, limits=limits, now=NOW)


def refusal(body: Any, limits: CaptureLimits = LIMITS) -> CaptureError:
    with pytest.raises(CaptureError) as info:
        parse(body, limits=limits)
    return info.value


def props(event: Event) -> dict[str, Any]:
    value: dict[str, Any] = orjson.loads(event.properties_json)
    return value


def test_a_batch_as_posthog_python_sends_it() -> None:
    body = {
        "api_key": KEY,
        "batch": [pageview(), pageview(event="report_created", uuid=str(uuid.uuid4()))],
        "sent_at": "2026-11-20T10:00:01.5+00:00",
    }
    env = posthog_envelope(body)
    assert env.key == KEY
    first, second = parse(body)
    assert first == Event(
        uuid="0192f5a3-7c1e-7b4a-9a55-3f0e8d7c6b5a",
        project="shop",
        distinct_id="user-42",
        event="$pageview",
        timestamp=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        properties_json=orjson.dumps(pageview()["properties"]).decode(),
    )
    assert second.event == "report_created"


def test_a_single_event_carrying_api_key() -> None:
    body = {**pageview(), "api_key": KEY}
    assert posthog_envelope(body).key == KEY
    (event,) = parse(body)
    assert event.distinct_id == "user-42"


def test_an_array_as_posthog_js_sends_it_with_the_token_in_properties() -> None:
    body = [
        {
            "event": "$autocapture",
            "properties": {"token": KEY, "distinct_id": "anon-7f3", "$el_text": "Export"},
        },
        {"event": "$pageleave", "properties": {"token": KEY, "distinct_id": "anon-7f3"}},
    ]
    assert posthog_envelope(body).key == KEY
    events = parse(body)
    assert [e.distinct_id for e in events] == ["anon-7f3", "anon-7f3"]
    assert all(e.timestamp == NOW for e in events), "no timestamp: the time of receipt"


def test_token_and_the_legacy_data_wrapper() -> None:
    assert posthog_envelope({"token": KEY, "event": "x", "distinct_id": "u"}).key == KEY
    env = posthog_envelope({"api_key": KEY, "data": [pageview(), pageview()]})
    assert (env.key, len(env.messages), env.container) == (KEY, 2, "data")
    assert posthog_envelope({"api_key": KEY, "data": pageview()}).container is None


def test_top_level_set_from_posthog_python_set_moves_into_properties() -> None:
    body = {
        "api_key": KEY,
        "batch": [
            {
                "event": "$set",
                "distinct_id": "user-42",
                "$set": {"plan": "team", "company": "Acme"},
                "$set_once": {"first_seen_plan": "free"},
                "properties": {"$lib": "posthog-python", "$set": {"plan": "enterprise"}},
            }
        ],
    }
    (event,) = parse(body)
    assert props(event) == {
        "$lib": "posthog-python",
        "$set": {"plan": "enterprise", "company": "Acme"},  # the properties' own value wins
        "$set_once": {"first_seen_plan": "free"},
    }


def test_identify_and_alias_events_pass_through_for_persons_processing() -> None:
    identify = pageview(
        event="$identify",
        distinct_id="maria@acme.io",
        properties={"$anon_distinct_id": "anon-7f3", "$set": {"email": "maria@acme.io"}},
    )
    alias = pageview(
        event="$create_alias",
        distinct_id="anon-7f3",
        properties={"alias": "maria@acme.io"},
        uuid=None,
    )
    a, b = parse({"api_key": KEY, "batch": [identify, alias]})
    assert props(a)["$anon_distinct_id"] == "anon-7f3"
    assert props(b) == {"alias": "maria@acme.io"}


def test_ids_and_uuids_are_normalised() -> None:
    body = {
        "api_key": KEY,
        "batch": [
            pageview(distinct_id=90210, uuid="0192F5A3-7C1E-7B4A-9A55-3F0E8D7C6B5A"),
            pageview(distinct_id=None, properties={"distinct_id": "from-props"}, uuid=None),
        ],
    }
    a, b = parse(body)
    assert a.distinct_id == "90210"
    assert a.uuid == "0192f5a3-7c1e-7b4a-9a55-3f0e8d7c6b5a"
    assert b.distinct_id == "from-props"
    assert uuid.UUID(b.uuid).version == 4


def test_timestamps_in_zones_epochs_and_offsets() -> None:
    body = {
        "api_key": KEY,
        "batch": [
            pageview(timestamp="2026-11-20T11:00:00+01:00"),
            pageview(timestamp=1795168800000),
            pageview(timestamp=None, offset=90_000),
            pageview(timestamp=None),
        ],
    }
    a, b, c, d = parse(body)
    assert a.timestamp == b.timestamp == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert c.timestamp == NOW - timedelta(seconds=90)
    assert d.timestamp == NOW


def test_the_brief_example_error_names_the_index_and_the_field() -> None:
    batch = [pageview(), pageview(), pageview(), pageview(timestamp="2026-13-45")]
    err = refusal({"api_key": KEY, "batch": batch})
    assert err.status == 400
    assert err.body() == {
        "error": "batch[3].timestamp: '2026-13-45' is not an ISO-8601 timestamp",
        "errors": [
            {
                "error": "batch[3].timestamp: '2026-13-45' is not an ISO-8601 timestamp",
                "index": 3,
                "field": "timestamp",
            }
        ],
        "index": 3,
        "field": "timestamp",
    }


@pytest.mark.parametrize(
    ("event", "message", "field"),
    [
        (pageview(event=None), "batch[0].event: is required", "event"),
        (pageview(event=42), "batch[0].event: must be a string, got number", "event"),
        (pageview(event=["click"]), "batch[0].event: must be a string, got array", "event"),
        (pageview(event=""), "batch[0].event: must not be empty", "event"),
        (pageview(event="e" * 201), "batch[0].event: is longer than 200 characters", "event"),
        (
            pageview(distinct_id=None),
            "batch[0].distinct_id: is required (top level or in properties)",
            "distinct_id",
        ),
        (pageview(distinct_id=""), "batch[0].distinct_id: must not be empty", "distinct_id"),
        (pageview(distinct_id="   "), "batch[0].distinct_id: must not be empty", "distinct_id"),
        (
            pageview(distinct_id={"id": 1}),
            "batch[0].distinct_id: must be a string, got object",
            "distinct_id",
        ),
        (
            pageview(distinct_id=True),
            "batch[0].distinct_id: must be a string, got boolean",
            "distinct_id",
        ),
        (
            pageview(distinct_id=None, properties={"distinct_id": []}),
            "batch[0].properties.distinct_id: must be a string, got array",
            "properties.distinct_id",
        ),
        (
            pageview(properties=[1, 2]),
            "batch[0].properties: must be a JSON object, got array",
            "properties",
        ),
        (
            pageview(properties="plan=pro"),
            "batch[0].properties: must be a JSON object, got string",
            "properties",
        ),
        (
            pageview(properties={"$set": "pro"}),
            "batch[0].properties.$set: must be a JSON object, got string",
            "properties.$set",
        ),
        (
            {**pageview(), "$set_once": [1]},
            "batch[0].$set_once: must be a JSON object, got array",
            "$set_once",
        ),
        (pageview(uuid="not-a-uuid"), "batch[0].uuid: 'not-a-uuid' is not a UUID", "uuid"),
        (pageview(uuid=12345), "batch[0].uuid: must be a UUID string, got number", "uuid"),
        (
            pageview(timestamp="1999-12-31T23:59:59Z"),
            "batch[0].timestamp: '1999-12-31T23:59:59Z' is before 2000: not a plausible event time",
            "timestamp",
        ),
        (
            pageview(timestamp="2026-11-21T12:00:00Z"),
            "batch[0].timestamp: '2026-11-21T12:00:00Z' is more than 82800 s in the future",
            "timestamp",
        ),
        (
            pageview(timestamp=None, offset="90s"),
            "batch[0].offset: must be a number of milliseconds, got string",
            "offset",
        ),
        (
            pageview(timestamp=None, offset=10**30),
            "batch[0].offset: 1000000000000000000000000000000 is not a usable offset",
            "offset",
        ),
        ("just a string", "batch[0]: must be a JSON object, got string", None),
    ],
)
def test_invalid_events_are_refused_naming_index_and_field(
    event: Any, message: str, field: str | None
) -> None:
    err = refusal({"api_key": KEY, "batch": [event]})
    assert err.status == 400
    assert (err.message, err.errors[0].index, err.errors[0].field) == (message, 0, field)


def test_a_single_event_error_has_no_batch_prefix() -> None:
    err = refusal({**pageview(timestamp="soon"), "api_key": KEY})
    assert err.message == "timestamp: 'soon' is not an ISO-8601 timestamp"
    assert err.errors[0].index == 0
    err = refusal([pageview(), pageview(event=7)])
    assert err.message == "[1].event: must be a string, got number"


def test_every_invalid_event_is_reported_not_just_the_first() -> None:
    batch = [pageview(), pageview(event=1), pageview(), pageview(uuid="x"), pageview(properties=3)]
    err = refusal({"api_key": KEY, "batch": batch})
    assert [(e.index, e.field) for e in err.errors] == [
        (1, "event"),
        (3, "uuid"),
        (4, "properties"),
    ]


def test_a_flood_of_errors_is_capped() -> None:
    err = refusal({"api_key": KEY, "batch": [pageview(event=1)] * 400})
    assert len(err.errors) == MAX_REPORTED_ERRORS


def test_properties_too_deeply_nested_to_store_are_refused_not_crashed_on() -> None:
    deep: Any = "leaf"
    for _ in range(300):
        deep = {"d": deep}
    err = refusal({"api_key": KEY, "batch": [pageview(properties=deep)]})
    assert err.errors[0].field == "properties"
    assert err.message.startswith("batch[0].properties: cannot be stored: ")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"api_key": KEY, "batch": []}, 400, "batch: is empty; send at least one event"),
        ([], 400, "batch: is empty; send at least one event"),
        (
            {"api_key": KEY, "batch": {"event": "x"}},
            400,
            "batch: must be an array of events, got object",
        ),
        (
            {"api_key": KEY, "batch": [pageview()] * 501},
            413,
            "batch: 501 events is more than the limit of 500 per request",
        ),
    ],
)
def test_request_level_refusals(body: Any, status: int, message: str) -> None:
    err = refusal(body)
    assert (err.status, err.message) == (status, message)


@pytest.mark.parametrize("body", ["hello", 42, None, True])
def test_a_body_that_is_not_an_object_or_array_is_refused(body: Any) -> None:
    with pytest.raises(CaptureError) as info:
        posthog_envelope(body)
    assert info.value.message.startswith("body must be a JSON object or array of events, got ")


@pytest.mark.parametrize(
    "body",
    [
        {"event": "x", "distinct_id": "u"},
        {"api_key": 17, "event": "x"},
        [{"event": "x", "properties": {"token": None}}],
    ],
)
def test_without_a_string_key_the_envelope_has_none(body: Any) -> None:
    assert posthog_envelope(body).key is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "event": st.one_of(st.text(max_size=20), json_values),
        "distinct_id": st.one_of(st.text(max_size=20), st.integers(), json_values),
        "properties": st.one_of(
            st.dictionaries(st.text(max_size=8), json_values, max_size=4), json_values
        ),
        "timestamp": st.one_of(
            st.datetimes().map(lambda d: d.isoformat()),
            st.integers(),
            st.text(max_size=25),
            json_values,
        ),
        "uuid": st.one_of(st.uuids().map(str), st.text(max_size=40), json_values),
        "offset": json_values,
        "$set": json_values,
    },
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(event_like, max_size=5), st.sampled_from(["batch", "array", "single"]))
def test_any_json_either_parses_to_valid_events_or_is_refused_as_a_400(
    events: list[dict[str, Any]], shape: str
) -> None:
    body: Any = {"api_key": KEY, "batch": events} if shape == "batch" else events
    if shape == "single":
        body = {**(events[0] if events else {}), "api_key": KEY}
    try:
        parsed = parse(body)
    except CaptureError as exc:
        assert exc.status in (400, 413)
        assert all(e.message for e in exc.errors)
        return
    for e in parsed:
        assert isinstance(e.event, str) and 0 < len(e.event) <= 200
        assert isinstance(e.distinct_id, str) and e.distinct_id.strip()
        assert str(uuid.UUID(e.uuid)) == e.uuid
        assert e.timestamp.tzinfo is UTC
        assert isinstance(orjson.loads(e.properties_json), dict)
