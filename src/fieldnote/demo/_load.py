"""Putting the demo into an event store: one transaction, persons included.

Why not ``DuckDBEventStore.commit`` per batch: its per-batch work (duplicate checks
against stored events, and folding every batch into persons) is right for capture
but is most of the cost of loading a million synthetic events whose uuids are fresh
by construction. The bulk path here does what ``commit`` guarantees, differently:

* the project's previous demo data is deleted and the new events inserted in **one
  transaction**, so an interrupted run leaves the store as it was (and a finished one
  is marked by its row in ``demo_scenarios``);
* persons are built by ``fieldnote.events._persons.update_persons`` — the same code
  capture uses — run once over the events that matter to persons: each distinct_id's
  first event (person creation and ``created_at``), every merge event and every event
  carrying ``$set``/``$set_once``. That yields the same persons as folding every
  event batch by batch, at a fraction of the cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import duckdb
import orjson
import pyarrow as pa

from fieldnote.demo._encode import Encoder
from fieldnote.demo._scenario import DemoConfig, Scenario, scenario_for
from fieldnote.demo._simulate import simulate
from fieldnote.events import DuckDBEventStore
from fieldnote.events._persons import update_persons

__all__ = [
    "GenerationResult",
    "Progress",
    "clear_demo",
    "demo_events",
    "generate_demo",
    "stored_scenario",
]

#: ``progress(stage, done, total)``: the CLI draws a bar; the library never prints.
Progress = Callable[[str, int, int], None]

BATCH_ROWS = 250_000

SCENARIO_SQL = """
CREATE TABLE IF NOT EXISTS demo_scenarios (
    project VARCHAR NOT NULL,
    scenario JSON NOT NULL,
    events BIGINT NOT NULL,
    generated_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
)
"""


@dataclass(frozen=True, kw_only=True)
class GenerationResult:
    """What ``generate_demo`` stored, and how long it took."""

    scenario: Scenario
    events: int
    persons: int
    seconds: float


def _has_scenarios(con: duckdb.DuckDBPyConnection) -> bool:
    row = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'demo_scenarios'"
    ).fetchone()
    return bool(row and row[0])


def stored_scenario(con: duckdb.DuckDBPyConnection, project: str) -> Scenario | None:
    """The scenario of the finished demo stored for ``project``, if any."""
    if not _has_scenarios(con):
        return None
    row = con.execute(
        "SELECT CAST(scenario AS VARCHAR) FROM demo_scenarios WHERE project = ? "
        "ORDER BY generated_at DESC LIMIT 1",
        [project],
    ).fetchone()
    return Scenario.from_json(orjson.loads(row[0])) if row else None


def clear_demo(con: duckdb.DuckDBPyConnection, project: str) -> None:
    """Delete a project's events, persons and demo marker (inside the caller's transaction)."""
    for table in ("events", "person_distinct_ids", "persons"):
        con.execute(f"DELETE FROM {table} WHERE project = ?", [project])
    if _has_scenarios(con):
        con.execute("DELETE FROM demo_scenarios WHERE project = ?", [project])


def demo_events(config: DemoConfig, *, batch_rows: int = BATCH_ROWS) -> Iterator[pa.Table]:
    """The demo's events as Arrow batches in the store's schema, oldest first.

    For callers that write elsewhere (a capture server, Parquet) and for checking that
    a seed reproduces the same events.
    """
    encoder = Encoder.build(simulate(scenario_for(config)))
    yield from encoder.batches(batch_rows)


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def generate_demo(
    store: DuckDBEventStore, config: DemoConfig, *, progress: Progress | None = None
) -> GenerationResult:
    """Replace ``config.project``'s data with a freshly generated demo."""
    began = time.perf_counter()
    report = progress or (lambda _stage, _done, _total: None)
    scenario = scenario_for(config)
    report("simulating users", 0, 1)
    sim = simulate(scenario)
    encoder = Encoder.build(sim)
    report("simulating users", 1, 1)
    con = store.connection
    project = config.project
    con.execute(SCENARIO_SQL)
    con.execute("BEGIN TRANSACTION")
    try:
        clear_demo(con, project)
        done = 0
        for batch in encoder.batches(BATCH_ROWS):
            con.register("_fn_demo_batch", batch)
            try:
                con.execute(
                    """
                    INSERT INTO events (uuid, project, distinct_id, event, timestamp, properties)
                    SELECT CAST(uuid AS UUID), project, distinct_id, event, timestamp, properties
                    FROM _fn_demo_batch
                    """
                )
            finally:
                con.unregister("_fn_demo_batch")
            done += batch.num_rows
            report("writing events", done, sim.n_events)
        report("building persons", 0, 1)
        # A view, not a copy: update_persons reads the project's events where they lie.
        con.execute(
            "CREATE OR REPLACE TEMP VIEW _fn_demo_events AS "
            "SELECT project, distinct_id, event, timestamp, CAST(properties AS VARCHAR) AS properties "
            f"FROM events WHERE project = {_sql_string(project)}"
        )
        update_persons(con, "_fn_demo_events")
        con.execute("DROP VIEW _fn_demo_events")
        con.execute(
            "INSERT INTO demo_scenarios (project, scenario, events) VALUES (?, ?, ?)",
            [project, orjson.dumps(scenario.to_json()).decode(), sim.n_events],
        )
        row = con.execute("SELECT count(*) FROM persons WHERE project = ?", [project]).fetchone()
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    report("building persons", 1, 1)
    return GenerationResult(
        scenario=scenario,
        events=sim.n_events,
        persons=int(row[0]) if row else 0,
        seconds=time.perf_counter() - began,
    )
