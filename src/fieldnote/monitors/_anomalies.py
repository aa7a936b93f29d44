"""From per-point scores to reported anomalies, each with a sentence saying why.

A run of flagged points is one incident: it is reported at its first point and again
only after ``cooldown`` quiet points, so a level shift that stays anomalous for a day
of minutes is one alarm, not 288.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from fieldnote.monitors._detectors import Detector, Scores
from fieldnote.monitors._series import TimeSeries, season_for

__all__ = ["Anomaly", "alarm_indices", "cooldown_for", "detect", "reason", "sustained_only"]


@dataclass(frozen=True)
class Anomaly:
    index: int
    timestamp: str
    value: float
    expected: float
    score: float
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "timestamp": self.timestamp,
            "value": self.value,
            "expected": self.expected,
            "score": round(self.score, 3),
            "reason": self.reason,
        }


def alarm_indices(flagged: np.ndarray, cooldown: int) -> list[int]:
    """Indices of the first flagged point of each incident (``cooldown`` quiet
    points end an incident)."""
    out: list[int] = []
    last = -(10**12)
    for i in np.flatnonzero(flagged):
        if i - last > cooldown:
            out.append(int(i))
        last = int(i)
    return out


def _number(value: float) -> str:
    if abs(value) >= 100 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def reason(value: float, expected: float, score: float, basis: str, sustained: bool = False) -> str:
    """One plain sentence: how far off, which way, compared with what; for an alarm
    of the sustained-shift test, that it is a run rather than one point."""
    direction = "above" if value > expected else "below"
    if expected and math.isfinite(expected) and abs(expected) > 1e-9:
        change = f"{abs(value - expected) / abs(expected) * 100:.0f}% {direction}"
    else:
        change = direction
    run = "; with the points before it, a sustained shift" if sustained else ""
    return (
        f"{_number(value)} is {change} the expected {_number(expected)} "
        f"(based on {basis}), {score:.1f} times the usual spread{run}."
    )


def sustained_only(scores: Scores, i: int) -> bool:
    """Flagged by the sustained-shift test alone (the point's own score is below the
    threshold)."""
    return bool(
        scores.sustained is not None
        and scores.sustained[i]
        and not np.nan_to_num(scores.score[i]) > scores.threshold
    )


def cooldown_for(series: TimeSeries) -> int:
    """Quiet points that end an incident: a quarter of the series' season (6 h of
    minutes, 1 day of days), the same whichever detector scored it."""
    return max(1, season_for(series.step, len(series)) // 4)


def detect(series: TimeSeries, detector: Detector) -> list[Anomaly]:
    """Run ``detector`` over ``series`` and report one anomaly per incident."""
    scores = detector.score(series)
    out = []
    for i in alarm_indices(scores.flagged, cooldown_for(series)):
        value = float(series.values[i])
        expected = float(scores.expected[i])
        score = float(scores.score[i])
        out.append(
            Anomaly(
                index=i,
                timestamp=series.timestamp(i).isoformat(),
                value=value,
                expected=expected,
                score=score,
                reason=reason(value, expected, score, scores.basis, sustained_only(scores, i)),
            )
        )
    return out
