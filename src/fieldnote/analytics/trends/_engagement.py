"""Engagement: DAU/WAU/MAU stickiness and churn, from each user's active days.

Both fetch the distinct (user, day or period) pairs once and count in numpy. A user
is *active* on a day when they did the event (any event when none is given).

* Stickiness, per day ``d``: DAU = users active on ``d``, WAU = active on any of the 7
  days ending with ``d``, MAU = the 30 days ending with ``d``; ``dau/mau``, ``dau/wau``.
  Computed with one pass: a user active on day ``a``, next active on ``b``, counts in
  a ``W``-day window for days ``a .. min(a+W-1, b-1)``: a difference array.
* Churn, per period ``P``: of the users active in ``P``, the share not active in the
  next period. Incomplete until the next period has ended.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

import numpy as np

from fieldnote.analytics._relations import events_from
from fieldnote.analytics._sources import EventSource
from fieldnote.analytics._sql import period_start_day
from fieldnote.analytics._time import DateRange
from fieldnote.analytics.funnels import FunnelStep
from fieldnote.analytics.funnels._common import step_match
from fieldnote.analytics.trends._common import fetch, latest_event, params_for, resolve_periods
from fieldnote.analytics.trends._model import (
    Interval,
    Point,
    Series,
    TrendResult,
    day_number,
    rate_point,
)

__all__ = ["ChurnTrend", "StickinessTrend"]

WINDOWS = {"dau": 1, "wau": 7, "mau": 30}

#: Engine name → two 64-bit hashes of the user ``a``: numbers sort and compare faster
#: than the user key itself (a UUID on DuckDB, text on Spark), and together they tell
#: users apart (a collision of both would merge two users' days).
USER_KEYS: dict[str, str] = {
    "duckdb": "hash(a) AS k1, hash(a, 'fieldnote') AS k2",
    "spark": "xxhash64(a) AS k1, xxhash64(a, 'fieldnote') AS k2",
}


def _active(
    src: EventSource, event: FunnelStep | None, interval: Interval, start: datetime, end: datetime
) -> dict[str, Any]:
    """Distinct (user, period) pairs, sorted by user then period."""
    params = params_for(src)
    rel = events_from(
        params, src.tables, names=None if event is None else [event.event], start=start, end=end
    )
    match = "" if event is None else f" AND {step_match(params, event)}"
    day = period_start_day(params.dialect, "e.timestamp", interval.value)
    sql = (
        f"SELECT DISTINCT {USER_KEYS[src.engine]}, d FROM "
        f"(SELECT {rel.actor} AS a, {day} AS d {rel.from_where}{match}) u ORDER BY k1, k2, d"
    )
    cols = fetch(src, sql, params)
    cols["same_next"] = np.r_[
        (cols["k1"][1:] == cols["k1"][:-1]) & (cols["k2"][1:] == cols["k2"][:-1]), False
    ]
    return cols


def _describe(event: FunnelStep | None, dates: DateRange) -> dict[str, Any]:
    return {"event": None if event is None else str(event), "dates": dates.to_dict()}


@dataclass(frozen=True)
class StickinessTrend:
    name: ClassVar[str] = "stickiness"
    event: FunnelStep | None = None
    dates: DateRange = field(default_factory=DateRange)

    def compute(self, source: EventSource) -> TrendResult:
        periods = resolve_periods(source, Interval.DAY, self.dates)
        first = day_number(periods.first)
        days = periods.starts()
        lookback = periods.start_time - timedelta(days=max(WINDOWS.values()) - 1)
        cols = _active(source, self.event, Interval.DAY, lookback, periods.end_time)
        active = cols["d"].astype(np.int64)
        nxt = np.where(cols["same_next"], np.r_[active[1:], 0], np.iinfo(np.int64).max)
        counts: dict[str, np.ndarray] = {}
        for name, width in WINDOWS.items():
            lo = active - first
            hi = np.minimum(active + width - 1, nxt - 1) - first  # inclusive
            lo, hi = np.maximum(lo, 0), np.minimum(hi, len(days) - 1)
            keep = lo <= hi
            diff = np.zeros(len(days) + 1, dtype=np.int64)
            np.add.at(diff, lo[keep], 1)
            np.add.at(diff, hi[keep] + 1, -1)
            counts[name] = np.cumsum(diff)[:-1]
        series = [
            Series(
                name=name,
                points=tuple(
                    Point(period=d, value=float(c), count=int(c))
                    for d, c in zip(days, counts[name], strict=True)
                ),
            )
            for name in WINDOWS
        ]
        for num, den in (("dau", "mau"), ("dau", "wau")):
            series.append(
                Series(
                    name=f"{num}/{den}",
                    points=tuple(
                        Point(
                            period=d,
                            value=float(a / b) if b else None,
                            count=int(a),
                            base=int(b),
                        )
                        for d, a, b in zip(days, counts[num], counts[den], strict=True)
                    ),
                )
            )
        return TrendResult(
            metric=self.name,
            interval=Interval.DAY,
            definition=_describe(self.event, self.dates),
            series=tuple(series),
        )


@dataclass(frozen=True)
class ChurnTrend:
    name: ClassVar[str] = "churn"
    event: FunnelStep | None = None
    interval: Interval = Interval.WEEK
    dates: DateRange = field(default_factory=DateRange)

    def compute(self, source: EventSource) -> TrendResult:
        periods = resolve_periods(source, self.interval, self.dates)
        step = self.interval.days
        beyond = periods.end_time + timedelta(days=step)
        cols = _active(source, self.event, self.interval, periods.start_time, beyond)
        period = cols["d"].astype(np.int64)
        returned = cols["same_next"] & (np.r_[period[1:], 0] == period + step)
        data_end = latest_event(source)
        points = []
        for start in periods.starts():
            here = period == day_number(start)
            active = int(np.count_nonzero(here))
            churned = int(np.count_nonzero(here & ~returned))
            next_end = datetime(
                start.year, start.month, start.day, tzinfo=beyond.tzinfo
            ) + timedelta(days=2 * step)
            complete = data_end is not None and next_end <= data_end
            points.append(rate_point(start, churned, active, complete=complete))
        return TrendResult(
            metric=self.name,
            interval=self.interval,
            definition=_describe(self.event, self.dates),
            series=(Series(name="churn", points=tuple(points)),),
        )
