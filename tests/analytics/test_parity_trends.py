"""Every trend gives the same answer on Spark as on DuckDB, to the last digit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from fieldnote.analytics import DateRange, parse_date
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.trends import (
    ActivationTrend,
    ChurnTrend,
    ConversionTrend,
    EventTrend,
    Interval,
    StickinessTrend,
    Trend,
)
from tests.analytics._parity_data import Parity

pytestmark = pytest.mark.spark

JAN = DateRange(parse_date("2026-01-05"), parse_date("2026-02-01", end=True))
SIGNUP, ACTIVATED = FunnelStep.parse("signup"), FunnelStep.parse("activated")
PAGEVIEW = FunnelStep.parse("$pageview where path=/pricing")

TRENDS: list[Trend] = [
    EventTrend(SIGNUP, "count", Interval.DAY, JAN),
    EventTrend(FunnelStep.parse("$pageview"), "users", Interval.WEEK, JAN),
    EventTrend(FunnelStep.parse("purchase"), "sum:amount", Interval.DAY, JAN),
    EventTrend(FunnelStep.parse("purchase where amount>=1"), "sum:amount", Interval.WEEK),
    EventTrend(FunnelStep.parse("signup where channel!=ads"), "users", Interval.DAY, JAN),
    ConversionTrend((SIGNUP, PAGEVIEW, ACTIVATED), timedelta(days=10), Interval.WEEK, JAN),
    ActivationTrend(SIGNUP, ACTIVATED, timedelta(days=7), Interval.WEEK),
    ActivationTrend(SIGNUP, ACTIVATED, timedelta(hours=1), Interval.DAY, JAN),
    StickinessTrend(None, JAN),
    StickinessTrend(PAGEVIEW),
    ChurnTrend(None, Interval.WEEK, JAN),
    ChurnTrend(FunnelStep.parse("$pageview"), Interval.DAY),
]


def _both(parity: Parity, trend: Trend) -> tuple[dict[str, Any], dict[str, Any]]:
    on_duckdb, on_spark = (trend.compute(s).to_dict() for s in parity.sources())
    return on_duckdb, on_spark


@pytest.mark.parametrize("trend", TRENDS, ids=lambda t: f"{t.name}")
def test_trend_on_spark_equals_duckdb(parity: Parity, trend: Trend) -> None:
    on_duckdb, on_spark = _both(parity, trend)
    assert on_spark == on_duckdb
    values = [p["value"] for s in on_duckdb["series"] for p in s["points"]]
    assert any(v for v in values)  # the data really has something to count


def test_empty_trends_agree(parity: Parity) -> None:
    """An event nobody did, and a range without events: zeros on both, not errors."""
    nothing = FunnelStep.parse("never_happens")
    before = DateRange(parse_date("2025-06-02"), parse_date("2025-06-15", end=True))
    empty: list[Trend] = [
        EventTrend(nothing, "users", Interval.DAY, JAN),
        EventTrend(SIGNUP, "sum:amount", Interval.WEEK, before),
        StickinessTrend(nothing, before),
        ActivationTrend(nothing, ACTIVATED, timedelta(days=7), Interval.WEEK, JAN),
    ]
    for trend in empty:
        on_duckdb, on_spark = _both(parity, trend)
        assert on_spark == on_duckdb
        assert all(not p["count"] for s in on_duckdb["series"] for p in s["points"])


def test_trends_ignore_the_session_time_zone(parity: Parity, spark: Any) -> None:
    """Days are UTC days whatever time zone either engine's session is set to."""
    trends: list[Trend] = [
        EventTrend(FunnelStep.parse("$pageview"), "count", Interval.DAY, JAN),
        ChurnTrend(None, Interval.WEEK, JAN),
    ]
    want = [t.compute(parity.duckdb).to_dict() for t in trends]
    con = parity.duckdb.con
    old = spark.conf.get("spark.sql.session.timeZone")
    spark.conf.set("spark.sql.session.timeZone", "Pacific/Kiritimati")  # UTC+14
    con.execute("SET TimeZone = 'America/Adak'")  # UTC-10/-9
    try:
        for trend, expected in zip(trends, want, strict=True):
            for source in parity.sources():
                assert trend.compute(source).to_dict() == expected
    finally:
        spark.conf.set("spark.sql.session.timeZone", old)
        con.execute("SET TimeZone = 'UTC'")
