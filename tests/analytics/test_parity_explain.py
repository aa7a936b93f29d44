"""``explain`` decomposes a change the same way on Spark as on DuckDB."""

from __future__ import annotations

import pytest

from fieldnote.analytics import parse_range
from fieldnote.analytics.explain import explain, rate_metric
from tests.analytics._parity_data import Parity

pytestmark = pytest.mark.spark

BEFORE, AFTER = parse_range("2026-01-05..2026-01-18"), parse_range("2026-01-19..2026-02-01")


def test_explain_on_spark_equals_duckdb(parity: Parity) -> None:
    metric = rate_metric("activation", {"start": "signup", "target": "activated", "within": "7d"})
    by = ["channel", "person.plan"]
    on_duckdb, on_spark = (
        explain(s, metric, BEFORE, AFTER, by).to_dict() for s in parity.sources()
    )
    assert on_spark == on_duckdb
    assert on_duckdb["before"]["users"] > 0 and on_duckdb["after"]["users"] > 0
    values = {seg["value"] for d in on_duckdb["dimensions"] for seg in d["segments"]}
    assert None in values  # missing and JSON-null channels and plans are a segment


def test_explain_refuses_an_empty_period_alike(parity: Parity) -> None:
    metric = rate_metric("conversion", {"steps": ["signup", "purchase"], "window": "3d"})
    empty = parse_range("2025-06-01..2025-06-30")
    messages = []
    for source in parity.sources():
        with pytest.raises(ValueError, match="no user entered") as caught:
            explain(source, metric, empty, AFTER, ["platform"])
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
