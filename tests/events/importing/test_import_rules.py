"""What an import promises: each event once, bad rows reported not fatal, all or nothing."""

from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from fieldnote.events import DuckDBEventStore, Event, events_to_arrow
from fieldnote.events.importing import (
    ImportFailedError,
    ImportInputError,
    ImportRequest,
    import_into_store,
)
from tests.events.importing.import_helpers import (
    persons,
    run_import,
    stored,
    write_csv,
    write_jsonl,
    write_parquet,
)

HEADER = "uuid,distinct_id,event,timestamp,properties\n"


def _uuid(n: int) -> str:
    return f"0196a000-0000-7000-8000-{n:012d}"


def _row(n: int, *, user: str = "u-1", event: str = "report_created", ts: str = "") -> str:
    ts = ts or f"2026-03-02T09:{n % 60:02d}:00Z"
    return f'{_uuid(n)},{user},{event},{ts},"{{""n"": {n}}}"\n'


def test_reimport_and_overlapping_files_store_each_event_once(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    monday = tmp_path / "monday.csv"
    monday.write_text(HEADER + "".join(_row(n) for n in range(1, 6)))
    overlap = tmp_path / "monday-and-tuesday.csv"
    overlap.write_text(HEADER + "".join(_row(n) for n in range(4, 9)))

    assert run_import(store, monday).to_dict() == {
        "imported": 5,
        "duplicates": 0,
        "rejected": 0,
        "errors": [],
    }
    again = run_import(store, monday)
    assert (again.imported, again.duplicates) == (0, 5)
    both = run_import(store, overlap)
    assert (both.imported, both.duplicates) == (3, 2)
    assert store.count("default") == 8


def test_events_captured_live_are_duplicates_of_the_export(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    live = [
        Event(
            uuid=_uuid(n),
            project="default",
            distinct_id="u-1",
            event="report_created",
            timestamp=datetime(2026, 3, 2, 9, n, tzinfo=UTC),
            properties_json=f'{{"n": {n}}}',
        )
        for n in (1, 2)
    ]
    store.append(events_to_arrow(live))
    path = tmp_path / "export.csv"
    path.write_text(HEADER + "".join(_row(n) for n in (1, 2, 3)))

    result = run_import(store, path)

    assert (result.imported, result.duplicates) == (1, 2)
    assert store.count("default") == 3


def test_same_uuid_in_two_projects_is_two_events(store: DuckDBEventStore, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(HEADER + _row(1))

    assert run_import(store, path, project="web").imported == 1
    assert run_import(store, path, project="mobile").imported == 1


def test_a_uuid_twice_in_one_file_keeps_the_first_copy(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = tmp_path / "retried.csv"
    path.write_text(
        HEADER
        + _row(1)
        + f'{_uuid(2)},u-2,signup,2026-03-02T09:02:00Z,"{{""$set"": {{""plan"": ""free""}}}}"\n'
        + _row(3)
        + f'{_uuid(2)},u-2,signup,2026-03-02T09:02:05Z,"{{""$set"": {{""plan"": ""pro""}}}}"\n'
        + f'{_uuid(2)},u-2,signup,2026-03-02T09:02:09Z,"{{""retry"": 2}}"\n'
    )

    result = run_import(store, path)

    assert (result.imported, result.duplicates, result.rejected) == (3, 2, 0)
    kept = stored(store)[_uuid(2)]
    assert kept.timestamp == datetime(2026, 3, 2, 9, 2, tzinfo=UTC)
    assert kept.properties == {"$set": {"plan": "free"}}
    # Persons saw only the copy that was kept.
    assert persons(store)[frozenset({"u-2"})] == {"plan": "free"}


def test_rows_without_uuid_get_one_from_their_content(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = tmp_path / "no-ids.jsonl"
    same = {"distinct_id": "u-1", "event": "clicked", "timestamp": "2026-03-02T09:30:00Z"}
    write_jsonl(
        path,
        [
            {**same, "properties": {"button": "buy"}},
            {**same, "properties": {"button": "buy"}},  # a true duplicate
            {**same, "properties": {"button": "share"}},  # same time, other content
        ],
    )

    first = run_import(store, path)
    second = run_import(store, path)

    assert (first.imported, first.duplicates) == (2, 1)
    assert (second.imported, second.duplicates) == (0, 3)


def test_bad_rows_are_rejected_with_their_row_and_reason(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    future = (datetime.now(UTC) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    path = tmp_path / "messy.csv"
    path.write_text(
        HEADER
        + _row(1)
        + f"{_uuid(2)},,report_created,2026-03-02T09:02:00Z,\n"
        + f"{_uuid(3)},u-3,,2026-03-02T09:03:00Z,\n"
        + f"{_uuid(4)},u-4,report_created,,\n"
        + f"{_uuid(5)},u-5,report_created,yesterday,\n"
        + f"{_uuid(6)},u-6,report_created,1970-01-01T00:00:00Z,\n"
        + f"{_uuid(7)},u-7,report_created,{future},\n"
        + f'{_uuid(8)},u-8,report_created,2026-03-02T09:08:00Z,"[""not"", ""an object""]"\n'
        + f'{_uuid(9)},u-9,report_created,2026-03-02T09:09:00Z,"{{broken"\n'
        + _row(10)
    )

    result = run_import(store, path)

    assert (result.imported, result.duplicates, result.rejected) == (2, 0, 8)
    assert result.errors == [
        "row 2: distinct_id is missing",
        "row 3: event is missing",
        "row 4: timestamp is missing",
        "row 5: timestamp 'yesterday' is not a timestamp",
        "row 6: timestamp '1970-01-01T00:00:00Z' is before 2000-01-01 (absurd)",
        f"row 7: timestamp '{future}' is more than 23 h in the future",
        'row 8: properties \'["not", "an object"]\' are not a JSON object',
        "row 9: properties '{broken' are not a JSON object",
    ]
    assert store.count("default") == 2
    # Re-running: the good rows are duplicates now, the bad ones still rejected.
    again = run_import(store, path)
    assert (again.imported, again.duplicates, again.rejected) == (0, 2, 8)


def test_only_the_first_errors_are_listed(store: DuckDBEventStore, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "".join(f"{_uuid(n)},u,e,soon,\n" for n in range(1, 51)))

    result = run_import(store, path)

    assert (result.imported, result.rejected) == (0, 50)
    assert len(result.errors) == 20
    assert result.errors[0] == "row 1: timestamp 'soon' is not a timestamp"
    assert result.errors[-1].startswith("row 20: ")


def test_timestamps_in_every_common_spelling(store: DuckDBEventStore, tmp_path: Path) -> None:
    t = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    spellings = [
        "2026-03-02T09:30:00Z",
        "2026-03-02T09:30:00.000000+00:00",
        "2026-03-02T11:30:00+02:00",
        "2026-03-02 09:30:00",  # no zone: UTC
        "1772443800",  # Unix seconds
        "1772443800000",  # milliseconds
        "1772443800000000",  # microseconds
        "1772443800.0",
    ]
    rows = [
        {"uuid": _uuid(i), "distinct_id": "u", "event": "e", "timestamp": s}
        for i, s in enumerate(spellings)
    ]
    result = run_import(store, write_jsonl(tmp_path / "times.jsonl", rows))

    assert (result.imported, result.rejected) == (len(spellings), 0), result.errors
    assert {e.timestamp for e in stored(store).values()} == {t}


def test_jsonl_lines_that_are_not_objects_are_rejected(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    good = {"uuid": _uuid(1), "distinct_id": "u", "event": "e", "timestamp": "2026-03-02T09:30:00Z"}
    path = write_jsonl(tmp_path / "mixed.ndjson", [good, "{not json", "[1, 2]", "42"])

    result = run_import(store, path)

    assert (result.imported, result.rejected) == (1, 3)
    assert result.errors == [
        "row 2: not valid JSON",
        "row 3: not a JSON object",
        "row 4: not a JSON object",
    ]


def test_a_broken_csv_line_stops_the_import_and_writes_nothing(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    path = tmp_path / "truncated.csv"
    path.write_text(HEADER + "".join(_row(n) for n in range(1, 4)) + f"{_uuid(9)},u-9\n")

    with pytest.raises(ImportFailedError, match="nothing was written"):
        run_import(store, path)

    assert store.count("default") == 0
    assert persons(store) == {}


@pytest.mark.parametrize(
    ("setup", "kwargs", "message"),
    [
        (lambda d: d / "missing.csv", {}, "no such file: "),
        (lambda d: d, {}, "is a directory, not a file"),
        (lambda d: _touch(d / "empty.csv", ""), {}, "is empty"),
        (lambda d: _touch(d / "events.xlsx", "x"), {}, "cannot tell the format of 'events.xlsx'"),
        (lambda d: _touch(d / "e.csv", HEADER), {"format": "xml"}, "unknown format 'xml'"),
        (lambda d: _touch(d / "e.csv", HEADER), {"field_map": "user"}, "bad --map entry 'user'"),
        (
            lambda d: _touch(d / "e.csv", HEADER),
            {"field_map": "who=user"},
            "unknown field 'who' in --map",
        ),
        (
            lambda d: _touch(d / "e.csv", HEADER),
            {"field_map": "distinct_id=user"},
            "no column 'user' in e.csv",
        ),
        (
            lambda d: _touch(d / "e.csv", "who,what,at\nu,a,2026-03-02\n"),
            {},
            "cannot tell which column holds distinct_id, event and timestamp",
        ),
        (
            lambda d: _touch(d / "e.parquet", "not parquet at all"),
            {},
            "is not a readable Parquet file",
        ),
    ],
)
def test_bad_requests_fail_before_anything_is_written(
    store: DuckDBEventStore, tmp_path: Path, setup: object, kwargs: dict[str, str], message: str
) -> None:
    assert callable(setup)
    path = setup(tmp_path)

    with pytest.raises(ImportInputError, match=message.replace("(", r"\(").replace("'", "'")):
        run_import(store, path, **kwargs)

    assert store.count("default") == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file(store: DuckDBEventStore, tmp_path: Path) -> None:
    path = _touch(tmp_path / "secret.csv", HEADER)
    path.chmod(0)
    with pytest.raises(ImportInputError, match="permission denied"):
        run_import(store, path)


def test_a_pipe_is_not_a_file(store: DuckDBEventStore, tmp_path: Path) -> None:
    pipe = tmp_path / "events.csv"
    os.mkfifo(pipe)
    with pytest.raises(ImportInputError, match="is not a regular file"):
        run_import(store, pipe)


def test_format_is_taken_from_the_extension_or_given(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    rows = [{"uuid": _uuid(1), "distinct_id": "u", "event": "e", "timestamp": "2026-03-02"}]
    odd_name = write_csv(tmp_path / "export.data", rows)

    with pytest.raises(ImportInputError, match="pass --format"):
        run_import(store, odd_name)
    assert run_import(store, odd_name, format="csv").imported == 1
    parquet = write_parquet(tmp_path / "e.parquet", pa.Table.from_pylist(rows))
    assert run_import(store, parquet).duplicates == 1
    more = [{**rows[0], "uuid": _uuid(2)}, {**rows[0], "uuid": _uuid(3)}]
    array = tmp_path / "events.json"  # one JSON array, as some tools export
    array.write_text(json.dumps(more, indent=2))
    assert run_import(store, array).imported == 2
    packed = tmp_path / "events.csv.gz"
    with gzip.open(packed, "wt") as fh:
        fh.write(HEADER + _row(4) + _row(5))
    assert run_import(store, packed).imported == 2


def test_the_writer_connection_settings_are_left_as_they_were(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    con = store.connection
    con.execute("SET TimeZone = 'America/New_York'")
    path = tmp_path / "e.csv"
    path.write_text(HEADER + "".join(_row(n) for n in range(1, 4)))

    run_import(store, path)

    settings = con.execute(
        "SELECT current_setting('TimeZone'), current_setting('preserve_insertion_order')"
    ).fetchone()
    assert settings == ("America/New_York", True)
    # Imported naive or zoned timestamps were read as UTC all the same.
    assert {e.timestamp.hour for e in stored(store).values()} == {9}


def _touch(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_capture_after_an_import_still_counts_each_event_and_person_once(
    store: DuckDBEventStore, tmp_path: Path
) -> None:
    """The writer's in-memory indexes learn about what an import wrote."""
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def live(n: int, user: str) -> Event:
        return Event(
            uuid=_uuid(n),
            project="default",
            distinct_id=user,
            event="report_created",
            timestamp=now,
            properties_json="{}",
        )

    store.append(events_to_arrow([live(1, "u-live")]))  # the writer's indexes are loaded
    path = tmp_path / "recent.csv"
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    path.write_text(HEADER + "".join(_row(n, user="u-imported", ts=stamp) for n in (2, 3)))

    assert import_into_store(store, ImportRequest(path=path, project="default")).imported == 2

    # A capture retry of an imported event, by the imported person.
    result = store.append(events_to_arrow([live(2, "u-imported"), live(4, "u-imported")]))
    assert (result.inserted, result.duplicates) == (1, 1)
    mapped = store.connection.execute(
        "SELECT count(*) FROM person_distinct_ids WHERE distinct_id = 'u-imported'"
    ).fetchone()
    assert mapped == (1,)


def test_persons_from_an_import_equal_persons_from_capturing_the_same_events(
    tmp_path: Path,
) -> None:
    """The importer feeds persons a compact stand-in for its rows; the outcome must be
    what the store's own commit computes from every event."""
    t0 = datetime(2026, 3, 2, 8, tzinfo=UTC)
    rows: list[dict[str, object]] = []
    for i in range(60):
        anon, user = f"anon-{i % 7}", f"user-{i % 5}@example.com"
        props: dict[str, object] = {"$current_url": f"https://app.example.com/{i}"}
        event, who = "$pageview", anon
        if i % 9 == 4:
            event, who, props = "$identify", user, {"$anon_distinct_id": anon}
        elif i % 11 == 6:
            event, who, props = "$create_alias", user, {"alias": f"legacy-{i % 3}"}
        elif i % 4 == 1:
            event, who = "plan_changed", user
            props = {"$set": {"plan": ["free", "pro", "team"][i % 3]}, "$set_once": {"first": i}}
        rows.append(
            {
                "uuid": _uuid(i),
                "distinct_id": who,
                "event": event,
                "timestamp": (t0 + timedelta(minutes=3 * i)).isoformat(),
                "properties": props,
            }
        )
    imported = DuckDBEventStore(tmp_path / "imported.duckdb", threads=2)
    captured = DuckDBEventStore(tmp_path / "captured.duckdb", threads=2)
    try:
        result = run_import(imported, write_jsonl(tmp_path / "mix.jsonl", rows))
        assert result.imported == 60
        events = [
            Event(
                uuid=str(r["uuid"]),
                project="default",
                distinct_id=str(r["distinct_id"]),
                event=str(r["event"]),
                timestamp=datetime.fromisoformat(str(r["timestamp"])),
                properties_json=json.dumps(r["properties"]),
            )
            for r in rows
        ]
        # One batch, as the import is one transaction (persons depend on how events are
        # grouped: a merge decides whose $set_once values survive).
        captured.append(events_to_arrow(events))

        def created(store: DuckDBEventStore) -> set[tuple[str, str]]:
            return {
                (str(ids), str(at))
                for ids, at in store.connection.execute(
                    """
                    SELECT list(m.distinct_id ORDER BY m.distinct_id), p.created_at
                    FROM persons p JOIN person_distinct_ids m USING (project, person_id)
                    GROUP BY p.person_id, p.created_at
                    """
                ).fetchall()
            }

        assert persons(imported) == persons(captured)
        assert created(imported) == created(captured)
    finally:
        imported.close()
        captured.close()
