"""Segment's HTTP Tracking API (``/v1/track``, ``identify``, ``page``, ``screen``,
``alias``, ``group``, ``batch``) mapped onto PostHog-style events.

One event shape downstream means one set of analyses: ``track`` keeps its name,
``identify`` becomes ``$identify`` (traits in ``$set``, ``$anon_distinct_id`` when both
ids are known, so persons merge), ``alias`` ``$create_alias``, ``page`` ``$pageview``,
``screen`` ``$screen`` and ``group`` ``$groupidentify``. The ``context`` is where
Segment puts channel and platform (campaign, OS, device, library, page); later
analyses break metrics down by exactly those, so they are flattened into PostHog's
property names (``utm_source``, ``$os``, ``$device_type``...). The full context is
kept too, under ``$segment_context``.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import orjson

from fieldnote.events._model import Event
from fieldnote.events.capture._envelope import Envelope, validate_all
from fieldnote.events.capture._errors import CaptureError, describe, json_type
from fieldnote.events.capture._values import (
    CaptureLimits,
    Clock,
    Invalid,
    canonical_uuid,
    event_name,
    fresh_uuid,
    json_object,
    optional_id,
    parse_instant,
    parse_timestamp,
    stable_uuid,
)

__all__ = ["SEGMENT_TYPES", "context_properties", "segment_envelope", "segment_events"]

SEGMENT_TYPES = ("track", "identify", "page", "screen", "alias", "group")

#: Segment group calls carry no group type; PostHog needs one for ``$groupidentify``.
GROUP_TYPE = "group"

_CAMPAIGN = (
    ("source", "utm_source"),
    ("medium", "utm_medium"),
    ("name", "utm_campaign"),
    ("term", "utm_term"),
    ("content", "utm_content"),
)
_SECTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "os": (("name", "$os"), ("version", "$os_version")),
    "device": (
        ("manufacturer", "$device_manufacturer"),
        ("model", "$device_model"),
        ("name", "$device_name"),
        ("id", "$device_id"),
    ),
    "app": (
        ("name", "$app_name"),
        ("version", "$app_version"),
        ("build", "$app_build"),
        ("namespace", "$app_namespace"),
    ),
    "library": (("name", "$lib"), ("version", "$lib_version")),
    "page": (
        ("url", "$current_url"),
        ("path", "$pathname"),
        ("referrer", "$referrer"),
        ("title", "$title"),
    ),
    "screen": (("width", "$screen_width"), ("height", "$screen_height")),
    "location": (
        ("city", "$geoip_city_name"),
        ("country", "$geoip_country_name"),
        ("region", "$geoip_subdivision_1_name"),
        ("latitude", "$geoip_latitude"),
        ("longitude", "$geoip_longitude"),
    ),
    "network": (("carrier", "$network_carrier"), ("wifi", "$network_wifi")),
}
_TOP = (("ip", "$ip"), ("locale", "$locale"), ("timezone", "$timezone"))

#: Segment's mobile libraries put the platform in ``device.type``; PostHog's
#: ``$device_type`` is the form factor.
_DEVICE_TYPES = {
    "ios": "Mobile",
    "android": "Mobile",
    "mobile": "Mobile",
    "phone": "Mobile",
    "tablet": "Tablet",
    "desktop": "Desktop",
}

# First match wins: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("Microsoft Edge", r"Edg(?:e|A|iOS)?/(\d[\w.]*)"),
        ("Opera", r"(?:OPR|Opera)/(\d[\w.]*)"),
        ("Samsung Internet", r"SamsungBrowser/(\d[\w.]*)"),
        ("Chrome iOS", r"CriOS/(\d[\w.]*)"),
        ("Firefox iOS", r"FxiOS/(\d[\w.]*)"),
        ("Firefox", r"Firefox/(\d[\w.]*)"),
        ("Chrome", r"Chrome/(\d[\w.]*)"),
        ("Mobile Safari", r"Version/(\d[\w.]*).*Mobile.*Safari/"),
        ("Safari", r"Version/(\d[\w.]*).*Safari/"),
        ("Internet Explorer", r"(?:MSIE |Trident/.*rv:)(\d[\w.]*)"),
    )
)
_UA_OS = (
    ("Windows", re.compile(r"Windows")),
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Android", re.compile(r"Android")),
    ("Chrome OS", re.compile(r"CrOS")),
    ("Mac OS X", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux")),
)
_UA_TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)")
_UA_MOBILE = re.compile(r"Mobi|iPhone|iPod|Android")


def segment_envelope(data: Any, *, kind: str, basic_user: str | None) -> Envelope:
    """Find the messages and the write key in a parsed Segment body.

    ``kind`` is the endpoint (``"track"``... or ``"batch"``). The write key is the
    Basic-auth user, else ``writeKey`` in the body. A batch's top-level ``context``
    applies to every message in it (a message's own values win).
    """
    if not isinstance(data, dict):
        raise CaptureError.one(400, f"body must be a JSON object, got {json_type(data)}")
    key: Any = basic_user or data.get("writeKey")
    extra: dict[str, Any] = {}
    if kind == "batch":
        messages = data.get("batch")
        if messages is None:
            raise CaptureError.one(400, "batch: is required", field="batch")
        if not isinstance(messages, list):
            raise CaptureError.one(
                400, f"batch: must be an array of messages, got {json_type(messages)}"
            )
        context = data.get("context")
        if context is not None:
            if not isinstance(context, dict):
                raise CaptureError.one(
                    400, f"context: must be a JSON object, got {json_type(context)}"
                )
            extra["context"] = context
        if data.get("sentAt") is not None:
            extra["sentAt"] = data["sentAt"]
        if not key and messages and isinstance(messages[0], dict):
            key = messages[0].get("writeKey")
        envelope = Envelope(key=None, messages=messages, container="batch", extra=extra)
    else:
        envelope = Envelope(key=None, messages=[data], container=None, extra=extra)
    envelope.key = key if isinstance(key, str) and key else None
    return envelope


def segment_events(
    envelope: Envelope, *, kind: str, project: str, limits: CaptureLimits, now: datetime
) -> list[Event]:
    """Validate and map every message; raises ``CaptureError`` if any is invalid."""
    clock = Clock.at(now, limits)
    batch_context = envelope.extra.get("context")
    batch_sent_at = envelope.extra.get("sentAt")
    forced = None if kind == "batch" else kind
    return validate_all(
        envelope,
        limits,
        lambda m: _event(m, forced, project, clock, batch_context, batch_sent_at),
    )


def _event(
    message: Any,
    kind: str | None,
    project: str,
    clock: Clock,
    batch_context: dict[str, Any] | None,
    batch_sent_at: Any,
) -> Event:
    if not isinstance(message, dict):
        raise Invalid(None, f"must be a JSON object, got {json_type(message)}")
    if kind is None:
        kind = message.get("type")
        if kind not in SEGMENT_TYPES:
            what = "is required" if kind is None else f"{describe(kind)} is not a message type"
            raise Invalid("type", f"{what}: use one of {', '.join(SEGMENT_TYPES)}")

    context = json_object(message.get("context"), "context")
    if batch_context:
        context = {**batch_context, **context}
    user_id = optional_id(message.get("userId"), "userId")
    anonymous_id = optional_id(message.get("anonymousId"), "anonymousId")

    props: dict[str, Any]
    if kind == "alias":
        previous_id = optional_id(message.get("previousId"), "previousId")
        if user_id is None:
            raise Invalid("userId", "is required for alias")
        if previous_id is None:
            raise Invalid("previousId", "is required for alias")
        distinct_id, name, props = user_id, "$create_alias", {"alias": previous_id}
    else:
        found = user_id or anonymous_id
        if found is None:
            raise Invalid("userId", "either userId or anonymousId is required")
        distinct_id = found
        if kind == "track":
            name = event_name(message.get("event"))
            props = json_object(message.get("properties"), "properties")
        elif kind == "identify":
            name = "$identify"
            traits = json_object(message.get("traits"), "traits")
            props = {"$set": traits} if traits else {}
            if user_id is not None and anonymous_id is not None and anonymous_id != user_id:
                props["$anon_distinct_id"] = anonymous_id
        elif kind == "group":
            name = "$groupidentify"
            group_id = optional_id(message.get("groupId"), "groupId")
            if group_id is None:
                raise Invalid("groupId", "is required for group")
            props = {
                "$group_type": GROUP_TYPE,
                "$group_key": group_id,
                "$group_set": json_object(message.get("traits"), "traits"),
            }
        else:  # page or screen
            props = json_object(message.get("properties"), "properties")
            page_name = message.get("name")
            if kind == "page":
                name = "$pageview"
                if page_name is not None:
                    props["$page_name"] = page_name
                if message.get("category") is not None:
                    props["$page_category"] = message["category"]
                for src, dst in (("url", "$current_url"), ("path", "$pathname")):
                    if props.get(src) is not None:
                        props.setdefault(dst, props[src])
            else:
                name = "$screen"
                if page_name is not None:
                    props["$screen_name"] = page_name

    if context:
        for key, value in context_properties(context).items():
            props.setdefault(key, value)
        props["$segment_context"] = context

    raw_id = message.get("messageId")
    if raw_id is None:
        event_uuid = fresh_uuid()
    elif isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
        text = str(raw_id)
        if not text:
            raise Invalid("messageId", "must not be empty")
        event_uuid = canonical_uuid(text) or stable_uuid(project, text)
    else:
        raise Invalid("messageId", f"must be a string, got {json_type(raw_id)}")

    timestamp = _timestamp(message, clock, batch_sent_at)
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


def _timestamp(message: dict[str, Any], clock: Clock, batch_sent_at: Any) -> datetime:
    """``timestamp`` as given; else ``originalTimestamp`` corrected for the device's
    clock skew using ``sentAt`` (Segment's own rule); else the time of receipt."""
    if message.get("timestamp") is not None:
        return parse_timestamp(message["timestamp"], "timestamp", clock)
    original = message.get("originalTimestamp")
    if original is None:
        return clock.now
    sent_raw = message.get("sentAt", batch_sent_at)
    if sent_raw is None:
        return parse_timestamp(original, "originalTimestamp", clock)
    # Both are device times: only their difference is trusted, not their absolute value.
    original_ts = parse_instant(original, "originalTimestamp")
    sent_at = parse_instant(sent_raw, "sentAt")
    try:
        corrected = clock.now - (sent_at - original_ts)
    except OverflowError:
        raise Invalid("originalTimestamp", "is too far from sentAt") from None
    return clock.check(corrected, "originalTimestamp", original)


def context_properties(context: dict[str, Any]) -> dict[str, Any]:
    """PostHog-style properties for the channel and platform facts in a Segment context."""
    out: dict[str, Any] = {}
    campaign = context.get("campaign")
    if isinstance(campaign, dict):
        for src, dst in _CAMPAIGN:
            value = campaign.get(src)
            if value is not None and value != "":
                out[dst] = value
    for section, pairs in _SECTIONS.items():
        part = context.get(section)
        if isinstance(part, dict):
            for src, dst in pairs:
                value = part.get(src)
                if value is not None and value != "":
                    out[dst] = value
    for src, dst in _TOP:
        value = context.get(src)
        if value is not None and value != "":
            out[dst] = value
    url = out.get("$current_url")
    if isinstance(url, str):
        host = _host(url)
        if host:
            out["$host"] = host
    device = context.get("device")
    if isinstance(device, dict) and isinstance(device.get("type"), str) and device["type"]:
        out["$device_type"] = _DEVICE_TYPES.get(device["type"].lower(), device["type"])
    agent = context.get("userAgent")
    if isinstance(agent, str) and agent:
        out["$raw_user_agent"] = agent
        for key, value in user_agent_properties(agent).items():
            out.setdefault(key, value)
    return out


def user_agent_properties(agent: str) -> dict[str, str]:
    """Browser, OS and form factor from a browser's User-Agent (web sources send no
    ``context.os`` or ``context.device``, only this)."""
    out: dict[str, str] = {}
    agent = agent[:1000]
    for name, pattern in _BROWSERS:
        m = pattern.search(agent)
        if m:
            out["$browser"] = name
            out["$browser_version"] = m.group(1)
            break
    for name, pattern in _UA_OS:
        if pattern.search(agent):
            out["$os"] = name
            break
    if _UA_TABLET.search(agent):
        out["$device_type"] = "Tablet"
    elif _UA_MOBILE.search(agent):
        out["$device_type"] = "Mobile"
    elif out:
        out["$device_type"] = "Desktop"
    return out


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None
