"""Column helpers of the intercept matcher: narrowing a committed batch in Arrow,
dictionary codes, the (rule, person) pairs of a batch, and reading properties —
each over a whole column or list at once, so the matcher's Python work per row stays
one JSON parse where a filter or a match needs it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from fieldnote.research._intercept_rules import FILTER_OPS, PropertyFilter
from fieldnote.research._intercept_state import NEVER

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
US = timedelta(microseconds=1)


def quiet_until(muted: Mapping[tuple[str, str | None], int], project: str, who: str) -> int:
    return max(muted.get((project, who), NEVER), muted.get((project, None), NEVER))


def pairs_of(keys: npt.NDArray[np.int64], space: int) -> tuple[Any, npt.NDArray[np.int64]]:
    """``np.unique(keys, return_inverse=True)`` for keys in ``range(space)``: with a
    table the size of the key space instead of a sort, where that space is small."""
    if space > 1 << 22:
        unique, inverse = np.unique(keys, return_inverse=True)
        return unique, inverse.astype(np.int64)
    seen = np.zeros(space, np.bool_)
    seen[keys] = True
    unique = np.flatnonzero(seen)
    index = np.empty(space, np.int64)
    index[unique] = np.arange(len(unique))
    return unique, index[keys]


def codes(values: pa.Array | pa.ChunkedArray) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Dictionary codes of a string column (one numpy array) and the distinct values."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, encoded.dictionary.to_pylist()


def micros(ts: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken to be UTC."""
    return (ts - (_EPOCH_NAIVE if ts.tzinfo is None else EPOCH)) // US


def session_of(props: Mapping[str, Any]) -> str | None:
    session = props.get("$session_id")
    return str(session) if session is not None else None


def narrow(batch: pa.Table, names: pa.Array) -> pa.Table:
    """The matcher's columns of the rows whose event is in ``names``, as one chunk.
    (``Table.filter`` costs ~0.1 ms a chunk whatever its size, and a committed batch
    has a chunk per request: ``take`` on the combined table does not.)"""
    rows = batch.select(["project", "distinct_id", "event", "timestamp", "properties"])
    if rows.column("event").num_chunks > 1:
        rows = rows.combine_chunks()
    wanted = pc.is_in(rows.column("event"), value_set=names)
    if pc.all(wanted).as_py() is not True:
        rows = rows.take(pc.indices_nonzero(wanted))
    return rows


def passes(filters: tuple[PropertyFilter, ...], seen: list[Mapping[str, Any]]) -> Any:
    """Which rows pass every filter of the set (``PropertyFilter.test``, unrolled)."""
    ok = np.ones(len(seen), np.bool_)
    for f in filters:
        test, key, value = FILTER_OPS[f.op], f.key, f.value
        ok &= np.array([test(p.get(key), value) for p in seen], np.bool_)
    return ok


def props_of(texts: list[str]) -> list[Mapping[str, Any]]:
    """``props`` of each text; the common case (all JSON) in one comprehension."""
    try:
        values = [orjson.loads(t) for t in texts]
    except orjson.JSONDecodeError:
        return [props(t) for t in texts]
    return [v if isinstance(v, dict) else {} for v in values]


def props(text: str) -> Mapping[str, Any]:
    """A row's properties; text that is not a JSON object reads as no properties."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}
