"""Behaviour counts for criteria: how often each person did an event lately.

One query per (event, window) family for the whole candidate list, on a DuckDB
event-store cursor, as of ``today`` (later events are ignored so a replay gives the
same answer) — the same convention as ``usage_tiers``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

__all__ = ["event_counts"]

_SQL = """
SELECT distinct_id, count(*)
FROM events
WHERE project = ? AND event = ? AND distinct_id IN (SELECT unnest(?))
  AND timestamp >= ? AND timestamp < ?
GROUP BY distinct_id
"""


def event_counts(
    cursor: Any,
    project: str,
    people: Iterable[str],
    windows: Iterable[tuple[str, int]],
    today: date,
) -> dict[tuple[str, str, int], int]:
    """(distinct_id, event, days) → count over the ``days`` UTC days up to ``today``."""
    wanted = list(dict.fromkeys(people))
    end = datetime.combine(today + timedelta(days=1), time(), tzinfo=UTC)
    out: dict[tuple[str, str, int], int] = {}
    if not wanted:
        return out
    for event, days in sorted(set(windows)):
        start = end - timedelta(days=days)
        for person, n in cursor.execute(_SQL, [project, event, wanted, start, end]).fetchall():
            out[(str(person), event, days)] = int(n)
    return out
