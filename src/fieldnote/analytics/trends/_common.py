"""What every trend needs: the range it covers and a way to run SQL on the source.

Trends, retention and segments are generated SQL in the source's dialect
(``_sql.DIALECTS``), the same query on every engine; ``FETCHERS`` (engine name →
how to run it and fetch numpy columns) is the one engine-specific part.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import DuckDBSource, EventSource
from fieldnote.analytics._sql import DIALECTS, Params
from fieldnote.analytics._time import DateRange
from fieldnote.analytics.funnels._common import EPOCH
from fieldnote.analytics.trends._model import Interval, Period
from fieldnote.analytics.trends._spark import spark_fetch

__all__ = ["DEFAULT_PERIODS", "FETCHERS", "fetch", "latest_event", "params_for", "resolve_periods"]

#: Without --from/--to: this many periods, ending with the one of the latest event.
DEFAULT_PERIODS = {Interval.DAY: 30, Interval.WEEK: 12}


def _duckdb_fetch(source: DuckDBSource, sql: str, params: Params) -> dict[str, Any]:
    result: dict[str, Any] = source.con.sql(sql, params=params.used_in(sql)).fetchnumpy()
    return {k: np.asarray(v) for k, v in result.items()}


#: Engine name → run a query on the source and return its columns as numpy arrays.
FETCHERS: dict[str, Callable[[Any, str, Params], dict[str, Any]]] = {
    "duckdb": _duckdb_fetch,
    "spark": spark_fetch,
}


def params_for(source: EventSource) -> Params:
    """Parameters (and dialect) for a query on ``source``'s engine."""
    return Params(DIALECTS[source.engine])


def fetch(source: EventSource, sql: str, params: Params) -> dict[str, Any]:
    """Columns as numpy arrays."""
    try:
        run = FETCHERS[source.engine]
    except KeyError:
        raise ValueError(f"no query runner for engine {source.engine!r}") from None
    return run(source, sql, params)


def latest_event(source: EventSource) -> datetime | None:
    """The time of the source's latest event, in UTC (None when it has none).

    Read as epoch microseconds: a timestamp value would come back in the engine's or
    the process's time zone, and the two engines must agree to the microsecond."""
    params = params_for(source)
    rel = events_from(params, source.tables)
    last = params.dialect.epoch_us("max(e.timestamp)")
    sql = f"SELECT count(*) AS n, coalesce({last}, 0) AS t {rel.from_where}"
    cols = fetch(source, sql, params)
    if not len(cols["n"]) or int(cols["n"][0]) == 0:
        return None
    return EPOCH + timedelta(microseconds=int(cols["t"][0]))


def resolve_periods(source: EventSource, interval: Interval, dates: DateRange) -> Period:
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
