"""Funnels on Spark: window functions instead of ASOF joins (Spark has none).

Every funnel event becomes one row per step it matches. One window pass per user,
ordered by time, gives each row the time of the user's next event of every step at or
after it (``min`` over a ``RANGE`` frame). A chain then follows those pointers: from a
first-step row to its next step-2 time, and, joined on ``(user, time)``, to that row's
next step-3 time, and so on. Same greedy chain as the DuckDB engine, same answers; it
runs wherever the events live (Parquet on a cluster, a warehouse table).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics._sources import SparkSource
from fieldnote.analytics._sql import DIALECTS, Params
from fieldnote.analytics.funnels._chain_sql import CHAIN_SQL, chain_end, rows_to_aggregates
from fieldnote.analytics.funnels._common import (
    base_query,
    first_step_in_range,
    first_step_value,
    step_match,
)
from fieldnote.analytics.funnels._model import Funnel, FunnelAggregate, FunnelOrder

__all__ = ["SparkFunnelQuery", "SparkFunnels", "run_spark_funnel", "spark_funnel_sql"]


@dataclass(frozen=True)
class SparkFunnelQuery:
    prepared: str
    """Every funnel event with its next-step pointers: computed once, read by ``chain``
    as a view named ``w`` (Spark would otherwise recompute it for every reference)."""
    chain: str
    params: Params


def spark_funnel_sql(
    source: SparkSource, funnel: Funnel, w: str, *, per_user: bool = False
) -> SparkFunnelQuery:
    """The funnel in two queries (``prepared``, then ``chain`` over it as view ``w``);
    rows as ``_chain_sql.chain_end`` makes them (per group, or ``per_user``)."""
    params = Params(DIALECTS["spark"])
    tables = source.tables
    n = len(funnel.steps)
    strict = funnel.order is FunnelOrder.STRICT
    base = base_query(params, tables, funnel, only_steps=not strict)
    matches = [step_match(params, s) for s in funnel.steps]
    carried = first_step_value(params, funnel, matches[0])
    bv = "CAST(NULL AS STRING)" if carried is None else carried
    ks = [f"IF({m}, {i + 1}, NULL)" for i, m in enumerate(matches)]
    if strict:  # every other event too (step 0): it breaks a strict chain
        ks.append(f"IF({' OR '.join(matches)}, NULL, 0)")
    window = params.add(funnel.window_us)
    did = ", did" if per_user else ""  # segments name a distinct id per user
    ctes = [
        f"base AS (SELECT {base.actor} AS a, unix_micros(e.timestamp) AS ts, {bv} AS bv, "
        f"e.distinct_id AS did, filter(array({', '.join(ks)}), x -> x IS NOT NULL) AS ks "
        f"{base.from_where})",
        f"f AS (SELECT a, ts, bv, k{did} FROM base LATERAL VIEW explode(ks) x AS k)",
    ]
    nexts = []
    for k in range(2, n + 1):
        start = "1 FOLLOWING" if funnel.strictly_later(k - 1) else "CURRENT ROW"
        nexts.append(
            f"min(IF(k = {k}, ts, NULL)) OVER (PARTITION BY a ORDER BY ts "
            f"RANGE BETWEEN {start} AND UNBOUNDED FOLLOWING) AS nx{k}"
        )
    any_next = (
        "min(ts) OVER (PARTITION BY a ORDER BY ts "
        "RANGE BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)"
        if strict
        else "CAST(NULL AS BIGINT)"
    )
    prepared = (
        "WITH "
        + ",\n".join(ctes)
        + f"\nSELECT a, ts, bv, k{did}, {', '.join(nexts)}, {any_next} AS nany FROM f"
    )
    ctes = [f"base AS (SELECT * FROM {w})"] if per_user else []
    ctes.append(
        f"c1 AS (SELECT a, bv, ts AS t1, nx2 AS nx, nany FROM {w} "
        f"WHERE k = 1 AND {first_step_in_range(base)})"
    )
    ctes += (_strict_chain if strict else _ordered_chain)(funnel, window, w)
    end, final = chain_end(CHAIN_SQL["spark"], params, tables, funnel, carried, per_user=per_user)
    ctes += end
    return SparkFunnelQuery(prepared, "WITH " + ",\n".join(ctes) + "\n" + final, params)


def _ordered_chain(funnel: Funnel, window: str, w: str) -> list[str]:
    """Follow the next-step pointers: l<k> holds them for step-k rows, keyed by time."""
    n = len(funnel.steps)
    ctes = [
        f"l{k} AS (SELECT a, ts, max(nx{k + 1}) AS nx FROM {w} WHERE k = {k} GROUP BY a, ts)"
        for k in range(2, n)
    ]
    for k in range(2, n + 1):
        cols = ", ".join(f"c.t{j}" for j in range(1, k))
        src = (
            "c1 c"
            if k == 2
            else f"c{k - 1} c LEFT JOIN l{k - 1} l ON l.a = c.a AND l.ts = c.t{k - 1}"
        )
        nx = "c.nx" if k == 2 else "l.nx"
        ctes.append(
            f"c{k} AS (SELECT c.a, c.bv, {cols}, "
            f"CASE WHEN {nx} <= c.t1 + {window} THEN {nx} END AS t{k} FROM {src})"
        )
    return ctes


def _strict_chain(funnel: Funnel, window: str, w: str) -> list[str]:
    """The next step at the previous step's instant or the user's next instant (``nany``);
    both may hold, so a chain can branch (as in the DuckDB engine)."""
    ctes = [f"x AS (SELECT DISTINCT a, ts, nany FROM {w})"]
    for k in range(2, len(funnel.steps) + 1):
        prev = f"c.t{k - 1}"
        cols = ", ".join(f"c.t{j}" for j in range(1, k))
        same = "" if funnel.strictly_later(k - 1) else f"s.ts = {prev} OR "
        ctes.append(f"s{k} AS (SELECT DISTINCT a, ts FROM {w} WHERE k = {k})")
        ctes.append(
            f"c{k} AS (SELECT c.a, c.bv, {cols}, s.ts AS t{k} FROM c{k - 1} c "
            f"LEFT JOIN x ON x.a = c.a AND x.ts = {prev} "
            f"LEFT JOIN s{k} s ON s.a = c.a AND ({same}s.ts = x.nany) "
            f"AND s.ts <= c.t1 + {window})"
        )
    return ctes


def run_spark_funnel(
    source: SparkSource,
    funnel: Funnel,
    *,
    per_user: bool = False,
    outer: Callable[[str, Params], str] | None = None,
) -> list[tuple[Any, ...]]:
    """Run the funnel's chain (or ``outer(chain, params)``, a query around it) and
    collect the rows; the prepared events live as a checkpointed view meanwhile."""
    session = source.session
    view = f"fn_funnel_w_{uuid.uuid4().hex}"
    query = spark_funnel_sql(source, funnel, view, per_user=per_user)
    prepared = session.sql(query.prepared, args=query.params.used_in(query.prepared))
    prepared.localCheckpoint().createOrReplaceTempView(view)
    try:
        sql = query.chain if outer is None else outer(query.chain, query.params)
        rows: list[Any] = session.sql(sql, args=query.params.used_in(sql)).collect()
    finally:
        session.catalog.dropTempView(view)
    return [tuple(r) for r in rows]


class SparkFunnels:
    """The ``spark`` funnel engine."""

    def aggregate(self, source: SparkSource, funnel: Funnel) -> list[FunnelAggregate]:
        rows = run_spark_funnel(source, funnel)
        return rows_to_aggregates(rows, len(funnel.steps))
