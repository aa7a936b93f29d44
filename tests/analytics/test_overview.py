"""The overview aggregates, checked against counts computed in Python."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from fieldnote.analytics.overview import OverviewService
from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore

END = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)


def _batch(rows: list[tuple[str, str, datetime]], project: str = "shop") -> pa.Table:
    return pa.table(
        {
            "uuid": [str(uuid.uuid4()) for _ in rows],
            "project": [project] * len(rows),
            "distinct_id": [d for d, _, _ in rows],
            "event": [e for _, e, _ in rows],
            "timestamp": [t for _, _, t in rows],
            "properties": [json.dumps({}) for _ in rows],
        },
        schema=ARROW_SCHEMA,
    )


def test_series_top_events_and_persons_match_a_plain_count(tmp_path: Path) -> None:
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    rows = [
        (f"u{i % 7}", ("signup", "view", "view", "buy")[i % 4], END - timedelta(hours=5 * i))
        for i in range(300)
    ]
    store.commit(_batch(rows))
    store.commit(_batch([("other", "view", END)], project="bank"))
    service = OverviewService(store)
    ov = service.overview("shop", days=10)
    assert ov.events_total == 300 and ov.persons_total == 7
    assert ov.window_end == END.date() and len(ov.series) == 10
    start = END.date() - timedelta(days=9)
    expected_days = Counter(t.date() for _, _, t in rows if t.date() >= start)
    assert {p.day: p.count for p in ov.series if p.count} == dict(expected_days)
    assert ov.events_in_window == sum(expected_days.values())
    top = Counter(e for _, e, t in rows if t.date() >= start)
    assert [(e.event, e.count) for e in ov.top_events] == sorted(
        top.items(), key=lambda kv: (-kv[1], kv[0])
    )  # ties by name
    assert abs(sum(e.share for e in ov.top_events) - 1) < 1e-9
    assert len(ov.latest) == 10 and not hasattr(ov.latest[0], "distinct_id")
    store.close()


def test_a_new_commit_invalidates_the_cached_overview(tmp_path: Path) -> None:
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    store.commit(_batch([("a", "view", END)]))
    service = OverviewService(store, max_staleness=0)
    first = service.overview("shop")
    assert service.overview("shop") is first  # unchanged store: the cached object
    store.commit(_batch([("b", "buy", END)]))
    second = service.overview("shop")
    assert second is not first and second.events_total == 2
    empty = service.overview("nothing-here")
    assert empty.events_total == 0 and empty.series == () and empty.window_end is None
    store.close()


def test_concurrent_requests_share_one_computation(tmp_path: Path) -> None:
    store = DuckDBEventStore(tmp_path / "events.duckdb")
    store.commit(_batch([(f"u{i}", "view", END - timedelta(minutes=i)) for i in range(5000)]))
    service = OverviewService(store, max_staleness=0)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: service.overview("shop"), range(16)))
    assert len({id(r) for r in results}) == 1
    assert results[0].events_total == 5000
    store.close()
