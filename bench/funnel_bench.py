"""Funnel: fieldnote's DuckDB funnel against a hand-written ASOF chain and ClickHouse.

Same run, same machine, same Parquet file (``bench/_analytics_data.py``: a SaaS
signup funnel with noise events): a 5-step funnel with a 14-day window, computed by

* fieldnote: ``compute_funnel`` on DuckDB (counts, conversion, Wilson intervals and
  time-to-convert percentiles per step),
* a hand-written DuckDB ASOF-join chain (counts only), and
* chdb (embedded ClickHouse) ``windowFunnel`` (counts only).

Each is run ``--repeat`` times, interleaved; the best time counts (wall clock, and the
process's CPU time, which all three spend in this process: steadier when other work
shares the machine). The step counts must be equal. Floor: fieldnote within 1.5x of
the faster peer.

Usage: ``python -m bench funnel [--events 10000000] [--huge] [--repeat 3] [--threads N]``
(``--huge``: 100M events, about 1.3 GB of Parquet and a few minutes to generate).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import chdb
import duckdb

from bench._analytics_data import FUNNEL_STEPS, write_events
from fieldnote.analytics import DuckDBSource, EventTables
from fieldnote.analytics.funnels import Funnel, FunnelStep, compute_funnel

STEPS = FUNNEL_STEPS[:5]
WINDOW = timedelta(days=14)
FLOOR = 1.5


def data_file(n_events: int) -> Path:
    """The generated Parquet file, cached between runs (same seed, same file)."""
    folder = Path(tempfile.gettempdir()) / "fieldnote-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"events-{n_events}.parquet"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        write_events(tmp, n_events)
        tmp.rename(path)
        print(f"generated {path} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def fieldnote_counts(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    tables = EventTables(events=f"read_parquet('{path}')", person_distinct_ids=None, persons=None)
    funnel = Funnel(steps=tuple(FunnelStep(event=s) for s in STEPS), window=WINDOW)
    result = compute_funnel(DuckDBSource(con, tables), funnel)
    return [s.count for s in result.steps]


def asof_counts(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    """The ASOF chain as one would write it by hand for this one funnel."""
    w = int(WINDOW.total_seconds()) * 1_000_000
    names = ", ".join(f"'{s}'" for s in STEPS)
    sql = [
        f"WITH b AS MATERIALIZED (SELECT distinct_id AS a, epoch_us(timestamp) AS ts, event "
        f"FROM read_parquet('{path}') WHERE event IN ({names}))",
        "c1 AS (SELECT a, ts AS t1 FROM b WHERE event = 'signup')",
    ]
    for k, step in enumerate(STEPS[1:], start=2):
        sql.append(f"s{k} AS (SELECT a, ts FROM b WHERE event = '{step}')")
        cols = ", ".join(f"c.t{j}" for j in range(1, k))
        sql.append(
            f"c{k} AS (SELECT c.a, {cols}, CASE WHEN s.ts <= c.t1 + {w} THEN s.ts END AS t{k} "
            f"FROM c{k - 1} c ASOF LEFT JOIN s{k} s ON c.a = s.a AND s.ts >= c.t{k - 1})"
        )
    n = len(STEPS)
    level = " + ".join(f"(t{k} IS NOT NULL)::INT" for k in range(2, n + 1))
    counts = ", ".join(f"count(*) FILTER (WHERE lvl >= {k})" for k in range(1, n + 1))
    query = (
        ",\n".join(sql)
        + f"\nSELECT {counts} FROM (SELECT a, max(1 + {level}) AS lvl FROM c{n} GROUP BY a)"
    )
    (row,) = con.execute(query).fetchall()
    return [int(x) for x in row]


def chdb_counts(path: Path, threads: int | None) -> list[int]:
    conds = ", ".join(f"event = '{s}'" for s in STEPS)
    names = ", ".join(f"'{s}'" for s in STEPS)
    w = int(WINDOW.total_seconds())
    counts = ", ".join(f"countIf(level >= {k})" for k in range(1, len(STEPS) + 1))
    settings = f" SETTINGS max_threads = {threads}" if threads else ""
    sql = (
        f"SELECT {counts} FROM (SELECT distinct_id, "
        f"windowFunnel({w})(toDateTime(timestamp), {conds}) AS level "
        f"FROM file('{path}', Parquet) WHERE event IN ({names}) GROUP BY distinct_id) "
        f"WHERE level > 0{settings}"
    )
    out = chdb.query(sql, "CSV").bytes().decode().strip()
    return [int(x) for x in out.split(",")]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench funnel")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--huge", action="store_true", help="100M events")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="engine threads (all)")
    args = parser.parse_args(argv)
    n_events = 100_000_000 if args.huge else args.events
    path = data_file(n_events)
    config = {"threads": args.threads} if args.threads else {}
    con = duckdb.connect(config=config)
    runs: dict[str, Callable[[], list[int]]] = {
        "fieldnote": lambda: fieldnote_counts(con, path),
        "duckdb_asof": lambda: asof_counts(con, path),
        "chdb_windowFunnel": lambda: chdb_counts(path, args.threads),
    }
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    answers: dict[str, list[int]] = {}
    for _ in range(args.repeat):
        for name, run in runs.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            answers[name] = run()
            elapsed = time.perf_counter() - started
            used = time.process_time() - cpu_started
            best[name] = min(best.get(name, elapsed), elapsed)
            cpu[name] = min(cpu.get(name, used), used)
    equal = len({tuple(a) for a in answers.values()}) == 1
    peer = min(best["duckdb_asof"], best["chdb_windowFunnel"])
    ratio = best["fieldnote"] / peer
    print(f"{n_events:,} events, {len(STEPS)} steps, 14-day window; best of {args.repeat}")
    print(f"  {'':<18} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6}")
    for name, seconds in best.items():
        print(
            f"  {name:<18} {seconds:6.2f} s {best['fieldnote'] / seconds:5.2f}x"
            f" {cpu[name]:6.2f} s {cpu['fieldnote'] / cpu[name]:5.2f}x"
        )
    print(f"  step counts {answers['fieldnote']} equal across all three: {equal}")
    verdict = "within" if ratio <= FLOOR else "OVER"
    print(f"  fieldnote / faster peer = {ratio:.2f} ({verdict} the {FLOOR}x floor)")
    return {
        "events": n_events,
        "best_seconds": {k: round(v, 3) for k, v in best.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "ratio_to_faster_peer": round(ratio, 3),
        "floor": FLOOR,
        "counts": answers["fieldnote"],
        "equal": equal,
    }


if __name__ == "__main__":
    main()
