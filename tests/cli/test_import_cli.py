"""``fieldnote import``: a real CLI process, with and without a running server.

Without a server the CLI opens the event store itself; with ``fieldnote serve``
running on the home it must not (DuckDB would refuse a second writer), so it hands
the file to the server, which imports it on its writer thread between capture commits.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from fieldnote.events import DuckDBEventStore
from tests.conftest import LiveServer, run_cli

PLANS = ["free", "pro", "team"]


def posthog_export(
    path: Path, n: int, *, start: int = 0, bad: dict[int, str] | None = None
) -> Path:
    """A PostHog-style CSV export: ``n`` events of a few users over one morning."""
    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["uuid", "event", "distinct_id", "timestamp", "properties"])
        for i in range(start, start + n):
            ts = (t0 + timedelta(minutes=7 * i)).isoformat().replace("+00:00", "Z")
            w.writerow(
                [
                    f"0196b111-2222-7333-8444-{i:012d}",
                    ["$pageview", "report_created", "dashboard_viewed"][i % 3],
                    f"user-{i % 4}",
                    (bad or {}).get(i, ts),
                    json.dumps(
                        {"plan": PLANS[i % 3], "$current_url": f"https://app.example.com/r/{i}"}
                    ),
                ]
            )
    return path


def _stored(home: Path) -> int:
    """Events in the home's store, read directly (no server runs in these tests)."""
    if not (home / "events.duckdb").exists():
        return 0
    store = DuckDBEventStore(home / "events.duckdb", read_only=True)
    try:
        row = store.connection.execute("SELECT count(*) FROM events").fetchone()
        return int(row[0]) if row else 0
    finally:
        store.close()


def _json(proc: object) -> dict[str, object]:
    out = json.loads(proc.stdout)
    assert isinstance(out, dict)
    return out


def test_import_count_and_reimport_without_a_server(home: Path, tmp_path: Path) -> None:
    export = posthog_export(tmp_path / "posthog-2026-03-02.csv", 30)

    first = _json(run_cli(home, "import", str(export), "--json"))
    assert first == {"imported": 30, "duplicates": 0, "rejected": 0, "errors": []}
    assert _json(run_cli(home, "events", "count", "--json")) == {"count": 30}

    again = _json(run_cli(home, "import", str(export), "--json"))
    assert again == {"imported": 0, "duplicates": 30, "rejected": 0, "errors": []}
    assert _json(run_cli(home, "events", "count", "--json")) == {"count": 30}


def test_rejected_rows_are_reported_and_the_rest_imported(home: Path, tmp_path: Path) -> None:
    export = posthog_export(tmp_path / "export.csv", 12, bad={3: "yesterday", 7: "0000-00-00"})

    human = run_cli(home, "import", str(export))

    assert human.returncode == 0
    text = " ".join(human.stdout.split())  # the console wraps long lines
    assert "Imported 10 events from export.csv" in text
    assert "0 duplicates skipped, 2 rows rejected" in text
    assert "row 4: timestamp 'yesterday' is not a timestamp" in text
    assert "row 8: timestamp '0000-00-00' is not a timestamp" in text
    assert "Traceback" not in human.stderr
    assert _json(run_cli(home, "events", "count", "--json")) == {"count": 10}


def test_project_and_map_options(home: Path, tmp_path: Path) -> None:
    run_cli(home, "projects", "create", "shop", "--json")
    legacy = tmp_path / "legacy.tsv"
    legacy.write_text(
        "who\taction\twhen\tplan\n"
        "u-1\tsignup\t2026-03-02T09:00:00Z\tpro\n"
        "u-2\tsignup\t2026-03-02T09:05:00Z\tfree\n"
    )

    result = _json(
        run_cli(
            home,
            "import",
            str(legacy),
            "--format",
            "csv",
            "--map",
            "distinct_id=who,event=action,timestamp=when",
            "--project",
            "shop",
            "--json",
        )
    )

    assert result["imported"] == 2
    assert _json(run_cli(home, "events", "count", "--project", "shop", "--json")) == {"count": 2}
    assert _json(run_cli(home, "events", "count", "--json")) == {"count": 0}
    tail = _json(run_cli(home, "events", "tail", "--project", "shop", "--json"))
    events = tail["events"]
    assert isinstance(events, list)
    assert {e["properties"]["plan"] for e in events} == {"pro", "free"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "{tmp}/nowhere.csv"], "no such file: "),
        (["import", "{tmp}"], "is a directory, not a file"),
        (["import", "{tmp}/export.csv", "--map", "distinct_id"], "bad --map entry"),
        (["import", "{tmp}/export.csv", "--format", "xls"], "unknown format 'xls'"),
        (["import", "{tmp}/export.csv", "--project", "nope"], "no project named 'nope'"),
        (["import", "{tmp}/notes.txt.bak"], "cannot tell the format"),
    ],
)
def test_bad_input_fails_with_a_precise_error_and_writes_nothing(
    home: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    posthog_export(tmp_path / "export.csv", 3)
    (tmp_path / "notes.txt.bak").write_text("hello")
    argv = [a.format(tmp=tmp_path) for a in args]

    proc = run_cli(home, *argv, "--json", check=False)

    assert proc.returncode == 1
    assert message in json.loads(proc.stdout)["error"]
    assert message in " ".join(proc.stderr.split())
    assert _stored(home) == 0


def test_import_while_the_server_runs_goes_through_its_writer(
    live_server: LiveServer, tmp_path: Path
) -> None:
    key = live_server.write_key()
    # Live capture first: two of the export's events were already captured by the SDK.
    captured = [
        {
            "event": "$pageview",
            "distinct_id": "user-0",
            "uuid": f"0196b111-2222-7333-8444-{i:012d}",
            "timestamp": (datetime(2026, 3, 2, 8, tzinfo=UTC) + timedelta(minutes=7 * i))
            .isoformat()
            .replace("+00:00", "Z"),
            "properties": {"plan": "free"},
        }
        for i in (0, 3)
    ]
    r = httpx.post(f"{live_server.url}/batch/", json={"api_key": key, "batch": captured})
    assert r.status_code == 200, r.text
    export = posthog_export(tmp_path / "export.csv", 20, bad={5: "not a date"})

    first = _json(live_server.cli("import", str(export), "--json"))
    assert (first["imported"], first["duplicates"], first["rejected"]) == (17, 2, 1)
    assert first["errors"] == ["row 6: timestamp 'not a date' is not a timestamp"]
    assert _json(live_server.cli("events", "count", "--json")) == {"count": 19}

    # Capture keeps working beside imports, and a re-import finds everything.
    r = httpx.post(
        f"{live_server.url}/batch/",
        json={"api_key": key, "batch": [{"event": "after", "distinct_id": "user-9"}]},
    )
    assert r.status_code == 200, r.text
    again = _json(live_server.cli("import", str(export), "--json"))
    assert (again["imported"], again["duplicates"]) == (0, 19)
    assert _json(live_server.cli("events", "count", "--json")) == {"count": 20}

    # Errors from the server side come back as errors, nothing half-written.
    broken = tmp_path / "broken.csv"
    broken.write_text(export.read_text() + "0196b111-2222-7333-8444-000000000999,user-1\n")
    failed = live_server.cli("import", str(broken), "--json", check=False)
    assert failed.returncode == 1
    assert "line 22 of the file is malformed" in json.loads(failed.stdout)["error"]
    assert _json(live_server.cli("events", "count", "--json")) == {"count": 20}


def test_the_import_endpoint_is_for_the_local_admin_only(
    live_server: LiveServer, tmp_path: Path
) -> None:
    export = posthog_export(tmp_path / "export.csv", 3)
    secret = json.loads(live_server.cli("projects", "create", "shop", "--json").stdout)[
        "secret_key"
    ]
    info = json.loads((live_server.home / "server.json").read_text())
    url = f"{live_server.url}/api/import"
    body = {"path": str(export), "project": "shop"}

    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(
        url, json=body, headers={"Authorization": f"Bearer {secret}"}
    ).status_code in (
        401,
        403,
    )
    admin = {"Authorization": f"Bearer {info['admin_token']}"}
    relative = httpx.post(url, json={**body, "path": "export.csv"}, headers=admin)
    assert relative.status_code == 400
    assert "absolute" in relative.json()["error"]
    unknown = httpx.post(url, json={**body, "project": "nope"}, headers=admin)
    assert unknown.status_code == 404
    ok = httpx.post(url, json=body, headers=admin, timeout=60)
    assert ok.json() == {"imported": 3, "duplicates": 0, "rejected": 0, "errors": []}
