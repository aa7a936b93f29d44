"""The end of a funnel chain in SQL, shared by the ``duckdb-asof`` and ``spark`` engines.

Both engines build ``c1 .. cn`` differently (ASOF joins on DuckDB, next-step pointers
on Spark) but end the same way: each chain's level, each user's counted chain, and the
counts and time percentiles per group (total, breakdown values), or one row per user.
That part is written once here; a ``ChainSQL`` renders the few expressions whose
spelling differs between the two SQL dialects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fieldnote.analytics._sources import EventTables
from fieldnote.analytics._sql import Params
from fieldnote.analytics._stats import Percentiles
from fieldnote.analytics.funnels._model import Funnel, FunnelAggregate, FunnelOrder

__all__ = ["CHAIN_SQL", "ChainSQL", "chain_end", "rows_to_aggregates"]


@dataclass(frozen=True)
class ChainSQL:
    """How one SQL dialect spells the expressions the end of a chain needs."""

    null_text: str
    """A NULL of the text type."""
    reached: Callable[[str], str]
    """1 when a step time is set, else 0."""
    order_key: Callable[[int], str]
    """Ordered funnels (given n): the furthest chain first, then the earliest start."""
    strict_key: Callable[[int], str]
    """Strict funnels (given n): the furthest, then the earliest times step by step."""
    pick: str
    """``arg_min``-style aggregate: (value, key) → the value at the smallest key."""
    count_if: Callable[[str], str]
    quantiles: Callable[[str, str], str]
    """(value, condition) → the 25/50/75/90th percentiles (interpolated) where it holds."""
    person_id: str
    """The persons table's ``person_id`` as the type of a user key."""
    as_text: Callable[[str], str]


def _duckdb_order_key(n: int) -> str:
    return f"(({n} - lvl)::HUGEINT * 18446744073709551616 + t1)"


def _strict_key(open_: str, close: str) -> Callable[[int], str]:
    def key(n: int) -> str:
        return f"{open_}-lvl, " + ", ".join(f"t{k}" for k in range(1, n + 1)) + close

    return key


CHAIN_SQL: dict[str, ChainSQL] = {
    "duckdb": ChainSQL(
        null_text="NULL::VARCHAR",
        reached=lambda t: f"({t} IS NOT NULL)::INTEGER",
        order_key=_duckdb_order_key,
        strict_key=_strict_key("[", "]"),
        pick="arg_min",
        count_if=lambda cond: f"count(*) FILTER (WHERE {cond})",
        quantiles=lambda value, cond: (
            f"quantile_cont({value}, [0.25, 0.5, 0.75, 0.9]) FILTER (WHERE {cond})"
        ),
        person_id="CAST(p.person_id AS UUID)",
        as_text=lambda expr: f"CAST({expr} AS VARCHAR)",
    ),
    "spark": ChainSQL(
        null_text="CAST(NULL AS STRING)",
        reached=lambda t: f"IF({t} IS NULL, 0, 1)",
        order_key=lambda _n: "named_struct('l', -lvl, 't', t1)",
        strict_key=_strict_key("struct(", ")"),
        pick="min_by",
        count_if=lambda cond: f"count_if({cond})",
        quantiles=lambda value, cond: (
            f"percentile(IF({cond}, {value}, NULL), array(0.25, 0.5, 0.75, 0.9))"
        ),
        person_id="CAST(p.person_id AS STRING)",
        as_text=lambda expr: expr,
    ),
}


def chain_end(
    sql: ChainSQL,
    params: Params,
    tables: EventTables,
    funnel: Funnel,
    carried: str | None,
    *,
    per_user: bool = False,
) -> tuple[list[str], str]:
    """The CTEs after ``c<n>`` (columns ``a, bv, t1..tn``) and the final SELECT.

    Rows: ``(total, bv, n counts, n-1 quantile arrays)`` per group, or with ``per_user``
    (no breakdown) ``(person, lvl, did)``: each user's furthest step and one of their
    distinct ids (from relation ``base``, which then has a ``did`` column: a user
    without a person mapping has exactly one, which no other table names).
    """
    n = len(funnel.steps)
    bd = funnel.breakdown
    reached = " + ".join(sql.reached(f"t{k}") for k in range(2, n + 1))
    ctes = [f"ch AS (SELECT *, 1 + {reached} AS lvl FROM c{n})"]
    # each user's counted chain: the furthest, among those the earliest start, and
    # (strict mode, where one start can branch) the earliest times step by step
    key = (sql.strict_key if funnel.order is FunnelOrder.STRICT else sql.order_key)(n)
    picks = ", ".join(f"{sql.pick}(t{k}, {key}) AS t{k}" for k in range(1, n + 1))
    aggs = ", ".join(sql.count_if(f"lvl >= {k}") for k in range(1, n + 1))
    aggs += ", " + ", ".join(
        sql.quantiles(f"t{k} - t{k - 1}", f"lvl >= {k}") for k in range(2, n + 1)
    )
    if per_user:
        if bd is not None:
            raise ValueError("per-user funnel rows take no breakdown")
        ctes.append("pa AS (SELECT a, max(lvl) AS lvl FROM ch GROUP BY a)")
        ctes.append("ids AS (SELECT a, min(did) AS did FROM base GROUP BY a)")
        person = sql.as_text("pa.a")
        return ctes, f"SELECT {person} AS person, pa.lvl, ids.did FROM pa JOIN ids ON ids.a = pa.a"
    if bd is None:
        ctes.append(f"pa AS (SELECT a, max(lvl) AS lvl, {picks} FROM ch GROUP BY a)")
        return ctes, f"SELECT true, {sql.null_text}, {aggs} FROM pa"
    if carried is not None:
        ctes.append(
            f"pa AS (SELECT grouping(bv) = 1 AS total, bv, max(lvl) AS lvl, {picks} "
            "FROM ch GROUP BY GROUPING SETS ((a, bv), (a)))"
        )
        return ctes, f"SELECT total, bv, {aggs} FROM pa GROUP BY total, bv"
    prop = params.prop_text("p.properties", bd.key)
    project = "" if tables.project is None else f" AND p.project = {params.add(tables.project)}"
    ctes.append(f"pu AS (SELECT a, max(lvl) AS lvl, {picks} FROM ch GROUP BY a)")
    ctes.append(
        f"pa AS (SELECT pu.*, {prop} AS bv FROM pu "
        f"LEFT JOIN {tables.persons} p ON {sql.person_id} = pu.a{project})"
    )
    final = f"SELECT grouping(bv) = 1, bv, {aggs} FROM pa GROUP BY GROUPING SETS ((bv), ())"
    return ctes, final


def rows_to_aggregates(rows: list[tuple[Any, ...]], n: int) -> list[FunnelAggregate]:
    """(total, bv, n counts, n-1 quantile lists in µs) → aggregates in seconds."""
    out = []
    for row in rows:
        counts = tuple(int(c) for c in row[2 : 2 + n])
        seconds: list[Percentiles | None] = [None]
        for q in row[2 + n : 1 + 2 * n]:
            seconds.append(None if q is None else Percentiles(*(float(v) / 1e6 for v in q)))
        out.append(
            FunnelAggregate(
                total=bool(row[0]),
                breakdown_value=None if row[1] is None else str(row[1]),
                counts=counts,
                seconds=tuple(seconds),
            )
        )
    return out
