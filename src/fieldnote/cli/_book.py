"""``fieldnote book ...``: a researcher's corrections to a theme book (thin over ThemeBook).

Books are named ``study:S`` by ``fieldnote synthesize --study S``. Every correction
persists and is respected by the next ``synthesize`` run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer
from rich.table import Table

from fieldnote.cli import _book_io
from fieldnote.cli._context import emit, refusing
from fieldnote.cli._options import BookArg, JsonOpt, ProjectLongOpt
from fieldnote.repository import DEFAULT_PROJECT, ThemeBook, ThemeBookError

__all__ = ["app"]

app = typer.Typer(
    help=(
        "Theme books: rename, merge, split themes; move and tag notes; import QDPX; "
        "participant attributes; themes over time and per segment."
    ),
    no_args_is_help=True,
)


def _apply(
    ctx: typer.Context, project: str, name: str, as_json: bool, change: Callable[[ThemeBook], Any]
) -> None:
    book = _book_io.open_book(ctx, project, name)
    with refusing(ThemeBookError, as_json=as_json):
        outcome = change(book)
        themes = book.themes()
    data = {"book": name, "result": outcome, "themes": [t.__dict__ for t in themes]}
    if as_json:
        emit(data, as_json=True)
        return
    table = Table(title=f"theme book {name}")
    for col in ("id", "theme", "notes", "named by hand"):
        table.add_column(col)
    for t in themes:
        table.add_row(t.id, t.label, str(t.notes), "yes" if t.renamed else "")
    emit(table, as_json=False)


@app.command("show")
def show(
    ctx: typer.Context,
    book: BookArg,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Themes of a book."""
    _apply(ctx, project, book, as_json, lambda b: None)


@app.command("notes")
def notes(
    ctx: typer.Context,
    book: BookArg,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Notes of a book with their theme, pin and tags (a CSV-ready export with --json)."""
    _apply(ctx, project, book, as_json, lambda b: [n.__dict__ for n in b.notes()])


@app.command("rename")
def rename(
    ctx: typer.Context,
    book: BookArg,
    theme: str,
    label: str,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Name a theme by hand; re-runs keep the name."""
    _apply(ctx, project, book, as_json, lambda b: b.rename(theme, label))


@app.command("merge")
def merge(
    ctx: typer.Context,
    book: BookArg,
    into: str,
    other: str,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Merge theme OTHER into INTO."""
    _apply(ctx, project, book, as_json, lambda b: b.merge(into, other))


@app.command("split")
def split(
    ctx: typer.Context,
    book: BookArg,
    theme: str,
    label: str,
    note: list[str],
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Move NOTE... of THEME into a new theme named LABEL."""
    _apply(ctx, project, book, as_json, lambda b: b.split(theme, note, label))


@app.command("move")
def move(
    ctx: typer.Context,
    book: BookArg,
    theme: str,
    note: list[str],
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Put NOTE... into THEME (use - for no theme)."""
    _apply(ctx, project, book, as_json, lambda b: b.move(note, None if theme == "-" else theme))


@app.command("tag")
def tag(
    ctx: typer.Context,
    book: BookArg,
    note: str,
    code: str,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Add a manual code to a note."""
    _apply(ctx, project, book, as_json, lambda b: b.tag(note, code))


_book_io.register(app)
