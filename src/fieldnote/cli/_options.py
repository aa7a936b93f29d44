"""Option types the CLI's commands share, declared once so every command spells
``--json``, ``--project``, ``--export`` and ``--engine`` the same way.

``ProjectOpt`` has the short ``-p``; ``ProjectLongOpt`` is the ``--project`` of the
commands that never had a short form (theme books, guides, diaries, transcripts): kept
apart so no command gains or loses a flag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "BookArg",
    "EngineOpt",
    "ExportOpt",
    "FromOpt",
    "JsonOpt",
    "ProjectLongOpt",
    "ProjectOpt",
    "ToOpt",
]

BookArg = Annotated[str, typer.Argument(help="Book name, e.g. study:12.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ProjectOpt = Annotated[str, typer.Option("--project", "-p", help="Project name.")]
ProjectLongOpt = Annotated[str, typer.Option("--project", help="Project name.")]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day (UTC date or ISO time), included.")
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (UTC date), included.")]
ExportOpt = Annotated[
    Path | None,
    typer.Option(help="Read a Parquet export (`fieldnote export DIR`) instead of the store."),
]
EngineOpt = Annotated[
    str, typer.Option(help="With --export: the engine that reads it, duckdb or spark.")
]
