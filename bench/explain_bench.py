"""Change decomposition: ``explain`` over 10M events and 3 dimensions, timed.

Same generated SaaS events as ``bench funnel`` with ``channel`` and ``plan``
properties besides ``platform`` (``bench/_analytics_data.py``, ``dimensions=True``).
The question: why did activation (``signup`` → ``activated`` within 7 days) move
between the first and the last 45 days, by platform, channel and plan? That is one
funnel with a breakdown per dimension and period (six), then the mix/rate
decomposition. Floor (issue 4): under 5 s. Best of ``--repeat``, wall clock and the
process's CPU time, with the load average (the machine is shared). There is no peer
to compare against: nothing else computes this decomposition.

Usage: ``python -m bench explain [--events 10000000] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import duckdb

from bench.funnel_bench import data_file
from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics.explain import explain, rate_metric

FLOOR_SECONDS = 5.0
START = datetime(2026, 1, 1, tzinfo=UTC)
DIMENSIONS = ("platform", "channel", "plan")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench explain")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    path = data_file(args.events, dimensions=True)
    tables = EventTables(events=f"read_parquet('{path}')", person_distinct_ids=None, persons=None)
    source = DuckDBSource(duckdb.connect(), tables)
    metric = rate_metric("activation", {"within": "7d"})
    before = DateRange(START, START + timedelta(days=45))
    after = DateRange(START + timedelta(days=45), START + timedelta(days=90))
    load = os.getloadavg()
    walls: list[float] = []
    cpus: list[float] = []
    result = None
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = explain(source, metric, before, after, DIMENSIONS)
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    assert result is not None
    load_after = os.getloadavg()
    best, cpu = min(walls), min(cpus)
    print(f"{args.events:,} events, dimensions {', '.join(DIMENSIONS)}; best of {args.repeat}")
    print(f"  load average before {load[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(f"  explain: {best:.2f} s wall, {cpu:.2f} s CPU (first run {walls[0]:.2f} s)")
    b, a = result.before, result.after
    print(
        f"  activation {b.converted:,}/{b.entered:,} -> {a.converted:,}/{a.entered:,}, "
        f"segments: {sum(len(d.segments) for d in result.dimensions)}"
    )
    verdict = "under" if best < FLOOR_SECONDS else "OVER"
    print(f"  {verdict} the {FLOOR_SECONDS:.0f} s floor")
    return {
        "events": args.events,
        "dimensions": list(DIMENSIONS),
        "load_average": [round(load[0], 2), round(load_after[0], 2)],
        "best_seconds": round(best, 3),
        "cpu_seconds": round(cpu, 3),
        "first_seconds": round(walls[0], 3),
        "floor_seconds": FLOOR_SECONDS,
    }


if __name__ == "__main__":
    main()
