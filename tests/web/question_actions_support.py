"""A home where a conversion monitor fires and opens a Question with a proposed Study:
40 days of signups (50 a day, two platforms); half connect an integration, until the
last eight days, when iOS users mostly stop connecting. Written before a server owns
the store; users: a researcher and a viewer of the default project."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from fieldnote._core import Fieldnote
from fieldnote.config import Settings
from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore
from tests.web.accounts_support import add_user

DAYS = 40
MONITOR = [
    "monitors", "create", "connects", "--metric", "conversion",
    "--step", "signup", "--step", "connect_integration", "--window", "1d",
    "--rule", "swing", "--percent", "10", "--explain-by", "platform",
]  # fmt: skip


def seed_question_home(home: Path) -> datetime:
    """The events and users; returns the seed's "today" (UTC midnight)."""
    home.mkdir(parents=True, exist_ok=True)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    rows: dict[str, list[object]] = {k: [] for k in ARROW_SCHEMA.names}

    def add(user: str, event: str, at: datetime, props: dict[str, object]) -> None:
        values = (str(uuid.uuid4()), "default", user, event, at, json.dumps(props))
        for key, value in zip(ARROW_SCHEMA.names, values, strict=True):
            rows[key].append(value)

    for d in range(DAYS):
        day = today - timedelta(days=DAYS - d)
        late = d >= DAYS - 8
        for u in range(50):
            user, platform = f"u{d}-{u}", ("ios" if u % 2 else "web")
            at = day + timedelta(hours=8, minutes=u)
            add(user, "signup", at, {"platform": platform})
            connects = u % 4 < 2 if not (late and platform == "ios") else u % 20 == 1
            if connects:
                add(user, "connect_integration", at + timedelta(minutes=30), {"platform": platform})
            if u % 5 == 0:  # some come back most days: the daily tier
                for back in range(1, 9):
                    when = at + timedelta(days=back)
                    if when < today:
                        add(user, "$pageview", when, {"platform": platform})
    store = DuckDBEventStore(home / "events.duckdb")
    try:
        store.commit(pa.table(rows, schema=ARROW_SCHEMA))
    finally:
        store.close()
    fn = Fieldnote(Settings(home=home))
    fn.projects.ensure_default()
    fn.close()
    add_user(home, "researcher@example.com", "researcher", project="default")
    add_user(home, "viewer@example.com", "viewer", project="default")
    return today
