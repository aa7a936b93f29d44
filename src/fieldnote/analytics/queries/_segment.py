"""Segment definitions from what a person types or clicks: ``fieldnote segments create
--kind …`` options, and the trends and retention pages' "who are these users" forms.

Each kind has a builder in ``SEGMENT_BUILDERS`` (CLI options → definition), and each
trend metric whose points are sets of persons has one in ``POINT_SEGMENTS`` (trend +
period → definition). Failures are ``QueryError`` naming the option or form field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fieldnote.analytics._time import parse_duration
from fieldnote.analytics.funnels import Funnel, FunnelStep
from fieldnote.analytics.queries._fields import QueryError
from fieldnote.analytics.queries._funnel import FunnelQuery
from fieldnote.analytics.queries._reports import RetentionQuery, TrendQuery
from fieldnote.analytics.segments import (
    RetentionCellSegment,
    SegmentDefinition,
    SegmentSpec,
    TrendPointSegment,
    period_range,
)
from fieldnote.analytics.trends import ActivationTrend, ConversionTrend, EventTrend, Interval

__all__ = [
    "POINT_SEGMENTS",
    "SEGMENT_BUILDERS",
    "SegmentOptions",
    "build_segment",
    "retention_cell_segment",
    "trend_point_segment",
]


@dataclass(frozen=True)
class SegmentOptions:
    """Every ``segments create`` option; each kind reads the ones it needs."""

    kind: str = "funnel"
    steps: tuple[str, ...] = ()
    reached: int | None = None
    dropped_after: int | None = None
    window: str = "14d"
    strict: bool = False
    last: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    event: str | None = None
    interval: str | None = None
    period: str | None = None
    start: str | None = None
    returning: str | None = None
    cohort: str | None = None
    offset: int | None = None
    returned: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


def _day(name: str, text: str | None) -> date:
    if not text:
        raise QueryError(name, f"give --{name} YYYY-MM-DD")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QueryError(name, f"{name} {text!r}: a date, YYYY-MM-DD") from None


def _interval(text: str | None, default: Interval) -> Interval:
    try:
        return Interval(text) if text else default
    except ValueError:
        raise QueryError("interval", f"interval {text!r}: day or week") from None


def _step(name: str, text: str | None) -> FunnelStep | None:
    if not text:
        return None
    try:
        return FunnelStep.parse(text)
    except ValueError as exc:
        raise QueryError(name, f"{name} {text!r}: {exc}") from None


def _checked(name: str, build: Callable[[], SegmentSpec]) -> SegmentSpec:
    try:
        return build()
    except QueryError:
        raise
    except ValueError as exc:
        raise QueryError(name, str(exc)) from None


def _funnel(o: SegmentOptions) -> SegmentSpec:
    if (o.reached is None) == (o.dropped_after is None):
        raise QueryError("reached", "give exactly one of --reached K or --dropped-after K")
    if o.last and (o.date_from or o.date_to):
        raise QueryError("last", "give either --last or --from/--to")
    query = FunnelQuery(
        steps=o.steps, window=o.window, strict=o.strict, date_from=o.date_from, date_to=o.date_to
    )
    funnel = query.funnel(breakdown=None)
    step = o.dropped_after if o.dropped_after is not None else o.reached
    last = o.last
    return _checked(
        "step",
        lambda: SegmentDefinition(
            funnel=funnel,
            step=int(step or 0),
            dropped=o.dropped_after is not None,
            last=parse_duration(last) if last else None,
        ),
    )


def _trend_point(o: SegmentOptions) -> SegmentSpec:
    step = _step("event", o.event)
    if step is None:
        raise QueryError("event", "a trend-point segment needs --event E")
    interval = _interval(o.interval, Interval.DAY)
    period = _day("period", o.period)
    return _checked(
        "period", lambda: TrendPointSegment(step=step, interval=interval, period=period)
    )


def _retention_cell(o: SegmentOptions) -> SegmentSpec:
    start, back = _step("start", o.start), _step("return", o.returning)
    interval = _interval(o.interval, Interval.WEEK)
    cohort = _day("cohort", o.cohort)
    return _checked(
        "cohort",
        lambda: RetentionCellSegment(
            start=start,
            returning=back,
            interval=interval,
            cohort=cohort,
            offset=o.offset,
            returned=o.returned,
        ),
    )


#: kind → definition from ``segments create`` options.
SEGMENT_BUILDERS: dict[str, Callable[[SegmentOptions], SegmentSpec]] = {
    "funnel": _funnel,
    "trend-point": _trend_point,
    "retention-cell": _retention_cell,
}


def build_segment(options: SegmentOptions) -> SegmentSpec:
    try:
        build = SEGMENT_BUILDERS[options.kind]
    except KeyError:
        raise QueryError(
            "kind", f"unknown segment kind {options.kind!r}: one of {', '.join(SEGMENT_BUILDERS)}"
        ) from None
    return build(options)


def _event_point(trend: Any, day: date) -> SegmentSpec:
    assert isinstance(trend, EventTrend)
    return TrendPointSegment(step=trend.step, interval=trend.interval, period=day)


def _conversion_point(trend: Any, day: date) -> SegmentSpec:
    """Conversion per period of entry: who entered then and converted (the point's
    numerator), as a funnel segment over that one period (a period's figure is that
    funnel's: the trend is the funnel broken down by period of entry)."""
    assert isinstance(trend, ConversionTrend)
    funnel = Funnel(steps=trend.steps, window=trend.window, dates=period_range(trend.interval, day))
    return SegmentDefinition(funnel=funnel, step=len(trend.steps))


def _activation_point(trend: Any, day: date) -> SegmentSpec:
    """Activation per period of START: who started then and did TARGET within the
    time allowed (the point's numerator): the two-step funnel over that period."""
    assert isinstance(trend, ActivationTrend)
    funnel = Funnel(
        steps=(trend.start, trend.target),
        window=trend.within,
        dates=period_range(trend.interval, day),
    )
    return SegmentDefinition(funnel=funnel, step=2)


#: trend metric → the segment behind one of its points (stickiness and churn points are
#: ratios over overlapping sets of users and have none).
POINT_SEGMENTS: dict[str, Callable[[Any, date], SegmentSpec]] = {
    "events": _event_point,
    "conversion": _conversion_point,
    "activation": _activation_point,
}


def trend_point_segment(query: TrendQuery, period: str | None) -> SegmentSpec:
    """The persons behind one point of the trend ``query`` asks for."""
    make = POINT_SEGMENTS.get(query.metric)
    if make is None:
        raise QueryError(
            "metric",
            f"the points of a {query.metric!r} trend are not one set of users: "
            f"segments exist for {', '.join(POINT_SEGMENTS)}",
        )
    trend = query.trend()
    day = _day("period", period)
    return _checked("period", lambda: make(trend, day))


def retention_cell_segment(query: RetentionQuery, cell: str | None) -> SegmentSpec:
    """The cohort (``cell`` = ``COHORT``) or one cell (``COHORT/K``, with ``/not`` for
    those who did not come back) of the retention table ``query`` asks for."""
    spec = query.retention()
    text = (cell or "").strip()
    cohort_text, _, rest = text.partition("/")
    offset_text, _, negate = rest.partition("/")
    if (offset_text and not offset_text.isdigit()) or negate not in ("", "not"):
        raise QueryError("cell", f"cell {text!r}: COHORT, COHORT/K or COHORT/K/not")
    options = SegmentOptions(
        kind="retention-cell",
        start=query.start,
        returning=query.returning,
        interval=spec.interval.value,
        cohort=cohort_text,
        offset=int(offset_text) if offset_text else None,
        returned=negate != "not",
    )
    return _retention_cell(options)
