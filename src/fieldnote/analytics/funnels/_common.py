"""SQL fragments both funnel engines share: which rows, which user, which step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import EventTables
from fieldnote.analytics._sql import Params, filter_sql, period_start_day
from fieldnote.analytics.funnels._model import BreakdownKind, Funnel, FunnelStep

__all__ = [
    "BaseQuery",
    "base_query",
    "first_step_in_range",
    "first_step_value",
    "step_match",
]


_FIRST_STEP_VALUES: dict[BreakdownKind, Callable[[Params, str, str], str]] = {
    BreakdownKind.EVENT: lambda params, key, alias: params.prop_text(f"{alias}.properties", key),
    BreakdownKind.DAY: lambda params, _key, alias: params.dialect.date_of_day(
        period_start_day(params.dialect, f"{alias}.timestamp", "day")
    ),
    BreakdownKind.WEEK: lambda params, _key, alias: params.dialect.date_of_day(
        period_start_day(params.dialect, f"{alias}.timestamp", "week")
    ),
}


def first_step_value(params: Params, funnel: Funnel, match1: str, alias: str = "e") -> str | None:
    """SQL for the breakdown value a first-step event carries; None when the breakdown
    is not a property of that event (none, or a person property)."""
    bd = funnel.breakdown
    if bd is None or bd.kind not in _FIRST_STEP_VALUES:
        return None
    return f"CASE WHEN {match1} THEN {_FIRST_STEP_VALUES[bd.kind](params, bd.key, alias)} END"


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
    params: Params, tables: EventTables, funnel: Funnel, *, only_steps: bool
) -> BaseQuery:
    """Events of the project in the date range (widened by the window for later steps);
    the user as ``_relations`` resolves it."""
    if funnel.breakdown and funnel.breakdown.kind is BreakdownKind.PERSON and not tables.persons:
        raise ValueError("a person-property breakdown needs a persons table")
    dates = funnel.dates
    rel = events_from(
        params,
        tables,
        names=[s.event for s in funnel.steps] if only_steps else None,
        start=dates.start,
        end=None if dates.end is None else dates.end + funnel.window,
    )
    lo = None if dates.start is None else params.add(_us(dates.start))
    hi = None if dates.end is None else params.add(_us(dates.end))
    return BaseQuery(actor=rel.actor, from_where=rel.from_where, first_lo=lo, first_hi=hi)


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
