"""``fieldnote``: one Typer app; every read command takes ``--json``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fieldnote.cli import (
    _accounts,
    _analytics,
    _book,
    _db,
    _delivery,
    _demo,
    _detect,
    _diaries,
    _digest,
    _events,
    _evidence,
    _export,
    _guides,
    _hypotheses,
    _import,
    _monitors,
    _opportunities,
    _panel,
    _participants,
    _projects,
    _releases,
    _search,
    _serve,
    _synthesize,
    _themes,
    _transcripts,
)
from fieldnote.cli._context import CliState

__all__ = ["app", "main"]

app = typer.Typer(
    name="fieldnote",
    help="Continuous discovery: product events, research questions, interviews and themes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="FIELDNOTE_HOME",
            help="Folder holding all state (default ./.fieldnote).",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = CliState(home)


app.add_typer(_projects.app, name="projects")
app.add_typer(_events.app, name="events")
app.add_typer(_db.app, name="db")
_serve.register(app)
app.add_typer(_accounts.users_app, name="users")
app.add_typer(_accounts.tokens_app, name="tokens")
_accounts.register(app)
_export.register(app)
_import.register(app)
_demo.register(app)
_digest.register(app)
_analytics.register(app)
_themes.register(app)
_synthesize.register(app)
app.add_typer(_book.app, name="book")
_detect.register(app)
_search.register(app)
app.add_typer(_monitors.monitors_app, name="monitors")
app.add_typer(_monitors.questions_app, name="questions")
app.add_typer(_guides.app, name="guides")
app.add_typer(_releases.app, name="releases")
app.add_typer(_hypotheses.app, name="hypotheses")
app.add_typer(_evidence.app, name="evidence")
app.add_typer(_opportunities.opportunities_app, name="opportunities")
app.add_typer(_opportunities.jobs_app, name="jobs")
app.add_typer(_transcripts.app, name="transcripts")
app.add_typer(_diaries.app, name="diaries")
app.add_typer(_participants.intercepts_app, name="intercepts")
app.add_typer(_participants.participants_app, name="participants")
app.add_typer(_delivery.studies_app, name="studies")
app.add_typer(_delivery.invitations_app, name="invitations")
_panel.register(app)


def main() -> None:
    app()
