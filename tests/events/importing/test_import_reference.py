"""The importer counts exactly what a plain-Python reference counts, on random files.

Random small exports, with retried rows (same uuid), uuid-less rows that repeat,
non-UUID ids, equal instants spelled differently, timestamps days apart (beyond the
store's dedupe window) and bad rows of every kind; two files per example (the second
overlapping the first) in one random format.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fieldnote.events import DEDUPE_SLACK, DuckDBEventStore
from tests.events.importing.import_helpers import run_import, write_csv, write_jsonl, write_parquet

UUIDS = [str(uuid.UUID(int=0x0196A000_0000_7000_8000_000000000000 + i)) for i in range(6)]
IDS = [*UUIDS, "ajs-next-17093718-1", "insert-000042", None, None, None]
USERS = ["anon-1", "ada@example.com", "user-1042", ""]
EVENTS = ["$pageview", "checkout_started", "$identify", ""]
# (text in the file, the instant it means, or None when the row must be rejected)
TIMES: list[tuple[str, datetime | None]] = [
    ("2026-03-02T09:30:00Z", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
    ("2026-03-02T11:30:00+02:00", datetime(2026, 3, 2, 9, 30, tzinfo=UTC)),
    ("2026-03-02 09:45:00", datetime(2026, 3, 2, 9, 45, tzinfo=UTC)),
    ("1772445600000", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),
    ("2026-03-04T18:00:00.250Z", datetime(2026, 3, 4, 18, 0, 0, 250000, tzinfo=UTC)),
    ("yesterday", None),
    ("1999-12-31T23:59:59Z", None),
    ("", None),
]
PROPS: list[Any] = [
    {},
    {"plan": "pro"},
    {"$set": {"plan": "team"}, "n": 1},
    {"$anon_distinct_id": "anon-1"},
    "{oops",
    "[1, 2]",
]


@dataclass(frozen=True)
class Row:
    id: str | None
    user: str
    event: str
    time: int
    props: int

    def record(self) -> dict[str, Any]:
        return {
            "uuid": self.id,
            "distinct_id": self.user,
            "event": self.event,
            "timestamp": TIMES[self.time][0],
            "properties": PROPS[self.props],
        }


rows = st.builds(
    Row,
    id=st.sampled_from(IDS),
    user=st.sampled_from(USERS),
    event=st.sampled_from(EVENTS),
    time=st.integers(0, len(TIMES) - 1),
    props=st.integers(0, len(PROPS) - 1),
)


def reference(file: list[Row], stored: dict[object, list[datetime]]) -> tuple[int, int, int]:
    """Plain Python: reject bad rows, then count each (uuid or content) key once.

    Like the store, an event already stored counts as a duplicate when its timestamp
    lies within the file's time range widened by ``DEDUPE_SLACK`` (where a retry or a
    re-export of it must be); ``stored`` maps each key to its stored timestamps.
    """
    usable = [TIMES[r.time][1] for r in file if r.user and r.event and TIMES[r.time][1] is not None]
    lo = min(usable, default=None)
    hi = max(usable, default=None)
    imported = duplicates = rejected = 0
    in_file: set[object] = set()
    for r in file:
        instant = TIMES[r.time][1]
        if not r.user or not r.event or instant is None or not isinstance(PROPS[r.props], dict):
            rejected += 1
            continue
        assert lo is not None and hi is not None
        key: object = (
            r.id
            if r.id is not None
            else (r.user, r.event, instant, json.dumps(PROPS[r.props], sort_keys=True))
        )
        earlier = any(lo - DEDUPE_SLACK <= t <= hi + DEDUPE_SLACK for t in stored.get(key, []))
        if key in in_file or earlier:
            duplicates += 1
        else:
            in_file.add(key)
            stored.setdefault(key, []).append(instant)
            imported += 1
    return imported, duplicates, rejected


def write(path: Path, fmt: str, file: list[Row]) -> Path:
    records = [r.record() for r in file]
    if fmt == "csv":
        return write_csv(path.with_suffix(".csv"), records)
    if fmt == "jsonl":
        return write_jsonl(path.with_suffix(".jsonl"), records)
    table = pa.table(
        {
            "uuid": pa.array([r["uuid"] for r in records], pa.string()),
            "distinct_id": [r["distinct_id"] for r in records],
            "event": [r["event"] for r in records],
            "timestamp": [r["timestamp"] for r in records],
            "properties": [
                p if isinstance(p, str) else json.dumps(p)
                for p in (r["properties"] for r in records)
            ],
        }
    )
    return write_parquet(path.with_suffix(".parquet"), table)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.lists(rows, min_size=0, max_size=14),
    extra=st.lists(rows, min_size=0, max_size=8),
    fmt=st.sampled_from(["csv", "jsonl", "parquet"]),
    data=st.data(),
)
def test_counts_match_the_reference(
    first: list[Row], extra: list[Row], fmt: str, data: st.DataObject
) -> None:
    # The second file repeats part of the first (a re-exported window) plus new rows.
    overlap = data.draw(st.lists(st.sampled_from(first), max_size=6)) if first else []
    second = data.draw(st.permutations([*overlap, *extra]))
    if not first and not second:
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = DuckDBEventStore(folder / "events.duckdb", threads=2)
        try:
            stored: dict[object, list[datetime]] = {}
            total = 0
            for name, file in (("first", first), ("second", second)):
                if not file:
                    continue
                result = run_import(store, write(folder / name, fmt, file))
                expected = reference(file, stored)
                total += expected[0]
                assert (result.imported, result.duplicates, result.rejected) == expected, (
                    name,
                    result.errors,
                )
                assert len(result.errors) == min(expected[2], 20)
            assert store.count("default") == total
        finally:
            store.close()
