"""SQL fragments both funnel engines share: which rows, which user, which step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fieldnote.analytics._sources import EventTables
from fieldnote.analytics._sql import Params, filter_sql
from fieldnote.analytics.funnels._model import BreakdownKind, Funnel, FunnelStep

__all__ = ["BaseQuery", "base_query", "first_step_in_range", "step_match"]


def step_match(params: Params, step: FunnelStep, alias: str = "e") -> str:
    parts = [f"{alias}.event = {params.add(step.event)}"]
    parts += [filter_sql(params, f, f"{alias}.properties") for f in step.filters]
    return "(" + " AND ".join(parts) + ")"


@dataclass(frozen=True)
class BaseQuery:
    """``FROM ... WHERE ...`` over the events with an ``a`` (user) expression."""

    actor: str
    from_where: str
    first_lo: str | None
    """Parameter marker: earliest first-step time in µs (None: unbounded)."""
    first_hi: str | None


def base_query(
    params: Params, tables: EventTables, funnel: Funnel, *, uuid_actor: bool, only_steps: bool
) -> BaseQuery:
    """Events of the project in the date range (widened by the window for later steps).

    ``uuid_actor``: DuckDB keeps the person id a UUID (a 128-bit key joins fast) and
    gives an unmapped distinct_id the id its person would get; Spark uses strings.
    """
    if funnel.breakdown and funnel.breakdown.kind is BreakdownKind.PERSON and not tables.persons:
        raise ValueError("a person-property breakdown needs a persons table")
    join = ""
    actor = "e.distinct_id"
    if tables.person_distinct_ids:
        join = (
            f" LEFT JOIN {tables.person_distinct_ids} m"
            " ON m.project = e.project AND m.distinct_id = e.distinct_id"
        )
        fallback = (
            "CAST(md5(e.project || chr(0) || e.distinct_id) AS UUID)"
            if uuid_actor
            else "e.distinct_id"
        )
        actor = f"coalesce(m.person_id, {fallback})"
    where: list[str] = []
    if tables.project is not None:
        where.append(f"e.project = {params.add(tables.project)}")
    if only_steps:
        names = sorted({s.event for s in funnel.steps})
        where.append("e.event IN (" + ", ".join(params.add(n) for n in names) + ")")
    dates = funnel.dates
    lo = hi = None
    if dates.start is not None:
        where.append(f"e.timestamp >= {params.add(dates.start)}")
        lo = params.add(_us(dates.start))
    if dates.end is not None:
        where.append(f"e.timestamp < {params.add(dates.end + funnel.window)}")
        hi = params.add(_us(dates.end))
    sql = f"FROM {tables.events} e{join}"
    if where:
        sql += " WHERE " + " AND ".join(where)
    return BaseQuery(actor=actor, from_where=sql, first_lo=lo, first_hi=hi)


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _us(value: datetime) -> int:
    return (value - EPOCH) // timedelta(microseconds=1)


def first_step_in_range(base: BaseQuery, ts: str = "ts") -> str:
    """The first step must fall inside the funnel's date range."""
    parts = ["true"]
    if base.first_lo is not None:
        parts.append(f"{ts} >= {base.first_lo}")
    if base.first_hi is not None:
        parts.append(f"{ts} < {base.first_hi}")
    return " AND ".join(parts)
