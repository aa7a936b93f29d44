"""Funnels on DuckDB (the default engine): DuckDB scans, numpy chains.

DuckDB reads and filters the events (Parquet, the store, persons joined) and hands
over four numeric columns per row: two 64-bit hashes of the user, the time, and a bit
mask of the steps the row matches. ``_chain`` then sorts once and follows the chain
with array passes. Measured against the pure-SQL ASOF chain (``_duckdb_asof``) this
removes a sort-merge join per step; see docs/performance.md ("Analytics").
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.analytics._sources import DuckDBSource
from fieldnote.analytics._sql import DIALECTS, Params
from fieldnote.analytics.funnels._chain import FunnelRows, chain_aggregates
from fieldnote.analytics.funnels._common import (
    base_query,
    first_step_in_range,
    first_step_value,
    step_match,
)
from fieldnote.analytics.funnels._model import (
    Funnel,
    FunnelAggregate,
    FunnelOrder,
)

__all__ = ["DuckDBFunnels", "rows_sql"]


def rows_sql(source: DuckDBSource, funnel: Funnel) -> tuple[str, Params]:
    params = Params(DIALECTS["duckdb"])
    tables = source.tables
    strict = funnel.order is FunnelOrder.STRICT
    base = base_query(params, tables, funnel, only_steps=not strict)
    matches = [step_match(params, s) for s in funnel.steps]
    mask = " + ".join(f"(CAST({m} AS BIGINT) << {i})" for i, m in enumerate(matches))
    bd = funnel.breakdown
    inner_group = "NULL::VARCHAR"
    group, join = "a.grp", ""
    carried = first_step_value(params, funnel, matches[0])
    if carried is not None:
        inner_group = carried
    elif bd is not None:  # the person's value, joined on the (few) rows' users
        project = "" if tables.project is None else f" AND p.project = {params.add(tables.project)}"
        join = f" LEFT JOIN {tables.persons} p ON CAST(p.person_id AS UUID) = a.actor{project}"
        group = params.prop_text("p.properties", bd.key)
    in_range = first_step_in_range(base, "epoch_us(e.timestamp)")
    # rows whose name matched but whose filters failed match no step: drop them
    keep = " WHERE a.mask <> 0" if not strict and any(s.filters for s in funnel.steps) else ""
    sql = (
        "SELECT hash(a.actor) AS key1, hash(a.actor, 'fieldnote') AS key2, "
        f"a.ts, a.mask, a.start, {group} AS grp "
        f"FROM (SELECT {base.actor} AS actor, epoch_us(e.timestamp) AS ts, {mask} AS mask, "
        f"{matches[0]} AND {in_range} AS start, {inner_group} AS grp "
        f"{base.from_where}) a{join}{keep}"
    )
    return sql, params


def _codes(column: pa.ChunkedArray) -> tuple[np.ndarray, list[str]]:
    encoded = pc.dictionary_encode(column.combine_chunks())
    labels = [str(v) for v in encoded.dictionary.to_pylist()]
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return codes, labels


class DuckDBFunnels:
    """The ``duckdb`` funnel engine."""

    def aggregate(self, source: DuckDBSource, funnel: Funnel) -> list[FunnelAggregate]:
        sql, params = rows_sql(source, funnel)
        table = source.con.sql(sql, params=params.used_in(sql)).to_arrow_table()
        codes, labels = _codes(table.column("grp"))
        rows = FunnelRows(
            key1=table.column("key1").to_numpy().view(np.int64),
            key2=table.column("key2").to_numpy().view(np.int64),
            ts=table.column("ts").to_numpy(),
            mask=table.column("mask").to_numpy(),
            start=table.column("start").to_numpy(zero_copy_only=False).astype(bool),
            group=codes,
            labels=labels,
        )
        return chain_aggregates(funnel, rows, breakdown=funnel.breakdown is not None)
