"""``fieldnote db``: the research repository's schema."""

from __future__ import annotations

from typing import Annotated

import typer

from fieldnote.cli._context import emit, get_state
from fieldnote.repository import Repository

app = typer.Typer(help="The research repository database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(
    ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False
) -> None:
    """Apply pending migrations to the research repository."""
    st = get_state(ctx)
    from fieldnote.home import Home

    home = Home.at(st.settings.home)
    repo = Repository(home.repository_url(st.settings.database_url))
    before = repo.current_revision()
    after = repo.upgrade()
    repo.dispose()
    emit(
        {"from": before, "to": after},
        as_json=as_json,
        text=f"repository migrated: {before or 'empty'} → {after}",
    )
