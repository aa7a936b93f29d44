"""Anomaly detectors: a score per point of a regular series, and the points it flags.

Every detector is causal: a point is judged only against the points before it, so
what ``fieldnote detect`` reports on history is what a monitor would have said on the
day. ``DETECTORS`` is the registry the CLI, monitors and the bench pick from:

* ``seasonal`` (the default): a robust seasonal baseline and two tests on it. The
  seasonal shape is, per phase (the same weekday, the same time of day), the median
  of the previous seasons' deviations from their level; the level is the median of
  the previous two seasons (a fortnight of days, two days of minutes) with that shape
  taken out; the spread is the median absolute residual of the previous seasons (MAD,
  scaled to a standard deviation). Medians everywhere, so one outlier or a missing
  day moves nothing. A point is flagged when ``|residual| / spread`` passes the
  threshold (a spike, a dip, a weekday at weekend level) or when a CUSUM of the
  standardised residuals passes its limit (a sustained shift of a few spreads that
  no single day shows: ``_sustained``).
* ``zscore``: rolling mean and standard deviation (what PostHog ships), threshold 3.
* ``mad``: rolling median and MAD without seasonality, threshold 3.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from fieldnote.monitors._series import TimeSeries, season_for
from fieldnote.monitors._sustained import (
    autocorrelation_inflation,
    cusum_alarms,
    lag1_autocorrelation,
)

__all__ = [
    "DETECTORS",
    "Detector",
    "MadDetector",
    "Scores",
    "SeasonalDetector",
    "ZScoreDetector",
    "detector",
]

Array = npt.NDArray[np.float64]
MAD_TO_SD = 1.4826
#: The rolling baselines' window never shrinks below a month of days.
MIN_WINDOW = 30


@dataclass(frozen=True)
class Scores:
    """What a detector says about every point of a series."""

    season: int
    expected: Array
    """The baseline the point was compared with (NaN: not enough history)."""
    score: Array
    """``|value - expected| / spread``; NaN where the point cannot be judged."""
    threshold: float
    basis: str
    """What ``expected`` is, in words: 'the same weekday of the previous weeks'."""
    sustained: npt.NDArray[np.bool_] | None = None
    """Where a sustained-shift test alarmed (flagged whatever the point's score)."""
    flagged: npt.NDArray[np.bool_] = field(init=False)

    def __post_init__(self) -> None:
        with np.errstate(invalid="ignore"):
            flagged = np.nan_to_num(self.score) > self.threshold
        if self.sustained is not None:
            flagged = flagged | self.sustained
        object.__setattr__(self, "flagged", flagged)


class Detector(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def threshold(self) -> float: ...

    def score(self, series: TimeSeries) -> Scores: ...


def _trailing(values: Array, window: int, how: str, min_periods: int | None = None) -> Array:
    """Rolling statistic over the ``window`` points *before* each point."""
    shifted = pd.Series(values).shift(1)
    rolling = shifted.rolling(window, min_periods=min_periods or max(3, window // 2))
    out = getattr(rolling, how)()
    return np.asarray(out, dtype=np.float64)


def _baseline_window(series: TimeSeries) -> int:
    return max(season_for(series.step, len(series)), MIN_WINDOW)


def _basis(series: TimeSeries, season: int) -> str:
    if season <= 1:
        return "the recent level"
    if season * series.step >= 7 * 86400:
        return (
            "the same weekday of the previous weeks"
            if series.step >= 86400
            else ("the same hour of the week in the previous weeks")
        )
    return "the same time of day on the previous days"


@dataclass(frozen=True)
class ZScoreDetector:
    """Rolling mean ± k standard deviations: the common baseline, fooled by outliers
    (one spike inflates the deviation for a whole window) and by seasonality."""

    name: str = "zscore"
    threshold: float = 3.0

    def score(self, series: TimeSeries) -> Scores:
        w = _baseline_window(series)
        mean = _trailing(series.values, w, "mean")
        sd = _trailing(series.values, w, "std")
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.abs(series.values - mean) / np.where(sd > 0, sd, np.nan)
        return Scores(1, mean, score, self.threshold, f"the mean of the previous {w} points")


@dataclass(frozen=True)
class MadDetector:
    """Rolling median ± k MADs: robust to outliers, blind to seasonality."""

    name: str = "mad"
    threshold: float = 3.0

    def score(self, series: TimeSeries) -> Scores:
        w = _baseline_window(series)
        median = _trailing(series.values, w, "median")
        spread = MAD_TO_SD * _trailing(np.abs(series.values - median), w, "median")
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.abs(series.values - median) / np.where(spread > 0, spread, np.nan)
        return Scores(1, median, score, self.threshold, f"the median of the previous {w} points")


def _nanmedian_last(windows: Array, minimum: int) -> Array:
    """Median over the last axis ignoring NaN (NaN where fewer than ``minimum`` values
    are known): one sort, much faster than ``np.nanmedian`` on many small windows."""
    ordered = np.sort(windows, axis=-1)  # NaN sort last
    known = np.sum(~np.isnan(windows), axis=-1)
    lo = np.take_along_axis(ordered, np.maximum((known - 1) // 2, 0)[..., None], axis=-1)[..., 0]
    hi = np.take_along_axis(ordered, np.maximum(known // 2, 0)[..., None], axis=-1)[..., 0]
    med = (lo + hi) / 2
    med[known < minimum] = np.nan
    return np.asarray(med, dtype=np.float64)


def _phase_median(deviation: Array, season: int, seasons: int) -> Array:
    """Per point, the median deviation at the same phase over the previous seasons
    (at least three of them known)."""
    n = deviation.shape[0]
    rows = -(-n // season)
    stacked = np.full((rows + seasons, season), np.nan)
    stacked.reshape(-1)[seasons * season : seasons * season + n] = deviation
    windows = np.lib.stride_tricks.sliding_window_view(stacked, seasons, axis=0)[:rows]
    med = _nanmedian_last(windows, 3)
    return np.asarray(med.reshape(-1)[:n], dtype=np.float64)


@dataclass(frozen=True)
class SeasonalDetector:
    """The default: robust seasonal baseline, point and sustained-shift tests (see the
    module docstring). All settings are global: none is fitted per series."""

    name: str = "seasonal"
    threshold: float = 5.0
    seasons: int = 6
    """How many previous seasons the seasonal shape is the median of."""
    level_seasons: int = 2
    """How many previous seasons the level is the median of: one season lets a
    level shift into the baseline within half a week of days; two keep it out for a
    week, long enough for the sustained test to see it."""
    spread_seasons: int = 6
    """How many previous seasons of residuals the spread is measured on."""
    floor: float = 0.01
    """The spread is at least this share of the level: a perfectly flat history does
    not turn a rounding change into an alarm."""
    allowance: float = 1.5
    """CUSUM allowance ``k``, in spreads: deviations smaller than this never add up."""
    limit: float = 4.0
    """CUSUM decision interval ``h``, in spreads: e.g. three points 3 spreads off."""
    clip: float = 3.0
    """Standardised residuals are clipped to ±this before the CUSUM: one outlier (the
    point test's business) adds at most ``clip - allowance``."""

    def score(self, series: TimeSeries) -> Scores:
        raw = series.values
        # Product metrics are multiplicative (weekends are a share of weekdays, noise
        # grows with the level): judge non-negative series on a log scale.
        logged = bool(np.nanmin(raw) >= 0) if np.isfinite(raw).any() else False
        x = np.log1p(raw) if logged else raw
        season = season_for(series.step, len(series))
        seasonal = season > 1 and len(series) >= 2 * season
        window = season if seasonal else MIN_WINDOW
        level_window = window * self.level_seasons if seasonal else window
        level = _trailing(x, level_window, "median")
        if seasonal:
            # The shape from deviations around the raw level, then the level again
            # with the shape taken out (the median of a week of raw days is biased
            # towards the weekdays; of deseasonalised days it is not).
            shape = _phase_median(x - level, season, self.seasons)
            level = _trailing(x - np.nan_to_num(shape), level_window, "median")
            expected = level + np.nan_to_num(shape)
            expected[np.isnan(shape) & ~np.isnan(level)] = np.nan
        else:
            expected = level
        resid = x - expected
        spread_window = max(window * self.spread_seasons, MIN_WINDOW)
        # The spread is judged only once two seasons of residuals exist: a spread
        # from a handful of points is too small, and everything looks anomalous.
        spread = MAD_TO_SD * _trailing(
            np.abs(resid), spread_window, "median", min_periods=min(spread_window, 2 * window)
        )
        floor = (self.floor if logged else self.floor * np.abs(level)) + 1e-9
        with np.errstate(invalid="ignore"):
            spread = np.maximum(spread, floor)  # NaN (no history yet) stays NaN
            score = np.abs(resid) / spread
            z = np.clip(resid / spread, -self.clip, self.clip)
        z = z / autocorrelation_inflation(lag1_autocorrelation(z, 2 * window))
        sustained = cusum_alarms(z, self.allowance, self.limit, window)
        if logged:
            expected = np.expm1(expected)
        return Scores(
            season if seasonal else 1,
            expected,
            score,
            self.threshold,
            _basis(series, season if seasonal else 1),
            sustained,
        )


DETECTORS: dict[str, Detector] = {
    "seasonal": SeasonalDetector(),
    "zscore": ZScoreDetector(),
    "mad": MadDetector(),
}


def detector(name: str) -> Detector:
    try:
        return DETECTORS[name]
    except KeyError:
        raise ValueError(f"unknown detector {name!r}: one of {', '.join(DETECTORS)}") from None
