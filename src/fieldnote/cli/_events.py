"""``fieldnote events``: read events back, also while ``fieldnote serve`` runs."""

from __future__ import annotations

import time
from contextlib import closing
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.repository import DEFAULT_PROJECT, ProjectError

app = typer.Typer(help="Read events back.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ProjectOpt = Annotated[str, typer.Option("--project", "-p", help="Project name.")]


def _via_server_or_file(ctx: typer.Context, project: str, as_json: bool) -> tuple[Any, Any]:
    settings = get_state(ctx).settings
    if settings.server_url:  # another machine's server, with a personal API token
        return ServerClient.remote(settings.server_url, settings.token), None
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)
    info = fn.home.running_server()
    if info is not None:
        return ServerClient(info), None
    return None, fn.open_event_store(read_only=True)


@app.command("count")
def count(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """Count a project's events."""
    client, store = _via_server_or_file(ctx, project, as_json)
    with closing(client or store), refusing(ServerError, as_json=as_json):
        if client is not None:
            n = int(client.get(f"/api/projects/{project}/events/count")["count"])
        else:
            n = store.count(project)
    emit({"count": n}, as_json=as_json, text=f"{n:,} events in {project}")


def _rows(client: Any, store: Any, project: str, limit: int) -> list[dict[str, Any]]:
    if client is not None:
        return list(client.get(f"/api/projects/{project}/events/tail", limit=limit)["events"])
    return [
        {
            "uuid": e.uuid,
            "distinct_id": e.distinct_id,
            "event": e.event,
            "timestamp": e.timestamp.isoformat(),
            "properties": e.properties,
            "inserted_at": e.inserted_at.isoformat() if e.inserted_at else None,
        }
        for e in store.tail(project, limit)
    ]


@app.command("tail")
def tail(
    ctx: typer.Context,
    project: ProjectOpt = DEFAULT_PROJECT,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000)] = 20,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new events.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Show the latest events (``--follow`` keeps watching; JSON lines with ``--json``)."""
    client, store = _via_server_or_file(ctx, project, as_json)
    seen: set[str] = set()
    try:
        while True:
            rows = [r for r in _rows(client, store, project, limit) if r["uuid"] not in seen]
            seen.update(r["uuid"] for r in rows)
            if as_json and not follow:
                emit({"events": rows}, as_json=True)
            elif as_json:
                for r in rows:
                    emit(r, as_json=True)
            elif rows:
                table = Table("received", "timestamp", "event", "distinct_id", "properties")
                for r in rows:
                    props = str(r["properties"])
                    table.add_row(
                        str(r["inserted_at"])[:19],
                        r["timestamp"][:19],
                        r["event"],
                        r["distinct_id"],
                        props[:60] + ("…" if len(props) > 60 else ""),
                    )
                emit(table, as_json=False)
            if not follow:
                return
            time.sleep(1.0)
    except ServerError as exc:
        fail(str(exc), as_json=as_json)
    except KeyboardInterrupt:
        return
    finally:
        (client or store).close()
