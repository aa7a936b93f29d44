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
the faster peer. fieldnote's first call in the process is reported apart (it loads
the compiled kernel from numba's disk cache), and so is the one-off compile in a fresh
process with an empty cache (``cold compile``).

``--isolate`` (the default with ``--huge``) runs each engine in a process of its own,
one after the other, and reports its peak resident memory (``ru_maxrss``) as well.

Usage: ``python -m bench funnel [--events 10000000] [--huge] [--repeat 3] [--threads N]
[--isolate]`` (``--huge``: 100M events, about 1.3 GB of Parquet, generated 10M at a time).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
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


def data_file(n_events: int, *, dimensions: bool = False) -> Path:
    """The generated Parquet file, cached between runs (same seed, same file);
    ``dimensions``: with channel and plan properties too (``bench explain``)."""
    folder = Path(tempfile.gettempdir()) / "fieldnote-bench"
    folder.mkdir(exist_ok=True)
    kind = "events-dims" if dimensions else "events"
    path = folder / f"{kind}-{n_events}.parquet"
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".tmp")
        write_events(tmp, n_events, dimensions=dimensions)
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
    # microseconds as UInt64, like fieldnote's times: ``toDateTime`` would truncate to
    # seconds, merging the order of events within a second and widening the window
    w = int(WINDOW.total_seconds()) * 1_000_000
    counts = ", ".join(f"countIf(level >= {k})" for k in range(1, len(STEPS) + 1))
    settings = f" SETTINGS max_threads = {threads}" if threads else ""
    sql = (
        f"SELECT {counts} FROM (SELECT distinct_id, "
        f"windowFunnel({w})(toUInt64(toUnixTimestamp64Micro(timestamp)), {conds}) AS level "
        f"FROM file('{path}', Parquet) WHERE event IN ({names}) GROUP BY distinct_id) "
        f"WHERE level > 0{settings}"
    )
    out = chdb.query(sql, "CSV").bytes().decode().strip()
    return [int(x) for x in out.split(",")]


COLD_COMPILE = """
import time
t = time.perf_counter()
from datetime import timedelta
import numpy as np
from fieldnote.analytics.funnels import Funnel, FunnelStep
from fieldnote.analytics.funnels._chain import FunnelRows
from fieldnote.analytics.funnels._kernel import kernel_aggregates
z = np.zeros(1, dtype=np.int64)
rows = FunnelRows(z, z, z, z + 1, np.ones(1, bool), np.full(1, -1, np.int32), [])
funnel = Funnel(steps=(FunnelStep(event="a"), FunnelStep(event="b")), window=timedelta(1))
kernel_aggregates(funnel, rows, breakdown=True)
print(time.perf_counter() - t)
"""


def cold_compile_seconds() -> float:
    """Import and compile of the kernel (all its loops) in a fresh process with an
    empty numba cache."""
    with tempfile.TemporaryDirectory() as cache:
        out = subprocess.run(
            [sys.executable, "-c", COLD_COMPILE],
            env={**os.environ, "NUMBA_CACHE_DIR": cache},
            capture_output=True,
            text=True,
            check=True,
        )
    return float(out.stdout.split()[-1])


def _runs(
    con: duckdb.DuckDBPyConnection, path: Path, threads: int | None
) -> dict[str, Callable[[], list[int]]]:
    return {
        "fieldnote": lambda: fieldnote_counts(con, path),
        "duckdb_asof": lambda: asof_counts(con, path),
        "chdb_windowFunnel": lambda: chdb_counts(path, threads),
    }


def _time(
    runs: dict[str, Callable[[], list[int]]], repeat: int
) -> tuple[dict[str, float], dict[str, float], dict[str, float], dict[str, list[int]]]:
    """Best wall and CPU seconds, first-call wall seconds and answers, per engine."""
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    first: dict[str, float] = {}
    answers: dict[str, list[int]] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            started, cpu_started = time.perf_counter(), time.process_time()
            answers[name] = run()
            elapsed = time.perf_counter() - started
            used = time.process_time() - cpu_started
            first.setdefault(name, elapsed)
            best[name] = min(best.get(name, elapsed), elapsed)
            cpu[name] = min(cpu.get(name, used), used)
    return best, cpu, first, answers


def _peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB on Linux


def _one_engine(name: str, path: Path, repeat: int, threads: int | None) -> None:
    """``--engine``: run one engine in this (fresh) process; print a JSON line."""
    config = {"threads": threads} if threads else {}
    runs = _runs(duckdb.connect(config=config), path, threads)
    best, cpu, first, answers = _time({name: runs[name]}, repeat)
    print(
        json.dumps(
            {
                "wall": best[name],
                "cpu": cpu[name],
                "first": first[name],
                "counts": answers[name],
                "peak_rss_gib": _peak_rss_gib(),
            }
        )
    )


def _isolated(
    path: Path, repeat: int, threads: int | None
) -> tuple[
    dict[str, float],
    dict[str, float],
    dict[str, float],
    dict[str, list[int]],
    dict[str, float | None],
]:
    best: dict[str, float] = {}
    cpu: dict[str, float] = {}
    first: dict[str, float] = {}
    answers: dict[str, list[int]] = {}
    rss: dict[str, float | None] = {}
    for name in ("fieldnote", "duckdb_asof", "chdb_windowFunnel"):
        cmd = [sys.executable, "-m", "bench.funnel_bench", "--engine", name]
        cmd += ["--events-file", str(path), "--repeat", str(repeat)]
        cmd += ["--threads", str(threads)] if threads else []
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:  # e.g. killed for memory: say so, keep the others
            print(f"  {name} failed (exit {proc.returncode}): {proc.stderr.strip()[-300:]}")
            continue
        got = json.loads(proc.stdout.strip().splitlines()[-1])
        best[name], cpu[name], first[name] = got["wall"], got["cpu"], got["first"]
        answers[name], rss[name] = got["counts"], got["peak_rss_gib"]
        print(f"  {name}: {got['wall']:.2f} s, peak RSS {got['peak_rss_gib']:.2f} GiB", flush=True)
    return best, cpu, first, answers, rss


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench funnel")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--huge", action="store_true", help="100M events")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="engine threads (all)")
    parser.add_argument("--isolate", action="store_true", help="one process per engine")
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--events-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.engine:
        _one_engine(args.engine, args.events_file, args.repeat, args.threads)
        return {}
    n_events = 100_000_000 if args.huge else args.events
    path = data_file(n_events)
    load = os.getloadavg()
    cold = cold_compile_seconds()
    rss: dict[str, float | None] = {}
    if args.isolate or args.huge:
        best, cpu, first, answers, rss = _isolated(path, args.repeat, args.threads)
    else:
        config = {"threads": args.threads} if args.threads else {}
        con = duckdb.connect(config=config)
        best, cpu, first, answers = _time(_runs(con, path, args.threads), args.repeat)
    load_after = os.getloadavg()
    equal = len(answers) == 3 and len({tuple(a) for a in answers.values()}) == 1
    peers = [best[p] for p in ("duckdb_asof", "chdb_windowFunnel") if p in best]
    ratio = best["fieldnote"] / min(peers) if peers and "fieldnote" in best else float("nan")
    print(f"{n_events:,} events, {len(STEPS)} steps, 14-day window; best of {args.repeat}")
    print(f"  load average before {load[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print(
        f"  {'':<18} {'wall':>8} {'ratio':>6} {'cpu':>8} {'ratio':>6} {'1st call':>9} {'peak RSS':>9}"
    )
    for name, seconds in best.items():
        mem = f"{rss[name]:6.2f} GiB" if rss.get(name) is not None else ""
        print(
            f"  {name:<18} {seconds:6.2f} s {best.get('fieldnote', seconds) / seconds:5.2f}x"
            f" {cpu[name]:6.2f} s {cpu.get('fieldnote', cpu[name]) / cpu[name]:5.2f}x"
            f" {first[name]:7.2f} s {mem}"
        )
    print(f"  fieldnote's kernel compile in a fresh process, empty cache: {cold:.2f} s (once)")
    for name, counts in answers.items():
        print(f"  step counts {name:<18} {counts}")
    print(f"  equal across all three: {equal}")
    verdict = "within" if ratio <= FLOOR else "OVER"
    print(f"  fieldnote / faster peer = {ratio:.2f} ({verdict} the {FLOOR}x floor)")
    return {
        "events": n_events,
        "load_average": [round(load[0], 2), round(load_after[0], 2)],
        "best_seconds": {k: round(v, 3) for k, v in best.items()},
        "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
        "first_call_seconds": {k: round(v, 3) for k, v in first.items()},
        "peak_rss_gib": {k: None if v is None else round(v, 2) for k, v in rss.items()},
        "cold_compile_seconds": round(cold, 2),
        "ratio_to_faster_peer": round(ratio, 3),
        "floor": FLOOR,
        "counts": answers,
        "equal": equal,
    }


if __name__ == "__main__":
    main(sys.argv[1:])
