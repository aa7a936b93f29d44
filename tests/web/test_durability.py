"""A 2xx means committed: SIGKILL mid-load loses no acknowledged event, and counts none twice."""

from __future__ import annotations

import signal
import threading
import time
import uuid
from pathlib import Path

import httpx

from fieldnote.events import DuckDBEventStore
from tests.conftest import LiveServer, start_server


def _batch(key: str, client_no: int, n: int) -> tuple[list[str], dict[str, object]]:
    ids = [str(uuid.uuid4()) for _ in range(n)]
    body = {
        "api_key": key,
        "batch": [
            {
                "event": "report_created",
                "distinct_id": f"user-{client_no}-{i % 7}",
                "uuid": u,
                "timestamp": "2026-11-20T10:00:00Z",
                "properties": {"$os": "iOS", "client": client_no},
            }
            for i, u in enumerate(ids)
        ],
    }
    return ids, body


def _stored_uuids(home: Path) -> list[str]:
    store = DuckDBEventStore(home / "events.duckdb", read_only=True)
    try:
        rows = store.connection.execute(
            "SELECT CAST(uuid AS VARCHAR) FROM events WHERE project = 'default'"
        ).fetchall()
    finally:
        store.close()
    return [r[0] for r in rows]


def test_sigkill_under_concurrent_load_keeps_every_acknowledged_event_once(
    live_server: LiveServer,
) -> None:
    key = live_server.write_key()
    acked: list[list[str]] = []
    bodies: list[dict[str, object]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(no: int) -> None:
        with httpx.Client(base_url=live_server.url, timeout=10) as http:
            while not stop.is_set():
                ids, body = _batch(key, no, 50)
                try:
                    r = http.post("/batch/", json=body)
                except httpx.HTTPError:
                    return  # the server died mid-request: this batch was not acknowledged
                if r.status_code == 200:
                    with lock:
                        acked.append(ids)
                        bodies.append(body)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # let real load build up before the kill
        with lock:
            if len(acked) >= 200:
                break
        time.sleep(0.05)
    live_server.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    assert len(acked) >= 50, "the load never got going"

    # Restart on the same home: DuckDB replays its write-ahead log.
    restarted = start_server(live_server.home)
    try:
        # Retry a few acknowledged batches, as an SDK would after a timeout.
        with httpx.Client(base_url=restarted.url, timeout=10) as http:
            for body in bodies[:5]:
                assert http.post("/batch/", json=body).status_code == 200
    finally:
        restarted.stop()

    stored = _stored_uuids(live_server.home)
    acknowledged = {u for ids in acked for u in ids}
    assert acknowledged <= set(stored), (
        f"{len(acknowledged - set(stored))} acknowledged events lost"
    )
    assert len(stored) == len(set(stored)), "an event was stored twice"
