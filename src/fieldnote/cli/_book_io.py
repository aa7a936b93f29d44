"""``fieldnote book import-qdpx / people / trend``: a theme book's way in from other QDA
tools, the attributes of its participants, and its themes over time and per segment."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.cli._options import BookArg, JsonOpt, ProjectLongOpt
from fieldnote.repository import (
    DEFAULT_PROJECT,
    BookPeople,
    InterviewError,
    InterviewStore,
    ThemeBook,
    ThemeBookError,
    book_trend,
    import_qdpx,
)

__all__ = ["open_book", "register"]


def open_book(ctx: typer.Context, project: str, name: str) -> ThemeBook:
    fieldnote = get_state(ctx).fieldnote
    _ = fieldnote.projects  # a new home gets its default project
    return ThemeBook(fieldnote.repository, project, name)


def import_qdpx_command(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A REFI-QDA project file (.qdpx).")],
    study: Annotated[
        str | None, typer.Option("--study", help="Store the sources as this study's transcripts.")
    ] = None,
    book: Annotated[
        str | None, typer.Option("--book", help="Book name (default study:S, else qdpx:NAME).")
    ] = None,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Import codes, sources and coded selections from Taguette, QualCoder, ATLAS.ti ..."""
    from fieldnote.synthesis import QdpxError, read_qdpx

    with refusing(QdpxError, as_json=as_json):
        parsed = read_qdpx(path)
    name = book or (f"study:{study.strip()}" if study else f"qdpx:{parsed.name}")
    target = open_book(ctx, project, name)
    try:
        if study is not None:
            InterviewStore(target.repository).check_study(project, study)
        done = import_qdpx(target, parsed, study=study.strip() if study else None)
    except (InterviewError, ThemeBookError) as exc:
        fail(f"{path}: {exc}", as_json=as_json)
    emit(
        done.to_dict(),
        as_json=as_json,
        text=(
            f"{path.name} → book {done.book}: {done.themes} themes ({done.themes_new} new), "
            f"{done.notes} coded notes ({done.notes_new} new), "
            f"{done.transcripts} transcripts ({done.transcripts_new} new)"
        ),
    )


def people_command(
    ctx: typer.Context,
    book: BookArg,
    path: Annotated[Path | None, typer.Argument(help="CSV/JSONL: one row per participant.")] = None,
    participant_column: Annotated[
        str, typer.Option("--participant-column", help="Column naming the participant.")
    ] = "participant",
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Attach participant attributes (platform, persona, tier ...); without FILE, list them."""
    from fieldnote.synthesis import TableError, read_people

    people = BookPeople(open_book(ctx, project, book))
    with refusing(TableError, ThemeBookError, as_json=as_json):
        if path is not None:
            people.set(read_people(path, participant_column))
        found = people.get()
    lines = [f"{who}\t" + ", ".join(f"{k}={v}" for k, v in a.items()) for who, a in found.items()]
    emit(
        {"book": book, "people": found},
        as_json=as_json,
        text="\n".join(lines) or "no participant attributes",
    )


def trend_command(
    ctx: typer.Context,
    book: BookArg,
    by: Annotated[
        str, typer.Option("--by", help="week, or a participant attribute (platform, tier ...).")
    ] = "week",
    min_n: Annotated[
        int, typer.Option("--min-n", min=1, help="Flag groups with fewer participants.")
    ] = 5,
    project: ProjectLongOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Share of participants (and notes) per theme per week or segment, with n per cell."""
    with refusing(ThemeBookError, ValueError, as_json=as_json):
        trend = book_trend(open_book(ctx, project, book), by, min_n=min_n)
    if as_json:
        emit({"book": book, **trend.to_dict()}, as_json=True)
        return
    table = Table(title=f"{book}: share of participants by {by} (n per column; * n < {min_n})")
    table.add_column("theme")
    for g in trend.groups:
        n = trend.cell(next(iter(trend.themes)), g).group_participants if trend.themes else 0
        table.add_column(f"{g} (n={n}){' *' if n < min_n else ''}", justify="right")
    for theme, label in trend.themes.items():
        row = []
        for g in trend.groups:
            c = trend.cell(theme, g)
            row.append(f"{c.participants}/{c.group_participants}")
        table.add_row(f"{theme} {label}", *row)
    emit(table, as_json=False)


def register(app: typer.Typer) -> None:
    app.command("import-qdpx")(import_qdpx_command)
    app.command("people")(people_command)
    app.command("trend")(trend_command)
