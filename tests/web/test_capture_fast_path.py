"""The capture fast path (raw ASGI, before FastAPI routing) and the documented FastAPI
routes are one behaviour: same answers, same commits; the routes stay in the spec."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.web import create_app
from fieldnote.web._capture import POSTHOG_PATHS, SEGMENT_PATHS
from fieldnote.web._capture import router as capture_router


@pytest.fixture
def home_and_key(tmp_path: Path) -> tuple[Path, str]:
    home = tmp_path / "home"
    fn = Fieldnote(Settings(home=home), auto_create=True)
    try:
        return home, fn.projects.create("shop").write_key
    finally:
        fn.close()


@pytest.fixture
def client(home_and_key: tuple[Path, str]) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(home=home_and_key[0]))) as c:
        yield c


def test_capture_routes_stay_in_the_openapi_document(tmp_path: Path) -> None:
    spec = create_app(Settings(home=tmp_path / "unused")).openapi()
    for path in (*POSTHOG_PATHS, *SEGMENT_PATHS):
        assert "post" in spec["paths"][path], path


def _batch(key: str, *, broken: bool = False) -> bytes:
    events = [{"event": "signup", "distinct_id": f"u{i}", "properties": {"i": i}} for i in range(3)]
    if broken:
        events[2]["timestamp"] = "2026-13-45"
    return orjson.dumps({"api_key": key, "batch": events})


def test_fast_path_and_fastapi_route_answer_alike(
    client: TestClient, home_and_key: tuple[Path, str]
) -> None:
    key = home_and_key[1]
    # The same app state, reached through FastAPI routing alone (no fast path).
    routed = FastAPI()
    routed.include_router(capture_router)
    routed.state.fieldnote = client.app.state.fieldnote  # type: ignore[attr-defined]
    plain = TestClient(routed)
    st = client.app.state.fieldnote  # type: ignore[attr-defined]
    commits = st.writer.commits
    for c in (client, plain):
        ok = c.post("/batch/", content=_batch(key))
        assert (ok.status_code, ok.json()) == (200, {"status": 1})
        bad = c.post("/batch/", content=_batch(key, broken=True))
        assert bad.status_code == 400
        assert bad.json()["field"] == "timestamp" and bad.json()["index"] == 2
        assert "batch[2].timestamp" in bad.json()["error"]
        nokey = c.post("/v1/track", json={"userId": "u1", "event": "x"})
        assert nokey.status_code == 401
        assert nokey.headers["www-authenticate"].startswith("Basic")
        assert nokey.headers["content-type"] == "application/json"
    assert st.writer.commits == commits + 2, "each valid request committed, no invalid one"
    assert st.store.count("shop") == 6


def test_other_methods_on_capture_paths_reach_fastapi(client: TestClient) -> None:
    assert client.get("/batch/").status_code == 405
    assert client.get("/healthz").json()["status"] == "ok"
