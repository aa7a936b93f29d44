"""Funnels on DuckDB in SQL alone: a chain of ASOF joins, one per step (engine
``duckdb-asof``; the default ``duckdb`` engine fetches the rows and chains in numpy,
see ``_duckdb.py``, and the tests hold the two to the same answers).

For every first-step event, an ASOF join finds the user's earliest next-step event at
or after it; the next join continues from that event, and so on, dropping a chain once
a step falls outside the window. That is the greedy chain, which reaches as far as any
chain from the same start can, so the per-user maximum equals ClickHouse
``windowFunnel``. It runs as sort-merge joins over only the funnel's events, several
times faster than collecting each user's events into a list.
"""

from __future__ import annotations

from fieldnote.analytics._sources import DuckDBSource
from fieldnote.analytics._sql import DIALECTS, Params
from fieldnote.analytics.funnels._chain_sql import CHAIN_SQL, chain_end, rows_to_aggregates
from fieldnote.analytics.funnels._common import (
    base_query,
    first_step_in_range,
    first_step_value,
    step_match,
)
from fieldnote.analytics.funnels._model import Funnel, FunnelAggregate, FunnelOrder

__all__ = ["DuckDBAsofFunnels", "funnel_sql"]


def funnel_sql(
    source: DuckDBSource, funnel: Funnel, *, per_user: bool = False
) -> tuple[str, Params]:
    """The whole funnel as one DuckDB query: rows of (total, bv, counts..., quantiles...),
    or with ``per_user`` (no breakdown) one row per user: (person id, furthest step,
    a distinct id)."""
    params = Params(DIALECTS["duckdb"])
    tables = source.tables
    base = base_query(params, tables, funnel, only_steps=True)
    matches = [step_match(params, s) for s in funnel.steps]
    carried = first_step_value(params, funnel, matches[0])
    bv = "NULL::VARCHAR" if carried is None else carried
    flags = ", ".join(f"{m} AS m{i + 1}" for i, m in enumerate(matches))
    ctes = [
        f"base AS MATERIALIZED (SELECT {base.actor} AS a, epoch_us(e.timestamp) AS ts, "
        f"{flags}, {bv} AS bv{', e.distinct_id AS did' if per_user else ''} {base.from_where})",
        f"c1 AS (SELECT a, bv, ts AS t1 FROM base WHERE m1 AND {first_step_in_range(base)})",
    ]
    window = params.add(funnel.window_us)
    if funnel.order is FunnelOrder.STRICT:
        every = base_query(params, tables, funnel, only_steps=False)
        ctes.append(
            f"anyev AS MATERIALIZED (SELECT DISTINCT {every.actor} AS a, "
            f"epoch_us(e.timestamp) AS ts {every.from_where})"
        )
        ctes += _strict_chain(funnel, window)
    else:
        ctes += _ordered_chain(funnel, window)
    end, final = chain_end(CHAIN_SQL["duckdb"], params, tables, funnel, carried, per_user=per_user)
    ctes += end
    return "WITH " + ",\n".join(ctes) + "\n" + final, params


def _ordered_chain(funnel: Funnel, window: str) -> list[str]:
    """c2..cn: each step at the user's earliest occurrence at/after the previous step."""
    ctes = []
    for k in range(2, len(funnel.steps) + 1):
        cols = ", ".join(f"c.t{j}" for j in range(1, k))
        op = ">" if funnel.strictly_later(k - 1) else ">="
        ctes.append(f"s{k} AS (SELECT a, ts FROM base WHERE m{k})")
        ctes.append(
            f"c{k} AS (SELECT c.a, c.bv, {cols}, "
            f"CASE WHEN s.ts <= c.t1 + {window} THEN s.ts END AS t{k} "
            f"FROM c{k - 1} c ASOF LEFT JOIN s{k} s ON c.a = s.a AND s.ts {op} c.t{k - 1})"
        )
    return ctes


def _strict_chain(funnel: Funnel, window: str) -> list[str]:
    """c2..cn in strict order: the next step happens at the same instant as the previous
    one or at the user's very next instant (``anyev``); both can hold, so a chain may
    branch into two and every branch is kept."""
    ctes = []
    for k in range(2, len(funnel.steps) + 1):
        prev = f"c.t{k - 1}"
        cols = ", ".join(f"c.t{j}" for j in range(1, k))
        same = "" if funnel.strictly_later(k - 1) else f"s.ts = {prev} OR "
        ctes.append(f"s{k} AS (SELECT DISTINCT a, ts FROM base WHERE m{k})")
        ctes.append(
            f"n{k} AS (SELECT c.*, n.ts AS nx FROM c{k - 1} c "
            f"ASOF LEFT JOIN anyev n ON c.a = n.a AND n.ts > {prev})"
        )
        ctes.append(
            f"c{k} AS (SELECT c.a, c.bv, {cols}, s.ts AS t{k} FROM n{k} c "
            f"LEFT JOIN s{k} s ON c.a = s.a AND ({same}s.ts = c.nx) "
            f"AND s.ts <= c.t1 + {window})"
        )
    return ctes


class DuckDBAsofFunnels:
    """The ``duckdb-asof`` funnel engine."""

    def aggregate(self, source: DuckDBSource, funnel: Funnel) -> list[FunnelAggregate]:
        sql, params = funnel_sql(source, funnel)
        values = params.used_in(sql)
        # the caller's connection (or cursor) itself: temp views and registered Arrow
        # tables are visible only to the connection that made them
        rows = source.con.execute(sql, values).fetchall()
        return rows_to_aggregates(rows, len(funnel.steps))
