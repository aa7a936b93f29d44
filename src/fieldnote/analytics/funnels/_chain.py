"""The funnel chain, vectorised: numpy over a user's *instants* instead of SQL joins.

Input: one row per event (of the funnel's steps; of every event in strict mode) with
a user key, a time and a bit mask of the steps it matches. Rows are sorted once by
(user, time) and folded into *instants* (one per user and timestamp, with the OR of
the masks), because steps at the same instant are unordered (docs/analytics.md).

Ordered mode: from each start instant, step ``k`` is the user's first instant at or
after the previous step's (strictly after, when the step repeats an earlier event name)
that has bit ``k``: a binary search in the sorted positions of the instants with bit
``k``, for every chain at once. Strict mode: the next step is at the same
instant or the user's next instant; both may hold, so a chain may branch in two.

This is the same greedy chain as the ASOF-join SQL (``_duckdb_asof``) and the Spark
engine, a few array passes instead of one sort-merge join per step.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fieldnote.analytics._stats import Percentiles
from fieldnote.analytics.funnels._model import Funnel, FunnelAggregate, FunnelOrder

__all__ = ["FunnelRows", "chain_aggregates"]

I64 = npt.NDArray[np.int64]
BOOL = npt.NDArray[np.bool_]
QUANTILES = (0.25, 0.5, 0.75, 0.9)
NEVER = np.iinfo(np.int64).max


@dataclass(frozen=True)
class FunnelRows:
    """Rows as an engine fetched them (any order)."""

    key1: I64
    key2: I64
    """Two independent 64-bit hashes of the user: together a 128-bit identity, like
    the person ids themselves (md5 UUIDs). Sorting uses ``key1``; ``key2`` is checked
    and joins the sort only if two users share ``key1``."""
    ts: I64
    mask: I64
    """Bit ``k-1`` set when the row matches step ``k``."""
    start: BOOL
    """Matches step 1 and lies inside the date range: a chain may start here."""
    group: npt.NDArray[np.int32]
    """Breakdown value code of the row (meaningful on start rows), -1 for none."""
    labels: list[str]
    """Breakdown value per code."""


@dataclass(frozen=True)
class _Instants:
    ts: I64
    mask: I64
    actor_end: I64
    """Per instant: index of the first instant of the next user."""
    actor: I64
    """Per instant: the user's number."""
    of_row: I64
    """Per (sorted) row: its instant."""


def _instants(rows: FunnelRows) -> tuple[_Instants, I64]:
    order = np.lexsort((rows.ts, rows.key1))
    k1, k2 = rows.key1[order], rows.key2[order]
    same1 = k1[1:] == k1[:-1]
    if np.any(same1 & (k2[1:] != k2[:-1])):  # two users share key1: sort on both keys
        order = np.lexsort((rows.ts, rows.key2, rows.key1))
        k1, k2 = rows.key1[order], rows.key2[order]
        same1 = k1[1:] == k1[:-1]
    ts = rows.ts[order]
    n = len(ts)
    new_actor = np.ones(n, dtype=bool)
    new_actor[1:] = ~(same1 & (k2[1:] == k2[:-1]))
    new_inst = new_actor.copy()
    new_inst[1:] |= ts[1:] != ts[:-1]
    firsts = np.flatnonzero(new_inst)
    of_row = np.cumsum(new_inst) - 1
    m = len(firsts)
    actor = (np.cumsum(new_actor) - 1)[firsts]
    actor_first = np.flatnonzero(np.r_[True, actor[1:] != actor[:-1]])
    ends = np.r_[actor_first[1:], m]
    inst = _Instants(
        ts=ts[firsts],
        mask=np.bitwise_or.reduceat(rows.mask[order], firsts) if n else rows.mask[:0],
        actor_end=ends[actor],
        actor=actor,
        of_row=of_row,
    )
    return inst, order


def _distinct(values: I64) -> I64:
    """The distinct values of a sorted array (np.unique hashes first: 10x slower)."""
    if len(values) == 0:
        return values
    out: I64 = values[np.r_[True, values[1:] != values[:-1]]]
    return out


def _next_with(inst: _Instants, bit: int, frm: I64) -> I64:
    """For each instant in ``frm``: the first instant at or after it of the same user
    with ``bit``, or ``m`` (none, or ``frm`` is already ``m``)."""
    m = len(inst.ts)
    having = np.r_[np.flatnonzero(inst.mask & bit), m]
    found = having[np.searchsorted(having, frm)]
    ends = np.r_[inst.actor_end, m]
    out: I64 = np.where(found < ends[frm], found, m)
    return out


@dataclass
class _Chains:
    start: I64
    """Index into the starts."""
    cur: I64
    alive: BOOL
    times: list[I64]


def _ordered(funnel: Funnel, inst: _Instants, start_inst: I64) -> _Chains:
    m = len(inst.ts)
    ts = np.r_[inst.ts, NEVER]
    ends = np.r_[inst.actor_end, m]
    t1 = inst.ts[start_inst]
    chains = _Chains(
        start=np.arange(len(start_inst)),
        cur=start_inst.copy(),
        alive=np.ones(len(start_inst), dtype=bool),
        times=[t1],
    )
    window = funnel.window_us
    for k in range(2, len(funnel.steps) + 1):
        frm = chains.cur
        if funnel.strictly_later(k - 1):
            frm = np.where(frm + 1 < ends[frm], frm + 1, m)
        j = _next_with(inst, 1 << (k - 1), frm)
        chains.alive &= (j < m) & (ts[j] <= t1 + window)
        chains.cur = np.where(chains.alive, j, m)
        chains.times.append(np.where(chains.alive, ts[j], NEVER))
    return chains


def _strict(funnel: Funnel, inst: _Instants, start_inst: I64) -> _Chains:
    m = len(inst.ts)
    ts = np.r_[inst.ts, NEVER]
    mask = np.r_[inst.mask, 0]
    ends = np.r_[inst.actor_end, m]
    chains = _Chains(
        start=np.arange(len(start_inst)),
        cur=start_inst.copy(),
        alive=np.ones(len(start_inst), dtype=bool),
        times=[inst.ts[start_inst]],
    )
    window = funnel.window_us
    for k in range(2, len(funnel.steps) + 1):
        bit = 1 << (k - 1)
        cur = chains.cur
        t1 = chains.times[0]
        nxt = np.where(cur + 1 < ends[cur], cur + 1, m)
        ok_next = chains.alive & (mask[nxt] & bit > 0) & (ts[nxt] <= t1 + window)
        ok_same = chains.alive & (mask[cur] & bit > 0)
        if funnel.strictly_later(k - 1):
            ok_same[:] = False
        both = np.flatnonzero(ok_same & ok_next)
        # same instant first; a chain that can also go on at the next instant branches
        cur_new = np.where(ok_same, cur, np.where(ok_next, nxt, m))
        alive = ok_same | ok_next
        chains = _Chains(
            start=np.r_[chains.start, chains.start[both]],
            cur=np.r_[cur_new, nxt[both]],
            alive=np.r_[alive, np.ones(len(both), dtype=bool)],
            times=[np.r_[t, t[both]] for t in chains.times],
        )
        chains.times.append(np.where(chains.alive, ts[chains.cur], NEVER))
    return chains


def _percentiles(values: I64) -> Percentiles | None:
    if len(values) == 0:
        return None
    q = np.quantile(values.astype(np.float64) / 1e6, QUANTILES)
    return Percentiles(*(float(x) for x in q))


def _pick(chains: _Chains, level: I64, group: I64, ordered: bool) -> I64:
    """Per group member (``group`` per chain, members contiguous): its counted chain, the
    furthest, then the earliest start, then the earliest times."""
    if len(group) == 0:
        return np.zeros(0, dtype=np.int64)
    if not ordered:  # branched chains are out of order: sort on every criterion
        order = np.lexsort([*reversed(chains.times), -level, group])
        g = group[order]
        picked: I64 = order[np.r_[True, g[1:] != g[:-1]]]
        return picked
    # one chain per start, in (user, start time) order: a reduction per member
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    member = np.cumsum(np.r_[True, group[1:] != group[:-1]]) - 1
    best = np.maximum.reduceat(level, first)
    candidates = np.where(level == best[member], np.arange(len(level)), len(level))
    picked = np.minimum.reduceat(candidates, first)
    return picked


def _aggregate(
    funnel: Funnel, chains: _Chains, group: I64, total: bool, value: str | None
) -> FunnelAggregate:
    n = len(funnel.steps)
    level = np.ones(len(group), dtype=np.int64)
    for t in chains.times[1:]:
        level += t != NEVER
    pick = _pick(chains, level, group, funnel.order is not FunnelOrder.STRICT)
    lv = level[pick]
    counts = tuple(int(np.count_nonzero(lv >= k)) for k in range(1, n + 1))
    seconds: list[Percentiles | None] = [None]
    for k in range(2, n + 1):
        reached = pick[lv >= k]
        seconds.append(_percentiles(chains.times[k - 1][reached] - chains.times[k - 2][reached]))
    return FunnelAggregate(
        total=total, breakdown_value=value, counts=counts, seconds=tuple(seconds)
    )


def chain_aggregates(funnel: Funnel, rows: FunnelRows, *, breakdown: bool) -> list[FunnelAggregate]:
    inst, order = _instants(rows)
    start_rows = np.flatnonzero(rows.start[order])
    start_inst = inst.of_row[start_rows]  # ascending: rows are in (user, time) order
    # a start is (instant, breakdown value): chains depend on the instant only
    if breakdown:
        width = len(rows.labels) + 1
        pairs = _distinct(np.sort(start_inst * width + rows.group[order][start_rows] + 1))
        start_inst, start_group = pairs // width, pairs % width - 1
    else:
        start_inst = _distinct(start_inst)
        start_group = np.full(len(start_inst), -1, dtype=np.int64)
    if funnel.order is FunnelOrder.STRICT:
        chains = _strict(funnel, inst, start_inst)
    else:
        chains = _ordered(funnel, inst, start_inst)
    actor = inst.actor[start_inst][chains.start]
    out = [_aggregate(funnel, chains, actor, True, None)]
    if breakdown:
        codes = start_group[chains.start]
        for code in _distinct(np.sort(codes)):
            sel = codes == code
            sub = _Chains(
                start=chains.start[sel],
                cur=chains.cur[sel],
                alive=chains.alive[sel],
                times=[t[sel] for t in chains.times],
            )
            label = None if code < 0 else rows.labels[int(code)]
            out.append(_aggregate(funnel, sub, actor[sel], False, label))
    return out
