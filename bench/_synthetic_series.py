"""A labelled synthetic set for detector quality: product-like daily metrics.

Each series is a year (or less) of a daily count with weekly seasonality (weekends
lower), a trend (growth or decline), multiplicative noise, missing days (about 4 %)
and, except in ``none``, one planted anomaly with its labelled window. Categories:
``spike`` (one day x1.6-2.5), ``dip`` (one day x0.3-0.55), ``level_shift`` (from a
day on, x0.6-0.75 or x1.35-1.6 for the rest of the series; the window is the first
four days), ``outage`` (2-4 days near zero) and ``none`` (no anomaly: every alarm is
false). A fixed seed makes the set identical on every run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

DAY = 86400
START = 1_704_067_200  # 2024-01-01T00:00:00Z
CATEGORIES = ("spike", "dip", "level_shift", "outage", "none")


@dataclass(frozen=True)
class Labelled:
    name: str
    category: str
    stamps: list[int]
    values: list[float]
    windows: list[tuple[int, int]]
    """Inclusive day indices."""
    ignored: list[tuple[int, int]] = field(default_factory=list)
    """Inclusive day indices where alarms count neither way (holidays in version 2)."""


def _series(rng: np.random.Generator, category: str, k: int) -> Labelled:
    days = int(rng.integers(200, 366))
    t = np.arange(days)
    base = rng.uniform(200, 5000)
    trend = 1 + rng.uniform(-0.4, 0.9) * t / days
    weekday = (t + int(rng.integers(0, 7))) % 7
    weekly = np.where(weekday >= 5, rng.uniform(0.45, 0.8), 1.0) * (1 + 0.04 * np.sin(weekday))
    noise = rng.normal(1, rng.uniform(0.03, 0.08), days)
    values = base * trend * weekly * noise
    windows: list[tuple[int, int]] = []
    at = int(rng.integers(int(days * 0.4), days - 10))
    if category == "spike":
        values[at] *= rng.uniform(1.6, 2.5)
        windows.append((at - 1, at + 2))
    elif category == "dip":
        values[at] *= rng.uniform(0.3, 0.55)
        windows.append((at - 1, at + 2))
    elif category == "level_shift":
        factor = rng.uniform(0.6, 0.75) if rng.random() < 0.5 else rng.uniform(1.35, 1.6)
        values[at:] *= factor
        windows.append((at - 1, at + 3))
    elif category == "outage":
        length = int(rng.integers(2, 5))
        values[at : at + length] *= rng.uniform(0.0, 0.1)
        windows.append((at - 1, at + length))
    # Missing days, never inside the window.
    keep = rng.random(days) > 0.04
    for lo, hi in windows:
        keep[max(lo, 0) : hi + 1] = True
    keep[0] = keep[-1] = True
    stamps = [START + int(d) * DAY for d in t[keep]]
    return Labelled(
        name=f"{category}_{k:02d}",
        category=category,
        stamps=stamps,
        values=[float(round(v)) for v in values[keep]],
        windows=windows,
    )


def synthetic_set(per_category: int = 40, seed: int = 20261130) -> list[Labelled]:
    rng = np.random.default_rng(seed)
    return [_series(rng, c, k) for c in CATEGORIES for k in range(per_category)]
