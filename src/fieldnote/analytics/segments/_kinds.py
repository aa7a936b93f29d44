"""The registry of segment kinds: how a stored definition becomes a ``SegmentSpec``.

The repository stores a definition as JSON and knows nothing of its meaning; its
``kind`` key picks the reader here. Definitions saved before kinds existed have no
``kind`` and are funnel positions, so they keep resolving as they did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fieldnote.analytics._sources import EventSource
from fieldnote.analytics.segments._members import SegmentDefinition
from fieldnote.analytics.segments._model import SegmentMembers, SegmentSpec
from fieldnote.analytics.segments._periods import RetentionCellSegment, TrendPointSegment

__all__ = ["DEFAULT_KIND", "SEGMENT_KINDS", "members", "segment_from_dict"]

DEFAULT_KIND = SegmentDefinition.kind

#: kind → read a stored definition of that kind (ValueError/KeyError when unreadable).
SEGMENT_KINDS: dict[str, Callable[[dict[str, Any]], SegmentSpec]] = {
    SegmentDefinition.kind: SegmentDefinition.from_dict,
    TrendPointSegment.kind: TrendPointSegment.from_dict,
    RetentionCellSegment.kind: RetentionCellSegment.from_dict,
}


def segment_from_dict(data: dict[str, Any]) -> SegmentSpec:
    """The definition a stored dict describes; ValueError names an unknown kind."""
    kind = str(data.get("kind", DEFAULT_KIND))
    try:
        read = SEGMENT_KINDS[kind]
    except KeyError:
        raise ValueError(
            f"unknown segment kind {kind!r}: one of {', '.join(SEGMENT_KINDS)}"
        ) from None
    return read(data)


def members(source: EventSource, definition: SegmentSpec, *, limit: int = 100) -> SegmentMembers:
    """Evaluate ``definition`` now: the size, and up to ``limit`` members by person id."""
    return definition.resolve(source, limit)
