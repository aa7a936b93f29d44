"""Turning an engine's counts into the numbers a product manager reads.

Engines only count (users per step) and take percentiles; rates, Wilson intervals and
drop-offs are computed here, once, so every engine reports them identically.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fieldnote.analytics._stats import Interval, Percentiles, rate, wilson_interval
from fieldnote.analytics.funnels._model import Funnel, FunnelAggregate

__all__ = ["BreakdownResult", "FunnelResult", "StepResult", "build_result"]

NONE_LABEL = "(none)"


@dataclass(frozen=True)
class StepResult:
    index: int
    """1-based position in the funnel."""
    event: str
    label: str
    """The step as written, filters included."""
    count: int
    """Users who reached this step (within the window, in order)."""
    conversion_from_previous: float | None
    conversion_from_first: float | None
    ci_from_previous: Interval | None
    ci_from_first: Interval | None
    dropped_from_previous: int
    seconds_to_convert: Percentiles | None
    """From the previous step, over the users who reached this one."""

    def to_dict(self) -> dict[str, Any]:
        secs = self.seconds_to_convert
        return {
            "index": self.index,
            "event": self.event,
            "step": self.label,
            "count": self.count,
            "conversion_from_previous": self.conversion_from_previous,
            "conversion_from_first": self.conversion_from_first,
            "ci_low": self.ci_from_previous.low if self.ci_from_previous else None,
            "ci_high": self.ci_from_previous.high if self.ci_from_previous else None,
            "conversion_from_first_ci_low": self.ci_from_first.low if self.ci_from_first else None,
            "conversion_from_first_ci_high": (
                self.ci_from_first.high if self.ci_from_first else None
            ),
            "dropped_from_previous": self.dropped_from_previous,
            "median_seconds_to_convert": secs.median if secs else None,
            "p25_seconds_to_convert": secs.p25 if secs else None,
            "p75_seconds_to_convert": secs.p75 if secs else None,
            "p90_seconds_to_convert": secs.p90 if secs else None,
        }


@dataclass(frozen=True)
class BreakdownResult:
    value: str | None
    steps: tuple[StepResult, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "label": NONE_LABEL if self.value is None else self.value,
            "steps": [s.to_dict() for s in self.steps],
        }


@dataclass(frozen=True)
class FunnelResult:
    funnel: Funnel
    steps: tuple[StepResult, ...]
    breakdown: tuple[BreakdownResult, ...] | None
    """One row per value, most users first; None without a breakdown."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "funnel": self.funnel.to_dict(),
            "steps": [s.to_dict() for s in self.steps],
            "breakdown": (
                None
                if self.breakdown is None
                else {
                    "by": str(self.funnel.breakdown),
                    "values": [b.to_dict() for b in self.breakdown],
                }
            ),
        }


def _steps(funnel: Funnel, agg: FunnelAggregate | None) -> tuple[StepResult, ...]:
    n = len(funnel.steps)
    counts = agg.counts if agg else (0,) * n
    seconds = agg.seconds if agg else (None,) * n
    out: list[StepResult] = []
    for i, step in enumerate(funnel.steps):
        prev = counts[i - 1] if i else counts[0]
        out.append(
            StepResult(
                index=i + 1,
                event=step.event,
                label=str(step),
                count=counts[i],
                conversion_from_previous=rate(counts[i], prev),
                conversion_from_first=rate(counts[i], counts[0]),
                ci_from_previous=wilson_interval(counts[i], prev),
                ci_from_first=wilson_interval(counts[i], counts[0]),
                dropped_from_previous=prev - counts[i],
                seconds_to_convert=seconds[i] if i else None,
            )
        )
    return tuple(out)


def build_result(funnel: Funnel, aggregates: list[FunnelAggregate]) -> FunnelResult:
    total = next((a for a in aggregates if a.total), None)
    breakdown: tuple[BreakdownResult, ...] | None = None
    if funnel.breakdown is not None:
        groups = sorted(
            (a for a in aggregates if not a.total),
            key=lambda a: (-a.counts[0], a.breakdown_value is None, a.breakdown_value or ""),
        )
        breakdown = tuple(
            BreakdownResult(value=a.breakdown_value, steps=_steps(funnel, a)) for a in groups
        )
    return FunnelResult(funnel=funnel, steps=_steps(funnel, total), breakdown=breakdown)
