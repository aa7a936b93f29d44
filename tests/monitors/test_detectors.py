"""The default detector finds planted anomalies in seasonal series with missing
points and outliers, stays quiet on clean ones, and infers the period."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fieldnote.monitors import DETECTORS, SeasonalDetector, TimeSeries, detect, season_for
from fieldnote.monitors._detectors import _phase_median

DAY = 86400


def _weekly(days: int, seed: int, missing: float = 0.05) -> tuple[list[int], np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    values = 1000 * (1 + 0.3 * t / days) * np.where(t % 7 >= 5, 0.6, 1.0)
    values *= rng.normal(1, 0.04, days)
    keep = rng.random(days) > missing
    keep[0] = keep[-1] = True
    return [int(d) * DAY for d in t[keep]], values[keep]


def test_season_inferred_from_the_interval() -> None:
    assert season_for(300, 5000) == 288  # minutes: a day
    assert season_for(3600, 24 * 7 * 8) == 168  # hours, eight weeks: a week
    assert season_for(3600, 24 * 30) == 24  # hours, a month: a day
    assert season_for(DAY, 365) == 7  # days: a week


def test_clean_weekly_series_with_missing_days_raises_nothing() -> None:
    stamps, values = _weekly(300, seed=1)
    series = TimeSeries.regular(stamps, values.tolist())
    assert np.isnan(series.values).sum() > 5  # missing days are on the grid as holes
    assert detect(series, SeasonalDetector()) == []


def test_planted_drop_is_found_and_explained() -> None:
    stamps, values = _weekly(300, seed=2, missing=0.0)
    values[250] *= 0.4  # a weekend day at 40 %
    values[120] *= 3.0  # an earlier outlier must not hide it
    found = detect(TimeSeries.regular(stamps, values.tolist()), SeasonalDetector())
    at = {a.index: a for a in found}
    assert 250 in at
    assert "below the expected" in at[250].reason
    assert "same weekday" in at[250].reason
    assert at[250].reason.endswith(".")


def test_weekends_are_not_anomalies_for_the_seasonal_detector_but_are_for_mad() -> None:
    stamps, values = _weekly(200, seed=3, missing=0.0)
    series = TimeSeries.regular(stamps, values.tolist())
    assert len(detect(series, DETECTORS["mad"])) > 10
    assert detect(series, DETECTORS["seasonal"]) == []


def _phase_median_reference(d: list[float], season: int, seasons: int) -> list[float]:
    out = []
    for i in range(len(d)):
        prev = [d[i - k * season] for k in range(1, seasons + 1) if i - k * season >= 0]
        known = sorted(v for v in prev if not np.isnan(v))
        out.append(float(np.median(known)) if len(known) >= 3 else float("nan"))
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.one_of(st.floats(-1e3, 1e3), st.just(float("nan"))), min_size=1, max_size=80),
    st.integers(1, 9),
    st.integers(1, 7),
)
def test_phase_median_matches_reference(values: list[float], season: int, seasons: int) -> None:
    got = _phase_median(np.asarray(values, dtype=np.float64), season, seasons)
    want = _phase_median_reference(values, season, seasons)
    np.testing.assert_allclose(got, want, equal_nan=True)


def test_too_short_series_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 3 points"):
        TimeSeries.regular([0, 1], [1.0, 2.0])
