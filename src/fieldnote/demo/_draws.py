"""The simulation's building blocks: event columns and vectorised random draws.

Shared by every stage of the demo model (``_simulate``, ``_onboarding``, ``_usage``).
Times are int64 microseconds since the epoch (UTC), the event store's resolution.
"""

from __future__ import annotations

import numpy as np

from fieldnote.demo._catalog import Ctx
from fieldnote.demo._knobs import HOURLY

__all__ = [
    "DAY",
    "NEVER",
    "Array",
    "Events",
    "S",
    "desktop_device",
    "pick",
    "pick_rows",
    "ranks",
    "time_of_day",
    "us",
]

Array = np.ndarray
S = 1_000_000  # microseconds per second
DAY = 86_400 * S
NEVER = np.iinfo(np.int64).max


class Events:
    """Append-only event columns; ``build`` drops what falls outside the window."""

    def __init__(self) -> None:
        self.parts: list[tuple[Array, Array, Array, Array]] = []

    def add(self, ts: Array, person: Array, ctx: Ctx | Array, row: int | Array) -> None:
        n = ts.shape[0]
        self.parts.append(
            (
                ts.astype(np.int64),
                person.astype(np.int32),
                np.broadcast_to(np.asarray(ctx, np.int8), (n,)),
                np.broadcast_to(np.asarray(row, np.int32), (n,)),
            )
        )

    def build(self, lo: int, hi: int) -> tuple[Array, Array, Array, Array]:
        ts, person, ctx, row = (np.concatenate([p[i] for p in self.parts]) for i in range(4))
        keep = (ts >= lo) & (ts < hi)
        ts, person, ctx, row = ts[keep], person[keep], ctx[keep], row[keep]
        order = np.argsort(ts, kind="stable")
        return ts[order], person[order], ctx[order], row[order]


def pick(rng: np.random.Generator, n: int, p: Array) -> Array:
    p = np.asarray(p, float)
    return rng.choice(p.shape[0], size=n, p=p / p.sum())


def pick_rows(rng: np.random.Generator, table: Array, rows: Array) -> Array:
    """One categorical draw per element, from the probability row ``table[rows[i]]``."""
    cdf = np.cumsum(np.asarray(table, float), axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(size=int(rows.shape[0]))
    return np.asarray((u[:, None] > cdf[rows]).sum(axis=1))


def us(seconds: Array | float) -> Array:
    """Seconds (float) to integer microseconds, the event store's resolution."""
    return (np.asarray(seconds) * S).astype(np.int64)


def ranks(counts: Array) -> Array:
    """1, 2, ... within each run of ``np.repeat(x, counts)``."""
    total = int(counts.sum())
    return np.asarray(np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts) + 1)


def time_of_day(rng: np.random.Generator, tz_hours: Array) -> Array:
    """Microseconds into the UTC day for activity at a local business-hours rhythm."""
    n = tz_hours.shape[0]
    local = pick(rng, n, HOURLY) * 3600 + rng.random(n) * 3600
    return us((local - tz_hours * 3600) % 86_400)


def desktop_device(rng: np.random.Generator, n: int) -> Array:
    """Index into the 16 desktop (os, browser) pairs; Safari only on macOS."""
    os_ = pick(rng, n, np.array([0.45, 0.45, 0.05, 0.05]))
    browser = pick(rng, n, np.array([0.65, 0.15, 0.08, 0.12]))
    browser = np.where((browser == 1) & (os_ != 0), 0, browser)
    return np.asarray(os_ * 4 + browser)
