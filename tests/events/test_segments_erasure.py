"""Erasure in scale-out mode: every Parquet file of the segments folder (live,
superseded-but-not-yet-deleted, compacted, persons generations) loses the person's
email, name and phone, their ids become the pseudonym, and the events stay."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from fieldnote.events import events_to_arrow
from fieldnote.events._model import Event
from fieldnote.events.segments import (
    CompactionBusyError,
    ParquetSegmentSink,
    SegmentsLayout,
    compact_segments,
    erase_in_segments,
)
from fieldnote.events.segments._compact import exclusive

EMAIL = "selma.okafor@fjordline.example"
NAME = "Selma Okafor"
PHONE = "+47 912 34 567"
SECRETS = (EMAIL, NAME, PHONE)
PSEUDONYM = "erased-0123456789abcdef"
_WHOLE = re.compile("|".join(re.escape(s) for s in SECRETS), re.IGNORECASE)
T0 = datetime(2026, 11, 3, 8, tzinfo=UTC)


def _event(i: int, who: str, name: str, props: dict[str, object], day: int = 0) -> Event:
    return Event(
        uuid=str(uuid.UUID(int=i + 1)),
        project="shop",
        distinct_id=who,
        event=name,
        timestamp=T0 + timedelta(days=day, minutes=i),
        properties_json=json.dumps(props),
    )


def _history() -> list[list[Event]]:
    """Three commits over two days: an anonymous visit, the identify, later use."""
    crowd = [_event(100 + i, f"visitor-{i % 4}", "$pageview", {"i": i}) for i in range(20)]
    return [
        [_event(0, "anon-9", "$pageview", {"$current_url": "https://shop.example/"}), *crowd],
        [
            _event(
                1,
                EMAIL,
                "$identify",
                {"$anon_distinct_id": "anon-9", "$set": {"email": EMAIL, "name": NAME}},
            ),
            _event(2, "visitor-1", "referral", {"note": f"invited by {EMAIL}"}),
        ],
        [
            _event(3, EMAIL, "purchase", {"phone": PHONE, "total": 40}, day=1),
            _event(4, "anon-9", "$pageview", {"path": "/thanks"}, day=1),
        ],
    ]


def _raw_hits(root: Path) -> list[str]:
    """The secrets in any file's bytes, and in any Parquet file's decoded values (a
    compressed page could hide them from the byte scan)."""
    hits = []
    for p in root.rglob("*"):
        if not p.is_file():
            continue
        texts = [p.read_bytes().decode("latin-1")]
        if p.suffix == ".parquet":
            texts.append(str(pq.read_table(p).to_pylist()))
        hits += [f"{p.relative_to(root)}: {m}" for t in texts for m in _WHOLE.findall(t)]
    return hits


def _live(root: Path) -> list[tuple[str, str, str]]:
    files = [str(p) for p in SegmentsLayout(root).event_files()]
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT DISTINCT uuid, distinct_id, event FROM read_parquet(?) ORDER BY uuid", [files]
        ).fetchall()
    finally:
        con.close()
    return [(str(u), str(d), str(e)) for u, d, e in rows]


def test_erasure_rewrites_every_segment_file_that_holds_the_person(tmp_path: Path) -> None:
    root = tmp_path / "segments"
    sink = ParquetSegmentSink(root, compression="none")  # plain bytes: the scan sees them
    first, second, third = _history()
    sink.commit(events_to_arrow(first))
    sink.commit(events_to_arrow(second))
    compact_segments(root)  # a compacted file, superseded inputs kept, persons derived
    sink.commit(events_to_arrow(third))  # and a file compaction has not seen yet
    assert len(_raw_hits(root)) >= 8
    before = _live(root)

    done = erase_in_segments(root, "shop", [EMAIL], PSEUDONYM, SECRETS)

    assert _raw_hits(root) == []
    assert done.files_rewritten >= 4 and done.rows >= 5
    after = _live(root)
    assert len(after) == len(before) == 25  # every event kept, none doubled
    own = [e for _, d, e in after if d == PSEUDONYM]
    assert sorted(own) == ["$identify", "$pageview", "$pageview", "purchase"]  # anon-9 too
    assert {d for _, d, _ in after} - {PSEUDONYM} == {f"visitor-{i}" for i in range(4)}
    # a later compaction derives persons from the pseudonymised history
    compact_segments(root, grace=timedelta(0))
    assert _raw_hits(root) == []
    persons = SegmentsLayout(root).persons_dir()
    assert persons is not None
    con = duckdb.connect()
    try:
        ids = con.execute(
            "SELECT distinct_id FROM read_parquet(?) ORDER BY 1",
            [str(persons / "person_distinct_ids.parquet")],
        ).fetchall()
    finally:
        con.close()
    assert (PSEUDONYM,) in ids and ("anon-9",) not in ids
    again = erase_in_segments(root, "shop", [EMAIL], PSEUDONYM, SECRETS)
    assert (again.files_rewritten, again.rows) == (0, 0)


def test_erasure_waits_for_no_compaction(tmp_path: Path) -> None:
    root = tmp_path / "segments"
    ParquetSegmentSink(root).commit(events_to_arrow(_history()[1]))
    (root / "_compactions").mkdir(exist_ok=True)
    with (
        exclusive(root / "_compactions" / ".lock"),
        pytest.raises(CompactionBusyError, match="another compaction is running on"),
    ):
        erase_in_segments(root, "shop", [EMAIL], PSEUDONYM, SECRETS)
    assert {d for _, d, _ in _live(root)} == {EMAIL, "visitor-1"}
