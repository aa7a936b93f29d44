"""Questions as people type them: the CLI's options, the API's query parameters and the
pages' URLs use the same names, and this package turns them into the library's
questions (``Funnel``, ``Retention``, trends, explained changes), with errors that name the field.

Domain code (no web framework): the CLI, the JSON API and the pages all call it, so a
funnel URL on a page, an API call and a CLI invocation cannot drift apart.
"""

from fieldnote.analytics.queries._catalog import EventName, event_names, unknown_event
from fieldnote.analytics.queries._explain import ExplainQuery
from fieldnote.analytics.queries._fields import Pairs, QueryError, date_range
from fieldnote.analytics.queries._funnel import FunnelQuery, join_step
from fieldnote.analytics.queries._reports import RetentionQuery, TrendQuery
from fieldnote.analytics.queries._segment import (
    POINT_SEGMENTS,
    SEGMENT_BUILDERS,
    SegmentOptions,
    build_segment,
    retention_cell_segment,
    trend_point_segment,
)

__all__ = [
    "POINT_SEGMENTS",
    "SEGMENT_BUILDERS",
    "EventName",
    "ExplainQuery",
    "FunnelQuery",
    "Pairs",
    "QueryError",
    "RetentionQuery",
    "SegmentOptions",
    "TrendQuery",
    "build_segment",
    "date_range",
    "event_names",
    "join_step",
    "retention_cell_segment",
    "trend_point_segment",
    "unknown_event",
]
