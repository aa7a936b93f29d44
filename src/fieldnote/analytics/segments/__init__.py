"""Segments: re-runnable sets of persons behind an analytics result.

Kinds (``SEGMENT_KINDS``): a funnel position ("reached integration_step_viewed but
not connect_integration on iOS, last 7 days"), a trend point ("did signup where
platform=ios in the week of 2026-03-02") and a retention cell ("first seen in the
week of 2026-03-02 and back 3 weeks later"). A definition is plain data (``to_dict``
is what the research repository stores; ``segment_from_dict`` reads it back);
``members`` evaluates it against the events now, on DuckDB or Spark.
"""

from fieldnote.analytics.segments._kinds import (
    DEFAULT_KIND,
    SEGMENT_KINDS,
    members,
    segment_from_dict,
)
from fieldnote.analytics.segments._members import SegmentDefinition
from fieldnote.analytics.segments._model import Member, SegmentMembers, SegmentSpec, run_rows
from fieldnote.analytics.segments._periods import (
    RetentionCellSegment,
    TrendPointSegment,
    period_range,
)

__all__ = [
    "DEFAULT_KIND",
    "SEGMENT_KINDS",
    "Member",
    "RetentionCellSegment",
    "SegmentDefinition",
    "SegmentMembers",
    "SegmentSpec",
    "TrendPointSegment",
    "members",
    "period_range",
    "run_rows",
    "segment_from_dict",
]
