"""Export shapes: which columns of a PostHog, Segment or Amplitude export mean what.

The shape is recognised from the column names and turned into SQL expressions for
the Event's fields (``ShapeBuilder``), so the importer's query is the same for every
source and format. ``SHAPE_BUILDERS`` is the registry: shape name → the function that
fills a builder in; Segment's lives in ``_segment`` (it mirrors capture's mapping).

``--map FIELD=COLUMN`` overrides any field; a file of no known shape is read by
conventional column names, its other columns becoming properties.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fieldnote.events.importing._builder import Mapped, ShapeBuilder, column_list
from fieldnote.events.importing._request import ImportInputError
from fieldnote.events.importing._segment import SEGMENT_KEYS, segment
from fieldnote.events.importing._source import Source
from fieldnote.events.importing._sql import lit

__all__ = [
    "FIELDS",
    "SHAPES",
    "SHAPE_BUILDERS",
    "detect_shape",
    "map_source",
    "parse_field_map",
    "stable_uuid_sql",
]

#: Fields ``--map`` may set, and what they mean.
FIELDS = {
    "uuid": "the event's unique id (deduplication key); a non-UUID id is hashed into one",
    "distinct_id": "who did it",
    "event": "the event name",
    "timestamp": "when (ISO 8601, or Unix seconds / ms / us)",
    "properties": "the event's properties (a JSON object)",
    "person_properties": "person properties to set ($set)",
}

#: The namespace capture hashes non-UUID message ids with (``capture.stable_uuid``);
#: tests/events/importing checks the two stay equal.
MESSAGE_ID_NAMESPACE = "6f1d5e8a-4c1b-5a3e-9d2f-0b7c8e4a1f36"

#: Amplitude export column → PostHog property.
_AMPLITUDE_COLUMNS = (
    ("$os", "os_name"),
    ("$os_version", "os_version"),
    ("$device_type", "device_type"),
    ("$device_model", "device_model"),
    ("$device_id", "device_id"),
    ("$geoip_country_name", "country"),
    ("$geoip_city_name", "city"),
    ("$app_version", "version_name"),
    ("$ip", "ip_address"),
    ("platform", "platform"),
)

#: Conventional names for a file of no known shape.
_GENERIC = {
    "uuid": ("uuid", "event_id", "id", "message_id", "insert_id"),
    "distinct_id": ("distinct_id", "user_id", "userid", "user", "anonymous_id", "person"),
    "event": ("event", "event_name", "event_type", "action", "name"),
    "timestamp": ("timestamp", "time", "ts", "event_time", "occurred_at", "created_at", "date"),
    "properties": ("properties", "props", "event_properties"),
    "person_properties": ("person_properties", "user_properties", "traits"),
}


def parse_field_map(spec: str | Mapping[str, str] | None) -> dict[str, str]:
    """``"distinct_id=user,event=action"`` (or a mapping) → ``{field: column}``, checked."""
    if spec is None:
        return {}
    if isinstance(spec, Mapping):
        pairs = [(str(k).strip(), str(v).strip()) for k, v in spec.items()]
    else:
        pairs = []
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            key, sep, value = item.partition("=")
            if not sep or not key.strip() or not value.strip():
                raise ImportInputError(
                    f"bad --map entry {item!r}: expected FIELD=COLUMN, "
                    "e.g. --map distinct_id=user,event=action,timestamp=ts"
                )
            pairs.append((key.strip(), value.strip()))
    out: dict[str, str] = {}
    for key, value in pairs:
        if key not in FIELDS:
            raise ImportInputError(
                f"unknown field {key!r} in --map: fields are {', '.join(FIELDS)}"
            )
        if not value:
            raise ImportInputError(f"--map {key}= names no column")
        if key in out:
            raise ImportInputError(f"field {key!r} is mapped twice in --map")
        out[key] = value
    return out


def stable_uuid_sql(project: str, id_sql: str) -> str:
    """SQL for capture's ``stable_uuid(project, id)``: UUID version 5 of
    ``project NUL id`` in ``MESSAGE_ID_NAMESPACE`` (SHA-1, version and variant bits)."""
    ns = MESSAGE_ID_NAMESPACE.replace("-", "")
    h = f"sha1(unhex('{ns}') || encode({lit(project)} || chr(0) || {id_sql}))"
    return (
        f"CAST(substr({h}, 1, 12) || '5' || substr({h}, 14, 3) || "
        f"substr('89ab89ab89ab89ab', position(substr({h}, 17, 1) IN '0123456789abcdef'), 1) "
        f"|| substr({h}, 18, 15) AS UUID)"
    )


def posthog(b: ShapeBuilder) -> None:
    """PostHog event exports: uuid, distinct_id, event, timestamp, properties, $set."""
    b.set_text("uuid", "uuid")
    b.set_text("distinct_id", "distinct_id")
    b.set_text("event", "event")
    b.set_timestamp("timestamp")
    b.set_properties("properties")
    b.person_set("$set", "person_properties")
    b.person_set("$set", "$set")
    b.person_set("$set_once", "$set_once")


def amplitude(b: ShapeBuilder) -> None:
    """Amplitude exports: event_type, user_id / device_id, event_time, event_properties."""
    b.set_text("uuid", "uuid", "insert_id", "$insert_id")
    b.set_text("distinct_id", "user_id", "device_id")
    b.set_text("event", "event_type")
    b.set_timestamp("event_time", "client_event_time", "server_upload_time")
    b.set_properties("event_properties")
    b.person_set("$set", "user_properties")
    for key, column in _AMPLITUDE_COLUMNS:
        found = b.col(column)
        if found is not None:
            b.fill.append((key, b.s.value(found)))


def generic(b: ShapeBuilder) -> None:
    """A file of no known shape: conventional column names; other columns become properties."""
    for name in ("uuid", "distinct_id", "event"):
        if name not in b.map:
            b.set_text(name, *_GENERIC[name])
    if "timestamp" not in b.map:
        b.set_timestamp(*_GENERIC["timestamp"])
    has_props = "properties" in b.map or b.set_properties(*_GENERIC["properties"])
    if "person_properties" not in b.map:
        b.person_set("$set", *_GENERIC["person_properties"])
    b.leftovers = not has_props


#: Shape name → the function that fills a ``ShapeBuilder`` in for it.
SHAPE_BUILDERS: dict[str, Callable[[ShapeBuilder], None]] = {
    "posthog": posthog,
    "segment": segment,
    "amplitude": amplitude,
    "generic": generic,
}

#: The shapes ``fieldnote import`` recognises, in the order they are tried.
SHAPES = tuple(SHAPE_BUILDERS)


def detect_shape(source: Source) -> str:
    """Which export a file is, from its column names."""
    if any(source.has(k) for k in SEGMENT_KEYS):
        return "segment"
    if source.has("event_type") and (source.has("user_id") or source.has("device_id")):
        return "amplitude"
    if source.has("distinct_id") and source.has("event"):
        return "posthog"
    return "generic"


def map_source(source: Source, field_map: Mapping[str, str]) -> Mapped:
    """Build the field expressions for ``source``, honouring ``--map`` overrides."""
    for name, column in field_map.items():
        if source.format != "jsonl" and not source.has(column):
            raise ImportInputError(
                f"--map {name}={column}: no column {column!r} in {source.path.name} "
                f"(columns: {column_list(source.columns)})"
            )
    shape = detect_shape(source)
    builder = ShapeBuilder(source, field_map)
    SHAPE_BUILDERS[shape](builder)
    return builder.build(shape)
