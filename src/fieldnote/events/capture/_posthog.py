"""PostHog's capture format (``/capture/``, ``/batch/``, ``/e/``, ``/i/v0/e/``).

Accepted shapes, as the official SDKs send them: one event object carrying
``api_key``; ``{"api_key": ..., "batch": [...]}`` (posthog-python, posthog-node); a
bare JSON array whose events carry ``properties.token`` (posthog-js); and the legacy
``{"data": ...}`` wrapper. Top-level ``$set`` / ``$set_once`` (posthog-python's
``set()``) move into the properties, where persons processing looks for them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from fieldnote.events._model import Event
from fieldnote.events.capture._envelope import Envelope, validate_all
from fieldnote.events.capture._errors import CaptureError, describe, json_type
from fieldnote.events.capture._values import (
    MAX_ID_LENGTH,
    CaptureLimits,
    Clock,
    Invalid,
    canonical_uuid,
    distinct_id_value,
    event_name,
    fresh_uuid,
    json_object,
    parse_timestamp,
)

__all__ = ["posthog_envelope", "posthog_events"]

_PERSON_UPDATES = ("$set", "$set_once")


def posthog_envelope(data: Any) -> Envelope:
    """Find the events and the project key in a parsed PostHog body."""
    key: Any
    messages: Any
    container: str | None
    if isinstance(data, dict):
        key = data.get("api_key")
        if key is None:
            key = data.get("token")
        if "batch" in data:
            messages, container = data["batch"], "batch"
        elif "data" in data and "event" not in data:
            inner = data["data"]
            messages, container = (inner, "data") if isinstance(inner, list) else ([inner], None)
        else:
            messages, container = [data], None
        if not isinstance(messages, list):
            raise CaptureError.one(
                400, f"{container}: must be an array of events, got {json_type(messages)}"
            )
    elif isinstance(data, list):
        key, messages, container = None, data, ""
    else:
        raise CaptureError.one(
            400, f"body must be a JSON object or array of events, got {json_type(data)}"
        )
    if key is None and messages and isinstance(messages[0], dict):
        key = _key_in_event(messages[0])
    return Envelope(
        key=key if isinstance(key, str) else None, messages=messages, container=container
    )


def _key_in_event(event: dict[str, Any]) -> Any:
    for name in ("api_key", "token"):
        if event.get(name) is not None:
            return event[name]
    props = event.get("properties")
    if isinstance(props, dict):
        return props.get("token", props.get("$token"))
    return None


def posthog_events(
    envelope: Envelope, *, project: str, limits: CaptureLimits, now: datetime
) -> list[Event]:
    """Validate and normalise every event; raises ``CaptureError`` if any is invalid."""
    clock = Clock.at(now, limits)
    return validate_all(envelope, limits, lambda m: _event(m, project, clock))


def _event(message: Any, project: str, clock: Clock) -> Event:
    # Each field has an inline fast path for the common valid case; anything else goes
    # through the helper that either accepts it or names precisely what is wrong.
    if type(message) is not dict:
        raise Invalid(None, f"must be a JSON object, got {json_type(message)}")
    name = message.get("event")
    if type(name) is not str or not 0 < len(name) <= MAX_ID_LENGTH:
        name = event_name(name)
    props = message.get("properties")
    if props is None:
        props = {}
    elif type(props) is not dict:
        props = json_object(props, "properties")

    raw_id = message.get("distinct_id")
    if type(raw_id) is str and 0 < len(raw_id) <= MAX_ID_LENGTH and not raw_id.isspace():
        distinct_id = raw_id
    elif raw_id is not None:
        distinct_id = distinct_id_value(raw_id, "distinct_id")
    elif props.get("distinct_id") is not None:
        distinct_id = distinct_id_value(props["distinct_id"], "properties.distinct_id")
    else:
        raise Invalid("distinct_id", "is required (top level or in properties)")

    if "$set" in message or "$set_once" in message or "$set" in props or "$set_once" in props:
        _person_updates(message, props)

    raw_uuid = message.get("uuid")
    if raw_uuid is None:
        event_uuid = fresh_uuid()
    elif type(raw_uuid) is str:
        found = canonical_uuid(raw_uuid)
        if found is None:
            raise Invalid("uuid", f"{describe(raw_uuid)} is not a UUID")
        event_uuid = found
    else:
        raise Invalid("uuid", f"must be a UUID string, got {json_type(raw_uuid)}")

    raw_ts = message.get("timestamp")
    if raw_ts is not None:
        timestamp = parse_timestamp(raw_ts, "timestamp", clock)
    elif message.get("offset") is not None:
        timestamp = clock.before_now(message["offset"], "offset")
    else:
        timestamp = clock.now

    try:
        properties_json = orjson.dumps(props).decode()
    except orjson.JSONEncodeError as exc:
        raise Invalid("properties", f"cannot be stored: {exc}") from None
    return Event(
        uuid=event_uuid,
        project=project,
        distinct_id=distinct_id,
        event=name,
        timestamp=timestamp,
        properties_json=properties_json,
    )


def _person_updates(message: dict[str, Any], props: dict[str, Any]) -> None:
    """Move top-level ``$set`` / ``$set_once`` into the properties (merged with any
    already there), refusing either where it is not an object."""
    for key in _PERSON_UPDATES:
        top = message.get(key)
        inner = props.get(key)
        if inner is not None and type(inner) is not dict:
            raise Invalid(f"properties.{key}", f"must be a JSON object, got {json_type(inner)}")
        if top is not None:
            if type(top) is not dict:
                raise Invalid(key, f"must be a JSON object, got {json_type(top)}")
            props[key] = {**top, **inner} if inner else top
