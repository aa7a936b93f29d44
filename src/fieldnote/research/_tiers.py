"""Usage tiers: daily, occasional, dormant, potential — computed from events.

A study's diversity mix (issue 5 item 3, issue 6 item 1) asks for a mix of heavy,
light and lapsed users, so each participant gets a tier from their own activity:

* **daily** — active on at least ``DAILY_MIN_DAYS`` of the last 14 days;
* **occasional** — active in the last 30 days, but less than that;
* **dormant** — seen before, but not in the last 30 days (churned);
* **potential** — known (e.g. from an imported customer list) but never active.

"Active on a day" means any event that UTC day. The thresholds are constants so a
test can hold the SQL to a plain reference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

__all__ = ["DAILY_MIN_DAYS", "TIERS", "Activity", "classify", "usage_tiers"]

TIERS = ("daily", "occasional", "dormant", "potential")
DAILY_MIN_DAYS = 7
_RECENT = 14
_ACTIVE = 30


@dataclass(frozen=True, slots=True)
class Activity:
    distinct_id: str
    days_last_14: int
    last_seen: date | None
    tier: str


def classify(days_last_14: int, last_seen: date | None, today: date) -> str:
    if last_seen is None:
        return "potential"
    if days_last_14 >= DAILY_MIN_DAYS:
        return "daily"
    if today - last_seen < timedelta(days=_ACTIVE):
        return "occasional"
    return "dormant"


_SQL = """
WITH days AS (
    SELECT distinct_id, CAST(timezone('UTC', timestamp) AS DATE) AS d
    FROM events
    WHERE project = ? AND distinct_id IN (SELECT unnest(?))
)
SELECT distinct_id,
       count(DISTINCT d) FILTER (WHERE d > ? AND d <= ?),
       max(d) FILTER (WHERE d <= ?)
FROM days
GROUP BY distinct_id
"""


def usage_tiers(cursor: Any, project: str, people: Iterable[str], today: date) -> list[Activity]:
    """Tiers for ``people`` (distinct ids) from a DuckDB event-store cursor, as of
    ``today`` (events after it are ignored, so a replay is reproducible)."""
    wanted = list(dict.fromkeys(people))
    since = today - timedelta(days=_RECENT)
    rows = cursor.execute(_SQL, [project, wanted, since, today, today]).fetchall()
    found = {r[0]: (int(r[1] or 0), r[2]) for r in rows}
    out = []
    for person in wanted:
        days, last = found.get(person, (0, None))
        out.append(Activity(person, days, last, classify(days, last, today)))
    return out
