"""Analytics over the event store: what the overview shows (funnels etc. arrive later)."""

from fieldnote.analytics._overview import (
    DailyCount,
    EventCount,
    Overview,
    OverviewService,
    RecentEvent,
)

__all__ = ["DailyCount", "EventCount", "Overview", "OverviewService", "RecentEvent"]
