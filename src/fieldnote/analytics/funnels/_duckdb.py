"""Funnels on DuckDB (the default engine): DuckDB scans, a compiled loop chains.

DuckDB reads and filters the events (Parquet, the store, persons joined) and hands
over numeric columns per row: two 64-bit hashes of the user, the time, a bit mask of
the steps the row matches, the start flag (and the breakdown value). In the default
``ordered`` mode ``_kernel`` groups them by user and follows every user's chains in
one compiled pass, on a thread per core; the ``strict`` mode keeps the numpy array
passes of ``_chain``. Measured against the pure-SQL ASOF chain
(``_duckdb_asof``) and ClickHouse in docs/performance.md ("Analytics").
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.analytics._sources import DuckDBSource
from fieldnote.analytics._sql import DIALECTS, Params, filter_sql
from fieldnote.analytics.funnels._chain import FunnelRows, chain_aggregates
from fieldnote.analytics.funnels._common import (
    base_query,
    first_step_in_range,
    first_step_value,
    step_match,
)
from fieldnote.analytics.funnels._kernel import kernel_aggregates
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
    mask = (
        _mask_sql(params, funnel)
        if not strict
        else " + ".join(f"(CAST({m} AS BIGINT) << {i})" for i, m in enumerate(matches))
    )
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
    # the ordered-mode rows leave out the breakdown column when there is none
    grp = f", {group} AS grp" if strict or bd is not None else ""
    sql = (
        "SELECT hash(a.actor) AS key1, hash(a.actor, 'fieldnote') AS key2, "
        f"a.ts, a.mask, a.start{grp} "
        f"FROM (SELECT {base.actor} AS actor, epoch_us(e.timestamp) AS ts, {mask} AS mask, "
        f"{matches[0]} AND {in_range} AS start, {inner_group} AS grp "
        f"{base.from_where}) a{join}{keep}"
    )
    return sql, params


def _mask_sql(params: Params, funnel: Funnel) -> str:
    """The step bit mask as one ``CASE`` on the event name: the steps of each name
    contribute their bit, unconditionally or when their filters hold. Cheaper than one
    comparison per step on every row."""
    by_name: dict[str, list[str]] = {}
    for i, step in enumerate(funnel.steps):
        bits = by_name.setdefault(step.event, [])
        if step.filters:
            cond = " AND ".join(filter_sql(params, f, "e.properties") for f in step.filters)
            bits.append(f"(CAST(({cond}) AS BIGINT) << {i})")
        else:
            bits.append(str(1 << i))
    whens = " ".join(
        f"WHEN {params.add(name)} THEN {' + '.join(bits)}" for name, bits in by_name.items()
    )
    return f"(CASE e.event {whens} ELSE 0 END)"


def _int64(column: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """A numeric column as one contiguous int64 array (64-bit unsigned: same bits)."""
    values = np.ascontiguousarray(column.to_numpy())
    if values.dtype == np.uint64:
        return values.view(np.int64)
    return values.astype(np.int64, copy=False)


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
        breakdown = funnel.breakdown is not None
        if funnel.order is not FunnelOrder.STRICT:
            codes, labels = _codes(table.column("grp")) if breakdown else (None, [])
            n = table.num_rows
            kernel_rows = FunnelRows(
                key1=_int64(table.column("key1")),
                key2=_int64(table.column("key2")),
                ts=_int64(table.column("ts")),
                mask=_int64(table.column("mask")),
                start=table.column("start").to_numpy(zero_copy_only=False).astype(bool),
                group=np.full(n, -1, dtype=np.int32) if codes is None else codes,
                labels=labels,
            )
            return kernel_aggregates(funnel, kernel_rows, breakdown=breakdown)
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
