"""Intercept matching's steady-state share of ingest CPU (issue 5), A/B-able.

``bench ingest --intercept-rules 20`` measures from the moment ``/healthz`` answers, so
its first scenario also bills the matcher child's start (imports and the compiled
loop's cache: about a CPU second, once per server). This part warms each server up
first and then bills only steady state: ``fieldnote serve`` with and without 20 rules
that watch every bench event (``ingest_bench._create_rules``), ``POST /batch/`` of 100
events from 8 connections, CPU (user + system) of the server and its child processes
per event. Source trees given with ``--src`` (e.g. an old ``git archive``) run
interleaved with each other in every round, so all see the same machine load.
Usage: ``python -m bench intercept --part ingest [--rounds 2] [--seconds 6]
[--src OLD_SRC --src NEW_SRC]``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import ingest_bench as ib
from bench._proc import tree_cpu_seconds


def _one(src: str | None, rules: int, seconds: int, port: int) -> dict[str, Any]:
    env = dict(os.environ, **({"PYTHONPATH": src} if src else {}))
    work = Path(tempfile.mkdtemp(prefix="intercept-ingest-"))
    home = work / "home"
    fieldnote = [sys.executable, "-m", "fieldnote", "--home", str(home)]
    made = subprocess.run(
        [*fieldnote, "projects", "create", "bench", "--json"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = json.loads(made.stdout)["write_key"]
    if rules:
        subprocess.run(
            [sys.executable, "-c", f"from bench.ingest_bench import _create_rules as c; "
             f"from pathlib import Path; c(Path({str(home)!r}), {rules})"],
            env=env, check=True,
        )  # fmt: skip
    server = subprocess.Popen([*fieldnote, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        ib._wait(f"{base}/healthz", server)
        body = json.dumps({"api_key": key, "batch": [ib._event(i) for i in range(100)]}).encode()
        url = f"{base}/batch/"
        ib._wrk(url, body, seconds=3, connections=8, name="warm-up", per_req=100, server=server)
        time.sleep(1)
        load, cpu0 = os.getloadavg()[0], tree_cpu_seconds(server.pid)
        run = ib._wrk(
            url, body, seconds=seconds, connections=8, name="b", per_req=100, server=server
        )
        events = max(run.requests - run.non_2xx, 1) * 100
        return {
            "src": src or "installed",
            "rules": rules,
            "load": round(load, 2),
            "events_per_second": round(run.events_per_second),
            "cpu_us_per_event": round((tree_cpu_seconds(server.pid) - cpu0) / events * 1e6, 2),
        }
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


def ingest_share(
    srcs: list[str | None], rounds: int, seconds: int, port: int
) -> list[dict[str, Any]]:
    """Per round and tree: CPU per event with and without rules, and the share added."""
    out: list[dict[str, Any]] = []
    for n in range(rounds):
        for src in srcs if n % 2 == 0 else srcs[::-1]:
            with_rules = _one(src, 20, seconds, port)
            plain = _one(src, 0, seconds, port)
            row = {
                "round": n + 1,
                "src": with_rules["src"],
                "load": [with_rules["load"], plain["load"]],
                "cpu_us_per_event": [plain["cpu_us_per_event"], with_rules["cpu_us_per_event"]],
                "events_per_second": [plain["events_per_second"], with_rules["events_per_second"]],
                "cpu_added": round(
                    with_rules["cpu_us_per_event"] / plain["cpu_us_per_event"] - 1, 3
                ),
                "time_added": round(
                    plain["events_per_second"] / with_rules["events_per_second"] - 1, 3
                ),
            }
            print(json.dumps(row), flush=True)
            out.append(row)
    return out
