"""Trends: a number per day or week. Event series, conversion and activation over time,
stickiness (DAU/WAU/MAU) and churn. Definitions: docs/analytics.md ("Trends").

Each kind of trend is a frozen dataclass (the question) with ``compute(source)``;
``TREND_BUILDERS`` maps the names the CLI and API use to their parsers.
"""

from __future__ import annotations

from fieldnote.analytics.trends._engagement import ChurnTrend, StickinessTrend
from fieldnote.analytics.trends._events import MEASURES, EventTrend
from fieldnote.analytics.trends._model import Interval, Point, Series, Trend, TrendResult
from fieldnote.analytics.trends._parse import TREND_BUILDERS, TrendOptions, parse_trend
from fieldnote.analytics.trends._rates import ActivationTrend, ConversionTrend

__all__ = [
    "MEASURES",
    "TREND_BUILDERS",
    "ActivationTrend",
    "ChurnTrend",
    "ConversionTrend",
    "EventTrend",
    "Interval",
    "Point",
    "Series",
    "StickinessTrend",
    "Trend",
    "TrendOptions",
    "TrendResult",
    "parse_trend",
]
