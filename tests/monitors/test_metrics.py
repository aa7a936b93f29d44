"""Monitor metrics on a real DuckDB store against plain-Python counts: daily events,
day-N retention of daily cohorts, and the as-of cut (days not known yet are left out)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest

from fieldnote.analytics import store_source
from fieldnote.events import ARROW_SCHEMA, DuckDBEventStore
from fieldnote.monitors import MetricSpec, compute_metric

DAY0 = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 40


def _rows() -> list[tuple[str, str, datetime, dict[str, str]]]:
    rows = []
    for d in range(DAYS):
        for u in range(10 + d % 7):
            user = f"d{d}u{u}"
            at = DAY0 + timedelta(days=d, hours=9, minutes=u)
            rows.append((user, "signup", at, {"platform": "ios" if u % 3 == 0 else "web"}))
            if (u + d) % 4 != 0:  # three in four come back a week later
                rows.append((user, "report_viewed", at + timedelta(days=7), {}))
    return rows


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DuckDBEventStore]:
    rows = _rows()
    s = DuckDBEventStore(tmp_path_factory.mktemp("metrics") / "events.duckdb")
    s.commit(
        pa.table(
            {
                "uuid": [str(uuid.uuid4()) for _ in rows],
                "project": ["p"] * len(rows),
                "distinct_id": [r[0] for r in rows],
                "event": [r[1] for r in rows],
                "timestamp": [r[2] for r in rows],
                "properties": [json.dumps(r[3]) for r in rows],
            },
            schema=ARROW_SCHEMA,
        )
    )
    yield s
    s.close()


def test_daily_events_match_a_plain_count(store: DuckDBEventStore) -> None:
    until = DAY0 + timedelta(days=30, hours=12)
    spec = MetricSpec(kind="events", event="signup", lookback_days=60)
    with store.reader() as cur:
        series = compute_metric(store_source(cur, "p"), spec, until=until)
    want: dict[date, int] = {}
    for _user, event, at, _props in _rows():
        if event == "signup" and at.date() < until.date():  # the day of the run is filling
            want[at.date()] = want.get(at.date(), 0) + 1
    got = {p.day: p.value for p in series.points if p.value}
    assert got == want


def test_day7_retention_per_cohort_with_breakdown(store: DuckDBEventStore) -> None:
    until = DAY0 + timedelta(days=39)
    spec = MetricSpec(
        kind="retention",
        start="signup",
        event="report_viewed",
        within="7d",
        breakdown="platform",
        value="ios",
        lookback_days=60,
    )
    with store.reader() as cur:
        series = compute_metric(store_source(cur, "p"), spec, until=until)
    assert series.is_rate and series.label.startswith("day-7 retention")
    cohorts: dict[date, list[bool]] = {}
    for user, event, at, props in _rows():
        if event == "signup" and props["platform"] == "ios":
            back = any(u == user and e == "report_viewed" for u, e, _a, _p in _rows())
            cohorts.setdefault(at.date(), []).append(back)
    last_known = until.date() - timedelta(days=8)
    want = {d: sum(v) / len(v) for d, v in cohorts.items() if d <= last_known}
    got = {p.day: p.value for p in series.points}
    assert got.keys() == want.keys()
    for d, rate in want.items():
        assert got[d] == pytest.approx(rate)


def test_metric_specs_refuse_what_cannot_be_computed() -> None:
    with pytest.raises(ValueError, match="needs an event"):
        MetricSpec(kind="retention")
    with pytest.raises(ValueError, match="at least two steps"):
        MetricSpec(kind="conversion", steps=("signup",))
    with pytest.raises(ValueError, match="breakdown needs a value"):
        MetricSpec(kind="events", event="x", breakdown="platform")
    with pytest.raises(ValueError, match="unknown metric"):
        MetricSpec(kind="revenue")
