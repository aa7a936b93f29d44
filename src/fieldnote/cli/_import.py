"""``fieldnote import PATH``: bulk-load an export file (PostHog, Segment, Amplitude).

One writer: when ``fieldnote serve`` owns this home's event store the file is imported
by the server, on its writer thread (``POST /api/import`` with the admin token), so it
is serialised with live capture; otherwise the CLI opens the store itself. Both run
the same library call, ``fieldnote.events.importing.import_events``.
"""

from __future__ import annotations

import threading
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import duckdb
import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fieldnote.cli._context import emit, err_console, fail, get_state, refusing
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.events import DuckDBEventStore
from fieldnote.events.importing import (
    FORMATS,
    ImportFailedError,
    ImportInputError,
    ImportRequest,
    ImportResult,
    check_file,
    import_into_store,
    infer_format,
    parse_field_map,
)
from fieldnote.repository import DEFAULT_PROJECT, ProjectError

_STAGE_TEXT = {
    "scanning": "checking rows",
    "importing": "importing",
    "deduplicating": "finding duplicates",
    "persons": "updating persons",
    "reporting": "listing rejected rows",
}


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        ctx: typer.Context,
        path: Annotated[
            Path, typer.Argument(help="CSV, JSON Lines or Parquet file.", show_default=False)
        ],
        fmt: Annotated[
            str | None,
            typer.Option(
                "--format",
                help=f"{' | '.join(FORMATS)}; default: from the file's extension.",
                show_default=False,
            ),
        ] = None,
        field_map: Annotated[
            str | None,
            typer.Option(
                "--map",
                help="FIELD=COLUMN,... e.g. distinct_id=user,event=action,timestamp=ts "
                "(fields: uuid, distinct_id, event, timestamp, properties, person_properties).",
                show_default=False,
            ),
        ] = None,
        project: Annotated[str, typer.Option("--project", "-p", help="Project name.")] = (
            DEFAULT_PROJECT
        ),
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Import events from an export file; re-running it imports nothing twice."""
        st = get_state(ctx)
        fn = st.fieldnote
        absolute = path.expanduser().absolute()
        with refusing(ImportInputError, as_json=as_json):
            check_file(absolute)  # fail fast; the library checks again where it runs
            infer_format(absolute, fmt)
            parse_field_map(field_map)
        with refusing(ProjectError, as_json=as_json):
            fn.projects.require(project)

        info = fn.home.running_server()
        if info is not None:
            body = {"path": str(absolute), "project": project, "format": fmt, "map": field_map}
            client = ServerClient(info)
            with closing(client), refusing(ServerError, as_json=as_json):
                if as_json:
                    data: dict[str, Any] = client.post("/api/import", body)
                else:
                    with err_console.status(
                        f"importing {absolute.name} through the running server "
                        f"(pid {info.pid}, {info.base_url})"
                    ):
                        data = client.post("/api/import", body)
            _report(data, absolute, as_json=as_json)
            return

        request = ImportRequest(
            path=absolute,
            project=project,
            format=fmt,
            field_map=field_map,
            oldest_year=st.settings.oldest_timestamp_year,
            future_tolerance=timedelta(seconds=st.settings.future_tolerance_seconds),
        )
        try:
            store = fn.open_event_store()
        except duckdb.Error as exc:
            fail(
                f"cannot open {fn.home.events_path} for writing ({str(exc).splitlines()[0]}); "
                "is another fieldnote process using it?",
                as_json=as_json,
            )
        with closing(store), refusing(ImportInputError, ImportFailedError, as_json=as_json):
            result = _run_with_progress(store, request, show=not as_json)
        _report(result.to_dict(), absolute, as_json=as_json, result=result)


def _run_with_progress(
    store: DuckDBEventStore, request: ImportRequest, *, show: bool
) -> ImportResult:
    """Run the import here; a side thread turns DuckDB's query progress into a bar."""
    if not show:
        return import_into_store(store, request)
    con = store.connection
    stage = {"name": "opening"}
    done = threading.Event()
    with Progress(
        TextColumn("[bold]{task.description:<22}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("opening", total=100)

        def poll() -> None:
            while not done.wait(0.2):
                try:
                    pct = con.query_progress()
                except duckdb.Error:
                    pct = -1
                progress.update(
                    task,
                    description=_STAGE_TEXT.get(stage["name"], stage["name"]),
                    completed=max(0.0, min(pct, 100.0)),
                )

        def on_stage(name: str) -> None:
            stage["name"] = name

        poller = threading.Thread(target=poll, name="import-progress", daemon=True)
        poller.start()
        try:
            return import_into_store(store, request, on_stage=on_stage)
        finally:
            done.set()
            poller.join()


def _report(
    data: dict[str, Any], path: Path, *, as_json: bool, result: ImportResult | None = None
) -> None:
    if as_json:
        emit(data, as_json=True)
        return
    took = f" in {result.seconds:.1f} s" if result is not None else ""
    lines = [
        f"Imported [bold]{data['imported']:,}[/] events from {escape(path.name)}{took}: "
        f"{data['duplicates']:,} duplicates skipped, {data['rejected']:,} rows rejected."
    ]
    errors = list(data.get("errors") or [])
    if errors:
        lines.append("Rejected rows" + (" (first ones)" if data["rejected"] > len(errors) else ""))
        lines.extend(f"  {escape(str(e))}" for e in errors)
    emit("\n".join(lines), as_json=False)
