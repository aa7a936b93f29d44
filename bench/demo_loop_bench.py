"""``fieldnote demo`` end to end: generating the demo, then the discovery loop on it.

Figures (one run, ``--users N``, default 50,000): seconds to generate the events
(``generate_demo``), seconds for the whole loop (``run_demo_loop``: monitor, study,
invitations, interviews through the chat flow, synthesis, evidence, RICE, release
verdict), and what the loop found, so a slow stage and a changed result show up
together. Peak RSS of the process is printed as well. No peer: the figure to watch is
the loop's cost next to generation's.

    python -m bench demo_loop [--users 50000]
"""

from __future__ import annotations

import resource
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from fieldnote.analytics import store_source
from fieldnote.demo import DemoConfig, generate_demo, stored_scenario
from fieldnote.demo.loop import run_demo_loop
from fieldnote.events import DuckDBEventStore
from fieldnote.repository import Projects, Repository


def main(argv: list[str]) -> dict[str, Any]:
    users = int(argv[argv.index("--users") + 1]) if "--users" in argv else 50_000
    config = DemoConfig(users=users, seed=42, start=date(2026, 1, 5))
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:
        store = DuckDBEventStore(Path(tmp) / "events.duckdb")
        repo = Repository(f"sqlite:///{Path(tmp) / 'repo.sqlite'}")
        repo.upgrade()
        Projects(repo).create(config.project)
        began = time.perf_counter()
        result = generate_demo(store, config)
        generated = time.perf_counter() - began
        with store.reader() as cur:
            scenario = stored_scenario(cur, config.project)
        assert scenario is not None
        began = time.perf_counter()
        with store.reader() as cur:
            loop = run_demo_loop(repo, store_source(cur, config.project), scenario)
        looped = time.perf_counter() - began
        store.close()
        repo.dispose()
    found = loop.to_dict()
    out = {
        "users": users,
        "events": result.events,
        "generate_seconds": round(generated, 2),
        "loop_seconds": round(looped, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "stopped": found["stopped"],
        "interviews": (found["interviews"] or {}).get("completed"),
        "top_theme": (found["top_theme"] or {}).get("label"),
        "hypothesis": (found["hypothesis"] or {}).get("status"),
        "release_verdict": (found["release_verdict"] or {}).get("verdict"),
    }
    for key, value in out.items():
        print(f"{key:>18}: {value}")
    return out
