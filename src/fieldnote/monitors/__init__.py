"""Monitors: anomaly detection on metric series, rules, signals and the scheduler.

Domain code: never imports the web or CLI layers (import-linter checks).
"""

from fieldnote.monitors._anomalies import Anomaly, alarm_indices, cooldown_for, detect, reason
from fieldnote.monitors._detectors import (
    DETECTORS,
    Detector,
    MadDetector,
    Scores,
    SeasonalDetector,
    ZScoreDetector,
    detector,
)
from fieldnote.monitors._series import SeriesError, TimeSeries, read_csv, season_for

__all__ = [
    "DETECTORS",
    "Anomaly",
    "Detector",
    "MadDetector",
    "Scores",
    "SeasonalDetector",
    "SeriesError",
    "TimeSeries",
    "ZScoreDetector",
    "alarm_indices",
    "cooldown_for",
    "detect",
    "detector",
    "read_csv",
    "reason",
    "season_for",
]
