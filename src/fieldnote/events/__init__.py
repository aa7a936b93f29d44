"""Events: capture (PostHog + Segment compatible), import, and the EventStore."""

from fieldnote.events._duckdb_store import DEDUPE_SLACK, DuckDBEventStore
from fieldnote.events._model import ARROW_SCHEMA, AppendResult, Event, StoredEvent, events_to_arrow
from fieldnote.events._writer import (
    CommitListener,
    EventSink,
    GroupCommitWriter,
    WriterClosedError,
)

__all__ = [
    "ARROW_SCHEMA",
    "DEDUPE_SLACK",
    "AppendResult",
    "CommitListener",
    "DuckDBEventStore",
    "Event",
    "EventSink",
    "GroupCommitWriter",
    "StoredEvent",
    "WriterClosedError",
    "events_to_arrow",
]
