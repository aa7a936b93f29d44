"""The copy check (uuids a file holds more than once) runs beside the persons' compact
relation: its split sort finds exactly the repeated values, and copies it finds leave
persons as if the file had held the first copies only."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fieldnote.events.importing._settle as settle
from fieldnote.events import DuckDBEventStore
from tests.events.importing.import_helpers import persons, run_import, stored, write_csv

#: Keys on both sides of the top bit (the split), and the extremes.
_VALUES = st.sampled_from(
    [0, 1, 2, 2**16, 2**31 - 1, 2**31, 2**31 + 1, 2**32 - 2, 2**32 - 1]
) | st.integers(min_value=0, max_value=2**32 - 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=60))
def test_the_split_sort_finds_exactly_the_values_that_repeat(values: list[int]) -> None:
    hashes = np.array(values, dtype=np.uint32)
    with ThreadPoolExecutor(2) as pool:
        parts = settle.repeated_in_halves(hashes, pool)
        found = sorted(int(v) for part in parts for v in part.result())
    assert found == sorted(v for v, n in Counter(values).items() if n > 1)


def _row(uuid: str, who: str, minute: int, props: dict[str, object]) -> dict[str, object]:
    return {
        "uuid": uuid,
        "distinct_id": who,
        "event": "signup",
        "timestamp": f"2026-03-02T09:{minute:02d}:00Z",
        "properties": props,
    }


_A, _B, _C = (f"0196b000-0000-7000-8000-{n:012d}" for n in (1, 2, 3))


@pytest.mark.parametrize("sort_check", [True, False], ids=["hash-sort", "aggregate-only"])
def test_persons_come_from_the_first_copies_only(
    store: DuckDBEventStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sort_check: bool
) -> None:
    # The later copies carry other distinct_ids, earlier timestamps and $set: had the
    # persons' compact relation (built while the copies were being looked for) not been
    # built again after removing them, persons would show it.
    if not sort_check:
        monkeypatch.setattr(settle, "SORT_CHECK_MAX_ROWS", 0)
    firsts = [
        _row(_A, "u-a", 10, {"$set": {"plan": "free"}}),
        _row(_B, "u-b", 11, {}),
        _row(_C, "u-c", 12, {"$set_once": {"source": "ads"}}),
    ]
    copies = [
        _row(_A, "u-x", 1, {"$set": {"plan": "team"}}),
        _row(_B, "u-b", 2, {"$set": {"plan": "pro"}}),
        _row(_A, "u-a", 3, {"$set": {"plan": "enterprise"}}),
    ]
    with_copies = write_csv(
        tmp_path / "copies.csv", [firsts[0], copies[0], *firsts[1:], *copies[1:]]
    )
    only_firsts = write_csv(tmp_path / "firsts.csv", firsts)

    got = run_import(store, with_copies, project="copies")
    want = run_import(store, only_firsts, project="firsts")

    assert (got.imported, got.duplicates, got.rejected) == (3, 3, 0)
    assert persons(store, "copies") == persons(store, "firsts")
    assert persons(store, "copies")[frozenset({"u-a"})] == {"plan": "free"}
    assert {u: (e.distinct_id, e.timestamp) for u, e in stored(store, "copies").items()} == {
        u: (e.distinct_id, e.timestamp) for u, e in stored(store, "firsts").items()
    }
    assert want.imported == 3
    first_seen = store.connection.execute(
        """
        SELECT p.project, m.distinct_id, p.created_at FROM persons p
        JOIN person_distinct_ids m USING (project, person_id) ORDER BY ALL
        """
    ).fetchall()
    by_project: dict[str, list[tuple[str, object]]] = {}
    for project, who, created in first_seen:
        by_project.setdefault(project, []).append((who, created))
    assert by_project["copies"] == by_project["firsts"]
