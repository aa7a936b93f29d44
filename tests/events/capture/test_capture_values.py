"""Field rules: timestamps become UTC instants, uuids become one canonical spelling."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldnote.events.capture import canonical_uuid, parse_instant, stable_uuid
from fieldnote.events.capture._values import (
    CaptureLimits,
    Clock,
    Invalid,
    fresh_uuid,
    parse_timestamp,
)

NOV_20 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-11-20T10:00:00Z",
        "2026-11-20T10:00:00.000Z",
        "2026-11-20T10:00:00+00:00",
        "2026-11-20T11:00:00+01:00",  # Paris
        "2026-11-20T05:00:00-05:00",  # New York
        "2026-11-20T10:00:00",  # no zone: UTC
        "2026-11-20 10:00:00",
        "20261120T100000Z",
        1_795_168_800,  # epoch seconds
        1_795_168_800_000,  # epoch milliseconds (posthog-js, Date.now())
        1_795_168_800.0,
    ],
)
def test_every_spelling_of_one_instant_parses_to_the_same_utc_time(raw: object) -> None:
    assert parse_instant(raw, "timestamp") == NOV_20
    assert parse_instant(raw, "timestamp").tzinfo is UTC


def test_nanosecond_precision_from_go_and_java_clients_is_truncated_to_microseconds() -> None:
    got = parse_instant("2026-11-20T10:00:00.123456789Z", "timestamp")
    assert got == NOV_20.replace(microsecond=123456)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2026-13-45", "'2026-13-45' is not an ISO-8601 timestamp"),
        ("yesterday", "'yesterday' is not an ISO-8601 timestamp"),
        ("", "'' is not an ISO-8601 timestamp"),
        (True, "must be an ISO-8601 string or an epoch number, got boolean"),
        ({"at": 1}, "must be an ISO-8601 string or an epoch number, got object"),
        (1e300, "1e+300 is not a usable epoch time"),
    ],
)
def test_unparsable_timestamps_are_refused_with_the_value_quoted(raw: object, reason: str) -> None:
    with pytest.raises(Invalid) as info:
        parse_instant(raw, "timestamp")
    assert info.value.reason == reason
    assert info.value.field == "timestamp"


def test_the_plausible_window_is_the_settings_oldest_year_to_now_plus_tolerance() -> None:
    limits = CaptureLimits(oldest_timestamp_year=2015, future_tolerance_seconds=3600)
    clock = Clock.at(NOV_20, limits)
    assert parse_timestamp("2015-01-01T00:00:00Z", "timestamp", clock).year == 2015
    assert parse_timestamp("2026-11-20T10:59:59Z", "timestamp", clock)
    with pytest.raises(Invalid, match="is before 2015"):
        parse_timestamp("2014-12-31T23:59:59Z", "timestamp", clock)
    with pytest.raises(Invalid, match="more than 3600 s in the future"):
        parse_timestamp("2026-11-20T11:00:01Z", "timestamp", clock)
    # The zone counts: 11:30 in Paris is 10:30 UTC, inside the window.
    assert parse_timestamp("2026-11-20T11:30:00+01:00", "timestamp", clock).hour == 10


@given(
    st.datetimes(
        min_value=datetime(2001, 1, 1),
        max_value=datetime(2090, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), None]),
    )
)
def test_isoformat_and_epoch_milliseconds_round_trip(when: datetime) -> None:
    expected = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    assert parse_instant(when.isoformat(), "t") == expected
    millis = int(expected.timestamp() * 1000)
    assert abs(parse_instant(millis, "t") - expected) < timedelta(milliseconds=1)


@pytest.mark.parametrize(
    "spelling",
    [
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        "{0f8fad5b-d9cb-469f-a165-70867728950e}",
        "urn:uuid:0f8fad5b-d9cb-469f-a165-70867728950e",
        "0f8fad5bd9cb469fa16570867728950e",
    ],
)
def test_uuid_spellings_are_canonicalised_so_retries_match(spelling: str) -> None:
    assert canonical_uuid(spelling) == "0f8fad5b-d9cb-469f-a165-70867728950e"


@pytest.mark.parametrize("junk", ["", "abc", "ajs-next-1fbc", "0f8fad5b-d9cb-469f-a165", "x" * 500])
def test_non_uuids_are_recognised(junk: str) -> None:
    assert canonical_uuid(junk) is None


@given(st.uuids())
def test_any_uuid_in_any_case_canonicalises_to_its_standard_form(u: uuid.UUID) -> None:
    assert canonical_uuid(str(u).upper()) == str(u)
    assert canonical_uuid(u.hex) == str(u)


def test_stable_uuids_are_deterministic_per_project_and_message_id() -> None:
    a = stable_uuid("shop", "ajs-next-69d1e3c4a2b1")
    assert a == stable_uuid("shop", "ajs-next-69d1e3c4a2b1")
    assert a != stable_uuid("blog", "ajs-next-69d1e3c4a2b1")
    assert a != stable_uuid("shop", "ajs-next-69d1e3c4a2b2")
    assert canonical_uuid(a) == a


def test_fresh_uuids_are_valid_random_version_4_uuids() -> None:
    seen = {fresh_uuid() for _ in range(2000)}  # several blocks of the pool
    assert len(seen) == 2000
    for u in seen:
        parsed = uuid.UUID(u)
        assert str(parsed) == u
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
    # Every digit that is not the version, the variant or a hyphen is random.
    fixed = {8, 13, 14, 18, 19, 23}
    for position in set(range(36)) - fixed:
        assert len({u[position] for u in seen}) == 16, position
