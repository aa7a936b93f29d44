"""Synthetic events for the analytics benchmarks, written to Parquet with numpy.

A SaaS funnel (signup → onboarding_started → workspace_created →
integration_step_viewed → connect_integration → activated) with a realistic shape:
each user signs up once (a few twice), reaches each next step with a probability that
depends on platform, takes minutes to days between steps (some beyond the 14-day
window) and does noise events (pageviews, settings) all along. Vectorised, so 10M
events take seconds; seeded, so every run sees the same data. Larger files are written
10M events at a time (blocks of disjoint users), so 100M fit in a few GB of memory.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = ["FUNNEL_STEPS", "write_events"]

FUNNEL_STEPS = (
    "signup",
    "onboarding_started",
    "workspace_created",
    "integration_step_viewed",
    "connect_integration",
    "activated",
)
NOISE = ("$pageview", "settings_opened", "report_viewed", "invite_sent")
PLATFORMS = ("web", "ios", "android")
CHANNELS = ("organic", "paid_search", "social", "referral")
PLANS = ("free", "team", "enterprise")
T0 = np.datetime64("2026-01-01T00:00:00", "us").astype(np.int64)
DAY_US = 86_400 * 1_000_000


CHUNK_EVENTS = 10_000_000
"""Events generated (and held in memory) at a time: 100M events are written as ten
independent blocks of users, so memory stays that of 10M (about 2 GB)."""


def write_events(
    path: Path, n_events: int, *, seed: int = 7, project: str = "bench", dimensions: bool = False
) -> int:
    """Write about ``n_events`` events to ``path``; return the exact number written.

    Up to ``CHUNK_EVENTS`` in one block (sorted by time, as a store would hold them);
    beyond, blocks of disjoint users, each sorted by time, appended as row groups. The
    first block is the same as a file of ``CHUNK_EVENTS`` alone. ``dimensions``: the
    properties hold a ``channel`` and a ``plan`` besides the ``platform`` (drawn last,
    so the other columns stay the same)."""
    chunks = max(1, -(-n_events // CHUNK_EVENTS))
    written = 0
    users_before = 0
    with pq.ParquetWriter(path, _SCHEMA) as writer:
        for c in range(chunks):
            size = n_events * (c + 1) // chunks - n_events * c // chunks
            rng = np.random.default_rng(seed if c == 0 else [seed, c])
            table, n_users = _block(rng, size, users_before, project, dimensions)
            writer.write_table(table, row_group_size=1_000_000)
            written += table.num_rows
            users_before += n_users
            del table
    return written


_SCHEMA = pa.schema(
    [
        ("project", pa.string()),
        ("distinct_id", pa.string()),
        ("event", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("properties", pa.string()),
    ]
)


def _block(
    rng: np.random.Generator, n_events: int, first_user: int, project: str, dimensions: bool
) -> tuple[pa.Table, int]:
    """About ``n_events`` events of users ``first_user, first_user + 1, ...``."""
    n_users = max(1, n_events // 20)
    platform = rng.integers(0, len(PLATFORMS), n_users)
    start = T0 + rng.integers(0, 90 * DAY_US, n_users)
    p_next = np.where(platform == 0, 0.8, 0.65)
    cols_user: list[np.ndarray] = []
    cols_event: list[np.ndarray] = []
    cols_ts: list[np.ndarray] = []
    t = start.copy()
    alive = np.ones(n_users, dtype=bool)
    for k in range(len(FUNNEL_STEPS)):
        if k:
            alive &= rng.random(n_users) < p_next
            gap = rng.exponential(2 * DAY_US, n_users).astype(np.int64)
            t = t + gap
        users = np.flatnonzero(alive)
        cols_user.append(users)
        cols_event.append(np.full(users.size, k, dtype=np.int8))
        cols_ts.append(t[users])
    again = np.flatnonzero(rng.random(n_users) < 0.05)  # a few sign up twice
    cols_user.append(again)
    cols_event.append(np.zeros(again.size, dtype=np.int8))
    cols_ts.append(start[again] + rng.integers(0, 30 * DAY_US, again.size))
    n_noise = max(0, n_events - sum(c.size for c in cols_user))
    users = rng.integers(0, n_users, n_noise)
    cols_user.append(users)
    cols_event.append(rng.integers(len(FUNNEL_STEPS), len(FUNNEL_STEPS) + len(NOISE), n_noise))
    cols_ts.append(start[users] + rng.exponential(10 * DAY_US, n_noise).astype(np.int64))
    user = np.concatenate(cols_user)
    event = np.concatenate(cols_event).astype(np.int8)
    ts = np.concatenate(cols_ts)
    order = np.argsort(ts, kind="stable")  # arrival order, as a store would hold them
    user, event, ts = user[order], event[order], ts[order]
    names = pa.array([*FUNNEL_STEPS, *NOISE])
    props = [f'{{"platform": "{p}"}}' for p in PLATFORMS]
    prop_of_user = platform
    if dimensions:  # one property set per (platform, channel, plan) combination
        channel = rng.integers(0, len(CHANNELS), n_users)
        plan = rng.integers(0, len(PLANS), n_users)
        props = [
            f'{{"platform": "{p}", "channel": "{c}", "plan": "{q}"}}'
            for p in PLATFORMS
            for c in CHANNELS
            for q in PLANS
        ]
        prop_of_user = (platform * len(CHANNELS) + channel) * len(PLANS) + plan
    table = pa.table(
        {
            "project": pa.array(np.full(user.size, project, dtype=object), pa.string()),
            "distinct_id": pa.array(
                np.char.add("user-", (user + first_user).astype(str)), pa.string()
            ),
            "event": pa.DictionaryArray.from_arrays(pa.array(event), names).cast(pa.string()),
            "timestamp": pa.array(ts, pa.timestamp("us", tz="UTC")),
            "properties": pa.DictionaryArray.from_arrays(
                pa.array(prop_of_user[user].astype(np.int16)), pa.array(props)
            ).cast(pa.string()),
        }
    )
    return table.cast(_SCHEMA), n_users
