"""The ordered funnel chain as a compiled per-user loop (numba) over sorted rows.

Input: one row per funnel event (``FunnelRows``, any order) with the user as two
64-bit hashes (a 128-bit identity: two users sharing ``key1`` stay apart), the time in
µs, the step bit mask, the start flag and a breakdown code. ``_grouping`` brings each
user's rows together in time order (hash buckets, each sorted). Then one pass per
user, in a tight loop instead of array passes over all users: fold the user's rows
into *instants* (one per timestamp, masks OR-ed), build
"next instant having bit k" by one backward scan, then follow the greedy chain from
each start instant in O(steps). Same definition as ``_chain`` (which keeps the strict
mode) and the ASOF-join SQL: see docs/analytics.md.

The loops release the GIL (``nogil``), so threads sort and chain disjoint bucket
ranges. numba compiles it on first use and caches the machine code on disk
(``cache=True``): a fresh process loads it in milliseconds; the very first call on a
machine pays the compile (seconds, measured in docs/performance.md). numba is
imported lazily, so importing fieldnote does not pay for it.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from fieldnote.analytics._stats import Percentiles
from fieldnote.analytics.funnels._chain import FunnelRows
from fieldnote.analytics.funnels._grouping import bucket_bits, scatter_to_buckets, sort_buckets
from fieldnote.analytics.funnels._model import Funnel, FunnelAggregate

__all__ = ["kernel_aggregates"]

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]
BOOL = npt.NDArray[np.bool_]
QUANTILES = (0.25, 0.5, 0.75, 0.9)
MIN_ROWS_PER_THREAD = 200_000


@dataclass(frozen=True)
class _Picked:
    """Per counted chain (one per user, or per user and breakdown value)."""

    level: I8
    durations: I64
    """``(chains, steps - 1)``: µs from step k-1 to step k (meaningful below level)."""
    group: I32


def _user_chains(  # pragma: no cover - compiled by numba; tested through its callers
    key1: I64,
    key2: I64,
    ts: I64,
    mask: I64,
    start: BOOL,
    group: I32,
    lo: int,
    hi: int,
    n_steps: int,
    window: int,
    later: BOOL,
    breakdown: bool,
) -> tuple[I8, I64, I32]:
    """Counted chains of the users in rows ``[lo, hi)`` (whole users only)."""
    # pass 1: where each user's rows end; sizes (users having a start, start rows,
    # the longest user)
    ends = np.empty(hi - lo, dtype=np.int64)
    n_users = 0
    users = 0
    starts = 0
    longest = 0
    i = lo
    while i < hi:
        j = i + 1
        while j < hi and key1[j] == key1[i] and key2[j] == key2[i]:
            j += 1
        ends[n_users] = j
        n_users += 1
        has_start = False
        for r in range(i, j):
            if start[r]:
                has_start = True
                starts += 1
        if has_start:
            users += 1
        longest = max(longest, j - i)
        i = j
    slots = starts if breakdown else users
    out_level = np.zeros(slots, dtype=np.int8)
    out_dur = np.zeros((slots, max(n_steps - 1, 1)), dtype=np.int64)
    out_group = np.full(slots, -1, dtype=np.int32)
    inst_ts = np.empty(longest + 1, dtype=np.int64)
    inst_mask = np.empty(longest + 1, dtype=np.int64)
    inst_start = np.empty(longest + 1, dtype=np.bool_)
    row_inst = np.empty(longest + 1, dtype=np.int64)
    nxt = np.empty((n_steps, longest + 1), dtype=np.int64)
    c_level = np.empty(longest + 1, dtype=np.int8)
    c_times = np.empty((longest + 1, n_steps), dtype=np.int64)
    used = 0
    i = lo
    for u in range(n_users):
        j = ends[u]
        # instants: the user's rows folded by timestamp
        m = -1
        any_start = False
        for r in range(i, j):
            if m < 0 or ts[r] != inst_ts[m]:
                m += 1
                inst_ts[m] = ts[r]
                inst_mask[m] = 0
                inst_start[m] = False
            inst_mask[m] |= mask[r]
            if start[r]:
                inst_start[m] = True
                any_start = True
            row_inst[r - i] = m
        m += 1
        if not any_start:
            i = j
            continue
        # nxt[k, x]: the first instant at or after x having bit k (m: none)
        for k in range(1, n_steps):
            bit = np.int64(1) << k
            following = m
            nxt[k, m] = m
            for x in range(m - 1, -1, -1):
                if inst_mask[x] & bit:
                    following = x
                nxt[k, x] = following
        # the greedy chain from every start instant
        for s in range(m):
            if not inst_start[s]:
                continue
            t1 = inst_ts[s]
            cur = s
            level = 1
            c_times[s, 0] = t1
            for k in range(1, n_steps):
                frm = cur + 1 if later[k] else cur
                if frm >= m:
                    break
                nx = nxt[k, frm]
                if nx >= m or inst_ts[nx] > t1 + window:
                    break
                c_times[s, k] = inst_ts[nx]
                cur = nx
                level += 1
            c_level[s] = level
        if not breakdown:
            best = -1
            for s in range(m):  # ascending: the earliest start wins a tie
                if inst_start[s] and (best < 0 or c_level[s] > c_level[best]):
                    best = s
            out_level[used] = c_level[best]
            for k in range(1, c_level[best]):
                out_dur[used, k - 1] = c_times[best, k] - c_times[best, k - 1]
            used += 1
        else:
            first = used
            for r in range(i, j):
                if not start[r]:
                    continue
                s = row_inst[r - i]
                slot = -1
                for q in range(first, used):
                    if out_group[q] == group[r]:
                        slot = q
                        break
                if slot < 0:
                    slot = used
                    used += 1
                    out_group[slot] = group[r]
                elif c_level[s] <= out_level[slot]:
                    continue  # rows ascend in time: the earlier start keeps a tie
                out_level[slot] = c_level[s]
                for k in range(1, c_level[s]):
                    out_dur[slot, k - 1] = c_times[s, k] - c_times[s, k - 1]
        i = j
    return out_level[:used], out_dur[:used], out_group[:used]


@dataclass(frozen=True)
class _Compiled:
    scatter: Callable[..., tuple[Any, ...]]
    sort: Callable[..., None]
    chains: Callable[..., tuple[I8, I64, I32]]


@cache
def _compiled() -> _Compiled:
    import numba  # lazy: half a second to import, and only funnels need it

    def jit(fn: Callable[..., Any]) -> Any:
        try:
            return numba.njit(nogil=True, cache=True, boundscheck=False)(fn)
        except RuntimeError:  # no writable cache folder (read-only install, no home)
            return numba.njit(nogil=True, cache=False, boundscheck=False)(fn)

    return _Compiled(
        scatter=jit(scatter_to_buckets), sort=jit(sort_buckets), chains=jit(_user_chains)
    )


@dataclass(frozen=True)
class _Grouped:
    """The rows in bucket order (each bucket sorted by (user, time) by the first
    ``_chains`` pass)."""

    arrays: tuple[Any, ...]
    """key1, key2, ts, mask, start, group."""
    row_cuts: list[int]
    """Per thread, its rows: ``[row_cuts[p], row_cuts[p + 1])``, whole buckets."""
    bucket_cuts: list[int]


def _group(rows: FunnelRows, parts: int) -> _Grouped:
    code = _compiled()
    # fixed dtypes, C-contiguous and writable: one machine-code signature (Arrow's
    # zero-copy arrays are read-only, which numba would compile a second time for;
    # columns of several Arrow chunks, the usual case, are fresh copies already)
    cols = tuple(
        np.require(a, dtype, ["C", "W"])
        for a, dtype in (
            (rows.key1, np.int64),
            (rows.key2, np.int64),
            (rows.ts, np.int64),
            (rows.mask, np.int64),
            (rows.start, np.bool_),
            (rows.group, np.int32),
        )
    )
    *arrays, offsets = code.scatter(*cols, bucket_bits(len(rows.ts)))
    n, n_buckets = len(rows.ts), len(offsets) - 1
    bucket_cuts = [0]
    for p in range(1, parts):
        at = int(np.searchsorted(offsets, n * p // parts))
        bucket_cuts.append(min(max(at, bucket_cuts[-1]), n_buckets))
    bucket_cuts.append(n_buckets)
    row_cuts = [int(offsets[b]) for b in bucket_cuts]
    return _Grouped(arrays=(*arrays, offsets), row_cuts=row_cuts, bucket_cuts=bucket_cuts)


def _on_threads(parts: int, task: Callable[[int], Any]) -> list[Any]:
    if parts == 1:
        return [task(0)]
    with ThreadPoolExecutor(parts) as pool:
        return list(pool.map(task, range(parts)))


def _chains(funnel: Funnel, grouped: _Grouped, breakdown: bool, sort_first: bool) -> _Picked:
    """Every user's counted chain(s); with ``sort_first``, each thread sorts its
    buckets before chaining them."""
    code = _compiled()
    n_steps = len(funnel.steps)
    later = np.array([funnel.strictly_later(k) for k in range(n_steps)], dtype=np.bool_)
    cols, offsets = grouped.arrays[:6], grouped.arrays[6]
    cuts, bcuts = grouped.row_cuts, grouped.bucket_cuts

    def task(p: int) -> tuple[I8, I64, I32]:
        if sort_first:
            code.sort(*cols, offsets, bcuts[p], bcuts[p + 1])
        return code.chains(*cols, cuts[p], cuts[p + 1], n_steps, funnel.window_us, later, breakdown)

    outs = _on_threads(len(cuts) - 1, task)
    return _Picked(
        level=np.concatenate([o[0] for o in outs]),
        durations=np.concatenate([o[1] for o in outs]),
        group=np.concatenate([o[2] for o in outs]),
    )


def _percentiles(values: I64) -> Percentiles | None:
    if len(values) == 0:
        return None
    q = np.quantile(values.astype(np.float64) / 1e6, QUANTILES)
    return Percentiles(*(float(x) for x in q))


def _aggregate(n_steps: int, picked: _Picked, total: bool, value: str | None) -> FunnelAggregate:
    level = picked.level
    counts = tuple(int(np.count_nonzero(level >= k)) for k in range(1, n_steps + 1))
    seconds: list[Percentiles | None] = [None]
    for k in range(2, n_steps + 1):
        seconds.append(_percentiles(picked.durations[level >= k, k - 2]))
    return FunnelAggregate(
        total=total, breakdown_value=value, counts=counts, seconds=tuple(seconds)
    )


def kernel_aggregates(
    funnel: Funnel, rows: FunnelRows, *, breakdown: bool, threads: int | None = None
) -> list[FunnelAggregate]:
    """The total and, with ``breakdown``, one aggregate per breakdown value.

    ``threads``: how many bucket ranges to sort and chain at once (default: one per
    core when there are enough rows)."""
    n_steps = len(funnel.steps)
    if threads is None:
        threads = min(os.cpu_count() or 1, len(rows.ts) // MIN_ROWS_PER_THREAD)
    grouped = _group(rows, max(1, threads))
    out = [_aggregate(n_steps, _chains(funnel, grouped, False, True), True, None)]
    if breakdown:
        picked = _chains(funnel, grouped, True, False)
        order = np.argsort(picked.group, kind="stable")
        codes = picked.group[order]
        if len(codes) == 0:
            return out
        bounds = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
        for a, b in itertools.pairwise(bounds):
            sel = order[a:b]
            code = int(codes[a])
            sub = _Picked(
                level=picked.level[sel], durations=picked.durations[sel], group=codes[a:b]
            )
            label = None if code < 0 else rows.labels[code]
            out.append(_aggregate(n_steps, sub, False, label))
    return out
