"""Capture: PostHog and Segment request bodies → validated, normalised ``Event``s.

Pure functions, no web framework: the web layer reads the bytes and the headers,
then calls, in order, ``decode_body`` (decompression, form fields, JSON), an
``*_envelope`` function (where the events and the key are), authenticates the key,
and an ``*_events`` function (every event validated before any is accepted). Every
refusal is a ``CaptureError`` carrying its HTTP status and located messages such as
``batch[3].timestamp: '2026-13-45' is not an ISO-8601 timestamp``.
"""

from fieldnote.events.capture._body import decode_body, inflate
from fieldnote.events.capture._envelope import Envelope
from fieldnote.events.capture._errors import MAX_REPORTED_ERRORS, CaptureError, FieldError
from fieldnote.events.capture._posthog import posthog_envelope, posthog_events
from fieldnote.events.capture._request import FAMILIES, CaptureFamily, RawCapture, parse_capture
from fieldnote.events.capture._schemas import (
    ERROR_SCHEMA,
    POSTHOG_BODY_SCHEMA,
    SEGMENT_BATCH_SCHEMA,
    segment_body_schema,
)
from fieldnote.events.capture._segment import (
    SEGMENT_TYPES,
    context_properties,
    segment_envelope,
    segment_events,
    user_agent_properties,
)
from fieldnote.events.capture._values import (
    MAX_ID_LENGTH,
    CaptureLimits,
    canonical_uuid,
    parse_instant,
    stable_uuid,
)

__all__ = [
    "ERROR_SCHEMA",
    "FAMILIES",
    "MAX_ID_LENGTH",
    "MAX_REPORTED_ERRORS",
    "POSTHOG_BODY_SCHEMA",
    "SEGMENT_BATCH_SCHEMA",
    "SEGMENT_TYPES",
    "CaptureError",
    "CaptureFamily",
    "CaptureLimits",
    "Envelope",
    "FieldError",
    "RawCapture",
    "canonical_uuid",
    "context_properties",
    "decode_body",
    "inflate",
    "parse_capture",
    "parse_instant",
    "posthog_envelope",
    "posthog_events",
    "segment_body_schema",
    "segment_envelope",
    "segment_events",
    "stable_uuid",
    "user_agent_properties",
]
