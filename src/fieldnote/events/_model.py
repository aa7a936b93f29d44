"""The Event: the one shape every source (PostHog, Segment, files) is normalised into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

__all__ = [
    "ARROW_SCHEMA",
    "AppendResult",
    "Event",
    "StoredEvent",
    "epoch_micros",
    "events_to_arrow",
]

#: The columns a batch of events travels in, from capture or import to a sink.
#: ``properties`` is a JSON text; ``timestamp`` is UTC.
ARROW_SCHEMA = pa.schema(
    [
        pa.field("uuid", pa.string(), nullable=False),
        pa.field("project", pa.string(), nullable=False),
        pa.field("distinct_id", pa.string(), nullable=False),
        pa.field("event", pa.string(), nullable=False),
        pa.field("timestamp", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("properties", pa.string(), nullable=False),
    ]
)


@dataclass(slots=True, kw_only=True)
class Event:
    """One product event, already validated and normalised.

    ``uuid`` is the idempotency key: a retry carries the same uuid and is counted once.
    """

    uuid: str
    project: str
    distinct_id: str
    event: str
    timestamp: datetime
    properties_json: str


@dataclass(frozen=True, kw_only=True)
class StoredEvent:
    """An event read back from the store."""

    uuid: str
    project: str
    distinct_id: str
    event: str
    timestamp: datetime
    properties: dict[str, Any]
    inserted_at: datetime | None = None


@dataclass(kw_only=True, slots=True)
class AppendResult:
    """What a commit did: events new to the store, and retries/duplicates skipped."""

    inserted: int = 0
    duplicates: int = 0
    duplicate_uuids: list[str] = field(default_factory=list)

    def __iadd__(self, other: AppendResult) -> AppendResult:
        self.inserted += other.inserted
        self.duplicates += other.duplicates
        self.duplicate_uuids.extend(other.duplicate_uuids)
        return self


def events_to_arrow(events: list[Event]) -> pa.Table:
    """Columnar form of a list of events (the writer commits Arrow, never row by row)."""
    return pa.Table.from_arrays(
        [
            pa.array([e.uuid for e in events], pa.string()),
            pa.array([e.project for e in events], pa.string()),
            pa.array([e.distinct_id for e in events], pa.string()),
            pa.array([e.event for e in events], pa.string()),
            # Epoch microseconds: pyarrow converts tz-aware datetimes ~20x slower, and a
            # compute cast per request costs more than the whole conversion.
            pa.array([epoch_micros(e.timestamp) for e in events], pa.timestamp("us", tz="UTC")),
            pa.array([e.properties_json for e in events], pa.string()),
        ],
        schema=ARROW_SCHEMA,
    )


_EPOCH_AWARE = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_ONE_US = timedelta(microseconds=1)


def epoch_micros(ts: datetime) -> int:
    """Microseconds since the epoch; a naive datetime is taken to be UTC."""
    return (ts - (_EPOCH_NAIVE if ts.tzinfo is None else _EPOCH_AWARE)) // _ONE_US
