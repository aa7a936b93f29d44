"""Monitors end to end against a live server: created over the API, run by the
server's scheduler, a webhook per new signal, deduplicated questions, and the CLI
(``monitors create/list/run``, ``questions list``) going through the same server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import start_server
from tests.monitors._monitor_seed import seed_monitor_events

SWING = {
    "metric": {"kind": "events", "event": "signup", "lookback_days": 60},
    "rule": {"rule": "swing", "percent": 20, "recent_days": 7, "baseline_days": 28},
}
EXPERIMENT = {
    "experiment": {
        "exposure": "flow_viewed",
        "conversion": "flow_done",
        "variant": "$feature/new-flow",
        "lookback_days": 60,
        "window": "1d",
    }
}


@pytest.fixture
def hook() -> Iterator[tuple[list[dict[str, Any]], str]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield received, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def _wait(check: Any, seconds: float = 120) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.5)
    raise AssertionError("timed out")


def test_scheduler_fires_notifies_and_deduplicates(
    home: Path, hook: tuple[list[dict[str, Any]], str]
) -> None:
    received, url = hook
    seed_monitor_events(home)
    server = start_server(
        home,
        env={"FIELDNOTE_MONITOR_INTERVAL_SECONDS": "1", "FIELDNOTE_NOTIFY_WEBHOOK_URL": url},
    )
    try:
        token = json.loads((home / "server.json").read_text())["admin_token"]
        api = httpx.Client(
            base_url=f"http://127.0.0.1:{server.port}/api/projects/default",
            headers={"Authorization": f"Bearer {token}"},
            timeout=120,
        )
        assert (
            httpx.get(f"http://127.0.0.1:{server.port}/api/projects/default/monitors").status_code
            == 401
        )
        bad = api.post("/monitors", json={"name": "x", "definition": {"metric": {"kind": "nope"}}})
        assert bad.status_code == 422 and "unknown metric 'nope'" in bad.json()["error"]
        assert (
            api.post("/monitors", json={"name": "signups", "definition": SWING}).status_code == 201
        )
        assert (
            api.post("/monitors", json={"name": "flow test", "definition": EXPERIMENT}).status_code
            == 201
        )
        # the scheduler (every second) runs both and opens one question each
        questions = _wait(
            lambda: (
                len(api.get("/questions").json()["questions"]) == 2
                and api.get("/questions").json()["questions"]
            )
        )
        texts = sorted(q["text"] for q in questions)
        assert texts[0].startswith("We see daily signup events down 50%")
        assert texts[0].endswith("we do not yet know why.")
        assert "flow_done after flow_viewed" in texts[1] or "experiment" in texts[1]
        _wait(lambda: len(received) >= 2)
        assert {r["fieldnote"]["monitor"] for r in received} == {"signups", "flow test"}
        runs = _wait(lambda: all(m["last_run_at"] for m in api.get("/monitors").json()["monitors"]))
        assert runs
        time.sleep(3)  # several more scheduled runs: no new signals, no new questions
        assert len(api.get("/signals").json()["signals"]) == 2
        assert len(api.get("/questions").json()["questions"]) == 2
        assert len(received) == 2
        # the CLI goes through the server that owns the store
        out = server.cli("monitors", "run", "signups", "--json")
        result = json.loads(out.stdout)["results"][0]
        assert result["fired"] and result["new_question"] is False
        listed = json.loads(server.cli("questions", "list", "--json").stdout)["questions"]
        assert len(listed) == 2
        exp = next(q for q in listed if q["evidence"].get("experiment"))
        arms = exp["evidence"]["experiment"]["arms"]
        assert [a["variant"] for a in arms] == ["control", "test"]
        assert arms[1]["lift"] == pytest.approx(-0.5, abs=0.05)
        assert arms[1]["ci_low"] < arms[1]["rate"] < arms[1]["ci_high"]
    finally:
        server.stop()


def test_cli_creates_lists_and_refuses_bad_monitors(home: Path) -> None:
    from tests.conftest import run_cli

    made = run_cli(
        home,
        "monitors",
        "create",
        "act",
        "--metric",
        "activation",
        "--rule",
        "threshold",
        "--below",
        "0.3",
        "--json",
    )
    assert json.loads(made.stdout)["definition"]["rule"] == {
        "rule": "threshold",
        "op": "below",
        "value": 0.3,
    }
    listed = json.loads(run_cli(home, "monitors", "list", "--json").stdout)["monitors"]
    assert [m["name"] for m in listed] == ["act"]
    dup = run_cli(home, "monitors", "create", "act", "--json", check=False)
    assert dup.returncode == 1 and "already has a monitor 'act'" in dup.stdout
    bad = run_cli(home, "monitors", "create", "t", "--rule", "threshold", "--json", check=False)
    assert bad.returncode == 1 and "exactly one of --above or --below" in bad.stdout
    ran = json.loads(run_cli(home, "monitors", "run", "--json").stdout)["results"]
    assert ran[0]["fired"] is False and "no complete day" in ran[0]["reason"], ran
