"""Past one machine, at small scale: two capture servers, one shared segments folder.

Two real ``fieldnote serve`` processes (each with its own home, so each has its own
write key for the same project name) write into one ``FIELDNOTE_SEGMENTS_DIR``.
Clients send PostHog batches to both at once; some batches are deliberately sent
to both servers (a load balancer retrying after a timeout), and when one server is
killed with SIGKILL mid-load its clients fail over to the other with the same
events. Then Apache Spark (local mode) reads the folder: every acknowledged event is
there exactly once, and nothing that was never sent.
"""

from __future__ import annotations

import json
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyarrow.parquet as pq
import pytest

from fieldnote.events.engines import EngineOptions, EventReader, SegmentsFolder, open_engine
from fieldnote.events.engines._spark import local_spark_session
from fieldnote.events.segments import compact_segments
from tests.conftest import LiveServer, run_cli, start_server

pytestmark = [pytest.mark.spark, pytest.mark.slow]

CLIENTS_PER_SERVER = 2
BATCH = 25


@pytest.fixture(scope="session")
def spark() -> Any:
    """The run's one local Spark (shared with the parity tests: one session per process)."""
    return local_spark_session("local[2]", shuffle_partitions=2)


def _server(root: Path, name: str, segments: Path) -> tuple[LiveServer, str]:
    home = root / name
    home.mkdir()
    key = json.loads(run_cli(home, "projects", "create", "shop", "--json").stdout)["write_key"]
    server = start_server(home, env={"FIELDNOTE_SEGMENTS_DIR": str(segments)})
    return server, key


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[tuple[Path, list[tuple[LiveServer, str]]]]:
    segments = tmp_path / "segments"
    pair = [_server(tmp_path, name, segments) for name in ("capture-a", "capture-b")]
    yield segments, pair
    for server, _ in pair:
        server.stop(signal.SIGKILL)


def _body(key: str, ids: list[str], client: int, n: int) -> dict[str, Any]:
    return {
        "api_key": key,
        "batch": [
            {
                "event": ("$pageview", "product_viewed", "added_to_cart")[i % 3],
                "distinct_id": f"visitor-{client}-{(n + i) % 11}",
                "uuid": u,
                "timestamp": f"2026-03-0{2 + (n + i) % 3}T1{i % 10}:00:00Z",
                "properties": {"$current_url": f"https://shop.example/p/{i}", "client": client},
            }
            for i, u in enumerate(ids)
        ],
    }


class Load:
    """Clients that record which uuids a server acknowledged (a 200), and every uuid sent."""

    def __init__(self, pair: list[tuple[LiveServer, str]]) -> None:
        self.pair = pair
        self.acked: set[str] = set()
        self.sent: set[str] = set()
        self.double_sent = 0
        self.batches_acked = [0, 0]
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.dead = [False, False]

    def _post(self, http: list[httpx.Client], target: int, ids: list[str], c: int, n: int) -> bool:
        if self.dead[target]:
            return False
        server, key = self.pair[target]
        try:
            r = http[target].post(f"{server.url}/batch/", json=_body(key, ids, c, n))
        except httpx.HTTPError:
            return False  # killed mid-request: not acknowledged
        if r.status_code != 200:
            return False
        with self.lock:
            self.acked.update(ids)
            self.batches_acked[target] += 1
        return True

    def client(self, home_server: int, c: int) -> None:
        http = [httpx.Client(timeout=10), httpx.Client(timeout=10)]
        other = 1 - home_server
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                ids = [str(uuid.uuid4()) for _ in range(BATCH)]
                with self.lock:
                    self.sent.update(ids)
                ok = self._post(http, home_server, ids, c, n)
                # Failover after an error, and deliberate double delivery of every 4th
                # batch: the same uuids (and timestamps) to the other server.
                if (not ok or n % 4 == 0) and self._post(http, other, ids, c, n) and ok:
                    with self.lock:
                        self.double_sent += 1
                if self.dead[home_server] and self.dead[other]:
                    return
        finally:
            for h in http:
                h.close()

    def wait_for(self, predicate: Any, what: str) -> None:
        deadline = time.monotonic() + 120  # a safety net against a hang, not a speed check
        while not predicate():
            assert time.monotonic() < deadline, f"the load never got to: {what}"
            time.sleep(0.05)


def test_two_capture_servers_then_spark_reads_every_acknowledged_event_once(
    servers: tuple[Path, list[tuple[LiveServer, str]]], spark: Any
) -> None:
    segments, pair = servers
    load = Load(pair)
    threads = [
        threading.Thread(target=load.client, args=(s, s * CLIENTS_PER_SERVER + k))
        for s in (0, 1)
        for k in range(CLIENTS_PER_SERVER)
    ]
    for t in threads:
        t.start()
    try:
        load.wait_for(
            lambda: min(load.batches_acked) >= 15 and load.double_sent >= 4,
            "15 batches acknowledged by each server, 4 of them by both",
        )
        pair[0][0].stop(signal.SIGKILL)  # capture-a dies mid-load
        load.dead[0] = True
        acked_at_kill = sum(load.batches_acked)
        load.wait_for(
            lambda: sum(load.batches_acked) >= acked_at_kill + 15,
            "15 more batches acknowledged by the survivor",
        )
    finally:
        load.stop.set()
        for t in threads:
            t.join()
    pair[1][0].stop()
    assert load.double_sent >= 4, "some batches were written by both servers"

    raw = [p for p in segments.rglob("*.parquet") if p.parts[-3].startswith("project=")]
    raw_rows = sum(pq.ParquetFile(p).metadata.num_rows for p in raw)
    writers = {p.name.rsplit("-", 2)[1] for p in raw}  # <host>-<pid>-<seq>.parquet
    assert len(writers) == 2, "both processes wrote segments"
    assert raw_rows > len(load.acked), "the folder holds retries twice before compaction"

    engine = open_engine("spark", SegmentsFolder(segments), EngineOptions(spark=spark))
    with EventReader(engine) as reader:
        events = reader.events("shop")
        uuids = reader.engine.backend.to_pyarrow(events.select("uuid")).column(0).to_pylist()
        assert len(uuids) == len(set(uuids)), "an event was counted twice"
        missing = load.acked - set(uuids)
        assert not missing, f"{len(missing)} acknowledged events are missing"
        assert set(uuids) <= load.sent, "an event nobody sent"

        result = compact_segments(segments)
        assert result.rows_out == len(uuids)
        assert result.duplicates_removed == raw_rows - len(uuids)
        assert reader.count("shop") == len(uuids)
