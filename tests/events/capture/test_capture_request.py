"""A whole capture request → events: the order of checks every entry point shares."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import orjson
import pytest

from fieldnote.events.capture import (
    FAMILIES,
    CaptureError,
    CaptureLimits,
    RawCapture,
    parse_capture,
)

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
LIMITS = CaptureLimits()
KEYS = {"fnw_live": "shop"}


def event(**over: object) -> dict[str, object]:
    return {
        "event": "checkout_started",
        "distinct_id": "user-42",
        "properties": {"plan": "pro", "$os": "iOS"},
        "timestamp": "2026-11-20T10:00:00Z",
        **over,
    }


def parse(raw: RawCapture) -> list[object]:
    return list(parse_capture(raw, project_for_key=KEYS.get, limits=LIMITS, now=NOW))


def test_a_posthog_batch_becomes_events_of_the_keys_project() -> None:
    body = orjson.dumps({"api_key": "fnw_live", "batch": [event(), event(event="paid")]})
    found = parse(RawCapture(body=body, family="posthog"))
    assert [(e.project, e.event) for e in found] == [  # type: ignore[attr-defined]
        ("shop", "checkout_started"),
        ("shop", "paid"),
    ]


def test_a_gzip_body_is_decoded_before_anything_else() -> None:
    body = gzip.compress(orjson.dumps({"api_key": "fnw_live", "batch": [event()]}))
    found = parse(RawCapture(body=body, family="posthog", content_encoding="gzip"))
    assert len(found) == 1


def test_segment_takes_the_key_from_basic_auth_and_the_kind_from_the_path() -> None:
    body = orjson.dumps({"userId": "user-42", "event": "Order Completed", "messageId": "m-1"})
    found = parse(RawCapture(body=body, family="segment", kind="track", basic_user="fnw_live"))
    assert [(e.project, e.event, e.distinct_id) for e in found] == [  # type: ignore[attr-defined]
        ("shop", "Order Completed", "user-42")
    ]


def test_a_missing_key_is_refused_before_the_events_are_looked_at() -> None:
    body = orjson.dumps({"batch": [{"event": ""}]})
    with pytest.raises(CaptureError) as caught:
        parse(RawCapture(body=body, family="posthog"))
    assert caught.value.status == 401
    assert caught.value.message == f"missing write key: {FAMILIES['posthog'].key_hint}"


def test_an_unknown_key_is_refused_before_the_events_are_looked_at() -> None:
    body = orjson.dumps({"api_key": "fnw_other", "batch": [{"event": ""}]})
    with pytest.raises(CaptureError) as caught:
        parse(RawCapture(body=body, family="posthog"))
    assert caught.value.status == 401
    assert "unknown write key" in caught.value.message


def test_with_a_known_key_every_bad_event_is_named_by_index() -> None:
    body = orjson.dumps({"api_key": "fnw_live", "batch": [event(), {"event": ""}, event()]})
    with pytest.raises(CaptureError) as caught:
        parse(RawCapture(body=body, family="posthog"))
    assert caught.value.status == 400
    assert [e.index for e in caught.value.errors] == [1]
    assert caught.value.message.startswith("batch[1].")


def test_a_malformed_body_is_a_400_whatever_the_key() -> None:
    with pytest.raises(CaptureError) as caught:
        parse(RawCapture(body=b'{"api_key": "fnw_live", "batch": [', family="posthog"))
    assert caught.value.status == 400
