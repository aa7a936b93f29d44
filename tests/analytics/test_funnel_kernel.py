"""The compiled funnel kernel against the numpy chain, on rows built directly.

The engine-level tests (test_funnels.py) hold the ``duckdb`` engine, which runs this
kernel, to the plain-Python reference; these reach what small SQL fixtures rarely do:
users cut across threads, hash collisions, many breakdown values per user.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.analytics.funnels import Funnel, FunnelAggregate, FunnelStep
from fieldnote.analytics.funnels._chain import FunnelRows, chain_aggregates
from fieldnote.analytics.funnels._grouping import INSERTION_MAX
from fieldnote.analytics.funnels._kernel import kernel_aggregates

NAMES = ["a", "b", "c"]

rows_st = st.lists(
    st.tuples(
        st.integers(0, 6),  # user
        st.integers(0, 30),  # time (µs)
        st.integers(0, 7),  # step mask
        st.booleans(),  # start allowed (date range)
        st.integers(-1, 2),  # breakdown code
    ),
    max_size=60,
)
funnel_st = st.builds(
    lambda names, window: Funnel(
        steps=tuple(FunnelStep(event=n) for n in names), window=timedelta(microseconds=window)
    ),
    st.lists(st.sampled_from(NAMES), min_size=2, max_size=4),
    st.integers(1, 20),
)


def _rows(raw: list[tuple[int, int, int, bool, int]], funnel: Funnel) -> FunnelRows:
    """Masks as the SQL builds them: a row of event ``a`` matches every step named a."""
    n = len(raw)
    masks = []
    for _, _, pick, _, _ in raw:
        name = NAMES[pick % len(NAMES)] if pick else None
        masks.append(sum(1 << i for i, s in enumerate(funnel.steps) if s.event == name))
    return FunnelRows(
        key1=np.array([u // 2 for u, *_ in raw], dtype=np.int64),  # users 2k, 2k+1 collide
        key2=np.array([u for u, *_ in raw], dtype=np.int64),
        ts=np.array([t for _, t, *_ in raw], dtype=np.int64),
        mask=np.array(masks, dtype=np.int64),
        start=np.array(
            [m & 1 > 0 and ok for m, (_, _, _, ok, _) in zip(masks, raw, strict=True)], dtype=bool
        ),
        group=np.array([g for *_, g in raw], dtype=np.int32) if n else np.zeros(0, np.int32),
        labels=["x", "y", "z"],
    )


def _by_group(aggs: list[FunnelAggregate]) -> dict[tuple[bool, str | None], FunnelAggregate]:
    return {(a.total, a.breakdown_value): a for a in aggs}


@settings(max_examples=300, deadline=None)
@given(raw=rows_st, funnel=funnel_st, threads=st.booleans())
def test_kernel_equals_the_numpy_chain(
    raw: list[tuple[int, int, int, bool, int]],
    funnel: Funnel,
    threads: bool,
) -> None:
    """Same counts and time percentiles for the total and every breakdown value, with
    the rows cut between threads or not."""
    rows = _rows(raw, funnel)
    want = _by_group(chain_aggregates(funnel, rows, breakdown=True))
    got = _by_group(kernel_aggregates(funnel, rows, breakdown=True, threads=3 if threads else 1))
    assert got.keys() == want.keys()
    for key, w in want.items():
        assert got[key].counts == w.counts, key
        assert got[key].seconds == w.seconds, key


def test_heavy_users_in_any_row_order() -> None:
    """Buckets beyond insertion-sort size (a heavy user, colliding users) in shuffled
    rows: the same as the numpy chain."""
    rng = np.random.default_rng(3)
    n = 40 * INSERTION_MAX
    funnel = Funnel(
        steps=(FunnelStep(event="a"), FunnelStep(event="b"), FunnelStep(event="a")),
        window=timedelta(microseconds=50),
    )
    users = rng.integers(0, 3, n)
    rows = FunnelRows(
        key1=np.where(users < 2, 11, 12).astype(np.int64),  # users 0 and 1 collide
        key2=users.astype(np.int64),
        ts=rng.integers(0, 2_000, n).astype(np.int64),
        mask=rng.choice(np.array([0b101, 0b010], dtype=np.int64), n),
        start=rng.random(n) < 0.9,
        group=rng.integers(-1, 2, n).astype(np.int32),
        labels=["x", "y"],
    )
    rows_start = rows.start & (rows.mask & 1 > 0)
    rows = FunnelRows(**{**rows.__dict__, "start": rows_start})
    want = _by_group(chain_aggregates(funnel, rows, breakdown=True))
    for threads in (1, 2):
        got = _by_group(kernel_aggregates(funnel, rows, breakdown=True, threads=threads))
        assert {k: (a.counts, a.seconds) for k, a in got.items()} == {
            k: (a.counts, a.seconds) for k, a in want.items()
        }
