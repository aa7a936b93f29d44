"""Retention cohorts are the same on Spark as on DuckDB, cell by cell."""

from __future__ import annotations

import pytest

from fieldnote.analytics.retention import Retention
from tests.analytics._parity_data import Parity

pytestmark = pytest.mark.spark

CASES = [
    Retention.parse(
        start="signup",
        returning="$pageview",
        interval="week",
        periods=4,
        date_from="2026-01-05",
        date_to="2026-02-01",
    ),
    Retention.parse(
        start="signup where channel=ads",
        returning="purchase where amount>1",
        interval="day",
        periods=10,
        date_from="2026-01-01",
        date_to="2026-01-20",
    ),
    Retention.parse(interval="week", periods=3),  # first seen, any event, latest weeks
]


@pytest.mark.parametrize("retention", CASES, ids=["weekly", "daily-filtered", "first-seen"])
def test_retention_on_spark_equals_duckdb(parity: Parity, retention: Retention) -> None:
    on_duckdb, on_spark = (retention.compute(s).to_dict() for s in parity.sources())
    assert on_spark == on_duckdb
    assert sum(c["size"] for c in on_duckdb["cohorts"]) > 0
    assert any(r["count"] for c in on_duckdb["cohorts"] for r in c["retained"])


def test_empty_cohorts_agree(parity: Parity) -> None:
    """Before any data, and an event nobody did: empty cohorts on both engines."""
    for retention in [
        Retention.parse(interval="week", periods=2, date_from="2025-06-02", date_to="2025-06-15"),
        Retention.parse(
            start="never_happens",
            interval="day",
            periods=2,
            date_from="2026-01-05",
            date_to="2026-01-07",
        ),
    ]:
        on_duckdb, on_spark = (retention.compute(s).to_dict() for s in parity.sources())
        assert on_spark == on_duckdb
        assert all(c["size"] == 0 for c in on_duckdb["cohorts"])
