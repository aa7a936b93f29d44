"""What a question may name: the project's event names, for the funnel builder's picker
and for telling a person "no event named 'x'" instead of showing a funnel of zeros."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import DuckDBSource, EventSource
from fieldnote.analytics._sql import DIALECTS, Params
from fieldnote.analytics.funnels import FunnelStep

__all__ = ["EventName", "event_names", "unknown_event"]


@dataclass(frozen=True)
class EventName:
    name: str
    count: int


def event_names(source: EventSource, *, limit: int = 500) -> list[EventName]:
    """The project's event names, most frequent first (at most ``limit``)."""
    if not isinstance(source, DuckDBSource):
        raise ValueError("the event name list runs on DuckDB sources only")
    src = source
    params = Params(DIALECTS["duckdb"])
    rel = events_from(params, src.tables)
    sql = (
        f"SELECT e.event, count(*) AS n {rel.from_where} GROUP BY e.event "
        f"ORDER BY n DESC, e.event LIMIT {params.add(limit)}"
    )
    rows = src.con.sql(sql, params=params.used_in(sql)).fetchall()
    return [EventName(name=str(name), count=int(n)) for name, n in rows]


def unknown_event(step: FunnelStep, known: list[EventName]) -> str | None:
    """Why ``step`` names no event of the project (with the closest names), or None."""
    names = [e.name for e in known]
    if step.event in names:
        return None
    close = difflib.get_close_matches(step.event, names, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"no event named {step.event!r} in this project{hint}"
