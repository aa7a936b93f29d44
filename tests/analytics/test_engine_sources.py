"""Analytics on every engine of ``fieldnote.events.engines`` gives the store's answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pytest

from fieldnote.analytics import DateRange, engine_source, parse_date, store_source
from fieldnote.analytics.funnels import Funnel, FunnelStep, compute_funnel
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


@pytest.mark.spark
def test_funnels_through_the_engines_equal_the_store(tmp_path: Path, spark: Any) -> None:
    home = tmp_path / "home"
    _seed(home)  # a real store: group-commit writes, persons merged by $identify
    con = duckdb.connect(str(home / "events.duckdb"), read_only=True)
    want = compute_funnel(store_source(con, "saas"), FUNNEL).to_dict()
    trend = EventTrend(
        FunnelStep.parse("signup"),
        "users",
        Interval.WEEK,
        DateRange(parse_date("2026-03-02"), parse_date("2026-03-22", end=True)),
    )
    want_trend = trend.compute(store_source(con, "saas")).to_dict()
    export_store(con, tmp_path / "export")
    con.close()
    assert [s["count"] for s in want["steps"]] == [5, 4, 1]
    engines = [
        open_engine("duckdb", DuckDBFile(home / "events.duckdb")),
        open_engine("duckdb", ParquetExport(tmp_path / "export")),
        open_engine("spark", ParquetExport(tmp_path / "export"), EngineOptions(spark=spark)),
    ]
    try:
        for engine in engines:
            source = engine_source(engine, "saas")
            assert_close(compute_funnel(source, FUNNEL).to_dict(), want)
            if engine.name == "duckdb":
                assert trend.compute(source).to_dict() == want_trend
    finally:
        for engine in engines:
            engine.close()
