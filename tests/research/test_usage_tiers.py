"""Usage tiers from a real DuckDB event store, held to a plain reference."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore
from fieldnote.research import DAILY_MIN_DAYS, usage_tiers

TODAY = date(2026, 11, 30)


def reference(days_ago: list[int]) -> str:
    """Tier from how many days before TODAY a person was active (0 = today, negative = after)."""
    past = [d for d in days_ago if d >= 0]
    if not past:
        return "potential"
    if len({d for d in past if d < 14}) >= DAILY_MIN_DAYS:
        return "daily"
    return "occasional" if min(past) < 30 else "dormant"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(st.lists(st.integers(-3, 60), max_size=20), min_size=1, max_size=6),
    hour=st.integers(0, 23),
)
def test_tiers_match_the_reference(tmp_path: Path, people: list[list[int]], hour: int) -> None:
    store = DuckDBEventStore(tmp_path / f"{uuid.uuid4()}.duckdb")
    rows = [
        (
            f"p{i}",
            datetime.combine(TODAY - timedelta(days=d), datetime.min.time(), UTC)
            + timedelta(hours=hour),
        )
        for i, days in enumerate(people)
        for d in days
    ]
    rows.append(("p0", datetime(2026, 11, 20, tzinfo=UTC)))  # another project's event
    projects = ["demo"] * (len(rows) - 1) + ["other"]
    try:
        if rows:
            store.commit(
                pa.table(
                    {
                        "uuid": [str(uuid.uuid4()) for _ in rows],
                        "project": projects,
                        "distinct_id": [r[0] for r in rows],
                        "event": ["$pageview"] * len(rows),
                        "timestamp": [r[1] for r in rows],
                        "properties": ["{}"] * len(rows),
                    },
                    schema=ARROW_SCHEMA,
                )
            )
        wanted = [f"p{i}" for i in range(len(people))] + ["imported-only"]
        with store.reader() as cur:
            got = usage_tiers(cur, "demo", wanted, TODAY)
    finally:
        store.close()
    expected = [reference(days) for days in people] + ["potential"]
    assert [a.tier for a in got] == expected
    assert [a.distinct_id for a in got] == wanted
