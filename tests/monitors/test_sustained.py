"""The sustained-shift test: the vectorised CUSUM and autocorrelation match plain
loops, and the default detector finds product-scale moves that no single day shows."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.monitors import SeasonalDetector, TimeSeries, detect
from fieldnote.monitors._sustained import (
    autocorrelation_inflation,
    cusum_alarms,
    lag1_autocorrelation,
)

DAY = 86400


def _cusum_reference(z: list[float], k: float, h: float, refractory: int) -> list[bool]:
    out = [False] * len(z)
    up = down = 0.0
    hold = -1
    for i, v in enumerate(z):
        if i <= hold or math.isnan(v):
            continue
        up, down = max(0.0, up + v - k), max(0.0, down - v - k)
        if up > h or down > h:
            out[i] = True
            up = down = 0.0
            hold = i + refractory
    return out


# Quarter steps keep every running sum exact in floating point, so the vectorised
# sums and the loop's agree to the bit at the decision interval.
quarters = st.integers(-16, 16).map(lambda q: q / 4)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(quarters, st.just(float("nan"))), max_size=120),
    st.integers(0, 8).map(lambda q: q / 4),
    st.integers(1, 24).map(lambda q: q / 4),
    st.integers(0, 9),
)
def test_cusum_matches_the_plain_loop(z: list[float], k: float, h: float, refr: int) -> None:
    got = cusum_alarms(np.asarray(z, dtype=np.float64), k, h, refr)
    assert got.tolist() == _cusum_reference(z, k, h, refr)


def test_cusum_carries_its_sums_across_blocks() -> None:
    # Longer than one scan block: a slow drift that only adds up after the boundary.
    from fieldnote.monitors import _sustained

    z = np.full(_sustained.BLOCK + 500, 0.25)
    z[: _sustained.BLOCK - 10] = 0.0
    got = cusum_alarms(z, 0.0, 5.0, 3)
    assert got.tolist() == _cusum_reference(z.tolist(), 0.0, 5.0, 3)
    assert got.sum() > 0


def _lag1_reference(z: list[float], min_pairs: int) -> list[float]:
    out = []
    for t in range(len(z)):
        pairs = [
            (z[i - 1], z[i]) for i in range(1, t) if not (math.isnan(z[i - 1]) or math.isnan(z[i]))
        ]
        if len(pairs) < min_pairs:
            out.append(float("nan"))
            continue
        a, b = np.array(pairs).T
        if a.std() * b.std() < 1e-3:
            out.append(float("nan"))
            continue
        out.append(float(np.corrcoef(a, b)[0, 1]))
    return out


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-3, 3), st.just(float("nan"))), max_size=60),
    st.integers(2, 10),
)
def test_lag1_autocorrelation_matches_numpy(z: list[float], min_pairs: int) -> None:
    got = lag1_autocorrelation(np.asarray(z, dtype=np.float64), min_pairs)
    want = _lag1_reference(z, min_pairs)
    known = [not math.isnan(w) for w in want]
    # Near-constant pairs: our cumulative sums may call the spread zero, numpy not.
    np.testing.assert_allclose(got[known], np.asarray(want)[known], atol=1e-6)


def test_lag1_autocorrelation_is_causal_and_sees_an_ar1() -> None:
    rng = np.random.default_rng(5)
    z = np.zeros(3000)
    for i in range(1, z.size):
        z[i] = 0.6 * z[i - 1] + rng.normal()
    rho = lag1_autocorrelation(z, 10)
    assert abs(rho[-1] - 0.6) < 0.05
    changed = z.copy()
    changed[2000:] = 0.0  # the future does not move the past
    np.testing.assert_array_equal(lag1_autocorrelation(changed, 10)[:2001], rho[:2001])


def test_inflation_is_the_ar1_factor_clipped() -> None:
    got = autocorrelation_inflation(np.array([float("nan"), -0.5, 0.0, 0.6, 0.999]))
    np.testing.assert_allclose(got, [1.0, 1.0, 1.0, 2.0, math.sqrt(1.95 / 0.05)])


def _weekly(days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    return 1000 * np.where(t % 7 >= 5, 0.5, 1.0) * rng.normal(1, 0.05, days)


def _series(values: np.ndarray) -> TimeSeries:
    return TimeSeries.regular([d * DAY for d in range(values.size)], values.tolist())


def test_a_twenty_percent_drop_that_persists_is_found_within_a_week() -> None:
    found_by_default = found_by_points_alone = 0
    for seed in range(10):
        values = _weekly(200, seed)
        values[150:] *= 0.8  # a release that breaks a step
        series = _series(values)
        hit = [a for a in detect(series, SeasonalDetector()) if 150 <= a.index <= 156]
        points = SeasonalDetector(limit=float("inf"))
        alone = [a for a in detect(series, points) if 150 <= a.index <= 156]
        found_by_default += bool(hit)
        found_by_points_alone += bool(alone)
        assert not [a for a in detect(series, SeasonalDetector()) if 60 <= a.index < 150]
    assert found_by_default >= 9
    assert found_by_points_alone <= 5


def test_a_sustained_alarm_says_so() -> None:
    values = _weekly(200, 3)
    values[150:] *= 0.8
    found = detect(_series(values), SeasonalDetector())
    sustained = [a for a in found if "sustained shift" in a.reason]
    assert sustained and all(a.score <= 5.0 for a in sustained)
    assert all(a.reason.endswith(".") for a in found)


def test_a_weekday_at_weekend_level_is_found() -> None:
    values = _weekly(200, 4)
    tuesday = 150 + (1 - 150 % 7) % 7
    values[tuesday] *= 0.5  # the weekend level on a Tuesday
    assert tuesday in {a.index for a in detect(_series(values), SeasonalDetector())}


def test_clean_weekly_series_stay_quiet() -> None:
    alarms = 0
    for seed in range(20, 30):
        alarms += len(detect(_series(_weekly(300, seed)), SeasonalDetector()))
    assert alarms <= 2
