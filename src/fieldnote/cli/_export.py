"""``fieldnote export`` and ``fieldnote compact``: Parquet for Spark and other engines.

``export`` copies the DuckDB store into a Parquet folder that the Spark engine (or
any lake engine) reads. While a server owns the store the CLI cannot open the file,
so it asks the server to write the export (through the admin API, as ``events``
does). ``compact`` deduplicates and compacts a scale-out segments folder.
"""

from __future__ import annotations

from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer

from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.repository import ProjectError

__all__ = ["register"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def register(app: typer.Typer) -> None:
    app.command("export")(export)
    app.command("compact")(compact)


def export(
    ctx: typer.Context,
    directory: Annotated[
        Path, typer.Argument(help="Folder to write (created; an earlier export is replaced).")
    ],
    project: Annotated[
        str | None, typer.Option("--project", "-p", help="Only this project (default: all).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Export events and persons as Parquet (for the Spark engine, see docs/scaling.md)."""
    from fieldnote.events.engines import ExportError, export_store  # Ibis: only when used

    fn = get_state(ctx).fieldnote
    if project is not None:
        with refusing(ProjectError, as_json=as_json):
            fn.projects.require(project)
    target = directory.expanduser().resolve()
    info = fn.home.running_server()
    if info is not None:
        client = ServerClient(info)
        try:
            result = client.post("/api/export", {"path": str(target), "project": project})
        except ServerError as exc:
            fail(f"the running server ({info.base_url}) could not export: {exc}", as_json=as_json)
        finally:
            client.close()
    else:
        if not fn.home.events_path.exists():
            fail(f"no event store in {fn.home.root} yet: nothing to export", as_json=as_json)
        store = fn.open_event_store(read_only=True)
        with closing(store), refusing(ExportError, as_json=as_json):
            result = export_store(store.connection, target, project=project).to_json()
    emit(
        result,
        as_json=as_json,
        text=(
            f"Exported {result['events']:,} events and {result['persons']:,} persons "
            f"({', '.join(result['projects']) or 'no projects'}) to {result['path']}"
        ),
    )


def compact(
    directory: Annotated[
        Path, typer.Argument(help="The segments folder (FIELDNOTE_SEGMENTS_DIR).")
    ],
    grace_minutes: Annotated[
        float,
        typer.Option(
            "--grace-minutes",
            min=0,
            help="Keep superseded files this long for readers still using them.",
        ),
    ] = 10.0,
    persons: Annotated[
        bool, typer.Option("--persons/--no-persons", help="Also derive persons.")
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Deduplicate and compact a segments folder written by scale-out capture."""
    from fieldnote.events.segments import CompactionBusyError, compact_segments

    folder = directory.expanduser().resolve()
    if not folder.is_dir():
        fail(f"no segments folder at {folder}", as_json=as_json)
    with refusing(CompactionBusyError, as_json=as_json):
        result = compact_segments(folder, grace=timedelta(minutes=grace_minutes), persons=persons)
    data = {
        "generation": result.generation,
        "partitions": result.partitions,
        "files_in": result.files_in,
        "files_out": result.files_out,
        "rows_in": result.rows_in,
        "rows_out": result.rows_out,
        "duplicates_removed": result.duplicates_removed,
        "persons": result.persons,
        "files_deleted": result.files_deleted,
    }
    emit(
        data,
        as_json=as_json,
        text=(
            f"Compacted {result.partitions} partitions: {result.rows_in:,} rows in "
            f"{result.files_in} files → {result.rows_out:,} rows in {result.files_out}; "
            f"{result.persons:,} persons; {result.files_deleted} superseded files deleted"
        ),
    )
