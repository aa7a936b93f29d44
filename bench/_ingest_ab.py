"""Old code vs new code on the ingest scenarios, interleaved, with CPU per request.

On a machine shared with other work, throughput follows the load; server CPU per
request does not (much). This runs ``fieldnote serve`` from two source trees in turn
(old, new, new, old, ...), each on a fresh home, drives the same wrk scenarios as
``bench ingest`` and prints, per run, events/s, the server's CPU per request and
how it splits between the event-loop thread and the busiest other threads.

Usage: ``python -m bench._ingest_ab OLD_SRC NEW_SRC [--rounds 2] [--seconds 6]
[--scenarios batch,single]``, where a ``*_SRC`` is a ``src`` folder, e.g. made with
``git archive <commit> src | tar -x -C /tmp/old``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import ingest_bench as ib
from bench._proc import threads_cpu


def _one(label: str, src: str, *, seconds: int, port: int, scenarios: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=src)
    home = Path(tempfile.mkdtemp(prefix="ingest-ab-"))
    fieldnote = [sys.executable, "-m", "fieldnote", "--home", str(home)]
    create = [*fieldnote, "projects", "create", "bench", "--json"]
    created = subprocess.run(create, env=env, capture_output=True, text=True, check=True)
    key = json.loads(created.stdout)["write_key"]
    server = subprocess.Popen([*fieldnote, "serve", "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        ib._wait(f"{base}/healthz", server)
        batch = json.dumps({"api_key": key, "batch": [ib._event(i) for i in range(100)]})
        single = json.dumps({"api_key": key, **ib._event(1)})
        # scenario: (path, body, connections, events per request)
        plans = {
            "batch": ("/batch/", batch.encode(), 8, 100),
            "single": ("/e/", single.encode(), 64, 1),
        }
        path, body, conns, per_req = plans["batch"]
        ib._wrk(
            base + path, body, seconds=1, connections=conns, name="warm-up", per_req=per_req,
            server=server,
        )  # fmt: skip
        for scenario in scenarios:
            path, body, conns, per_req = plans[scenario]
            before, load = threads_cpu(server.pid), os.getloadavg()[0]
            run = ib._wrk(
                base + path, body, seconds=seconds, connections=conns,
                name=f"{label} {path} {conns} conns", per_req=per_req, server=server,
            )  # fmt: skip
            after = threads_cpu(server.pid)
            answered = max(run.requests - run.non_2xx, 1)
            per_thread = {t: (after[t] - before.get(t, 0.0)) * 1000 / answered for t in after}
            loop = per_thread.pop(server.pid, 0.0)
            others = ", ".join(f"{v:.3f}" for v in sorted(per_thread.values(), reverse=True)[:3])
            print(
                f"{run.name:22} {run.events_per_second:9,.0f} events/s "
                f"{run.requests_per_second:7,.0f} req/s  CPU {run.cpu_ms_per_request:.3f} ms/req "
                f"(loop {loop:.3f}; other threads {others})  p50 {run.latency_p50_ms:.1f} ms  "
                f"load {load:.2f}  non-2xx {run.non_2xx}",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(home, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench._ingest_ab")
    parser.add_argument("old_src")
    parser.add_argument("new_src")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--scenarios", default="batch,single")
    parser.add_argument("--port", type=int, default=18700)
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("the ingest benchmark needs wrk: apt-get install wrk")
    pair = [("old", args.old_src), ("new", args.new_src)]
    for i in range(args.rounds):
        for label, src in pair if i % 2 == 0 else pair[::-1]:
            _one(
                label,
                src,
                seconds=args.seconds,
                port=args.port + i,
                scenarios=args.scenarios.split(","),
            )


if __name__ == "__main__":
    main(sys.argv[1:])
