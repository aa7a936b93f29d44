"""``fieldnote projects``: create and list projects."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.repository import ProjectError

app = typer.Typer(help="Projects (one per studied product) and their keys.", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Project name: lowercase letters, digits, - and _.")],
    as_json: JsonOpt = False,
) -> None:
    """Create a project; print its public write key and its secret (read) key, once."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        creds = fn.projects.create(name)
    emit(
        {"name": creds.name, "write_key": creds.write_key, "secret_key": creds.secret_key},
        as_json=as_json,
        text=(
            f"Created project [bold]{creds.name}[/]\n"
            f"  write key  (public, send events): {creds.write_key}\n"
            f"  secret key (reads; shown once)  : {creds.secret_key}"
        ),
    )


@app.command("list")
def list_(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """List projects and their public write keys."""
    fn = get_state(ctx).fieldnote
    projects = fn.projects.list()
    if as_json:
        emit(
            {
                "projects": [
                    {
                        "name": p.name,
                        "write_key": p.write_key,
                        "created_at": p.created_at.isoformat(),
                    }
                    for p in projects
                ]
            },
            as_json=True,
        )
        return
    table = Table("name", "write key", "created")
    for p in projects:
        table.add_row(p.name, p.write_key, p.created_at.isoformat(timespec="seconds"))
    emit(table, as_json=False)
