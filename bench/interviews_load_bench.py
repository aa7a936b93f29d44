"""100 concurrent AI-moderated interviews over HTTP (issue 7: "100 concurrent
interviews on this machine without errors"; rule-based turn p95 < 50 ms).

``python -m bench interviews_load [--sessions 100] [--view-rounds 5]`` starts a real
``fieldnote serve`` on a fresh home, stores a guide, creates the sessions with the
admin token and runs every interview at once through the participant chat JSON API
(``bench/_chat_load.py``: consent, then one answer per request with its ``seq``, until
the moderator finishes). It reports errors (must be 0), completed interviews, and the
moderator turn latency as the participant sees it (answer POST round trip: load the
state, moderate, compare-and-swap the state, store the transcript at the end).

The peer, measured in the same run at the same concurrency: ``GET /api/i/{token}``
(load and render the session, no moderator, no write) -- the ratio is what moderating
and writing a turn add over the cheapest session request. Client, server and database
share this machine's cores, so under 100 concurrent clients the figures are dominated
by queueing; the in-process turn cost is ``python -m bench moderator``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench._chat_load import run_load, view_load
from bench.moderator_bench import _pct
from bench.web_latency import _start
from fieldnote.home import Home


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench interviews_load")
    parser.add_argument("--sessions", type=int, default=100)
    parser.add_argument("--view-rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "fieldnote",
                "--home",
                str(home),
                "guides",
                "new",
                "Load",
                "--minutes",
                "15",
            ],
            check=True,
            capture_output=True,
        )
        proc, url = _start(home)
        try:
            info = Home.at(home).running_server()
            assert info is not None
            run = asyncio.run(
                run_load(url, info.admin_token, project="default", guide="Load", n=args.sessions)
            )
            tokens = [s.token for s in run.sessions]
            views = asyncio.run(view_load(url, tokens, rounds=args.view_rounds))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    turns = [t * 1000 for t in run.turn_seconds]
    view_ms = [t * 1000 for t in views]
    completed = sum(s.status == "completed" for s in run.sessions)
    p50, p95 = _pct(turns, 0.5), _pct(turns, 0.95)
    v50, v95 = _pct(view_ms, 0.5), _pct(view_ms, 0.95)
    print(
        f"{args.sessions} concurrent interviews: {completed} completed, "
        f"{len(run.errors)} errors, {run.retries} re-sent after a dropped connection, {len(turns)} moderator turns in {run.seconds:.1f} s "
        f"({len(turns) / run.seconds:.0f} turns/s)"
    )
    for error in run.errors[:10]:
        print(f"  error: {error}")
    print(
        f"answer turn over HTTP: p50 {p50:.1f} ms, p95 {p95:.1f} ms, mean {statistics.fmean(turns):.1f} ms"
    )
    print(f"peer GET session view, same concurrency: p50 {v50:.1f} ms, p95 {v95:.1f} ms")
    print(f"ratio answer/view: p50 {p50 / v50:.2f}x, p95 {p95 / v95:.2f}x")
    return {
        "sessions": args.sessions,
        "completed": completed,
        "errors": len(run.errors),
        "retries": run.retries,
        "error_samples": run.errors[:10],
        "turns": len(turns),
        "wall_seconds": round(run.seconds, 1),
        "turn_ms": {"p50": round(p50, 1), "p95": round(p95, 1)},
        "view_ms": {"p50": round(v50, 1), "p95": round(v95, 1)},
        "ratio_p50": round(p50 / v50, 2),
        "ratio_p95": round(p95 / v95, 2),
    }
