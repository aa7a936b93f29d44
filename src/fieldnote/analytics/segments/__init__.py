"""Segments: re-runnable sets of persons defined by where they got in a funnel
("reached integration_step_viewed but not connect_integration on iOS, last 7 days").

The definition is plain data (``SegmentDefinition.to_dict`` is what the research
repository stores); ``members`` evaluates it against the events now.
"""

from fieldnote.analytics.segments._members import (
    Member,
    SegmentDefinition,
    SegmentMembers,
    members,
)

__all__ = ["Member", "SegmentDefinition", "SegmentMembers", "members"]
