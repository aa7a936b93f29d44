"""What every trend needs: the range it covers and a way to run SQL on the source.

Trends run on DuckDB (the store, Parquet); Spark sources are refused with a clear
message until they have an implementation (funnels already run there).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import numpy as np

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import DuckDBSource, EventSource
from fieldnote.analytics._sql import DIALECTS, Params
from fieldnote.analytics._time import DateRange
from fieldnote.analytics.trends._model import Interval, Period

__all__ = ["DEFAULT_PERIODS", "duckdb_only", "fetch", "latest_event", "resolve_periods"]

#: Without --from/--to: this many periods, ending with the one of the latest event.
DEFAULT_PERIODS = {Interval.DAY: 30, Interval.WEEK: 12}


def duckdb_only(source: EventSource, what: str) -> DuckDBSource:
    if not isinstance(source, DuckDBSource):
        raise ValueError(f"{what} runs on DuckDB sources only for now (funnels run on Spark too)")
    return source


def fetch(source: DuckDBSource, sql: str, params: Params) -> dict[str, Any]:
    """Columns as numpy arrays."""
    result: dict[str, Any] = source.con.sql(sql, params=params.used_in(sql)).fetchnumpy()
    return {k: np.asarray(v) for k, v in result.items()}


def latest_event(source: DuckDBSource) -> datetime | None:
    params = Params(DIALECTS["duckdb"])
    rel = events_from(params, source.tables)
    sql = f"SELECT max(e.timestamp) {rel.from_where}"
    rows = source.con.sql(sql, params=params.used_in(sql)).fetchall()
    value = rows[0][0] if rows else None
    return value if isinstance(value, datetime) else None


def resolve_periods(source: DuckDBSource, interval: Interval, dates: DateRange) -> Period:
    """The periods a trend shows: the range given, else the latest ones with data."""
    end = dates.end
    if end is None:
        latest = latest_event(source) or datetime.now().astimezone()
        end = latest + timedelta(microseconds=1)
    start = dates.start
    if start is None:
        last = Period.covering(interval, end - timedelta(microseconds=1), end)
        start = last.start_time - timedelta(days=interval.days * (DEFAULT_PERIODS[interval] - 1))
    return Period.covering(interval, start, end)
