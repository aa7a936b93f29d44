"""Fuzzing the capture endpoints of a live server: no input, however odd, is a 5xx.

Two generators, both bounded in the number of requests (not in time):
schemathesis derives schema-valid and schema-violating requests from the server's own
``/openapi.json``; hypothesis mutates real SDK bodies at the byte and JSON level.
Most requests carry the real write key so they reach validation and the writer
instead of stopping at the 401.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fieldnote.home import Home
from tests.conftest import LiveServer, run_cli, start_server

FUZZ = settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    home: Path = tmp_path_factory.mktemp("capture-fuzz") / "home"
    run_cli(home, "projects", "list")
    s = start_server(home, env={"FIELDNOTE_MAX_BODY_BYTES": str(256 * 1024)})
    yield s
    s.stop()


def _spec(server: LiveServer) -> dict[str, Any]:
    """The server's own OpenAPI document (served to authenticated callers)."""
    info = Home.at(server.home).running_server()
    assert info is not None
    headers = {"Authorization": f"Bearer {info.admin_token}"}
    for path in ("/api/openapi.json", "/openapi.json"):
        r = httpx.get(server.url + path, headers=headers, timeout=30)
        if r.status_code == 200:
            spec: dict[str, Any] = r.json()
            return spec
    raise AssertionError("the server publishes no OpenAPI document")


def test_schemathesis_finds_no_server_error_in_any_capture_operation(server: LiveServer) -> None:
    key = server.write_key()
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    schema = schemathesis.openapi.from_dict(_spec(server)).include(tag="capture")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/batch/", "/e/", "/v1/track", "/v1/batch"}
    checks = [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ]
    calls = 0
    with httpx.Client(base_url=server.url) as http:
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @FUZZ
                @given(case=operation.as_strategy(generation_mode=mode), with_key=st.integers(0, 3))
                def run(case: schemathesis.Case, with_key: int) -> None:
                    nonlocal calls
                    if with_key:  # three in four requests authenticate
                        if isinstance(case.body, dict):  # PostHog reads api_key, Segment writeKey
                            case.body.update(api_key=key, writeKey=key)
                        elif (
                            isinstance(case.body, list)
                            and case.body
                            and isinstance(case.body[0], dict)
                        ):
                            case.body[0]["api_key"] = key
                        case.headers = {**(case.headers or {}), "Authorization": auth}
                    case.call_and_validate(base_url=server.url, checks=checks)
                    calls += 1

                run()
        assert http.get("/healthz").status_code == 200
    assert calls >= len(operations) * 2


def _sdk_bodies(key: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """Real request bodies of the SDKs, the seeds the mutations start from."""
    batch = {
        "api_key": key,
        "batch": [
            {
                "event": "report_created",
                "distinct_id": "user-42",
                "properties": {"$lib": "posthog-python", "plan": "pro", "$set": {"seats": 3}},
                "timestamp": "2026-11-20T10:00:00.000+00:00",
                "uuid": "0192f5a3-7c1e-7b4a-9a55-3f0e8d7c6b5a",
            }
        ],
        "sent_at": "2026-11-20T10:00:01+00:00",
    }
    segment = {
        "batch": [
            {
                "type": "track",
                "event": "Report Exported",
                "userId": "user-42",
                "messageId": "ios-7d1c-0001",
                "context": {"campaign": {"source": "newsletter"}, "os": {"name": "iOS"}},
                "timestamp": "2026-11-20T10:00:00.000Z",
            }
        ],
        "writeKey": key,
    }
    js = [{"event": "$pageview", "properties": {"token": key, "distinct_id": "anon-1"}}]
    return [
        ("/batch/", json.dumps(batch).encode(), {"Content-Type": "application/json"}),
        ("/v1/batch", json.dumps(segment).encode(), {"Content-Type": "application/json"}),
        ("/e/?compression=gzip-js", gzip.compress(json.dumps(js).encode()), {}),
        (
            "/e/",
            b"data=" + base64.b64encode(json.dumps(js).encode()),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
    ]


json_leaf = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def _replace_somewhere(value: Any, replacement: Any, choice: int) -> Any:
    """Swap one node of a JSON document (picked by ``choice``) for ``replacement``."""
    nodes: list[tuple[Any, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                nodes.append((node, k))
                walk(v)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                nodes.append((node, i))
                walk(v)

    walk(value)
    if nodes:
        parent, slot = nodes[choice % len(nodes)]
        parent[slot] = replacement
    return value


def test_mutated_sdk_bodies_never_cause_a_server_error(server: LiveServer) -> None:
    key = server.write_key()
    seeds = _sdk_bodies(key)
    statuses: set[int] = set()
    with httpx.Client(base_url=server.url, timeout=30) as http:

        @settings(
            max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        @example(seed=0, how="content-encoding", replacement=None, choice=2, noise=b"x")  # 200
        @example(seed=1, how="truncate", replacement=None, choice=40, noise=b"x")  # 400
        @given(
            seed=st.sampled_from(range(len(seeds))),
            how=st.sampled_from(["json-node", "bytes", "truncate", "content-encoding"]),
            replacement=json_value,
            choice=st.integers(0, 200),
            noise=st.binary(min_size=1, max_size=8),
        )
        def post(seed: int, how: str, replacement: Any, choice: int, noise: bytes) -> None:
            path, body, headers = seeds[seed]
            headers = dict(headers)
            if how == "json-node" and headers.get("Content-Type") == "application/json":
                doc = _replace_somewhere(json.loads(body), replacement, choice)
                body = json.dumps(doc).encode()
            elif how == "bytes":
                at = choice % len(body)
                body = body[:at] + noise + body[at + len(noise) :]
            elif how == "truncate":
                body = body[: choice % len(body)]
            else:
                headers["Content-Encoding"] = ["gzip", "deflate", "identity", "compress"][
                    choice % 4
                ]
            r = http.post(path, content=body, headers=headers)
            statuses.add(r.status_code)
            assert r.status_code < 500, (r.status_code, r.text, body[:300])
            assert r.headers["content-type"] == "application/json"

        post()
        # The server is still healthy and still captures.
        path, body, headers = seeds[0]
        assert http.post(path, content=body, headers=headers).status_code == 200
    assert 200 in statuses and 400 in statuses
