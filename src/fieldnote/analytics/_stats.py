"""Small, exact statistics every analytics result reports beside its point estimates.

A conversion rate without its sample size misleads: 3 of 4 and 3,000 of 4,000 are both
75 %. So every rate carries a Wilson score interval (well-behaved at 0 %, 100 % and
small n, unlike the normal approximation), and comparisons between two periods carry a
two-proportion z-test. Plain ``math`` (the normal tail is ``erfc``): importing
scipy.stats would add a second or two to every CLI command; the tests check these
functions against scipy.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "Interval",
    "Percentiles",
    "ProportionTest",
    "linear_quantile",
    "rate",
    "two_proportion_test",
    "wilson_interval",
]

#: The 97.5th percentile of the standard normal distribution (two-sided 95 %).
Z_95 = 1.959963984540054


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


@dataclass(frozen=True)
class Percentiles:
    """Seconds at the 25th, 50th, 75th and 90th percentile (linear interpolation)."""

    p25: float
    median: float
    p75: float
    p90: float


@dataclass(frozen=True)
class ProportionTest:
    """Two-proportion z-test (pooled standard error), two-sided."""

    difference: float
    z: float | None
    p_value: float | None


def rate(successes: int, trials: int) -> float | None:
    return successes / trials if trials else None


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval | None:
    """Wilson score interval for ``successes / trials``; None when there are no trials."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    denom = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denom
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denom
    # At 0 or all successes the bound is exactly 0 or 1 in exact arithmetic; floating
    # point leaves ~1e-17 off it, which would put the estimate outside its own interval.
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    high = 1.0 if successes >= trials else min(1.0, centre + half)
    return Interval(low=low, high=high)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> ProportionTest:
    """Did the rate move from ``x1/n1`` to ``x2/n2``? None statistics when undefined."""
    if n1 == 0 or n2 == 0:
        return ProportionTest(difference=math.nan, z=None, p_value=None)
    p1, p2 = x1 / n1, x2 / n2
    pooled = (x1 + x2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return ProportionTest(difference=p2 - p1, z=None, p_value=None)
    z = (p2 - p1) / se
    return ProportionTest(difference=p2 - p1, z=z, p_value=math.erfc(abs(z) / math.sqrt(2)))


def linear_quantile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile with linear interpolation (numpy's default, DuckDB quantile_cont)."""
    if not sorted_values:
        raise ValueError("no values")
    pos = (len(sorted_values) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
