"""``fieldnote export``: the store as Parquet for Spark, with or without a running server.

DuckDB lets one process write the file: while ``fieldnote serve`` owns it, the CLI
asks the server to write the export (admin token from server.json) instead of
opening the file, and gets the same result.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import httpx
import pytest

from fieldnote.events import DuckDBEventStore, events_to_arrow
from fieldnote.events.engines import (
    DuckDBFile,
    EngineSourceError,
    EventReader,
    ParquetExport,
    open_engine,
)
from tests.conftest import LiveServer, run_cli
from tests.events.engines.shop_events import shop_stream


def test_export_without_a_server_reads_the_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    stream = shop_stream(visitors=9)
    store = DuckDBEventStore(home / "events.duckdb", threads=1)
    for batch in stream.batches:
        store.append(events_to_arrow(batch))
    store.close()

    report = json.loads(run_cli(home, "export", str(tmp_path / "lake"), "--json").stdout)

    assert report["projects"] == ["blog", "shop"]
    assert report["events"] == len(stream.unique)
    assert report["persons"] == len(stream.persons["shop"]) + len(stream.persons["blog"])
    with EventReader(open_engine("duckdb", ParquetExport(tmp_path / "lake"))) as reader:
        assert reader.count("shop") == len(stream.events("shop"))
        assert reader.person_for("shop", "crm-1000") == reader.person_for("shop", "anon-000")

    unknown = run_cli(home, "export", str(tmp_path / "x"), "--project", "nope", check=False)
    assert unknown.returncode == 1
    assert "nope" in unknown.stderr


def test_export_while_the_server_owns_the_store_goes_through_the_server(
    live_server: LiveServer, tmp_path: Path
) -> None:
    key = live_server.write_key()
    ids = [str(uuid.uuid4()) for _ in range(40)]
    body = {
        "api_key": key,
        "batch": [
            {
                "event": "$identify" if i == 0 else "report_created",
                "distinct_id": "user-7",
                "uuid": u,
                "timestamp": f"2026-05-04T09:{i:02d}:00Z",
                "properties": {"$anon_distinct_id": "anon-7", "$set": {"plan": "team"}}
                if i == 0
                else {"rows": i},
            }
            for i, u in enumerate(ids)
        ],
    }
    assert httpx.post(f"{live_server.url}/batch/", json=body, timeout=10).status_code == 200

    out = live_server.cli("export", str(tmp_path / "lake"), "--project", "default", "--json")
    report = json.loads(out.stdout)

    assert report["projects"] == ["default"]
    assert report["events"] == 40
    with pytest.raises(EngineSourceError, match=r"while another process writes it"):
        open_engine("duckdb", DuckDBFile(live_server.home / "events.duckdb"))
    with EventReader(open_engine("duckdb", ParquetExport(tmp_path / "lake"))) as reader:
        person = reader.person_for("default", "anon-7")
        assert person is not None
        assert set(person.distinct_ids) == {"anon-7", "user-7"}
        assert person.properties == {"plan": "team"}
    # The server is still the store's writer and still capturing.
    assert httpx.post(f"{live_server.url}/batch/", json=body, timeout=10).status_code == 200

    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "cat.jpg").write_bytes(b"\xff\xd8")
    refused = live_server.cli("export", str(foreign), check=False)
    assert refused.returncode == 1
    assert "holds no earlier fieldnote export" in refused.stderr
