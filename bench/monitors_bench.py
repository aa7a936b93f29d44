"""Monitor throughput: 1,000 monitors over 365 days of daily data (floor: < 10 s).

Two figures, same run:

* **rules**: 1,000 monitors (a third each threshold, swing, seasonal anomaly) evaluated
  on 365-day daily series already computed (the rule engine alone);
* **end to end**: 1,000 monitors run by ``MonitorRunner`` against a real DuckDB event
  store (365 days, 40 event names, ~260k events) and a SQLite repository: metric
  queries, rules, run records and, for those that fire, signals, questions and
  deduplication.

Timings on a shared machine are noisy; rerun on a quiet one for docs/performance.md.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from fieldnote.analytics import store_source
from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore
from fieldnote.monitors import (
    AnomalyRule,
    MetricPoint,
    MetricSeries,
    MonitorRunner,
    Rule,
    SwingRule,
    ThresholdRule,
)
from fieldnote.repository import MonitorStore, Projects, Repository

MONITORS = 1000
DAYS = 365
NAMES = 40


def _series(rng: np.random.Generator, k: int) -> MetricSeries:
    t = np.arange(DAYS)
    values = rng.uniform(100, 5000) * np.where(t % 7 >= 5, 0.6, 1.0) * rng.normal(1, 0.05, DAYS)
    day0 = date(2025, 1, 1)
    points = tuple(
        MetricPoint(day0 + timedelta(days=int(i)), float(v), float(v)) for i, v in enumerate(values)
    )
    return MetricSeries(f"metric {k}", False, points)


def _rule(k: int) -> Rule:
    rules: list[Rule] = [ThresholdRule("below", 5.0), SwingRule(percent=10), AnomalyRule()]
    return rules[k % 3]


def rules_only() -> dict[str, Any]:
    rng = np.random.default_rng(1)
    work = [(_series(rng, k), _rule(k)) for k in range(MONITORS)]
    started = time.perf_counter()
    fired = sum(rule.evaluate(series).fired for series, rule in work)
    seconds = time.perf_counter() - started
    return {"monitors": MONITORS, "days": DAYS, "seconds": seconds, "fired": fired}


def _store(path: Path) -> datetime:
    rng = np.random.default_rng(2)
    end = datetime(2026, 1, 1, tzinfo=UTC)
    stamps, names = [], []
    for d in range(DAYS):
        day = end - timedelta(days=DAYS - d)
        for n in range(NAMES):
            count = int(rng.poisson(20 if d % 7 < 5 else 12))
            stamps += [day + timedelta(minutes=int(m)) for m in rng.integers(0, 1440, count)]
            names += [f"event_{n}"] * count
    size = len(stamps)
    store = DuckDBEventStore(path)
    store.commit(
        pa.table(
            {
                "uuid": [str(uuid.uuid4()) for _ in range(size)],
                "project": ["bench"] * size,
                "distinct_id": [f"u{i % 5000}" for i in range(size)],
                "event": names,
                "timestamp": stamps,
                "properties": ["{}"] * size,
            },
            schema=ARROW_SCHEMA,
        )
    )
    store.close()
    return end


def end_to_end(folder: Path) -> dict[str, Any]:
    end = _store(folder / "events.duckdb")
    repo = Repository(f"sqlite:///{folder / 'repo.sqlite'}")
    repo.upgrade()
    Projects(repo).create("bench")
    monitors = MonitorStore(repo)
    for k in range(MONITORS):
        metric = {"kind": "events", "event": f"event_{k % NAMES}", "lookback_days": DAYS}
        definition = {"metric": metric, "rule": _rule(k).to_dict()}
        monitors.create("bench", f"m{k:04d}", definition, created_by="bench")
    store = DuckDBEventStore(folder / "events.duckdb", read_only=True)
    runner = MonitorRunner(repo)
    started = time.perf_counter()
    with store.reader() as cur:
        outcomes = runner.run(store_source(cur, "bench"), "bench", until=end)
    seconds = time.perf_counter() - started
    store.close()
    repo.dispose()
    return {
        "monitors": len(outcomes),
        "seconds": seconds,
        "fired": sum(o.evaluation.fired for o in outcomes),
    }


def main(argv: list[str]) -> dict[str, Any]:
    rules = rules_only()
    print(
        f"rules only: {rules['monitors']:,} monitors x {DAYS} days in {rules['seconds']:.2f} s "
        f"({rules['seconds'] / rules['monitors'] * 1000:.2f} ms each, {rules['fired']} fired); "
        f"floor < 10 s: {'met' if rules['seconds'] < 10 else 'NOT met'}"
    )
    result: dict[str, Any] = {"rules_only": rules}
    if "--rules-only" not in argv:
        with tempfile.TemporaryDirectory() as tmp:
            e2e = end_to_end(Path(tmp))
        print(
            f"end to end (DuckDB metric queries + SQLite repository): {e2e['monitors']:,} "
            f"monitors in {e2e['seconds']:.2f} s "
            f"({e2e['seconds'] / e2e['monitors'] * 1000:.1f} ms each, {e2e['fired']} fired); "
            f"floor < 10 s: {'met' if e2e['seconds'] < 10 else 'NOT met'}"
        )
        result["end_to_end"] = e2e
    print(json.dumps(result, default=str))
    return result
