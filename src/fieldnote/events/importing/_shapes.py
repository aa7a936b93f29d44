"""Export shapes: which columns of a PostHog, Segment or Amplitude export mean what.

The shape is recognised from the column names and turned into SQL expressions for
the Event's fields, so the importer's query is the same for every source and format.

Segment messages get exactly the mapping the capture server applies
(``fieldnote.events.capture``): ``identify`` → ``$identify`` with traits as ``$set``
and the anonymous id as ``$anon_distinct_id``; ``alias`` → ``$create_alias`` with
``alias`` = previousId; ``page`` → ``$pageview``; ``screen`` → ``$screen``; ``group``
→ ``$groupidentify``; campaign, OS, device, app, library, page and location context
flattened into ``utm_*``, ``$os``, ``$device_type``...; the browser read from the
User-Agent; non-UUID messageIds hashed into the same UUID capture derives. So history
imported from an export and the same events captured live are the same rows (a
re-import of captured events finds them all duplicates), and persons agree.

``--map FIELD=COLUMN`` overrides any field; a file of no known shape is read by
conventional column names, its other columns becoming properties.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from fieldnote.events.importing._source import ImportInputError, Source, lit

__all__ = ["FIELDS", "SHAPES", "Mapped", "map_source", "parse_field_map", "stable_uuid_sql"]

#: Fields ``--map`` may set, and what they mean.
FIELDS = {
    "uuid": "the event's unique id (deduplication key); a non-UUID id is hashed into one",
    "distinct_id": "who did it",
    "event": "the event name",
    "timestamp": "when (ISO 8601, or Unix seconds / ms / us)",
    "properties": "the event's properties (a JSON object)",
    "person_properties": "person properties to set ($set)",
}

SHAPES = ("posthog", "segment", "amplitude", "generic")

#: The namespace capture hashes non-UUID message ids with (``capture.stable_uuid``);
#: tests/events/importing checks the two stay equal.
MESSAGE_ID_NAMESPACE = "6f1d5e8a-4c1b-5a3e-9d2f-0b7c8e4a1f36"

SEGMENT_TYPES = ("track", "identify", "page", "screen", "alias", "group")

_SEGMENT_KEYS = ("messageId", "anonymousId", "userId", "previousId")

#: Segment context path → PostHog property, as capture maps them.
_SEGMENT_CONTEXT = (
    ("utm_source", ("context", "campaign", "source")),
    ("utm_medium", ("context", "campaign", "medium")),
    ("utm_campaign", ("context", "campaign", "name")),
    ("utm_term", ("context", "campaign", "term")),
    ("utm_content", ("context", "campaign", "content")),
    ("$device_manufacturer", ("context", "device", "manufacturer")),
    ("$device_model", ("context", "device", "model")),
    ("$device_name", ("context", "device", "name")),
    ("$device_id", ("context", "device", "id")),
    ("$app_name", ("context", "app", "name")),
    ("$app_version", ("context", "app", "version")),
    ("$app_build", ("context", "app", "build")),
    ("$app_namespace", ("context", "app", "namespace")),
    ("$lib", ("context", "library", "name")),
    ("$lib_version", ("context", "library", "version")),
    ("$pathname", ("context", "page", "path")),
    ("$referrer", ("context", "page", "referrer")),
    ("$title", ("context", "page", "title")),
    ("$screen_width", ("context", "screen", "width")),
    ("$screen_height", ("context", "screen", "height")),
    ("$geoip_city_name", ("context", "location", "city")),
    ("$geoip_country_name", ("context", "location", "country")),
    ("$geoip_subdivision_1_name", ("context", "location", "region")),
    ("$geoip_latitude", ("context", "location", "latitude")),
    ("$geoip_longitude", ("context", "location", "longitude")),
    ("$network_carrier", ("context", "network", "carrier")),
    ("$network_wifi", ("context", "network", "wifi")),
    ("$ip", ("context", "ip")),
    ("$locale", ("context", "locale")),
    ("$timezone", ("context", "timezone")),
)

#: Segment's mobile libraries put the platform in ``device.type``; PostHog's
#: ``$device_type`` is the form factor.
_DEVICE_TYPES = (
    ("ios", "Mobile"),
    ("android", "Mobile"),
    ("mobile", "Mobile"),
    ("phone", "Mobile"),
    ("tablet", "Tablet"),
    ("desktop", "Desktop"),
)

# First match wins, in capture's order (Edge and Opera also say "Chrome"...).
_BROWSERS = (
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
_UA_OS = (
    ("Windows", "Windows"),
    ("iOS", "iPhone|iPad|iPod"),
    ("Android", "Android"),
    ("Chrome OS", "CrOS"),
    ("Mac OS X", "Macintosh|Mac OS X"),
    ("Linux", "Linux"),
)

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

_EMPTY = "'{}'::JSON"


@dataclass(frozen=True, kw_only=True)
class Mapped:
    """SQL expressions for each field of an Event.

    ``properties_base`` is over the source relation: the row's own properties, or
    NULL when they are not a JSON object (the row is then rejected).
    ``properties`` is over the source plus ``_pb`` (the base): the base with the
    shape's derived keys added. ``checks`` are shape rules (SQL condition, message
    SQL) a row must pass; ``*_raw`` are original texts and ``origin`` the columns
    each field came from, both for error messages.
    """

    shape: str
    uuid: str
    distinct_id: str
    event: str
    timestamp: str
    timestamp_raw: str
    properties_base: str
    properties: str
    properties_raw: str
    record_problem: str | None
    checks: list[tuple[str, str]] = field(default_factory=list)
    origin: dict[str, str] = field(default_factory=dict)


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


def detect_shape(source: Source) -> str:
    """Which export a file is, from its column names."""
    if any(source.has(k) for k in _SEGMENT_KEYS):
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
                f"(columns: {_list(source.columns)})"
            )
    shape = detect_shape(source)
    builder = _Builder(source, field_map)
    getattr(builder, shape)()
    return builder.build(shape)


def _list(columns: Mapping[str, str], limit: int = 30) -> str:
    names = list(columns)
    text = ", ".join(names[:limit])
    return text + (f", … ({len(names)} in all)" if len(names) > limit else "")


def _origin(cols: list[str]) -> str:
    if len(cols) == 1:
        return f"column {cols[0]!r}"
    return "columns " + ", ".join(repr(c) for c in cols)


def _path(key: str) -> str:
    return lit('$."' + key.replace("\\", "\\\\").replace('"', '\\"') + '"')


def _to_json(text_sql: str | None) -> str:
    return f"to_json({text_sql})" if text_sql else ""


def _coalesce(exprs: list[str]) -> str | None:
    exprs = [e for e in exprs if e]
    if not exprs:
        return None
    return exprs[0] if len(exprs) == 1 else f"coalesce({', '.join(exprs)})"


class _Builder:
    """Accumulates the SQL for each field; ``--map`` entries always win.

    Derived properties come in two kinds, as in capture: ``override`` keys replace
    the row's own (the message's type decides them), ``fill`` keys only fill gaps
    (context, columns beside the properties).
    """

    def __init__(self, source: Source, field_map: Mapping[str, str]) -> None:
        self.s = source
        self.map = dict(field_map)
        self.uuid = "NULL::VARCHAR"
        self.distinct_id: str | None = None
        self.event: str | None = None
        self.ts: tuple[str, str] | None = None
        self.base: tuple[str, str] = (_EMPTY, "NULL::VARCHAR")
        self.override: list[tuple[str, str]] = []
        self.fill: list[tuple[str, str]] = []
        self.person_sets: dict[str, list[str]] = {}  # $set / $set_once sources, weakest first
        self.checks: list[tuple[str, str]] = []
        self.used: set[str] = set()
        self.origin: dict[str, str] = {}
        self.leftovers = False

    # -- helpers -----------------------------------------------------------------------

    def col(self, *names: str) -> str | None:
        found = self.s.find(*names)
        if found is not None:
            self.used.add(found)
        return found

    def text_of(self, *names: str) -> tuple[str, list[str]] | None:
        """coalesce() of the text of whichever of ``names`` exist."""
        cols = list(dict.fromkeys(c for c in (self.col(n) for n in names) if c is not None))
        expr = _coalesce([self.s.text(c) for c in cols])
        return (expr, cols) if expr else None

    def set_text(self, name: str, *candidates: str) -> None:
        found = self.text_of(*candidates)
        if found is None:
            return
        expr, cols = found
        self.origin[name] = _origin(cols)
        setattr(self, name, expr)

    def set_timestamp(self, *names: str) -> None:
        cols = list(dict.fromkeys(c for c in (self.col(n) for n in names) if c is not None))
        if not cols:
            return
        parsed = [self.s.timestamp(c) for c in cols]
        ts, raw = _coalesce([p[0] for p in parsed]), _coalesce([p[1] for p in parsed])
        assert ts is not None and raw is not None
        self.ts = (ts, raw)
        self.origin["timestamp"] = _origin(cols)

    def set_properties(self, *names: str) -> bool:
        c = self.col(*names)
        if c is None:
            return False
        self.base = self.s.object(c)
        self.origin["properties"] = _origin([c])
        return True

    def person_set(self, key: str, *names: str) -> None:
        """A column of person properties merged into ``$set`` (the row's own win)."""
        c = self.col(*names)
        if c is not None:
            self.person_sets.setdefault(key, []).append(self.s.json(c))

    # -- shapes ------------------------------------------------------------------------

    def posthog(self) -> None:
        self.set_text("uuid", "uuid")
        self.set_text("distinct_id", "distinct_id")
        self.set_text("event", "event")
        self.set_timestamp("timestamp")
        self.set_properties("properties")
        self.person_set("$set", "person_properties")
        self.person_set("$set", "$set")
        self.person_set("$set_once", "$set_once")

    def segment(self) -> None:
        s = self.s
        kind = self.text_of("type")
        t = f"lower({kind[0]})" if kind else "'track'"
        user = self.text_of("userId")
        anon = self.text_of("anonymousId")
        user_sql = user[0] if user else "NULL::VARCHAR"
        anon_sql = anon[0] if anon else "NULL::VARCHAR"
        self.set_text("uuid", "messageId")
        self.distinct_id = (
            f"CASE WHEN {t} = 'alias' THEN {user_sql} ELSE coalesce({user_sql}, {anon_sql}) END"
        )
        self.origin["distinct_id"] = _origin(["userId", "anonymousId"])
        named = self.text_of("event")
        self.event = (
            f"CASE {t} WHEN 'track' THEN {named[0] if named else 'NULL::VARCHAR'} "
            "WHEN 'page' THEN '$pageview' WHEN 'screen' THEN '$screen' "
            "WHEN 'identify' THEN '$identify' WHEN 'alias' THEN '$create_alias' "
            "WHEN 'group' THEN '$groupidentify' END"
        )
        self.origin["event"] = _origin(["type", "event"] if kind else ["event"])
        if kind:
            types = ", ".join(lit(x) for x in SEGMENT_TYPES)
            self.checks.append(
                (f"{kind[0]} IS NULL", lit("type is missing (a Segment message needs one)"))
            )
            self.checks.append(
                (
                    f"{t} NOT IN ({types})",
                    f"'type ''' || {kind[0]} || ''' is not a Segment message type'",
                )
            )
        self.checks.append(
            (f"{t} = 'alias' AND {user_sql} IS NULL", lit("userId is missing (alias)"))
        )
        previous = self.text_of("previousId")
        previous_sql = previous[0] if previous else "NULL::VARCHAR"
        self.checks.append(
            (f"{t} = 'alias' AND {previous_sql} IS NULL", lit("previousId is missing (alias)"))
        )
        group = self.text_of("groupId")
        group_sql = group[0] if group else "NULL::VARCHAR"
        self.checks.append(
            (f"{t} = 'group' AND {group_sql} IS NULL", lit("groupId is missing (group)"))
        )
        self.set_timestamp("timestamp", "originalTimestamp", "receivedAt", "sentAt")

        # Only track, page and screen carry properties of their own.
        if self.set_properties("properties"):
            own, raw = self.base
            self.base = (
                f"CASE WHEN {t} IN ('identify', 'alias', 'group') THEN {_EMPTY} ELSE {own} END",
                raw,
            )
        traits_col = self.col("traits")
        traits = s.json(traits_col) if traits_col else "NULL::JSON"
        self.override += [
            (
                "$set",
                f"CASE WHEN {t} = 'identify' AND json_type({traits}) = 'OBJECT' "
                f"AND {traits} <> '{{}}' THEN {traits} END",
            ),
            (
                "$anon_distinct_id",
                f"CASE WHEN {t} = 'identify' AND {user_sql} IS NOT NULL "
                f"AND {anon_sql} <> {user_sql} THEN {anon_sql} END",
            ),
            ("alias", f"CASE WHEN {t} = 'alias' THEN {previous_sql} END"),
            ("$group_type", f"CASE WHEN {t} = 'group' THEN 'group' END"),
            ("$group_key", f"CASE WHEN {t} = 'group' THEN {group_sql} END"),
            (
                "$group_set",
                f"CASE WHEN {t} = 'group' THEN CASE WHEN json_type({traits}) = 'OBJECT' "
                f"THEN {traits} ELSE {_EMPTY} END END",
            ),
        ]
        name = self.col("name")
        if name is not None:
            v = s.value(name)
            self.override.append(("$page_name", f"CASE WHEN {t} = 'page' THEN {v} END"))
            self.override.append(("$screen_name", f"CASE WHEN {t} = 'screen' THEN {v} END"))
        category = self.col("category")
        if category is not None:
            v = s.value(category)
            self.override.append(("$page_category", f"CASE WHEN {t} = 'page' THEN {v} END"))
        self._segment_context(t)

    def _segment_context(self, t: str) -> None:
        s = self.s
        for key in ("url", "path"):
            dst = "$current_url" if key == "url" else "$pathname"
            own = f"json_extract(_pb, {_path(key)})"
            self.fill.append(
                (dst, f"CASE WHEN {t} = 'page' AND json_type({own}) <> 'NULL' THEN {own} END")
            )
        page_url = s.nested_text(("context", "page", "url"))
        page_value = s.nested_value(("context", "page", "url"))
        if page_url is not None and page_value is not None:
            self.fill.append(("$current_url", page_value))
            host = (
                "lower(NULLIF(regexp_extract("
                f"{page_url}, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/?#]*@)?(\\[[^\\]]*\\]|[^:/?#]*)', 1"
                "), ''))"
            )
            self.fill.append(("$host", f"to_json({host})"))
        for key, path in _SEGMENT_CONTEXT:
            value = s.nested_value(path)
            if value is not None:
                self.fill.append((key, value))
        agent = s.nested_text(("context", "userAgent"))
        os_name = s.nested_text(("context", "os", "name"))
        os_version = s.nested_text(("context", "os", "version"))
        device = s.nested_text(("context", "device", "type"))
        device_type = None
        if device is not None:
            mapped = " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in _DEVICE_TYPES)
            device_type = f"CASE lower({device}) {mapped} ELSE {device} END"
        ua_os = ua_device = None
        if agent is not None:
            a = f"left({agent}, 1000)"
            self.fill.append(("$raw_user_agent", f"to_json({agent})"))
            browser = " ".join(
                f"WHEN regexp_matches({a}, {lit(p)}) THEN {lit(n)}" for n, p in _BROWSERS
            )
            version = " ".join(
                f"WHEN regexp_matches({a}, {lit(p)}) THEN regexp_extract({a}, {lit(p)}, 1)"
                for _, p in _BROWSERS
            )
            self.fill.append(("$browser", f"to_json(CASE {browser} END)"))
            self.fill.append(("$browser_version", f"to_json(CASE {version} END)"))
            ua_os = (
                "CASE "
                + " ".join(f"WHEN regexp_matches({a}, {lit(p)}) THEN {lit(n)}" for n, p in _UA_OS)
                + " END"
            )
            any_browser = " OR ".join(f"regexp_matches({a}, {lit(p)})" for _, p in _BROWSERS)
            ua_device = (
                f"CASE WHEN regexp_matches({a}, 'iPad|Tablet') OR (regexp_matches({a}, 'Android') "
                f"AND NOT regexp_matches({a}, 'Android.*Mobile')) THEN 'Tablet' "
                f"WHEN regexp_matches({a}, 'Mobi|iPhone|iPod|Android') THEN 'Mobile' "
                f"WHEN {any_browser} OR ({ua_os}) IS NOT NULL THEN 'Desktop' END"
            )
        os_fill = _coalesce(
            [(s.nested_value(("context", "os", "name")) or "") if os_name else "", _to_json(ua_os)]
        )
        if os_fill:
            self.fill.append(("$os", os_fill))
        os_version_value = s.nested_value(("context", "os", "version"))
        if os_version and os_version_value:
            self.fill.append(("$os_version", os_version_value))
        device_fill = _coalesce([_to_json(device_type), _to_json(ua_device)])
        if device_fill:
            self.fill.append(("$device_type", device_fill))
        context = self.col("context")
        if context is not None or s.format == "jsonl":
            self.override.append(
                (
                    "$segment_context",
                    f"CASE WHEN json_type({s.json('context')}) = 'OBJECT' "
                    f"AND {s.json('context')} <> '{{}}' THEN {s.json('context')} END",
                )
            )

    def amplitude(self) -> None:
        self.set_text("uuid", "uuid", "insert_id", "$insert_id")
        self.set_text("distinct_id", "user_id", "device_id")
        self.set_text("event", "event_type")
        self.set_timestamp("event_time", "client_event_time", "server_upload_time")
        self.set_properties("event_properties")
        self.person_set("$set", "user_properties")
        for key, column in _AMPLITUDE_COLUMNS:
            found = self.col(column)
            if found is not None:
                self.fill.append((key, self.s.value(found)))

    def generic(self) -> None:
        for name in ("uuid", "distinct_id", "event"):
            if name not in self.map:
                self.set_text(name, *_GENERIC[name])
        if "timestamp" not in self.map:
            self.set_timestamp(*_GENERIC["timestamp"])
        has_props = "properties" in self.map or self.set_properties(*_GENERIC["properties"])
        if "person_properties" not in self.map:
            self.person_set("$set", *_GENERIC["person_properties"])
        self.leftovers = not has_props

    # -- result ------------------------------------------------------------------------

    def _apply_map(self) -> None:
        s = self.s
        for name, column in self.map.items():
            self.used.add(column)
            self.origin[name] = _origin([column])
            if name == "timestamp":
                self.ts = s.timestamp(column)
            elif name == "properties":
                self.base = s.object(column)
            elif name == "person_properties":
                self.person_sets["$set"] = [s.json(column)]
            else:
                setattr(self, name, s.text(column))

    def build(self, shape: str) -> Mapped:
        s = self.s
        self._apply_map()
        missing = [
            name
            for name, value in (
                ("distinct_id", self.distinct_id),
                ("event", self.event),
                ("timestamp", self.ts),
            )
            if value is None
        ]
        if missing:
            hint = ",".join(f"{name}=COLUMN" for name in missing)
            names = " and ".join(
                [", ".join(missing[:-1]), missing[-1]] if len(missing) > 1 else missing
            )
            raise ImportInputError(
                f"cannot tell which column holds {names} in {s.path.name} "
                f"(columns: {_list(s.columns)}); pass --map {hint}"
            )
        assert self.distinct_id is not None and self.event is not None and self.ts is not None
        if self.leftovers:
            self.base = self._leftover_properties()
        return Mapped(
            shape=shape,
            uuid=self.uuid,
            distinct_id=self.distinct_id,
            event=self.event,
            timestamp=self.ts[0],
            timestamp_raw=self.ts[1],
            properties_base=self.base[0],
            properties=self._final_properties(),
            properties_raw=self.base[1],
            record_problem=s.record_problem(),
            checks=self.checks,
            origin=self.origin,
        )

    def _final_properties(self) -> str:
        """``_pb`` with derived keys: fills where the row has no such key, then overrides.

        ``json_merge_patch('{}', x)`` drops null members first: in a merge patch a
        null deletes the key, and a missing context value must not delete anything.
        """
        override = list(self.override)
        for key, sources in self.person_sets.items():
            merged = "'{}'::JSON"
            for src in sources:
                merged = (
                    f"json_merge_patch({merged}, CASE WHEN json_type({src}) = 'OBJECT' "
                    f"THEN {src} ELSE '{{}}' END)"
                )
            own = f"json_extract(_pb, {_path(key)})"
            value = (
                f"json_merge_patch({merged}, CASE WHEN json_type({own}) = 'OBJECT' "
                f"THEN {own} ELSE '{{}}' END)"
            )
            override.append((key, f"CASE WHEN {value} <> '{{}}' THEN {value} END"))
        fills: dict[str, list[str]] = {}
        for key, value in self.fill:
            fills.setdefault(key, []).append(value)
        if not override and not fills:
            return "_pb"
        out = "_pb"
        if fills:
            members = ", ".join(
                f"{lit(key)}, CASE WHEN json_exists(_pb, {_path(key)}) THEN NULL "
                f"ELSE {_coalesce(values)} END"
                for key, values in fills.items()
            )
            out = f"json_merge_patch({out}, json_merge_patch('{{}}', json_object({members})))"
        if override:
            members = ", ".join(f"{lit(key)}, {value}" for key, value in override)
            out = f"json_merge_patch({out}, json_merge_patch('{{}}', json_object({members})))"
        return f"CASE WHEN _pb IS NOT NULL THEN {out} END"

    def _leftover_properties(self) -> tuple[str, str]:
        """A file of no known shape without a properties column: other columns are properties."""
        s = self.s
        if s.format == "jsonl":
            drop = ", ".join(f"{lit(c)}, NULL" for c in sorted(self.used))
            expr = f"json_merge_patch(_rec, json_object({drop}))" if drop else "_rec"
            return expr, "CAST(_rec AS VARCHAR)"
        rest = [c for c in s.columns if c not in self.used]
        if not rest:
            return _EMPTY, "NULL::VARCHAR"
        values = ", ".join(
            f"{lit(c)}, {s.text(c) if s.format == 'csv' else s.json(c)}" for c in rest
        )
        return f"json_merge_patch('{{}}', json_object({values}))", "NULL::VARCHAR"
