"""Helpers for the importer's tests: file writers and readers of what was stored."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from fieldnote.events import DuckDBEventStore, StoredEvent
from fieldnote.events.importing import ImportRequest, ImportResult, import_events


def write_csv(path: Path, rows: Sequence[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns)
        w.writeheader()
        for r in rows:
            w.writerow(
                {k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in r.items()}
            )
    return path


def write_jsonl(path: Path, rows: Sequence[dict[str, Any] | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def write_parquet(path: Path, table: pa.Table) -> Path:
    pq.write_table(table, path)
    return path


def run_import(store: DuckDBEventStore, path: Path, **kwargs: Any) -> ImportResult:
    kwargs.setdefault("project", "default")
    return import_events(store.connection, ImportRequest(path=path, **kwargs))


def stored(store: DuckDBEventStore, project: str = "default") -> dict[str, StoredEvent]:
    """Every stored event of ``project`` by uuid."""
    return {e.uuid: e for e in store.tail(project, 1000)}


def persons(
    store: DuckDBEventStore, project: str = "default"
) -> dict[frozenset[str], dict[str, Any]]:
    """Each person as {its distinct ids: its properties}."""
    rows = store.connection.execute(
        """
        SELECT list(m.distinct_id ORDER BY m.distinct_id), CAST(p.properties AS VARCHAR)
        FROM persons p JOIN person_distinct_ids m USING (project, person_id)
        WHERE p.project = ? GROUP BY p.person_id, p.properties
        """,
        [project],
    ).fetchall()
    return {frozenset(ids): json.loads(props) for ids, props in rows}
