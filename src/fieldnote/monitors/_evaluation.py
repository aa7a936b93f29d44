"""Scoring detectors against labelled anomaly windows (``python -m bench detect``).

Two scorings, both on alarm indices (``_anomalies.alarm_indices``):

* **window scores**: a window is *found* when at least one alarm falls inside it; an
  alarm outside every window is a *false alarm*. Recall = found / windows, precision
  = found / (found + false alarms) (each incident counts once however many alarms it
  raised), F1 their harmonic mean.
* **NAB-style score**, our implementation of the Numenta Anomaly Benchmark scorer
  (standard profile: true positive weight 1, false positive 0.11, false negative 1).
  In a window only the earliest alarm counts, weighted by a sigmoid of its position
  (1.0 at the window's left edge, 0 at its right edge); an alarm outside windows
  costs 0.11 x a sigmoid of its distance past the previous window (the full 0.11
  before any window or three window-widths past one); a missed window costs 1.
  Alarms in the probationary first 15 % (at most 750 points) are ignored, as are
  windows that start there. Normalised over a corpus: 100 x (raw - null) / (perfect -
  null), null being the detector that never alarms and perfect the one that alarms
  at every window's left edge.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "STANDARD_PROFILE",
    "CostProfile",
    "NabScore",
    "WindowCounts",
    "nab_normalized",
    "nab_score",
    "probation_length",
    "scaled_sigmoid",
    "window_counts",
]


@dataclass(frozen=True)
class CostProfile:
    tp: float
    fp: float
    fn: float


STANDARD_PROFILE = CostProfile(tp=1.0, fp=0.11, fn=1.0)


def probation_length(points: int, share: float = 0.15) -> int:
    return int(min(math.floor(share * points), share * 5000))


@dataclass(frozen=True)
class WindowCounts:
    windows: int = 0
    found: int = 0
    false_alarms: int = 0

    def __add__(self, other: WindowCounts) -> WindowCounts:
        return WindowCounts(
            self.windows + other.windows,
            self.found + other.found,
            self.false_alarms + other.false_alarms,
        )

    @property
    def recall(self) -> float | None:
        return self.found / self.windows if self.windows else None

    @property
    def precision(self) -> float | None:
        flagged = self.found + self.false_alarms
        return self.found / flagged if flagged else None

    @property
    def f1(self) -> float:
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0


def _scored_windows(windows: Sequence[tuple[int, int]], probation: int) -> list[tuple[int, int]]:
    return sorted(w for w in windows if w[0] >= probation)


def window_counts(
    alarms: Sequence[int], windows: Sequence[tuple[int, int]], points: int
) -> WindowCounts:
    """Found windows and false alarms; ``windows`` are inclusive index ranges."""
    probation = probation_length(points)
    scored = _scored_windows(windows, probation)
    found: set[int] = set()
    false_alarms = 0
    for a in alarms:
        if a < probation:
            continue
        hit = [k for k, (lo, hi) in enumerate(scored) if lo <= a <= hi]
        if hit:
            found.update(hit)
        elif not any(lo <= a <= hi for lo, hi in windows):
            false_alarms += 1
    return WindowCounts(len(scored), len(found), false_alarms)


def scaled_sigmoid(position: float) -> float:
    """2*sigmoid(-5*position) - 1, and -1 from three widths past a window on."""
    if position >= 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * position)) - 1.0


@dataclass(frozen=True)
class NabScore:
    raw: float
    null: float
    perfect: float

    def __add__(self, other: NabScore) -> NabScore:
        return NabScore(self.raw + other.raw, self.null + other.null, self.perfect + other.perfect)


def nab_score(
    alarms: Sequence[int],
    windows: Sequence[tuple[int, int]],
    points: int,
    profile: CostProfile = STANDARD_PROFILE,
) -> NabScore:
    """One series' raw NAB-style score, with its null and perfect scores."""
    probation = probation_length(points)
    scored = _scored_windows(windows, probation)
    max_tp = scaled_sigmoid(-1.0)
    best = [-profile.fn] * len(scored)
    fp_total = 0.0
    for a in sorted(set(alarms)):
        if a < probation:
            continue
        inside = next((k for k, (lo, hi) in enumerate(scored) if lo <= a <= hi), None)
        if inside is not None:
            lo, hi = scored[inside]
            width = hi - lo + 1
            value = scaled_sigmoid(-(hi - a + 1) / width) * profile.tp / max_tp
            best[inside] = max(best[inside], value)
            continue
        if any(lo <= a <= hi for lo, hi in windows):
            continue  # inside an unscored (probationary) window
        previous = [w for w in sorted(windows) if w[1] < a]
        if previous:
            lo, hi = previous[-1]
            width = hi - lo + 1
            position = abs(hi - a) / float(width - 1) if width > 1 else 3.0
        else:
            position = 3.0
        fp_total += scaled_sigmoid(position) * profile.fp
    n = len(scored)
    return NabScore(raw=sum(best) + fp_total, null=-profile.fn * n, perfect=profile.tp * n)


def nab_normalized(total: NabScore) -> float:
    span = total.perfect - total.null
    return 100.0 * (total.raw - total.null) / span if span else 0.0
