"""One scan for all of ``explain``'s funnels: the metric's events, read once.

``explain`` runs one funnel per dimension and period (six for three dimensions), each
of which would scan every event of the source again; on 10M events that scan is most
of the work. In ``ordered`` mode a funnel only reads the events of its steps inside
the date range (widened by the window), so those rows — all columns, a few percent of
the events — are fetched once into Arrow and registered on the DuckDB connection under
a unique name; the funnels read that instead. Same rows, same SQL, same results
(tests/analytics/test_explain.py compares both ways). Strict-order funnels need every
event of a user, and Spark sources have their own plan: both are left as they are.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from fieldnote.analytics._sources import DuckDBSource, EventSource
from fieldnote.analytics._time import DateRange
from fieldnote.analytics.funnels import Funnel, FunnelOrder

__all__ = ["narrowed"]


def _bounds(funnel: Funnel, periods: tuple[DateRange, ...]) -> tuple[datetime | None, ...]:
    starts = [p.start for p in periods]
    ends = [p.end for p in periods]
    lo = None if any(s is None for s in starts) else min(s for s in starts if s is not None)
    hi = None if any(e is None for e in ends) else max(e for e in ends if e is not None)
    return lo, None if hi is None else hi + funnel.window


@contextmanager
def narrowed(
    source: EventSource, funnel: Funnel, periods: tuple[DateRange, ...]
) -> Iterator[EventSource]:
    """``source``, or (DuckDB, ordered funnel) the same with its events narrowed to
    the funnel's step events in the periods, fetched once."""
    if not isinstance(source, DuckDBSource) or funnel.order is FunnelOrder.STRICT:
        yield source
        return
    lo, hi = _bounds(funnel, periods)
    names = sorted({s.event for s in funnel.steps})
    where = ["event IN (" + ", ".join("?" for _ in names) + ")"]
    params: list[object] = list(names)
    if lo is not None:
        where.append("timestamp >= ?")
        params.append(lo)
    if hi is not None:
        where.append("timestamp < ?")
        params.append(hi)
    sql = f"SELECT * FROM {source.tables.events} WHERE {' AND '.join(where)}"
    rows = source.con.sql(sql, params=params).to_arrow_table()
    name = f"fieldnote_explain_{uuid.uuid4().hex}"
    source.con.register(name, rows)
    try:
        yield replace(source, tables=replace(source.tables, events=name))
    finally:
        source.con.unregister(name)
