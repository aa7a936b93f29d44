"""Funnels on DuckDB: the definition (reference search) and ClickHouse agree with it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import chdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.analytics import DateRange, DuckDBSource, EventTables
from fieldnote.analytics.funnels import (
    FUNNEL_ENGINES,
    Breakdown,
    Funnel,
    FunnelAggregate,
    FunnelOrder,
    FunnelStep,
    compute_funnel,
    compute_funnel_with,
)
from fieldnote.analytics.funnels._chain import FunnelRows, chain_aggregates
from tests.analytics._data import T0_US, store_like_duckdb
from tests.analytics.reference import US, Ev, RefGroup, reference_funnel

NAMES = ["signup", "onboarding started", "connect, integration", "activated"]
PERSONS = [str(uuid.UUID(int=0xA0 + i)) for i in range(3)]
PLANS = {PERSONS[0]: {"plan": "pro"}, PERSONS[1]: {"plan": "free"}, PERSONS[2]: {}}
FILTERS = [
    "platform=ios",
    "platform!=ios",
    "platform<j",
    "n>=2",
    "n<3",
    "n=2",
    "n!=2.5",
    "flag=true",
]

props_st = st.fixed_dictionaries(
    {},
    optional={
        "platform": st.sampled_from(["ios", "android", "web"]),
        "n": st.sampled_from([1, 2, 3, 2.5, 2.0, "2", "x"]),
        "flag": st.booleans(),
    },
)
events_st = st.lists(
    st.builds(
        lambda d, name, sec, props: Ev(f"d{d}", name, T0_US + sec * US, props),
        st.integers(0, 5),
        st.sampled_from(NAMES),
        st.integers(0, 40),
        props_st,
    ),
    max_size=30,
)
steps_st = st.lists(
    st.builds(
        lambda name, flt: FunnelStep.parse(name + (f" where {flt}" if flt else "")),
        st.sampled_from(NAMES),
        st.one_of(st.none(), st.sampled_from(FILTERS)),
    ),
    min_size=2,
    max_size=4,
)


def _range(bounds: tuple[int, int] | None) -> DateRange:
    if bounds is None:
        return DateRange()
    lo, hi = sorted(bounds)
    start = datetime.fromtimestamp(T0_US / US + lo, UTC)
    return DateRange(start=start, end=start + timedelta(seconds=hi - lo + 1))


funnels_st = st.builds(
    lambda steps, window, order, bd, bounds: Funnel(
        steps=tuple(steps),
        window=timedelta(seconds=window),
        order=order,
        breakdown=Breakdown.parse(bd) if bd else None,
        dates=_range(bounds),
    ),
    steps_st,
    st.integers(1, 30),
    st.sampled_from(list(FunnelOrder)),
    st.sampled_from([None, "platform", "person.plan", "time.day", "time.week"]),
    st.one_of(st.none(), st.tuples(st.integers(0, 40), st.integers(0, 40))),
)
# d0 and d1 are one person (an anonymous id and a login); d2 another; the rest unmapped
PERSON_OF = {"d0": PERSONS[0], "d1": PERSONS[0], "d2": PERSONS[1], "d3": PERSONS[2]}


def engine_groups(aggs: list[FunnelAggregate], n: int) -> dict[tuple[bool, str | None], RefGroup]:
    out = {}
    for a in aggs:
        if a.counts[0] == 0 and not a.total:
            continue
        out[(a.total, a.breakdown_value)] = RefGroup(
            counts=a.counts,
            seconds=tuple(
                None if p is None else (p.p25, p.median, p.p75, p.p90) for p in a.seconds
            ),
        )
    out.setdefault((True, None), RefGroup(counts=(0,) * n, seconds=(None,) * n))
    return out


def assert_same(got: dict[Any, RefGroup], want: dict[Any, RefGroup]) -> None:
    assert {k: g.counts for k, g in got.items()} == {k: w.counts for k, w in want.items()}
    for key, w in want.items():
        for g_s, w_s in zip(got[key].seconds, w.seconds, strict=True):
            assert (g_s is None) == (w_s is None), key
            if g_s is not None and w_s is not None:
                assert g_s == pytest.approx(w_s, abs=1e-6), key


@settings(max_examples=150, deadline=None)
@given(events=events_st, funnel=funnels_st)
def test_duckdb_funnel_engines_match_the_reference_definition(
    events: list[Ev], funnel: Funnel
) -> None:
    """Both DuckDB engines: numpy chain (default) and the pure-SQL ASOF chain."""
    con = store_like_duckdb(events, PERSON_OF, PLANS)
    want = reference_funnel(funnel, events, person_of=PERSON_OF, person_props=PLANS)
    source = DuckDBSource(con, EventTables(project="p"))
    for engine in ("duckdb", "duckdb-asof"):
        aggs = FUNNEL_ENGINES[engine].aggregate(source, funnel)
        assert_same(engine_groups(aggs, len(funnel.steps)), want)


def _chdb_levels(path: Path, funnel: Funnel) -> list[int]:
    window = int(funnel.window.total_seconds())
    conds = []
    for i, step in enumerate(funnel.steps):
        cond = f"event = '{step.event}'"
        for f in step.filters:  # only platform=... filters are generated for this test
            cond += f" AND platform = '{f.value}'"
        if i == 0 and funnel.dates.start is not None and funnel.dates.end is not None:
            cond += (
                f" AND ts >= {int(funnel.dates.start.timestamp())}"
                f" AND ts < {int(funnel.dates.end.timestamp())}"
            )
        conds.append(cond)
    sql = (
        f"SELECT windowFunnel({window})(toDateTime(ts), {', '.join(conds)}) AS level "
        f"FROM file('{path}', Parquet) GROUP BY distinct_id"
    )
    out = chdb.query(sql, "CSV").bytes().decode().split()
    return [int(x) for x in out]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.integers(0, 6),
            st.sampled_from(NAMES),
            st.integers(0, 60),
            st.sampled_from(["ios", "web"]),
        ),
        max_size=60,
    ),
    order=st.permutations(NAMES),
    n_steps=st.integers(2, 4),
    platform_filter=st.booleans(),
    window=st.integers(1, 40),
    bounds=st.one_of(st.none(), st.tuples(st.integers(0, 60), st.integers(0, 60))),
)
def test_duckdb_funnel_counts_equal_clickhouse_window_funnel(
    tmp_path: Path,
    rows: list[tuple[int, str, int, str]],
    order: list[str],
    n_steps: int,
    platform_filter: bool,
    window: int,
    bounds: tuple[int, int] | None,
) -> None:
    t0 = T0_US // US
    steps = [FunnelStep.parse(name) for name in order[:n_steps]]
    if platform_filter:
        steps[1] = FunnelStep.parse(f"{steps[1].event} where platform=ios")
    funnel = Funnel(steps=tuple(steps), window=timedelta(seconds=window), dates=_range(bounds))
    path = tmp_path / f"{uuid.uuid4().hex}.parquet"
    pq.write_table(
        pa.table(
            {
                "distinct_id": [f"d{r[0]}" for r in rows],
                "event": [r[1] for r in rows],
                "ts": [t0 + r[2] for r in rows],
                "platform": [r[3] for r in rows],
            }
        ),
        path,
    )
    levels = _chdb_levels(path, funnel)
    want = tuple(sum(1 for lv in levels if lv >= k) for k in range(1, n_steps + 1))
    events = [Ev(f"d{d}", name, (t0 + s) * US, {"platform": p}) for d, name, s, p in rows]
    con = store_like_duckdb(events)
    got = compute_funnel(DuckDBSource(con, EventTables(project="p")), funnel)
    assert tuple(s.count for s in got.steps) == want


def _at(did: str, name: str, sec: int) -> Ev:
    return Ev(did, name, T0_US + sec * US, {})


def test_strict_chain_may_continue_from_either_of_two_same_instant_candidates() -> None:
    """a and b at the same instant, b again a second later, then c: only the chain
    through the later b reaches c (nothing may come between two strict steps)."""
    events = [_at("u", "a", 0), _at("u", "b", 0), _at("u", "b", 1), _at("u", "c", 2)]
    funnel = Funnel(
        steps=tuple(FunnelStep(event=e) for e in "abc"),
        window=timedelta(seconds=10),
        order=FunnelOrder.STRICT,
    )
    con = store_like_duckdb(events)
    for engine in ("duckdb", "duckdb-asof"):
        result = compute_funnel_with(engine, DuckDBSource(con, EventTables(project="p")), funnel)
        assert [s.count for s in result.steps] == [1, 1, 1], engine
        # the counted chain takes the earliest times that reach c: b at 1 s, c at 2 s
        assert [s.seconds_to_convert.median for s in result.steps[1:]] == [1.0, 1.0]  # type: ignore[union-attr]
    assert reference_funnel(funnel, events)[(True, None)].counts == (1, 1, 1)


def test_users_whose_first_hash_collides_stay_apart() -> None:
    """Two users with the same 64-bit key1 (forced here) are told apart by key2."""
    funnel = Funnel(steps=(FunnelStep(event="a"), FunnelStep(event="b")), window=timedelta(1))
    ts = np.array([10, 20, 15, 30], dtype=np.int64)
    rows = FunnelRows(
        key1=np.array([7, 7, 7, 7], dtype=np.int64),
        key2=np.array([1, 2, 1, 2], dtype=np.int64),  # user 1: a@10, b@15; user 2: a@20 b@30
        ts=ts,
        mask=np.array([1, 1, 2, 2], dtype=np.int64),
        start=np.array([True, True, False, False]),
        group=np.full(4, -1, dtype=np.int32),
        labels=[],
    )
    (total,) = chain_aggregates(funnel, rows, breakdown=False)
    assert total.counts == (2, 2)
    assert total.seconds[1] is not None
    assert total.seconds[1].median == pytest.approx(7.5e-6)  # 5 µs and 10 µs
