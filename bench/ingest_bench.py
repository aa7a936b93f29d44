"""HTTP ingest: events/s through the PostHog batch endpoint, acknowledged after commit.

Same run, same machine, same load generator (wrk, 8 connections, C so it leaves the
CPU to the server): fieldnote's ``POST /batch/`` and ``POST /e/`` against a bare
uvicorn + orjson endpoint that fsyncs every request and stores nothing else (the
ceiling for one Python process). After each fieldnote run the stored count is checked
against the acknowledged requests x batch size.

Usage: ``python -m bench ingest [--seconds 10] [--batch 100] [--connections 8]``
(needs ``wrk``: ``apt-get install wrk``).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)


@dataclass
class Run:
    name: str
    requests: int
    non_2xx: int
    seconds: float
    events_per_request: int
    latency_p50_ms: float
    latency_p99_ms: float

    @property
    def events_per_second(self) -> float:
        return (self.requests - self.non_2xx) * self.events_per_request / self.seconds

    @property
    def requests_per_second(self) -> float:
        return (self.requests - self.non_2xx) / self.seconds


def _event(i: int) -> dict[str, object]:
    return {
        "event": ["$pageview", "report_created", "dashboard_viewed", "connect_integration"][i % 4],
        "distinct_id": f"user-{i % 5000}",
        "properties": {
            "$os": ["iOS", "Android", "Mac OS X", "Windows"][i % 4],
            "$current_url": f"https://app.example.com/reports/{i % 97}",
            "plan": ["free", "pro", "team"][i % 3],
            "utm_source": ["google", "newsletter", "linkedin"][i % 3],
            "$lib": "posthog-python",
        },
        # Recent, like live SDK traffic (older events are back-fills: a slower dedupe path).
        "timestamp": (NOW - timedelta(seconds=i % 600)).isoformat(),
    }


def _lua(path: str, body: bytes) -> str:
    escaped = body.decode().replace("\\", "\\\\").replace('"', '\\"')
    return f"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = "{escaped}"
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout, summary.duration,
    summary.errors.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


def _wrk(url: str, body: bytes, *, seconds: int, connections: int, name: str, per_req: int) -> Run:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(_lua(url, body))
        script = fh.name
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) ([\d.]+) ([\d.]+)", out)
    if not m:
        raise RuntimeError(f"could not read wrk output:\n{out}")
    reqs, errors, duration_us = int(m[1]), int(m[2]), int(m[3])
    return Run(
        name=name,
        requests=reqs,
        non_2xx=errors,
        seconds=duration_us / 1e6,
        events_per_request=per_req,
        latency_p50_ms=float(m[5]),
        latency_p99_ms=float(m[6]),
    )


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def _fieldnote(cmd: list[str], home: Path) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "fieldnote", "--home", str(home), *cmd],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"fieldnote {' '.join(cmd)} failed: {proc.stderr}{proc.stdout}")
    return proc.stdout


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="bench ingest")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--port", type=int, default=18631)
    args = parser.parse_args(argv or [])
    if shutil.which("wrk") is None:
        raise SystemExit("the ingest benchmark needs wrk: apt-get install wrk")

    work = Path(tempfile.mkdtemp(prefix="fieldnote-ingest-"))
    runs: list[Run] = []

    # The peer: bare uvicorn + orjson + fsync per request.
    bare = subprocess.Popen(
        [sys.executable, "-m", "bench._bare_endpoint", str(args.port), str(work / "bare.log")],
        cwd=ROOT,
    )
    try:
        _wait(f"http://127.0.0.1:{args.port}/", bare)
        batch_body = json.dumps({"api_key": "x", "batch": [_event(i) for i in range(args.batch)]})
        runs.append(
            _wrk(
                f"http://127.0.0.1:{args.port}/batch/",
                batch_body.encode(),
                seconds=args.seconds,
                connections=args.connections,
                name="bare uvicorn+orjson+fsync, batch",
                per_req=args.batch,
            )
        )
        single = json.dumps({"api_key": "x", **_event(1)})
        runs.append(
            _wrk(
                f"http://127.0.0.1:{args.port}/e/",
                single.encode(),
                seconds=args.seconds,
                connections=args.connections,
                name="bare uvicorn+orjson+fsync, single",
                per_req=1,
            )
        )
    finally:
        bare.terminate()
        bare.wait()

    home = work / "home"
    key = json.loads(_fieldnote(["projects", "create", "bench", "--json"], home))["write_key"]
    server = subprocess.Popen(
        [sys.executable, "-m", "fieldnote", "--home", str(home), "serve", "--port", str(args.port)]
    )
    try:
        _wait(f"http://127.0.0.1:{args.port}/healthz", server)
        # Events carry no uuid: the server assigns one, so every request is new data.
        batch_body = json.dumps({"api_key": key, "batch": [_event(i) for i in range(args.batch)]})
        runs.append(
            _wrk(
                f"http://127.0.0.1:{args.port}/batch/",
                batch_body.encode(),
                seconds=args.seconds,
                connections=args.connections,
                name="fieldnote /batch/",
                per_req=args.batch,
            )
        )
        single = json.dumps({"api_key": key, **_event(1)})
        runs.append(
            _wrk(
                f"http://127.0.0.1:{args.port}/e/",
                single.encode(),
                seconds=args.seconds,
                connections=args.connections,
                name="fieldnote /e/ (single event)",
                per_req=1,
            )
        )
        runs.append(
            _wrk(
                f"http://127.0.0.1:{args.port}/e/",
                single.encode(),
                seconds=args.seconds,
                connections=64,
                name="fieldnote /e/ (single event, 64 conns)",
                per_req=1,
            )
        )
        stored = json.loads(_fieldnote(["events", "count", "--project", "bench", "--json"], home))[
            "count"
        ]
    finally:
        server.terminate()
        server.wait()
    acked = sum((r.requests - r.non_2xx) * r.events_per_request for r in runs[2:])
    shutil.rmtree(work, ignore_errors=True)

    print(f"{'run':42} {'events/s':>10} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7}")
    for r in runs:
        print(
            f"{r.name:42} {r.events_per_second:10,.0f} {r.requests_per_second:8,.0f} "
            f"{r.latency_p50_ms:7.1f} {r.latency_p99_ms:7.1f} {r.non_2xx:7}"
        )
    fb, fs = runs[2], runs[3]
    print(
        f"batch: fieldnote / bare endpoint = {fb.events_per_second / runs[0].events_per_second:.2f}"
    )
    print(
        f"single: fieldnote / bare endpoint = {fs.events_per_second / runs[1].events_per_second:.2f}"
    )
    print(
        f"batch: fieldnote / RudderStack's published 1,700 events/s on 2 cores = "
        f"{fb.events_per_second / 1700:.0f}x"
    )
    # wrk stops with requests in flight: those commit but are not counted as answered,
    # so stored >= acknowledged; fewer stored than acknowledged would be data loss.
    print(
        f"acknowledged {acked:,} events, stored {stored:,}"
        + ("  <-- LOST EVENTS" if stored < acked else " (every acknowledged event stored)")
    )
    return {
        "runs": [asdict(r) | {"events_per_second": r.events_per_second} for r in runs],
        "acknowledged": acked,
        "stored": stored,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
