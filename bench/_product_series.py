"""Synthetic set v2, "product-scale": daily product metrics with the moves a product
team has to catch, at the sizes they happen (issue 5, part b).

Version 1 (``_synthetic_series``, kept unchanged and still reported) plants moves so
large that any detector finds them (spikes x1.6-2.5, outages near zero). This set
keeps its shape (a labelled window per series, 40 series per category, a fixed seed)
and changes what is planted and the noise around it. Every parameter below was
chosen, and this module committed, BEFORE any detector was run on the set; none was
changed after seeing scores. ``DEV_SEED`` is the only seed used while developing the
detector; ``HELD_OUT_SEEDS`` were not generated or scored until the final measurement.

Each series (design choice -> why):

* **length and calendar**: 240-420 days, starting on a random day of 2023-01-01 ...
  2024-12-31 -> a year or so of history, with the holidays falling on any weekday.
* **level**: log-uniform 100-30,000 a day -> a niche feature to a busy page; the
  final value is a Poisson draw, so small counts carry counting noise as real ones do.
* **weekly profile**, one of three kinds: *business* (60 %; Saturday x0.35-0.8,
  Sunday = Saturday x0.85-1.15), *leisure* (25 %; Saturday x1.15-1.5, Sunday likewise),
  *flat* (15 %; Saturday x0.9-1.1, Sunday likewise); Monday-Friday each x N(1, 0.04)
  -> B2B tools are quiet at weekends, consumer apps busier, some products barely weekly.
* **trend and drift**: log-linear growth or decline over the series, total
  exp(U(-0.4, 0.6)), plus a random walk on the log level with a daily step of
  N(0, s), s ~ U(0.002, 0.008) -> products grow or decline and wander (a month's
  drift is 1-4 %), and no baseline may assume a flat level.
* **noise**: multiplicative, exp(scale x t5) with Student-t 5 degrees of freedom and
  scale U(0.02, 0.06), then the Poisson draw -> heavier tails than the normal noise of
  version 1: an unlabelled day beyond ±4 scales happens about four times a year per
  series (normal noise: once in 40 years), as tracking glitches and bot bursts do.
* **holidays** (not labelled, *ignored* in scoring): Jan 1, Memorial Day (last Monday
  of May), Jul 4, Labor Day (first Monday of September), Thanksgiving (fourth
  Thursday of November) and the day after, Dec 24, 25, 26 and 31, each at
  x0.4-0.9 of the usual (one factor per series). Why not labelled as anomalies, and
  not counted as false alarms either: a detector with no calendar cannot tell a
  holiday from "a Tuesday at weekend level" (it *is* that pattern), and whether a
  team wants an alarm on Christmas is theirs to say, not the data's. So an ignored
  window covers each holiday and the day after (the day a causal detector may still
  be recovering); alarms there are neither rewarded nor penalised, and the bench
  reports how many each detector raised.
* **missing days**: 3 % of days at random, and in a quarter of the series one
  collector gap of 2-6 consecutive days -> holes, never zeros. No missing day falls
  in a labelled window (it would make the window unfindable by construction).
* **where the anomaly goes**: a day in [40 % of the series, length - 15], at least
  three days from any holiday -> enough history for every detector's baseline.

Categories (40 series each; window = inclusive day indices):

* ``spike``: one day x1.25-1.75 (a campaign, a bot burst, a double send); window
  (day-1, day+2).
* ``dip``: one day x0.5-0.8 (a few hours of an outage, tracking broken for a
  morning); window (day-1, day+2).
* ``contextual``: one weekday at the series' own weekend level, or one weekend day at
  its weekday level (half each) -> the value is ordinary for the series, wrong for the
  day; window (day-1, day+2). Planted in business and leisure series only: in a flat
  week the two levels are the same and there is nothing to plant.
* ``level_shift``: from a day to the end of the series x0.70-0.85 (60 %: a release that
  breaks a step) or x1.15-1.30 (40 %: a launch, a new channel); window (day-1, day+6):
  a daily monitor should say so within a week.
* ``partial_outage``: 2-4 days at x0.3-0.7 (a region, a platform or an app version
  down); window (day-1, last day).
* ``none``: no anomaly; every alarm outside a holiday window is false.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from bench._synthetic_series import Labelled

VERSION = 2
DEV_SEED = 20261201
HELD_OUT_SEEDS = (5101, 5202, 5303)
CATEGORIES = ("spike", "dip", "contextual", "level_shift", "partial_outage", "none")
DAY = 86400
EPOCH = date(1970, 1, 1)
FIRST_START = date(2023, 1, 1)
LAST_START = date(2024, 12, 31)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    """The n-th (1-based; -1 = last) ``weekday`` (Monday 0) of a month."""
    if n > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))
    last = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def holidays(year: int) -> list[date]:
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return [
        date(year, 1, 1),
        _nth_weekday(year, 5, 0, -1),
        date(year, 7, 4),
        _nth_weekday(year, 9, 0, 1),
        thanksgiving,
        thanksgiving + timedelta(days=1),
        date(year, 12, 24),
        date(year, 12, 25),
        date(year, 12, 26),
        date(year, 12, 31),
    ]


def _weekly(rng: np.random.Generator, kind: str) -> np.ndarray:
    """Factors Monday..Sunday."""
    sat = {
        "business": rng.uniform(0.35, 0.8),
        "leisure": rng.uniform(1.15, 1.5),
        "flat": rng.uniform(0.9, 1.1),
    }[kind]
    sun = sat * rng.uniform(0.85, 1.15)
    return np.concatenate([rng.normal(1, 0.04, 5), [sat, sun]])


def _kind(rng: np.random.Generator, category: str) -> str:
    if category == "contextual":
        return "business" if rng.random() < 60 / 85 else "leisure"
    r = rng.random()
    return "business" if r < 0.60 else ("leisure" if r < 0.85 else "flat")


def _series(rng: np.random.Generator, category: str, k: int) -> Labelled:
    days = int(rng.integers(240, 421))
    first = FIRST_START + timedelta(days=int(rng.integers(0, (LAST_START - FIRST_START).days + 1)))
    dates = [first + timedelta(days=d) for d in range(days)]
    dow = np.array([d.weekday() for d in dates])
    kind = _kind(rng, category)
    week = _weekly(rng, kind)
    t = np.arange(days)
    log_level = rng.uniform(np.log(100), np.log(30_000))
    log_level = log_level + rng.uniform(-0.4, 0.6) * t / days
    log_level = log_level + np.cumsum(rng.normal(0, rng.uniform(0.002, 0.008), days))
    noise = rng.uniform(0.02, 0.06) * rng.standard_t(5, days)
    mean = np.exp(log_level + noise) * week[dow]
    # Holidays (ignored windows), one factor per series.
    holiday_days = {h for y in {d.year for d in dates} for h in holidays(y)}
    at_holiday = [i for i, d in enumerate(dates) if d in holiday_days]
    mean[at_holiday] *= rng.uniform(0.4, 0.9)
    ignored = [(i, i + 1) for i in at_holiday]
    # The anomaly: a day clear of holidays.
    windows: list[tuple[int, int]] = []
    lo, hi = int(days * 0.4), days - 15
    candidates = [i for i in range(lo, hi) if all(abs(i - h) > 3 for h in at_holiday)]
    if category == "contextual":
        weekend = rng.random() < 0.5
        candidates = [i for i in candidates if (dow[i] >= 5) == weekend]
    at = int(rng.choice(candidates))
    if category == "spike":
        mean[at] *= rng.uniform(1.25, 1.75)
        windows.append((at - 1, at + 2))
    elif category == "dip":
        mean[at] *= rng.uniform(0.5, 0.8)
        windows.append((at - 1, at + 2))
    elif category == "contextual":
        other = int(rng.integers(0, 5)) if dow[at] >= 5 else int(rng.integers(5, 7))
        mean[at] *= week[other] / week[dow[at]]
        windows.append((at - 1, at + 2))
    elif category == "level_shift":
        down = rng.random() < 0.6
        mean[at:] *= rng.uniform(0.70, 0.85) if down else rng.uniform(1.15, 1.30)
        windows.append((at - 1, at + 6))
    elif category == "partial_outage":
        length = int(rng.integers(2, 5))
        mean[at : at + length] *= rng.uniform(0.3, 0.7)
        windows.append((at - 1, at + length - 1))
    values = rng.poisson(mean).astype(float)
    keep = rng.random(days) > 0.03
    if rng.random() < 0.25:
        gap_at, gap = int(rng.integers(1, days - 7)), int(rng.integers(2, 7))
        keep[gap_at : gap_at + gap] = False
    for w_lo, w_hi in windows:
        keep[max(w_lo, 0) : w_hi + 1] = True
    keep[0] = keep[-1] = True
    day0 = (first - EPOCH).days * DAY
    return Labelled(
        name=f"v2_{category}_{k:02d}",
        category=category,
        stamps=[day0 + int(d) * DAY for d in t[keep]],
        values=[float(v) for v in values[keep]],
        windows=windows,
        ignored=ignored,
    )


def product_set(seed: int = DEV_SEED, per_category: int = 40) -> list[Labelled]:
    rng = np.random.default_rng(seed)
    return [_series(rng, c, k) for c in CATEGORIES for k in range(per_category)]
