"""The Segment export shape: exactly the mapping capture (``fieldnote.events.capture``)
applies: ``identify`` → ``$identify`` with traits as ``$set``
and the anonymous id as ``$anon_distinct_id``; ``alias`` → ``$create_alias`` with
``alias`` = previousId; ``page`` → ``$pageview``; ``screen`` → ``$screen``; ``group``
→ ``$groupidentify``; campaign, OS, device, app, library, page and location context
flattened into ``utm_*``, ``$os``, ``$device_type``...; the browser read from the
User-Agent; non-UUID messageIds hashed into the same UUID capture derives. So history
imported from an export and the same events captured live are the same rows (a
re-import of captured events finds them all duplicates), and persons agree.
"""

from __future__ import annotations

from fieldnote.events.importing._builder import (
    EMPTY_OBJECT,
    ShapeBuilder,
    coalesce_sql,
    json_path,
    origin_of,
    to_json_sql,
)
from fieldnote.events.importing._sql import lit

__all__ = ["SEGMENT_KEYS", "SEGMENT_TYPES", "segment"]

SEGMENT_TYPES = ("track", "identify", "page", "screen", "alias", "group")

SEGMENT_KEYS = ("messageId", "anonymousId", "userId", "previousId")

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


def segment(b: ShapeBuilder) -> None:
    """Segment messages (track, identify, page, screen, alias, group), as capture maps them."""
    s = b.s
    kind = b.text_of("type")
    t = f"lower({kind[0]})" if kind else "'track'"
    user = b.text_of("userId")
    anon = b.text_of("anonymousId")
    user_sql = user[0] if user else "NULL::VARCHAR"
    anon_sql = anon[0] if anon else "NULL::VARCHAR"
    b.set_text("uuid", "messageId")
    b.distinct_id = (
        f"CASE WHEN {t} = 'alias' THEN {user_sql} ELSE coalesce({user_sql}, {anon_sql}) END"
    )
    b.origin["distinct_id"] = origin_of(["userId", "anonymousId"])
    named = b.text_of("event")
    b.event = (
        f"CASE {t} WHEN 'track' THEN {named[0] if named else 'NULL::VARCHAR'} "
        "WHEN 'page' THEN '$pageview' WHEN 'screen' THEN '$screen' "
        "WHEN 'identify' THEN '$identify' WHEN 'alias' THEN '$create_alias' "
        "WHEN 'group' THEN '$groupidentify' END"
    )
    b.origin["event"] = origin_of(["type", "event"] if kind else ["event"])
    if kind:
        types = ", ".join(lit(x) for x in SEGMENT_TYPES)
        b.checks.append(
            (f"{kind[0]} IS NULL", lit("type is missing (a Segment message needs one)"))
        )
        b.checks.append(
            (
                f"{t} NOT IN ({types})",
                f"'type ''' || {kind[0]} || ''' is not a Segment message type'",
            )
        )
    b.checks.append((f"{t} = 'alias' AND {user_sql} IS NULL", lit("userId is missing (alias)")))
    previous = b.text_of("previousId")
    previous_sql = previous[0] if previous else "NULL::VARCHAR"
    b.checks.append(
        (f"{t} = 'alias' AND {previous_sql} IS NULL", lit("previousId is missing (alias)"))
    )
    group = b.text_of("groupId")
    group_sql = group[0] if group else "NULL::VARCHAR"
    b.checks.append((f"{t} = 'group' AND {group_sql} IS NULL", lit("groupId is missing (group)")))
    b.set_timestamp("timestamp", "originalTimestamp", "receivedAt", "sentAt")

    # Only track, page and screen carry properties of their own.
    if b.set_properties("properties"):
        own, raw = b.base
        b.base = (
            f"CASE WHEN {t} IN ('identify', 'alias', 'group') THEN {EMPTY_OBJECT} ELSE {own} END",
            raw,
        )
    traits_col = b.col("traits")
    traits = s.json(traits_col) if traits_col else "NULL::JSON"
    b.override += [
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
            f"THEN {traits} ELSE {EMPTY_OBJECT} END END",
        ),
    ]
    name = b.col("name")
    if name is not None:
        v = s.value(name)
        b.override.append(("$page_name", f"CASE WHEN {t} = 'page' THEN {v} END"))
        b.override.append(("$screen_name", f"CASE WHEN {t} = 'screen' THEN {v} END"))
    category = b.col("category")
    if category is not None:
        v = s.value(category)
        b.override.append(("$page_category", f"CASE WHEN {t} = 'page' THEN {v} END"))
    _segment_context(b, t)


def _segment_context(b: ShapeBuilder, t: str) -> None:
    """Context (campaign, device, OS, app, page, location) and the User-Agent."""
    s = b.s
    for key in ("url", "path"):
        dst = "$current_url" if key == "url" else "$pathname"
        own = f"json_extract(_pb, {json_path(key)})"
        b.fill.append(
            (dst, f"CASE WHEN {t} = 'page' AND json_type({own}) <> 'NULL' THEN {own} END")
        )
    page_url = s.nested_text(("context", "page", "url"))
    page_value = s.nested_value(("context", "page", "url"))
    if page_url is not None and page_value is not None:
        b.fill.append(("$current_url", page_value))
        host = (
            "lower(NULLIF(regexp_extract("
            f"{page_url}, '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^@/?#]*@)?(\\[[^\\]]*\\]|[^:/?#]*)', 1"
            "), ''))"
        )
        b.fill.append(("$host", f"to_json({host})"))
    for key, path in _SEGMENT_CONTEXT:
        value = s.nested_value(path)
        if value is not None:
            b.fill.append((key, value))
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
        b.fill.append(("$raw_user_agent", f"to_json({agent})"))
        browser = " ".join(
            f"WHEN regexp_matches({a}, {lit(p)}) THEN {lit(n)}" for n, p in _BROWSERS
        )
        version = " ".join(
            f"WHEN regexp_matches({a}, {lit(p)}) THEN regexp_extract({a}, {lit(p)}, 1)"
            for _, p in _BROWSERS
        )
        b.fill.append(("$browser", f"to_json(CASE {browser} END)"))
        b.fill.append(("$browser_version", f"to_json(CASE {version} END)"))
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
    os_fill = coalesce_sql(
        [(s.nested_value(("context", "os", "name")) or "") if os_name else "", to_json_sql(ua_os)]
    )
    if os_fill:
        b.fill.append(("$os", os_fill))
    os_version_value = s.nested_value(("context", "os", "version"))
    if os_version and os_version_value:
        b.fill.append(("$os_version", os_version_value))
    device_fill = coalesce_sql([to_json_sql(device_type), to_json_sql(ua_device)])
    if device_fill:
        b.fill.append(("$device_type", device_fill))
    context = b.col("context")
    if context is not None or s.format == "jsonl":
        b.override.append(
            (
                "$segment_context",
                f"CASE WHEN json_type({s.json('context')}) = 'OBJECT' "
                f"AND {s.json('context')} <> '{{}}' THEN {s.json('context')} END",
            )
        )
