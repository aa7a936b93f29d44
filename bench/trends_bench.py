"""Trends and retention: fieldnote against chdb (ClickHouse) on the same Parquet file.

Same generated events as ``funnel_bench`` (10M by default), same run:

* daily unique users of ``$pageview`` over 90 days: ``EventTrend(measure="users")``
  against ``uniqExact`` per ``toDate``;
* weekly retention, cohort = first ``signup``, return = any event, 8 weeks:
  ``Retention`` against ClickHouse's ``retention()`` aggregate per user.

Results must be equal; best of ``--repeat``, wall clock and process CPU time, with the
load average (the machine is shared). Usage: ``python -m bench trends [--events
10000000] [--huge] [--repeat 3]`` (``--huge``: the 100M-event file of ``bench funnel``).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chdb
import duckdb

from bench.funnel_bench import data_file
from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.retention import Retention
from fieldnote.analytics.trends import EventTrend, Interval

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 90
WEEKS = 8


def _source(con: duckdb.DuckDBPyConnection, path: Path) -> DuckDBSource:
    tables = EventTables(events=f"read_parquet('{path}')", person_distinct_ids=None, persons=None)
    return DuckDBSource(con, tables)


def fieldnote_dau(con: duckdb.DuckDBPyConnection, path: Path) -> list[int]:
    trend = EventTrend(
        FunnelStep(event="$pageview"),
        "users",
        Interval.DAY,
        DateRange(START, START + timedelta(days=DAYS)),
    )
    return [int(p.value or 0) for p in trend.compute(_source(con, path)).series[0].points]


def chdb_dau(path: Path) -> list[int]:
    end = START + timedelta(days=DAYS)
    sql = (
        f"SELECT toDate(timestamp, 'UTC') AS d, uniqExact(distinct_id) FROM file('{path}', Parquet) "
        f"WHERE event = '$pageview' AND timestamp >= toDateTime64('{START:%Y-%m-%d %H:%M:%S}', 6, 'UTC') "
        f"AND timestamp < toDateTime64('{end:%Y-%m-%d %H:%M:%S}', 6, 'UTC') GROUP BY d ORDER BY d"
    )
    rows = [line.split(",") for line in chdb.query(sql, "CSV").bytes().decode().split()]
    by_day = {r[0].strip('"'): int(r[1]) for r in rows}
    return [by_day.get(str((START + timedelta(days=i)).date()), 0) for i in range(DAYS)]


def fieldnote_retention(con: duckdb.DuckDBPyConnection, path: Path) -> list[list[int]]:
    spec = Retention(
        start=FunnelStep(event="signup"),
        interval=Interval.WEEK,
        periods=WEEKS,
        dates=DateRange(START, START + timedelta(days=DAYS)),
    )
    result = spec.compute(_source(con, path))
    return [[c.size, *(cell.count for cell in c.cells)] for c in result.cohorts]


def chdb_retention(path: Path) -> list[list[int]]:
    first = START.date() - timedelta(days=START.weekday())
    last_day = (START + timedelta(days=DAYS - 1)).date()
    last = last_day - timedelta(days=last_day.weekday())
    conds = ", ".join(
        f"ifNull(toMonday(e.timestamp, 'UTC') = c.c + {7 * k}, 0)" for k in range(1, WEEKS + 1)
    )
    sums = ", ".join(f"sum(r[{k + 1}])" for k in range(WEEKS + 1))
    sql = f"""
        WITH cohorts AS (
            SELECT distinct_id, toMonday(min(timestamp), 'UTC') AS c
            FROM file('{path}', Parquet) WHERE event = 'signup' GROUP BY distinct_id
            HAVING c BETWEEN toDate('{first}') AND toDate('{last}')
        )
        SELECT c, {sums} FROM (
            SELECT e.distinct_id, any(c.c) AS c, retention(true, {conds}) AS r
            FROM file('{path}', Parquet) AS e INNER JOIN cohorts AS c ON e.distinct_id = c.distinct_id
            GROUP BY e.distinct_id
        ) GROUP BY c ORDER BY c
    """
    rows = [line.split(",") for line in chdb.query(sql, "CSV").bytes().decode().split()]
    return [[int(x) for x in r[1:]] for r in rows]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench trends")
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--huge", action="store_true", help="100M events")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    if args.huge:
        args.events = 100_000_000
    path = data_file(args.events)
    con = duckdb.connect()
    pairs: dict[str, dict[str, Callable[[], Any]]] = {
        "daily_users": {
            "fieldnote": lambda: fieldnote_dau(con, path),
            "chdb": lambda: chdb_dau(path),
        },
        "retention": {
            "fieldnote": lambda: fieldnote_retention(con, path),
            "chdb": lambda: chdb_retention(path),
        },
    }
    out: dict[str, Any] = {"events": args.events}
    load = os.getloadavg()
    print(f"{args.events:,} events; best of {args.repeat} (wall, process CPU)")
    for question, runs in pairs.items():
        best: dict[str, tuple[float, float]] = {}
        answers: dict[str, Any] = {}
        for _ in range(args.repeat):
            for name, run in runs.items():
                t0, c0 = time.perf_counter(), time.process_time()
                answers[name] = run()
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                old = best.get(name, (wall, cpu))
                best[name] = (min(old[0], wall), min(old[1], cpu))
        equal = answers["fieldnote"] == answers["chdb"]
        ratio = best["fieldnote"][0] / best["chdb"][0]
        for name, (wall, cpu) in best.items():
            print(f"  {question:<12} {name:<10} {wall:6.2f} s  {cpu:6.2f} s CPU")
        cpu_ratio = best["fieldnote"][1] / best["chdb"][1]
        print(
            f"  {question:<12} fieldnote / chdb = {ratio:.2f} wall, {cpu_ratio:.2f} CPU;"
            f" equal results: {equal}"
        )
        out[question] = {
            "wall": {k: round(v[0], 3) for k, v in best.items()},
            "cpu": {k: round(v[1], 3) for k, v in best.items()},
            "ratio": round(ratio, 3),
            "cpu_ratio": round(cpu_ratio, 3),
            "equal": equal,
        }
    load_after = os.getloadavg()
    print(f"  load average before {load[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    out["load_average"] = [round(load[0], 2), round(load_after[0], 2)]
    return out


if __name__ == "__main__":
    main()
