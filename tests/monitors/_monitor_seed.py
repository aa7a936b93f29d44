"""Events for the monitor end-to-end tests, written before a server owns the store.

Fifty days ending yesterday (the last one counts as still filling up, so monitors
see the 49 before it). Each day 80 users sign up (40 in each of the last eight
days: a 50 % drop); every user is exposed to ``$feature/new-flow`` (control / test,
alternating) and converts at 40 % under control and 20 % under test.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore

DAYS = 50


def seed_monitor_events(home: Path, project: str = "default") -> datetime:
    home.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rows: dict[str, list[object]] = {k: [] for k in ARROW_SCHEMA.names}

    def add(user: str, event: str, at: datetime, props: dict[str, object]) -> None:
        for key, value in (
            ("uuid", str(uuid.uuid4())),
            ("project", project),
            ("distinct_id", user),
            ("event", event),
            ("timestamp", at),
            ("properties", json.dumps(props)),
        ):
            rows[key].append(value)

    for d in range(DAYS):
        day = today - timedelta(days=DAYS - d)
        users = 40 if d >= DAYS - 8 else 80
        for u in range(users):
            user = f"u{d}-{u}"
            at = day + timedelta(hours=8, minutes=u)
            variant = "control" if u % 2 == 0 else "test"
            add(user, "signup", at, {"platform": "web"})
            add(user, "flow_viewed", at + timedelta(minutes=1), {"$feature/new-flow": variant})
            converts = (u // 2) % 5 < (2 if variant == "control" else 1)
            if converts:
                add(user, "flow_done", at + timedelta(minutes=5), {})
    store = DuckDBEventStore(home / "events.duckdb")
    try:
        store.commit(pa.table(rows, schema=ARROW_SCHEMA))
    finally:
        store.close()
    return today
