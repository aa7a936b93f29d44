"""``fieldnote demo`` end to end, in real subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import free_port, run_cli

ARGS = ("demo", "--start", "2026-01-05", "--seed", "3", "--users")


def test_demo_no_serve_json_generates_once_and_summarises_the_stored_data(home: Path) -> None:
    out = json.loads(run_cli(home, *ARGS, "1500", "--no-serve", "--json").stdout)
    assert out["generated"] is True
    assert out["project"] == "demo"
    assert out["signups"] == 1500
    assert out["users"] >= 1500 and out["persons"] > out["users"]
    assert out["first_event"].startswith("2026-01-05")
    assert out["last_event"].startswith("2026-04-04")  # the window ends on 04-05
    assert out["url"] is None
    count = json.loads(run_cli(home, "events", "count", "--project", "demo", "--json").stdout)
    assert out["events"] == count["count"] == sum(out["event_counts"].values())
    assert out["write_key"].startswith("fnw_")

    release = next(r for r in out["releases"] if r["planted_problem"])
    assert release["version"] == "2.4.0"
    assert release["day"] == 60
    assert release["at"].startswith("2026-03-06")
    assert release["first_seen"] >= release["at"]
    conversion = {c["platform"]: c for c in out["conversion"]}
    assert set(conversion) == {"web", "ios", "android"}
    for platform in ("ios", "android"):
        c = conversion[platform]
        assert c["after"]["rate"] < 0.6 * c["before"]["rate"], platform
        assert c["before"]["converted"] <= c["before"]["reached"]
    web = conversion["web"]
    assert abs(web["after"]["rate"] - web["before"]["rate"]) < 0.1

    # Idempotent: the stored demo is reused ...
    again = json.loads(run_cli(home, *ARGS, "1500", "--no-serve", "--json").stdout)
    assert again["generated"] is False
    assert again["events"] == out["events"]
    assert again["write_key"] == out["write_key"]
    # ... unless --force, which regenerates the same events for the same seed.
    forced = json.loads(run_cli(home, *ARGS, "1500", "--no-serve", "--json", "--force").stdout)
    assert forced["generated"] is True
    assert forced["events"] == out["events"]
    assert forced["conversion"] == out["conversion"]


def test_demo_serves_the_project_and_a_second_demo_is_told_the_server_owns_it(
    home: Path, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fieldnote",
                "--home",
                str(home),
                *ARGS,
                "300",
                "--port",
                str(port),
            ],
            stdout=fh,
            stderr=subprocess.STDOUT,
            env=dict(os.environ),
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        text = log.read_text()
        assert f"http://127.0.0.1:{port}" in text
        assert "What to look at" in text
        # the CLI now reaches the demo through the server that owns the store
        count = json.loads(run_cli(home, "events", "count", "--project", "demo", "--json").stdout)
        assert count["count"] > 0
        # and another demo on this home cannot write the store: it says so clearly
        refused = run_cli(home, *ARGS, "300", "--no-serve", "--json", check=False)
        assert refused.returncode != 0
        error = json.loads(refused.stdout)["error"]
        assert f"already owns {home.resolve()} at http://127.0.0.1:{port}" in error
        assert "stop that server" in " ".join(refused.stderr.split())
    finally:
        proc.terminate()
        proc.wait(timeout=30)
