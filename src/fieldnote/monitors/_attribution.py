"""Which segments and which funnel step drove a rate's move (the Signal's evidence).

The change decomposition is ``fieldnote.analytics.explain`` (mix vs rate per
dimension). The driving dimension is the one whose significant segments, moving the
same way as the metric, add up to the largest share of the change; its drivers are
the fewest of those segments that make up 80 % of it. Then the metric's funnel is
computed for the driving segments before and after, and the step whose conversion
moved most (in the metric's direction) is named.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from fieldnote.analytics import DateRange, EventSource
from fieldnote.analytics._stats import two_proportion_test
from fieldnote.analytics.explain import ExplainResult, SegmentResult, explain, rate_metric
from fieldnote.analytics.funnels import Breakdown, Funnel, compute_funnel
from fieldnote.monitors._metrics import MetricSpec
from fieldnote.research import Driver, StepChange

__all__ = ["Attribution", "attribute", "day_range"]


def day_range(first: date, last: date) -> DateRange:
    """UTC days ``first..last``, both included."""
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    return DateRange(start=start, end=end)


@dataclass(frozen=True)
class Attribution:
    explained: ExplainResult | None
    driver: Driver | None
    step: StepChange | None


#: A segment whose own rate moved less than this share (relatively) of the leading
#: driver's move is a bystander, however large: with 50,000 users the web's small
#: campaign-driven dip is significant and, being the biggest segment, contributes as
#: much as the mobile collapse (-13 % vs -75 %), yet it is not what moved.
BYSTANDER = 0.5


def _relative(s: SegmentResult) -> float:
    """How much the segment's own rate moved, relative to where it was."""
    if not s.rate_before or s.rate_after is None:
        return 0.0
    return abs(s.rate_after / s.rate_before - 1)


def _driver(result: ExplainResult) -> Driver | None:
    change = result.after.converted / result.after.entered - (
        result.before.converted / result.before.entered
    )
    best: Driver | None = None
    best_total = 0.0  # the dimension is chosen on its whole same-way share, bystanders in
    for dim in result.dimensions:
        same_way = [
            s
            for s in dim.segments
            if s.significant and s.value is not None and s.contribution * change > 0
        ]
        total = sum(s.contribution for s in same_way)
        if not same_way or (best is not None and abs(total) <= abs(best_total)):
            continue
        best_total = total
        chosen: list[SegmentResult] = []
        running = 0.0
        for s in sorted(same_way, key=lambda s: -abs(s.contribution)):
            if chosen and _relative(s) < BYSTANDER * max(_relative(c) for c in chosen):
                continue  # a big segment that moved a little: not part of this move
            chosen.append(s)
            running += s.contribution
            if abs(running) >= 0.8 * abs(total) or len(chosen) == 3:
                break
        best = Driver(
            dimension=dim.dimension,
            values=tuple(str(s.value) for s in chosen),
            contribution=running,
        )
    return best


def _step_counts(
    source: EventSource, funnel: Funnel, dates: DateRange, driver: Driver | None
) -> list[int]:
    if driver is None:
        return [s.count for s in compute_funnel(source, replace(funnel, dates=dates)).steps]
    spec = replace(funnel, dates=dates, breakdown=Breakdown.parse(driver.dimension))
    result = compute_funnel(source, spec)
    totals = [0] * len(funnel.steps)
    for b in result.breakdown or ():
        if b.value is not None and str(b.value) in driver.values:
            totals = [t + s.count for t, s in zip(totals, b.steps, strict=True)]
    return totals


def _step(
    source: EventSource,
    metric: MetricSpec,
    before: DateRange,
    after: DateRange,
    driver: Driver | None,
    falling: bool,
) -> StepChange | None:
    steps = metric.funnel_steps()
    if len(steps) < 2:
        return None
    window = metric.within if metric.kind == "activation" else metric.window
    funnel = Funnel.parse(list(steps), window=window)
    c0 = _step_counts(source, funnel, before, driver)
    c1 = _step_counts(source, funnel, after, driver)
    best: StepChange | None = None
    best_move = 0.0
    for i in range(len(steps) - 1):
        if not c0[i] or not c1[i]:
            continue
        r0, r1 = c0[i + 1] / c0[i], c1[i + 1] / c1[i]
        move = (r0 - r1) if falling else (r1 - r0)
        if move > best_move:
            best_move = move
            best = StepChange(
                step_from=steps[i],
                step_to=steps[i + 1],
                index=i + 1,
                rate_before=r0,
                rate_after=r1,
                p_value=two_proportion_test(c0[i + 1], c0[i], c1[i + 1], c1[i]).p_value,
            )
    return best


def attribute(
    source: EventSource,
    metric: MetricSpec,
    before: tuple[date, date],
    after: tuple[date, date],
    by: Sequence[str],
    *,
    falling: bool,
) -> Attribution:
    """Drivers and step for a rate metric (counts: nothing to decompose)."""
    if not metric.funnel_steps():
        return Attribution(None, None, None)
    spec = metric.filtered()
    options = {
        "start": spec.start,
        "target": spec.target,
        "within": spec.within,
        "steps": list(spec.steps),
        "window": spec.window,
    }
    b, a = day_range(*before), day_range(*after)
    explained = explain(source, rate_metric(metric.kind, options), b, a, by) if by else None
    driver = _driver(explained) if explained is not None else None
    return Attribution(explained, driver, _step(source, spec, b, a, driver, falling))
