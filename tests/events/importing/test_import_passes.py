"""The one-pass import (fresh project) and the two-pass import (project with events)
count, keep and report exactly the same, and leave nothing of rejected rows behind."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

import fieldnote.events.importing._settle as settle
from fieldnote.events import DuckDBEventStore
from tests.events.importing.import_helpers import persons, run_import, stored, write_parquet

HEADER = "uuid,distinct_id,event,timestamp,properties\n"


def _uuid(n: int) -> str:
    return f"0196b000-0000-7000-8000-{n:012d}"


def _messy_csv(path: Path) -> Path:
    path.write_text(
        HEADER
        + f'{_uuid(1)},u-1,signup,2026-03-02T09:01:00Z,"{{""$set_once"": {{""first"": 1}}}}"\n'
        + f"{_uuid(2)},,signup,2026-03-02T09:02:00Z,\n"
        + f"{_uuid(3)},u-3,signup,not a time,\n"
        + f'{_uuid(4)},u-4,signup,2026-03-02T09:04:00Z,"{{broken"\n'
        + f'{_uuid(5)},u-5,clicked,2026-03-02T09:05:00Z,"{{""$settings"": 1}}"\n'
        + f'{_uuid(1)},u-1,signup,2026-03-02T09:06:00Z,"{{""retry"": true}}"\n'
    )
    return path


def _stand_ins(store: DuckDBEventStore) -> int:
    """Rows no valid import can store (the one-pass import's stand-ins, if any stayed)."""
    row = store.connection.execute(
        "SELECT count(*) FROM events WHERE event = '' OR distinct_id = ''"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_fresh_and_filled_projects_count_and_report_the_same(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = _messy_csv(tmp_path / "messy.csv")
    # "filled" already holds an event in the file's time range: the import then takes
    # the two-pass path with the anti-join; "fresh" holds nothing: one pass.
    seed = tmp_path / "seed.csv"
    seed.write_text(HEADER + f"{_uuid(99)},u-99,seen,2026-03-02T09:00:00Z,\n")
    assert run_import(store, seed, project="filled").imported == 1

    fresh = run_import(store, path, project="fresh")
    filled = run_import(store, path, project="filled")

    assert fresh.to_dict() == filled.to_dict()
    assert (fresh.imported, fresh.duplicates, fresh.rejected) == (2, 1, 3)
    assert fresh.errors == [
        "row 2: distinct_id is missing",
        "row 3: timestamp 'not a time' is not a timestamp",
        "row 4: properties '{broken' are not a JSON object",
    ]
    assert set(stored(store, "fresh")) == {_uuid(1), _uuid(5)}
    assert set(stored(store, "filled")) == {_uuid(1), _uuid(5), _uuid(99)}
    assert _stand_ins(store) == 0
    # The first copy of uuid 1 was kept, and its $set_once reached the person.
    assert stored(store, "fresh")[_uuid(1)].properties == {"$set_once": {"first": 1}}
    assert persons(store, "fresh")[frozenset({"u-1"})] == {"first": 1}
    filled_persons = persons(store, "filled")
    filled_persons.pop(frozenset({"u-99"}))
    assert persons(store, "fresh") == filled_persons


def test_a_file_of_only_bad_rows_leaves_the_store_as_it_was(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "".join(f"{_uuid(n)},u-{n},signup,later,\n" for n in range(1, 8)))

    result = run_import(store, path)

    assert (result.imported, result.duplicates, result.rejected) == (0, 0, 7)
    assert store.count("default") == 0
    assert _stand_ins(store) == 0
    assert persons(store) == {}


@pytest.mark.parametrize("sort_check", [True, False], ids=["hash-sort", "aggregate-only"])
def test_a_uuid_twice_in_a_parquet_file_keeps_the_first_copy(
    store: DuckDBEventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sort_check: bool
) -> None:
    # Without the sort check (files past SORT_CHECK_MAX_ROWS) DuckDB's aggregate alone
    # finds the copies: both ways must agree.
    if not sort_check:
        monkeypatch.setattr(settle, "SORT_CHECK_MAX_ROWS", 0)
    t = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    rows = [
        {"uuid": _uuid(n % 3), "distinct_id": f"u-{n}", "event": "e", "timestamp": t}
        for n in range(6)
    ]
    path = write_parquet(tmp_path / "e.parquet", pa.Table.from_pylist(rows))

    result = run_import(store, path)

    assert (result.imported, result.duplicates, result.rejected) == (3, 3, 0)
    kept = stored(store)
    assert {u: e.distinct_id for u, e in kept.items()} == {
        _uuid(0): "u-0",
        _uuid(1): "u-1",
        _uuid(2): "u-2",
    }
    # Only the kept copies made persons.
    assert set(persons(store)) == {frozenset({f"u-{n}"}) for n in range(3)}
