"""Capture over raw HTTP: every wrapping, retries, and every kind of bad input.

One server (with small limits, so oversize bodies stay small) serves the whole module.
Each bad request must be refused with its status and a message naming what is wrong,
must write nothing, and must leave the server answering.
"""

from __future__ import annotations

import base64
import gzip
import json
import uuid
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from fieldnote.home import Home
from tests.conftest import LiveServer, run_cli, start_server

MAX_BODY = 64 * 1024
MAX_EVENTS = 50


class Capture:
    """The module's server, its keys, and a reader through the admin API."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.key = server.write_key()
        shop = json.loads(server.cli("projects", "create", "shop", "--json").stdout)
        self.shop_key: str = shop["write_key"]
        self.shop_secret: str = shop["secret_key"]
        info = Home.at(server.home).running_server()
        assert info is not None
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.admin = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {info.admin_token}"}, timeout=30
        )

    def count(self, project: str = "default") -> int:
        r = self.admin.get(f"/api/projects/{project}/events/count")
        r.raise_for_status()
        return int(r.json()["count"])

    def tail(self, n: int = 20, project: str = "default") -> list[dict[str, Any]]:
        r = self.admin.get(f"/api/projects/{project}/events/tail", params={"limit": n})
        r.raise_for_status()
        events: list[dict[str, Any]] = r.json()["events"]
        return events


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Capture]:
    home: Path = tmp_path_factory.mktemp("capture-http") / "home"
    run_cli(home, "projects", "list")  # creates the home and the default project
    server = start_server(
        home,
        env={
            "FIELDNOTE_MAX_BODY_BYTES": str(MAX_BODY),
            "FIELDNOTE_MAX_BATCH_EVENTS": str(MAX_EVENTS),
        },
    )
    c = Capture(server)
    yield c
    c.http.close()
    c.admin.close()
    server.stop()


def event(n: int = 0, **over: Any) -> dict[str, Any]:
    e = {
        "event": "report_created",
        "distinct_id": f"user-{n}",
        "properties": {"$os": "iOS", "plan": "pro", "report_rows": 100 + n},
        "timestamp": "2026-11-20T10:00:00Z",
        "uuid": str(uuid.uuid4()),
    }
    e.update(over)
    return e


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


# -- what is accepted -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/batch/", "/batch", "/capture/", "/capture", "/e/", "/e", "/i/v0/e/", "/i/v0/e"]
)
def test_every_posthog_path_takes_a_batch_and_answers_like_posthog(
    capture: Capture, path: str
) -> None:
    before = capture.count()
    r = capture.http.post(path, json={"api_key": capture.key, "batch": [event(1), event(2)]})
    assert (r.status_code, r.json()) == (200, {"status": 1})
    assert capture.count() == before + 2


def test_single_event_array_and_properties_token(capture: Capture) -> None:
    before = capture.count()
    single = capture.http.post("/capture/", json={**event(3), "api_key": capture.key})
    token = capture.http.post("/e/", json={**event(4), "token": capture.key})
    array = capture.http.post(
        "/e/",
        json=[
            {"event": "$pageview", "properties": {"token": capture.key, "distinct_id": "anon-1"}},
            {"event": "$pageleave", "properties": {"token": capture.key, "distinct_id": "anon-1"}},
        ],
    )
    assert [r.status_code for r in (single, token, array)] == [200, 200, 200]
    assert capture.count() == before + 4


def test_gzip_by_header_and_by_posthog_js_query_parameter(capture: Capture) -> None:
    before = capture.count()
    body = json.dumps({"api_key": capture.key, "batch": [event(5), event(6)]}).encode()
    r1 = capture.http.post(
        "/batch/",
        content=gzip.compress(body),
        headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
    )
    r2 = capture.http.post(
        "/e/",
        params={"compression": "gzip-js", "ver": "1.180.0", "_": "1763632800000"},
        content=gzip.compress(json.dumps([event(7, api_key=capture.key)]).encode()),
        headers={"Content-Type": "text/plain"},
    )
    r3 = capture.http.post(
        "/v1/batch",
        content=zlib.compress(
            json.dumps({"batch": [{"type": "track", "userId": "u", "event": "x"}]}).encode()
        ),
        headers={"Content-Encoding": "deflate", **basic(capture.key)},
    )
    assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 200]
    assert capture.count() == before + 4


def test_form_encoded_json_and_base64_as_posthog_js_fallbacks_send(capture: Capture) -> None:
    before = capture.count()
    plain = capture.http.post(
        "/e/", data={"data": json.dumps({**event(8), "api_key": capture.key})}
    )
    b64 = base64.b64encode(
        json.dumps([event(9, properties={"token": capture.key, "é": "ü"})]).encode()
    )
    encoded = capture.http.post(
        "/e/",
        content=f"data={quote(b64.decode())}&compression=base64".encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert [r.status_code for r in (plain, encoded)] == [200, 200]
    assert capture.count() == before + 2
    assert capture.tail(1)[0]["properties"]["é"] == "ü"


def test_retries_with_the_same_uuid_or_message_id_are_counted_once(capture: Capture) -> None:
    before = capture.count()
    batch = {"api_key": capture.key, "batch": [event(10), event(11)]}
    upper = {**event(12), "api_key": capture.key}
    seg = {"userId": "user-9", "event": "Signed Up", "messageId": "ajs-next-1763632800-9f2"}
    for _ in range(3):
        assert capture.http.post("/batch/", json=batch).status_code == 200
        assert (
            capture.http.post("/v1/track", json=seg, headers=basic(capture.key)).status_code == 200
        )
    assert capture.http.post("/e/", json=upper).status_code == 200
    assert (
        capture.http.post("/e/", json={**upper, "uuid": upper["uuid"].upper()}).status_code == 200
    )
    assert capture.count() == before + 4
    stored = {e["uuid"] for e in capture.tail(4)}
    assert upper["uuid"] in stored


def test_events_go_to_the_project_of_the_write_key(capture: Capture) -> None:
    before_default, before_shop = capture.count(), capture.count("shop")
    r = capture.http.post("/batch/", json={"api_key": capture.shop_key, "batch": [event(13)]})
    s = capture.http.post(
        "/v1/track", json={"userId": "u", "event": "x", "writeKey": capture.shop_key}
    )
    assert (r.status_code, s.status_code) == (200, 200)
    assert (capture.count(), capture.count("shop")) == (before_default, before_shop + 2)


def test_capture_answers_only_an_acknowledgement_never_stored_data(capture: Capture) -> None:
    capture.http.post("/batch/", json={"api_key": capture.key, "batch": [event(14)]})
    r = capture.http.post("/batch/", json={"api_key": capture.key, "batch": [event(14)]})
    assert r.content == b'{"status":1}'
    s = capture.http.post(
        "/v1/identify", json={"userId": "u", "traits": {"a": 1}}, headers=basic(capture.key)
    )
    assert s.content == b'{"success":true}'


# -- what is refused -----------------------------------------------------------------

GOOD = {"event": "x", "distinct_id": "u", "timestamp": "2026-11-20T10:00:00Z"}


def _bomb() -> bytes:
    comp = zlib.compressobj(wbits=31)
    return b"".join(comp.compress(bytes(64 * 1024)) for _ in range(64)) + comp.flush()


CASES: list[tuple[str, str, dict[str, Any], int, str, int | None, str | None]] = [
    # (id, path, request, status, error, index, field)
    (
        "malformed-json",
        "/batch/",
        {"content": b'{"api_key": "K", "batch": [', "json_body": False},
        400,
        "body is not valid JSON: ",
        None,
        None,
    ),
    (
        "not-gzip",
        "/batch/",
        {"content": b'{"api_key": "K"}', "headers": {"Content-Encoding": "gzip"}},
        400,
        "Content-Encoding is gzip but the body is not gzip data",
        None,
        None,
    ),
    (
        "truncated-gzip",
        "/batch/",
        {"content": "TRUNCATED_GZIP", "headers": {"Content-Encoding": "gzip"}},
        400,
        "body is truncated gzip data",
        None,
        None,
    ),
    (
        "unsupported-encoding",
        "/batch/",
        {"content": b"{}", "headers": {"Content-Encoding": "br"}},
        415,
        "Content-Encoding 'br' is not supported: use gzip, deflate or none",
        None,
        None,
    ),
    (
        "empty-body",
        "/batch/",
        {"content": b""},
        400,
        "body is empty: send a JSON event, batch or array",
        None,
        None,
    ),
    (
        "not-an-object",
        "/batch/",
        {"json": "hello"},
        400,
        "body must be a JSON object or array of events, got string",
        None,
        None,
    ),
    (
        "missing-key",
        "/batch/",
        {"json": {"batch": [GOOD]}},
        401,
        "missing write key: send the project's write key as api_key or token",
        None,
        None,
    ),
    (
        "wrong-key",
        "/batch/",
        {"json": {"api_key": "fnw_wrong", "batch": [GOOD]}},
        401,
        "unknown write key: use the project's write key",
        None,
        None,
    ),
    (
        "secret-key",
        "/batch/",
        {"json": {"api_key": "SECRET", "batch": [GOOD]}},
        401,
        "unknown write key: use the project's write key",
        None,
        None,
    ),
    (
        "segment-secret-key",
        "/v1/track",
        {"json": {"userId": "u", "event": "x"}, "auth": "SECRET"},
        401,
        "unknown write key: use the project's write key",
        None,
        None,
    ),
    (
        "segment-no-key",
        "/v1/track",
        {"json": {"userId": "u", "event": "x"}, "auth": None},
        401,
        "missing write key: send the write key as the Basic-auth user, or as writeKey",
        None,
        None,
    ),
    (
        "empty-batch",
        "/batch/",
        {"json": {"api_key": "K", "batch": []}},
        400,
        "batch: is empty; send at least one event",
        None,
        "batch",
    ),
    (
        "missing-event",
        "/batch/",
        {"json": {"api_key": "K", "batch": [GOOD, {"distinct_id": "u"}]}},
        400,
        "batch[1].event: is required",
        1,
        "event",
    ),
    (
        "missing-distinct-id",
        "/batch/",
        {"json": {"api_key": "K", "batch": [GOOD, GOOD, {"event": "x"}]}},
        400,
        "batch[2].distinct_id: is required (top level or in properties)",
        2,
        "distinct_id",
    ),
    (
        "event-name-not-string",
        "/batch/",
        {"json": {"api_key": "K", "batch": [{**GOOD, "event": {"name": "x"}}]}},
        400,
        "batch[0].event: must be a string, got object",
        0,
        "event",
    ),
    (
        "properties-not-object",
        "/batch/",
        {"json": {"api_key": "K", "batch": [GOOD, {**GOOD, "properties": "pro"}]}},
        400,
        "batch[1].properties: must be a JSON object, got string",
        1,
        "properties",
    ),
    (
        "bad-timestamp",
        "/batch/",
        {
            "json": {
                "api_key": "K",
                "batch": [GOOD, GOOD, GOOD, {**GOOD, "timestamp": "2026-13-45"}],
            }
        },
        400,
        "batch[3].timestamp: '2026-13-45' is not an ISO-8601 timestamp",
        3,
        "timestamp",
    ),
    (
        "ancient-timestamp",
        "/capture/",
        {"json": {**GOOD, "api_key": "K", "timestamp": "1970-01-01T00:00:00Z"}},
        400,
        "timestamp: '1970-01-01T00:00:00Z' is before 2000: not a plausible event time",
        0,
        "timestamp",
    ),
    (
        "future-timestamp",
        "/capture/",
        {"json": {**GOOD, "api_key": "K", "timestamp": "2099-01-01T00:00:00Z"}},
        400,
        "timestamp: '2099-01-01T00:00:00Z' is more than 82800 s in the future",
        0,
        "timestamp",
    ),
    (
        "bad-uuid",
        "/batch/",
        {"json": {"api_key": "K", "batch": [{**GOOD, "uuid": "retry-1"}]}},
        400,
        "batch[0].uuid: 'retry-1' is not a UUID",
        0,
        "uuid",
    ),
    (
        "too-many-events",
        "/batch/",
        {"json": {"api_key": "K", "batch": [GOOD] * (MAX_EVENTS + 1)}},
        413,
        f"batch: {MAX_EVENTS + 1} events is more than the limit of {MAX_EVENTS} per request",
        None,
        "batch",
    ),
    (
        "oversize-body",
        "/batch/",
        {"json": {"api_key": "K", "batch": [{**GOOD, "properties": {"blob": "x" * MAX_BODY}}]}},
        413,
        f"body is larger than the limit of {MAX_BODY} bytes",
        None,
        None,
    ),
    (
        "oversize-chunked",
        "/batch/",
        {"content": "CHUNKED"},
        413,
        f"body is larger than the limit of {MAX_BODY} bytes",
        None,
        None,
    ),
    (
        "gzip-bomb",
        "/batch/",
        {"content": "BOMB", "headers": {"Content-Encoding": "gzip"}},
        413,
        f"body is larger than {MAX_BODY} bytes once decompressed",
        None,
        None,
    ),
    (
        "segment-missing-ids",
        "/v1/batch",
        {
            "json": {
                "batch": [
                    {"type": "track", "event": "x", "userId": "u"},
                    {"type": "track", "event": "x"},
                ]
            }
        },
        400,
        "batch[1].userId: either userId or anonymousId is required",
        1,
        "userId",
    ),
    (
        "segment-bad-type",
        "/v1/batch",
        {"json": {"batch": [{"type": "pageview", "userId": "u"}]}},
        400,
        "batch[0].type: 'pageview' is not a message type: use one of track, identify, page, screen, alias, group",
        0,
        "type",
    ),
    (
        "segment-alias-no-previous",
        "/v1/alias",
        {"json": {"userId": "u"}},
        400,
        "previousId: is required for alias",
        0,
        "previousId",
    ),
    (
        "segment-traits-not-object",
        "/v1/identify",
        {"json": {"userId": "u", "traits": ["vip"]}},
        400,
        "traits: must be a JSON object, got array",
        0,
        "traits",
    ),
]


def _request(capture: Capture, path: str, spec: dict[str, Any]) -> httpx.Response:
    spec = dict(spec)
    headers = dict(spec.pop("headers", {}))
    spec.pop("json_body", None)
    segment = path.startswith("/v1/")
    auth = spec.pop("auth", capture.key) if segment else None
    if auth == "SECRET":
        auth = capture.shop_secret
    if auth:
        headers.update(basic(auth))
    if "json" in spec:
        text = json.dumps(spec.pop("json")).replace('"K"', json.dumps(capture.key))
        text = text.replace('"SECRET"', json.dumps(capture.shop_secret))
        spec["content"] = text.encode()
        headers.setdefault("Content-Type", "application/json")
    content = spec.get("content")
    if content == "TRUNCATED_GZIP":
        spec["content"] = gzip.compress(
            json.dumps({"api_key": capture.key, "batch": [GOOD]}).encode()
        )[:-12]
    elif content == "BOMB":
        spec["content"] = _bomb()
    elif content == "CHUNKED":
        chunk = b'{"api_key": "x", "batch": [' + b" " * 8192
        spec["content"] = iter([chunk] * (2 * MAX_BODY // len(chunk)))  # no Content-Length
    return capture.http.post(path, headers=headers, **spec)


@pytest.mark.parametrize(
    ("path", "spec", "status", "error", "index", "field"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_bad_input_is_refused_precisely_writes_nothing_and_the_server_carries_on(
    capture: Capture,
    path: str,
    spec: dict[str, Any],
    status: int,
    error: str,
    index: int | None,
    field: str | None,
) -> None:
    before = capture.count(), capture.count("shop")
    r = _request(capture, path, spec)
    assert r.status_code == status, r.text
    body = r.json()
    assert body["error"].startswith(error) if error.endswith(": ") else body["error"] == error
    assert (body["index"], body["field"]) == (index, field)
    assert body["errors"][0] == {"error": body["error"], "index": index, "field": field}
    if path.startswith("/v1/"):  # what analytics-python reads
        assert (body["code"], body["message"]) == (body["code"], body["error"])
    else:  # what posthog-python reads
        assert body["detail"] == body["error"]
    assert (capture.count(), capture.count("shop")) == before, "a refused request wrote events"
    assert capture.http.get("/healthz").status_code == 200


def test_one_bad_event_refuses_the_whole_batch_and_lists_every_error(capture: Capture) -> None:
    before = capture.count()
    batch = [
        event(20),
        event(21, event=None),
        event(22),
        event(23, timestamp="2026-11-20T25:00:00Z"),
        event(24),
    ]
    r = capture.http.post("/batch/", json={"api_key": capture.key, "batch": batch})
    assert r.status_code == 400
    assert r.json()["errors"] == [
        {"error": "batch[1].event: is required", "index": 1, "field": "event"},
        {
            "error": "batch[3].timestamp: '2026-11-20T25:00:00Z' is not an ISO-8601 timestamp",
            "index": 3,
            "field": "timestamp",
        },
    ]
    assert capture.count() == before
    # Fixed, the same batch goes through whole.
    batch[1]["event"] = "report_shared"
    batch[3]["timestamp"] = "2026-11-20T23:00:00Z"
    assert (
        capture.http.post("/batch/", json={"api_key": capture.key, "batch": batch}).status_code
        == 200
    )
    assert capture.count() == before + 5


def test_after_all_that_bad_input_the_server_still_captures(capture: Capture) -> None:
    before = capture.count()
    r = capture.http.post(
        "/batch/", json={"api_key": capture.key, "batch": [event(n) for n in range(MAX_EVENTS)]}
    )
    assert r.status_code == 200
    assert capture.count() == before + MAX_EVENTS
