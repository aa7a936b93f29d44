"""JSON Schemas of the capture bodies, for the OpenAPI description.

They live beside the parsers so the two are read (and changed) together. The schemas
describe what SDKs send; the parsers are the authority and also accept the looser
spellings listed in docs/api.md (numbers as ids, epoch timestamps, ...).
"""

from __future__ import annotations

from typing import Any

from fieldnote.events.capture._values import MAX_ID_LENGTH

__all__ = ["ERROR_SCHEMA", "POSTHOG_BODY_SCHEMA", "SEGMENT_BATCH_SCHEMA", "segment_body_schema"]

_ID = {"type": "string", "minLength": 1, "maxLength": MAX_ID_LENGTH}
_TIMESTAMP = {
    "description": "ISO-8601 (no zone means UTC) or epoch seconds/milliseconds",
    "anyOf": [{"type": "string", "format": "date-time"}, {"type": "number"}],
}
_OBJECT = {"type": "object", "additionalProperties": True}

_POSTHOG_EVENT: dict[str, Any] = {
    "type": "object",
    "required": ["event", "distinct_id"],
    "properties": {
        "event": {**_ID, "examples": ["$pageview", "report_created"]},
        "distinct_id": {**_ID, "description": "also accepted as properties.distinct_id"},
        "properties": {
            **_OBJECT,
            "description": "free-form; $set / $set_once update the person",
        },
        "timestamp": _TIMESTAMP,
        "offset": {
            "type": "integer",
            "minimum": 0,
            "description": "milliseconds before receipt; used when timestamp is absent",
        },
        "uuid": {
            "type": "string",
            "format": "uuid",
            "description": "idempotency key: an event with a stored uuid is counted once",
        },
        "$set": _OBJECT,
        "$set_once": _OBJECT,
    },
}
_KEY = {"type": "string", "description": "the project's write key"}

POSTHOG_BODY_SCHEMA: dict[str, Any] = {
    "description": (
        "One event with api_key, {api_key, batch: [events]}, or an array of events "
        "whose properties.token is the write key. May be gzip-compressed."
    ),
    "anyOf": [
        {
            "type": "object",
            "required": ["api_key", "batch"],
            "properties": {
                "api_key": _KEY,
                "batch": {"type": "array", "items": _POSTHOG_EVENT, "minItems": 1},
                "sent_at": {"type": "string", "format": "date-time"},
            },
        },
        {
            **_POSTHOG_EVENT,
            "required": ["api_key", "event", "distinct_id"],
            "properties": {**_POSTHOG_EVENT["properties"], "api_key": _KEY},
        },
        {"type": "array", "items": _POSTHOG_EVENT, "minItems": 1},
    ],
}

_SEGMENT_CONTEXT: dict[str, Any] = {
    "type": "object",
    "additionalProperties": True,
    "properties": {
        "campaign": {
            "type": "object",
            "properties": {
                k: {"type": "string"} for k in ("source", "medium", "name", "term", "content")
            },
        },
        "os": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
        },
        "device": {
            "type": "object",
            "properties": {
                k: {"type": "string"} for k in ("type", "manufacturer", "model", "name", "id")
            },
        },
        "library": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
        },
        "page": {
            "type": "object",
            "properties": {k: {"type": "string"} for k in ("url", "path", "referrer", "title")},
        },
        "ip": {"type": "string"},
        "userAgent": {"type": "string"},
    },
}
_SEGMENT_COMMON: dict[str, Any] = {
    "userId": _ID,
    "anonymousId": _ID,
    "messageId": {
        "type": "string",
        "minLength": 1,
        "description": "idempotency key; any string (non-UUIDs map to a stable UUID)",
    },
    "timestamp": _TIMESTAMP,
    "originalTimestamp": _TIMESTAMP,
    "sentAt": _TIMESTAMP,
    "context": _SEGMENT_CONTEXT,
    "integrations": _OBJECT,
}
_SEGMENT_SPECIFIC: dict[str, dict[str, Any]] = {
    "track": {"event": _ID, "properties": _OBJECT},
    "identify": {"traits": _OBJECT},
    "page": {"name": {"type": "string"}, "category": {"type": "string"}, "properties": _OBJECT},
    "screen": {"name": {"type": "string"}, "properties": _OBJECT},
    "alias": {"previousId": _ID},
    "group": {"groupId": _ID, "traits": _OBJECT},
}
_SEGMENT_REQUIRED = {
    "track": ["event"],
    "alias": ["userId", "previousId"],
    "group": ["groupId"],
}


def segment_body_schema(kind: str) -> dict[str, Any]:
    """The body of ``/v1/<kind>``; ``type`` is implied by the endpoint."""
    return {
        "type": "object",
        "required": _SEGMENT_REQUIRED.get(kind, []),
        "properties": {
            **_SEGMENT_COMMON,
            **_SEGMENT_SPECIFIC[kind],
            "type": {"type": "string", "enum": [kind]},
            "writeKey": {**_KEY, "description": "if not sent as the Basic-auth user"},
        },
        "description": "needs userId or anonymousId",
    }


SEGMENT_BATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["batch"],
    "properties": {
        "batch": {
            "type": "array",
            "minItems": 1,
            "items": {
                "oneOf": [
                    {
                        **segment_body_schema(kind),
                        "required": ["type", *_SEGMENT_REQUIRED.get(kind, [])],
                    }
                    for kind in _SEGMENT_SPECIFIC
                ],
            },
        },
        "context": {**_SEGMENT_CONTEXT, "description": "applies to every message"},
        "sentAt": _TIMESTAMP,
        "writeKey": {**_KEY, "description": "if not sent as the Basic-auth user"},
    },
}

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error", "errors"],
    "properties": {
        "error": {
            "type": "string",
            "examples": ["batch[3].timestamp: '2026-13-45' is not an ISO-8601 timestamp"],
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "error": {"type": "string"},
                    "index": {"type": ["integer", "null"]},
                    "field": {"type": ["string", "null"]},
                },
            },
        },
        "index": {"type": ["integer", "null"], "description": "position of the first bad event"},
        "field": {"type": ["string", "null"], "description": "its field, dotted"},
    },
}
