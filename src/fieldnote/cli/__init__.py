"""``fieldnote``: one Typer app; every read command takes ``--json``.

Its commands are registered lazily (``_lazy.COMMANDS``): a command imports only its
own module, so a CLI call does not pay for every other command's imports.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fieldnote.cli._context import CliState
from fieldnote.cli._lazy import LazyGroup

__all__ = ["app", "main"]

app = typer.Typer(
    name="fieldnote",
    help="Continuous discovery: product events, research questions, interviews and themes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=LazyGroup,  # the commands: fieldnote/cli/_lazy.py, each imported when used
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


def main() -> None:
    app()
