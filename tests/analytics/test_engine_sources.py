"""Analytics on every engine of ``fieldnote.events.engines`` gives the store's answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest

from fieldnote.analytics import (
    DateRange,
    EventSource,
    engine_source,
    parse_date,
    parse_range,
    store_source,
)
from fieldnote.analytics.explain import explain, rate_metric
from fieldnote.analytics.funnels import Funnel, FunnelStep, compute_funnel
from fieldnote.analytics.retention import Retention
from fieldnote.analytics.segments import SegmentDefinition, members
from fieldnote.analytics.trends import EventTrend, Interval
from fieldnote.events.engines import (
    DuckDBFile,
    EngineOptions,
    ParquetExport,
    export_store,
    open_engine,
)
from tests.cli.test_analytics_cli import _seed

FUNNEL = Funnel.parse(
    ["signup", "connect_integration", "activated"], window="14d", breakdown="channel"
)


def assert_close(got: Any, want: Any) -> None:
    """Equal, floats to 1e-9 (Spark's percentile and numpy's round differently)."""
    if isinstance(want, dict):
        assert got.keys() == want.keys()
        for key in want:
            assert_close(got[key], want[key])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_close(g, w)
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9)
    else:
        assert got == want


def _questions() -> dict[str, Callable[[EventSource], dict[str, Any]]]:
    """Every analytics computation, as asked of one source."""
    march = DateRange(parse_date("2026-03-02"), parse_date("2026-03-22", end=True))
    trend = EventTrend(FunnelStep.parse("signup"), "users", Interval.WEEK, march)
    cohorts = Retention.parse(start="signup", interval="week", periods=3)
    metric = rate_metric("conversion", {"steps": ["signup", "connect_integration"]})
    before, after = parse_range("2026-03-01..2026-03-10"), parse_range("2026-03-11..2026-03-31")
    steps = Funnel.parse(["signup", "connect_integration", "activated"], window="14d")
    segment = SegmentDefinition(funnel=steps, step=2, dropped=True)
    return {
        "funnel": lambda s: compute_funnel(s, FUNNEL).to_dict(),
        "trend": lambda s: trend.compute(s).to_dict(),
        "retention": lambda s: cohorts.compute(s).to_dict(),
        "explain": lambda s: explain(s, metric, before, after, ["channel"]).to_dict(),
        "segment": lambda s: members(s, segment).to_dict(),
    }


@pytest.mark.spark
def test_analytics_through_the_engines_equal_the_store(tmp_path: Path, spark: Any) -> None:
    home = tmp_path / "home"
    _seed(home)  # a real store: group-commit writes, persons merged by $identify
    con = duckdb.connect(str(home / "events.duckdb"), read_only=True)
    questions = _questions()
    want = {name: ask(store_source(con, "saas")) for name, ask in questions.items()}
    export_store(con, tmp_path / "export")
    con.close()
    assert [s["count"] for s in want["funnel"]["steps"]] == [5, 4, 1]
    assert want["segment"]["size"] == 3
    engines = [
        open_engine("duckdb", DuckDBFile(home / "events.duckdb")),
        open_engine("duckdb", ParquetExport(tmp_path / "export")),
        open_engine("spark", ParquetExport(tmp_path / "export"), EngineOptions(spark=spark)),
    ]
    try:
        for engine in engines:
            source = engine_source(engine, "saas")
            for name, ask in questions.items():
                assert_close(ask(source), want[name])
    finally:
        for engine in engines:
            engine.close()
