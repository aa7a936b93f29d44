"""A project's overview: event volume per day, top events, persons, latest events.

The aggregates scan every event of the project, which on a million events costs tens
of milliseconds of both cores. Several people looking at the same overview should not
each pay for it, so results are cached per project and *version*: the project's
event count and latest ``inserted_at``, one cheap scan of two columns. The store only
ever appends, so an unchanged version means unchanged aggregates; a new event changes
the version and the next request recomputes. Concurrent requests for the same key
share one computation (single flight) instead of queueing the same scan eight times.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from fieldnote.events import DuckDBEventStore

__all__ = ["DailyCount", "EventCount", "Overview", "OverviewService", "RecentEvent"]


@dataclass(frozen=True, kw_only=True)
class DailyCount:
    day: date
    count: int


@dataclass(frozen=True, kw_only=True)
class EventCount:
    event: str
    count: int
    share: float


@dataclass(frozen=True, kw_only=True)
class RecentEvent:
    """A received event without personal data: no distinct id, no properties."""

    event: str
    timestamp: datetime
    received_at: datetime


@dataclass(frozen=True, kw_only=True)
class Overview:
    project: str
    days: int
    events_total: int
    persons_total: int
    events_in_window: int
    window_start: date | None
    window_end: date | None
    series: tuple[DailyCount, ...]
    top_events: tuple[EventCount, ...]
    latest: tuple[RecentEvent, ...]
    computed_at: datetime


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


_Version = tuple[int, datetime | None]


class _Flight:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.result: Overview | None = None
        self.error: BaseException | None = None


class OverviewService:
    """Computes overviews from a DuckDB event store; safe to call from many threads."""

    def __init__(self, store: DuckDBEventStore, *, cache_size: int = 64) -> None:
        self._store = store
        self._cache: OrderedDict[tuple[str, int, int], tuple[_Version, Overview]] = OrderedDict()
        self._flights: dict[tuple[str, int, int, _Version], _Flight] = {}
        self._lock = threading.Lock()
        self._cache_size = cache_size

    def version(self, project: str) -> _Version:
        with self._store.reader() as cur:
            row = cur.execute(
                "SELECT count(*), max(inserted_at) FROM events WHERE project = ?", [project]
            ).fetchone()
        assert row is not None
        return int(row[0]), _utc(row[1]) if row[1] is not None else None

    def overview(self, project: str, *, days: int = 30, latest: int = 10) -> Overview:
        """The overview of ``project`` over the ``days`` up to its newest event."""
        version = self.version(project)
        key = (project, days, latest)
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None and cached[0] == version:
                self._cache.move_to_end(key)
                return cached[1]
            flight_key = (*key, version)
            flight = self._flights.get(flight_key)
            leader = flight is None
            if flight is None:
                flight = self._flights[flight_key] = _Flight()
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            assert flight.result is not None
            return flight.result
        try:
            result = self._compute(project, days, latest, version)
            flight.result = result
            with self._lock:
                self._cache[key] = (version, result)
                self._cache.move_to_end(key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            return result
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(flight_key, None)
            flight.done.set()

    def latest(self, project: str, limit: int = 20) -> tuple[RecentEvent, ...]:
        """The most recently received events (newest first), without personal data."""
        with self._store.reader() as cur:
            rows = cur.execute(
                """
                SELECT event, timestamp, inserted_at FROM events WHERE project = ?
                ORDER BY inserted_at DESC, timestamp DESC LIMIT ?
                """,
                [project, limit],
            ).fetchall()
        return tuple(
            RecentEvent(event=e, timestamp=_utc(ts), received_at=_utc(ins)) for e, ts, ins in rows
        )

    def _compute(self, project: str, days: int, latest: int, version: _Version) -> Overview:
        total = version[0]
        with self._store.reader() as cur:
            persons_row = cur.execute(
                "SELECT count(*) FROM persons WHERE project = ?", [project]
            ).fetchone()
            newest_row = cur.execute(
                "SELECT CAST(max(timezone('UTC', timestamp)) AS DATE) FROM events "
                "WHERE project = ?",
                [project],
            ).fetchone()
            end: date | None = newest_row[0] if newest_row else None
            series: list[DailyCount] = []
            top: list[EventCount] = []
            in_window = 0
            start: date | None = None
            if end is not None:
                start = end - timedelta(days=days - 1)
                since = datetime(start.year, start.month, start.day, tzinfo=UTC)
                by_day = dict(
                    cur.execute(
                        """
                        SELECT CAST(timezone('UTC', timestamp) AS DATE) AS day, count(*)
                        FROM events WHERE project = ? AND timestamp >= ?
                        GROUP BY day
                        """,
                        [project, since],
                    ).fetchall()
                )
                series = [
                    DailyCount(day=d, count=int(by_day.get(d, 0)))
                    for d in (start + timedelta(days=i) for i in range(days))
                ]
                in_window = sum(c.count for c in series)
                top_rows = cur.execute(
                    """
                    SELECT event, count(*) AS n FROM events
                    WHERE project = ? AND timestamp >= ?
                    GROUP BY event ORDER BY n DESC, event LIMIT 10
                    """,
                    [project, since],
                ).fetchall()
                top = [
                    EventCount(event=e, count=int(n), share=int(n) / in_window if in_window else 0)
                    for e, n in top_rows
                ]
        return Overview(
            project=project,
            days=days,
            events_total=total,
            persons_total=int(persons_row[0]) if persons_row else 0,
            events_in_window=in_window,
            window_start=start,
            window_end=end,
            series=tuple(series),
            top_events=tuple(top),
            latest=self.latest(project, latest),
            computed_at=datetime.now(UTC),
        )
