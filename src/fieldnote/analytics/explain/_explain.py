"""``explain``: why did a rate move between two periods? Per dimension, how much of the
change is mix (segments' shares moved) and how much is rate (the rate moved inside
segments), which segments contributed most, and whether each moved significantly.

Rate metrics are funnels (``RATE_METRICS``): ``activation`` (start → target within N
days) and ``conversion`` (first → last step). A dimension is a breakdown of that funnel:
a property of the first-step event (``channel``) or of the person (``person.plan``);
the segment counts are the funnel's per-value counts, so they mean exactly what the
funnel means (docs/analytics.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._stats import ProportionTest, two_proportion_test, wilson_interval
from fieldnote.analytics._time import DateRange, format_duration, parse_duration
from fieldnote.analytics.explain._decompose import Counts, DimensionResult, decompose
from fieldnote.analytics.explain._narrow import narrowed
from fieldnote.analytics.funnels import Breakdown, Funnel, FunnelStep, compute_funnel

__all__ = ["RATE_METRICS", "ExplainResult", "RateMetric", "explain", "rate_metric"]


@dataclass(frozen=True)
class RateMetric:
    """A rate defined by a funnel: users who reached the last step / users who entered."""

    name: str
    funnel: Funnel

    def describe(self) -> dict[str, Any]:
        return {
            "metric": self.name,
            "steps": [str(s) for s in self.funnel.steps],
            "window": format_duration(self.funnel.window),
        }


def _activation(options: dict[str, Any]) -> RateMetric:
    steps = (
        FunnelStep.parse(str(options.get("start") or "signup")),
        FunnelStep.parse(str(options.get("target") or "activated")),
    )
    within = parse_duration(str(options.get("within") or "7d"))
    return RateMetric("activation", Funnel(steps=steps, window=within))


def _conversion(options: dict[str, Any]) -> RateMetric:
    steps = tuple(FunnelStep.parse(str(s)) for s in options.get("steps") or ())
    window = parse_duration(str(options.get("window") or "14d"))
    return RateMetric("conversion", Funnel(steps=steps, window=window))


RATE_METRICS: dict[str, Callable[[dict[str, Any]], RateMetric]] = {
    "activation": _activation,
    "conversion": _conversion,
}


def rate_metric(name: str, options: dict[str, Any]) -> RateMetric:
    try:
        build = RATE_METRICS[name]
    except KeyError:
        raise ValueError(f"unknown metric {name!r}: one of {', '.join(RATE_METRICS)}") from None
    return build(options)


@dataclass(frozen=True)
class PeriodRate:
    dates: DateRange
    entered: int
    converted: int

    def to_dict(self) -> dict[str, Any]:
        ci = wilson_interval(self.converted, self.entered)
        return {
            "dates": self.dates.to_dict(),
            "users": self.entered,
            "converted": self.converted,
            "rate": self.converted / self.entered if self.entered else None,
            "ci_low": ci.low if ci else None,
            "ci_high": ci.high if ci else None,
        }


@dataclass(frozen=True)
class ExplainResult:
    metric: RateMetric
    before: PeriodRate
    after: PeriodRate
    test: ProportionTest
    dimensions: tuple[DimensionResult, ...]
    """In the order asked for; inside each, segments by contribution."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric.describe(),
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "change": self.test.difference,
            "z": self.test.z,
            "p_value": self.test.p_value,
            "dimensions": [d.to_dict() for d in self.dimensions],
        }


def _segments(
    source: EventSource, metric: RateMetric, dates: DateRange, dimension: str
) -> tuple[PeriodRate, dict[str | None, Counts]]:
    funnel = replace(metric.funnel, breakdown=Breakdown.parse(dimension), dates=dates)
    result = compute_funnel(source, funnel)
    total = PeriodRate(dates, result.steps[0].count, result.steps[-1].count)
    counts = {b.value: Counts(b.steps[0].count, b.steps[-1].count) for b in result.breakdown or ()}
    return total, counts


def explain(
    source: EventSource,
    metric: RateMetric,
    before: DateRange,
    after: DateRange,
    by: Sequence[str],
) -> ExplainResult:
    """Decompose the change of ``metric`` from ``before`` to ``after`` along ``by``."""
    if not by:
        raise ValueError("give at least one dimension to explain by, e.g. --by channel,platform")
    dims = []
    totals: tuple[PeriodRate, PeriodRate] | None = None
    with narrowed(source, metric.funnel, (before, after)) as events:  # one scan for all
        for dimension in by:
            t0, c0 = _segments(events, metric, before, dimension)
            t1, c1 = _segments(events, metric, after, dimension)
            totals = (t0, t1)
            dims.append(decompose(str(Breakdown.parse(dimension)), c0, c1))
    assert totals is not None
    b, a = totals
    for period, name in ((b, "before"), (a, "after")):
        if period.entered == 0:
            raise ValueError(f"no user entered the metric's first step in the {name} period")
    return ExplainResult(
        metric=metric,
        before=b,
        after=a,
        test=two_proportion_test(b.converted, b.entered, a.converted, a.entered),
        dimensions=tuple(dims),
    )
