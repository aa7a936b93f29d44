"""Monitor rules: when does a metric's movement deserve a person's attention?

``RULES`` is the registry (name → rule class with ``from_dict``):

* ``threshold``: the latest day is above / below a value (``activation below 30 %``);
* ``swing``: the last ``recent_days`` moved more than ``percent`` against the
  ``baseline_days`` before them, *and* the move is significant (two-proportion z-test
  for rates, a Poisson rate test for counts) on at least ``min_sample`` users / events
  per period: a 50 % swing on 12 users is noise, not a trigger;
* ``anomaly``: the seasonal detector (``_detectors``) flags one of the last days.

Every rule explains itself in one sentence, whether it fired or not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Protocol

from fieldnote.analytics._stats import two_proportion_test
from fieldnote.monitors._anomalies import alarm_indices, reason, sustained_only
from fieldnote.monitors._detectors import detector
from fieldnote.monitors._evaluation_result import Evaluation
from fieldnote.monitors._metrics import MetricPoint, MetricSeries
from fieldnote.monitors._series import TimeSeries

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

__all__ = ["RULES", "AnomalyRule", "Rule", "SwingRule", "ThresholdRule", "parse_rule"]


class Rule(Protocol):
    name: ClassVar[str]

    def evaluate(self, series: MetricSeries) -> Evaluation: ...

    def to_dict(self) -> dict[str, Any]: ...


def _fmt(value: float, is_rate: bool) -> str:
    return f"{value * 100:.1f}%" if is_rate else f"{value:,.0f}"


def _no_data(series: MetricSeries) -> Evaluation:
    return Evaluation(fired=False, reason=f"{series.label} has no complete day yet.")


@dataclass(frozen=True)
class ThresholdRule:
    name: ClassVar[str] = "threshold"
    op: str
    """``above`` or ``below``."""
    value: float

    def __post_init__(self) -> None:
        if self.op not in ("above", "below"):
            raise ValueError("a threshold is 'above' or 'below'")
        if not math.isfinite(self.value):
            raise ValueError("a threshold must be a finite number")

    def _beyond(self, point: MetricPoint) -> bool:
        return point.value > self.value if self.op == "above" else point.value < self.value

    def evaluate(self, series: MetricSeries) -> Evaluation:
        if not series.points:
            return _no_data(series)
        last = series.points[-1]
        value, limit = _fmt(last.value, series.is_rate), _fmt(self.value, series.is_rate)
        if not self._beyond(last):
            return Evaluation(
                fired=False,
                reason=f"{series.label} was {value} on {last.day}, not {self.op} {limit}.",
                value=last.value,
            )
        first = len(series.points) - 1
        while first > 0 and self._beyond(series.points[first - 1]):
            first -= 1
        since = series.points[first].day
        return Evaluation(
            fired=True,
            reason=(
                f"{series.label} was {value} on {last.day}, {self.op} the threshold of "
                f"{limit}, and has been since {since}."
            ),
            direction="up" if self.op == "above" else "down",
            since=since,
            value=last.value,
            baseline=self.value,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.name, "op": self.op, "value": self.value}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ThresholdRule:
        return cls(op=str(data.get("op", "below")), value=float(data["value"]))


def _poisson_p(s0: float, d0: int, s1: float, d1: int) -> float | None:
    """Two-sided p of a change in a daily count (rates s/d, Poisson variances)."""
    var = s1 / d1**2 + s0 / d0**2
    if var <= 0:
        return None
    z = (s1 / d1 - s0 / d0) / math.sqrt(var)
    return math.erfc(abs(z) / math.sqrt(2))


@dataclass(frozen=True)
class SwingRule:
    name: ClassVar[str] = "swing"
    percent: float = 10.0
    direction: str = "both"
    """``up``, ``down`` or ``both``."""
    recent_days: int = 7
    baseline_days: int = 28
    min_sample: int = 100
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if self.direction not in ("up", "down", "both"):
            raise ValueError("a swing's direction is up, down or both")
        if not 0 < self.percent <= 1000:
            raise ValueError("percent must be between 0 and 1000")
        if self.recent_days < 1 or self.baseline_days < 1:
            raise ValueError("recent_days and baseline_days must be at least 1")
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must be between 0 and 1")

    def evaluate(self, series: MetricSeries) -> Evaluation:
        pts = series.points
        if len(pts) < self.recent_days + self.baseline_days:
            return Evaluation(
                fired=False,
                reason=(
                    f"{series.label} has {len(pts)} complete days; the swing rule needs "
                    f"{self.recent_days + self.baseline_days}."
                ),
            )
        recent = pts[-self.recent_days :]
        base = pts[-self.recent_days - self.baseline_days : -self.recent_days]
        if series.is_rate:
            x0, n0 = sum(p.count or 0 for p in base), sum(p.base or 0 for p in base)
            x1, n1 = sum(p.count or 0 for p in recent), sum(p.base or 0 for p in recent)
            before, after = (x0 / n0 if n0 else 0.0), (x1 / n1 if n1 else 0.0)
            p = two_proportion_test(int(x0), n0, int(x1), n1).p_value
            samples, unit = (n0, n1), "users"
        else:
            s0, s1 = sum(p.value for p in base), sum(p.value for p in recent)
            before, after = s0 / len(base), s1 / len(recent)
            p = _poisson_p(s0, len(base), s1, len(recent))
            samples, unit = (int(s0), int(s1)), "events"
        change = (after - before) / before if before else math.inf if after else 0.0
        moved = "up" if change > 0 else "down"
        window = f"the last {self.recent_days} days against the {self.baseline_days} before"
        text = (
            f"{series.label} went {moved} {abs(change) * 100:.0f}% "
            f"({_fmt(before, series.is_rate)} → {_fmt(after, series.is_rate)}) in {window}"
        )
        stats = (
            f"p={p:.2g}, {samples[0]:,} vs {samples[1]:,} {unit}" if p is not None else "no test"
        )
        big = abs(change) * 100 >= self.percent and self.direction in ("both", moved)
        enough = min(samples) >= self.min_sample
        significant = p is not None and p < self.alpha
        fired = big and enough and significant
        if fired:
            why = f"{text} ({stats})."
        elif not big:
            why = f"{text}: within the {self.percent:g}% the rule allows."
        elif not enough:
            why = f"{text}, but on too few {unit} to tell ({stats}; the rule needs {self.min_sample:,})."
        else:
            why = f"{text}, but that is within noise ({stats})."
        return Evaluation(
            fired=fired,
            reason=why,
            direction=moved,
            since=recent[0].day,
            value=after,
            baseline=before,
            change=change if math.isfinite(change) else None,
            p_value=p,
            baseline_days=(base[0].day, base[-1].day),
            recent_days=(recent[0].day, recent[-1].day),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.name,
            "percent": self.percent,
            "direction": self.direction,
            "recent_days": self.recent_days,
            "baseline_days": self.baseline_days,
            "min_sample": self.min_sample,
            "alpha": self.alpha,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SwingRule:
        return cls(
            percent=float(data.get("percent", 10.0)),
            direction=str(data.get("direction", "both")),
            recent_days=int(data.get("recent_days", 7)),
            baseline_days=int(data.get("baseline_days", 28)),
            min_sample=int(data.get("min_sample", 100)),
            alpha=float(data.get("alpha", 0.05)),
        )


@dataclass(frozen=True)
class AnomalyRule:
    name: ClassVar[str] = "anomaly"
    detector: str = "seasonal"
    recent_days: int = 3
    """Fire when one of the last this many days is anomalous."""

    def __post_init__(self) -> None:
        detector(self.detector)  # refuses an unknown name
        if self.recent_days < 1:
            raise ValueError("recent_days must be at least 1")

    def evaluate(self, series: MetricSeries) -> Evaluation:
        if len(series.points) < 3:
            return _no_data(series)
        stamps = [(p.day.toordinal() - EPOCH_ORDINAL) * 86400 for p in series.points]
        ts = TimeSeries.regular(stamps, [p.value for p in series.points])
        scores = detector(self.detector).score(ts)
        alarms = alarm_indices(scores.flagged, 1)
        last = len(ts) - 1
        recent = [i for i in alarms if i > last - self.recent_days]
        if not recent:
            return Evaluation(
                fired=False,
                reason=f"{series.label} looks usual for the last {self.recent_days} days.",
            )
        i = recent[-1]
        start = i
        while start > 0 and scores.flagged[start - 1]:
            start -= 1
        value, expected = float(ts.values[i]), float(scores.expected[i])
        day = ts.timestamp(i).date()
        return Evaluation(
            fired=True,
            reason=f"{series.label} on {day}: "
            + reason(
                value,
                expected,
                float(scores.score[i]),
                scores.basis,
                sustained_only(scores, i),
            ),
            direction="up" if value > expected else "down",
            since=ts.timestamp(start).date(),
            value=value,
            baseline=expected,
            change=(value - expected) / expected if expected else None,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.name, "detector": self.detector, "recent_days": self.recent_days}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnomalyRule:
        return cls(
            detector=str(data.get("detector", "seasonal")),
            recent_days=int(data.get("recent_days", 3)),
        )


RULES: dict[str, type[ThresholdRule] | type[SwingRule] | type[AnomalyRule]] = {
    "threshold": ThresholdRule,
    "swing": SwingRule,
    "anomaly": AnomalyRule,
}


def parse_rule(data: dict[str, Any]) -> Rule:
    name = str(data.get("rule", ""))
    try:
        cls = RULES[name]
    except KeyError:
        raise ValueError(f"unknown rule {name!r}: one of {', '.join(RULES)}") from None
    try:
        return cls.from_dict(data)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"rule {name!r} is missing or has a wrong setting: {exc}") from None
