"""Each user's furthest funnel step, as a relation a query can wrap, on every engine.

A segment is a condition on that relation. DuckDB computes it in one query (the
ASOF chain of ``funnels._duckdb_asof``); Spark in two, the chain reading a
checkpointed view of the prepared events (``funnels._spark``). Both give rows
``(person, lvl, did)`` (did: one of the user's distinct ids); ``PER_USER_ENGINES``
picks the one for a source's engine, and the query around it (``outer``) is the same
SQL text on both.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldnote.analytics._sources import DuckDBSource, EventSource, SparkSource
from fieldnote.analytics._sql import Params
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.funnels._duckdb_asof import funnel_sql
from fieldnote.analytics.funnels._spark import run_spark_funnel

__all__ = ["PER_USER_ENGINES", "Outer", "per_user_rows"]

#: ``outer(per_user_sql, params)`` → a query over the per-user rows (as a subquery).
Outer = Callable[[str, Params], str]


def _duckdb(source: DuckDBSource, funnel: Funnel, outer: Outer) -> list[tuple[Any, ...]]:
    sql, params = funnel_sql(source, funnel, per_user=True)
    query = outer(sql, params)
    rows: list[tuple[Any, ...]] = source.con.sql(query, params=params.used_in(query)).fetchall()
    return rows


def _spark(source: SparkSource, funnel: Funnel, outer: Outer) -> list[tuple[Any, ...]]:
    return run_spark_funnel(source, funnel, per_user=True, outer=outer)


PER_USER_ENGINES: dict[str, Callable[[Any, Funnel, Outer], list[tuple[Any, ...]]]] = {
    "duckdb": _duckdb,
    "spark": _spark,
}


def per_user_rows(source: EventSource, funnel: Funnel, outer: Outer) -> list[tuple[Any, ...]]:
    """The rows of ``outer`` over ``funnel``'s per-user furthest steps on ``source``."""
    try:
        run = PER_USER_ENGINES[source.engine]
    except KeyError:
        raise ValueError(f"segments cannot run on engine {source.engine!r}") from None
    return run(source, funnel, outer)
