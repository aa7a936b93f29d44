"""``fieldnote themes PATH``: themes from any CSV/JSONL of texts (thin over fieldnote.synthesis)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from fieldnote.cli._context import emit, err_console, fail, refusing
from fieldnote.synthesis import (
    CLUSTERERS,
    EMBEDDERS,
    STAGES,
    EmbedderUnavailable,
    Note,
    PriorTheme,
    Synthesis,
    SynthesisOptions,
    TableError,
    TextColumns,
    notes_csv,
    notes_from_texts,
    read_texts,
    synthesize,
    write_qdpx,
)

__all__ = ["register", "run_with_progress", "themes_table"]


def _prior(path: Path, notes: Sequence[Note]) -> list[PriorTheme]:
    """Themes of an earlier ``--json`` run; members are looked up among today's notes."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        themes = data["themes"]
        assignments = data["assignments"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TableError(f"{path}: not the --json output of `fieldnote themes` ({exc})") from None
    text_of = {n.id: n.text for n in notes}
    members: dict[str, dict[str, str]] = {}
    for a in assignments:
        if a.get("theme") is not None and a.get("id") in text_of:
            members.setdefault(a["theme"], {})[a["id"]] = text_of[a["id"]]
    return [
        PriorTheme(t["id"], t["label"], members.get(t["id"], {}), bool(t.get("renamed", False)))
        for t in themes
    ]


def themes_table(result: Synthesis) -> Table:
    table = Table(
        title=f"{len(result.themes)} themes from {len(result.notes)} notes "
        f"(coverage {result.coverage:.0%}; ranked by participants x intensity)"
    )
    for col in ("id", "theme", "kind", "notes", "people", "sentiment", "quote"):
        table.add_column(
            col, justify="right" if col in {"notes", "people", "sentiment"} else "left"
        )
    for t in result.themes:
        quote = t.quotes[0].text if t.quotes else ""
        table.add_row(
            t.id,
            f"{t.label}\n[dim]{', '.join(t.keyphrases[:5])}[/]",
            t.kind,
            str(t.size),
            f"{t.participants} ({t.share:.0%})",
            f"{t.sentiment:+.2f}",
            f'"{quote[:80]}"',
        )
    return table


def run_with_progress(
    notes: Sequence[Note],
    options: SynthesisOptions,
    prior: list[PriorTheme],
    pins: dict[str, str | None] | None = None,
) -> Synthesis:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"synthesising {len(notes):,} notes", total=len(STAGES))

        def step(stage: str) -> None:
            bar.update(task, advance=1, description=f"{stage} done")

        return synthesize(notes, options, prior=prior, pins=pins, progress=step)


def themes(
    path: Annotated[Path, typer.Argument(help="CSV (with a header) or JSONL file of texts.")],
    text_column: Annotated[
        str, typer.Option("--text-column", help="Column with the text.")
    ] = "text",
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Unique id column (default: line number).")
    ] = None,
    participant_column: Annotated[
        str | None,
        typer.Option("--participant-column", help="Who said it (counts distinct people)."),
    ] = None,
    embedder: Annotated[
        str, typer.Option("--embedder", help=f"One of: {', '.join(EMBEDDERS)}.")
    ] = "tfidf",
    model: Annotated[
        Path | None,
        typer.Option("--model", help="Local sentence-transformers model folder."),
    ] = None,
    clusterer: Annotated[
        str,
        typer.Option(
            "--clusterer",
            help=f"auto (suits the embedder) or one of: {', '.join(CLUSTERERS)}.",
        ),
    ] = "auto",
    split: Annotated[
        bool, typer.Option("--split-sentences", help="One note per sentence (ids get #n).")
    ] = False,
    prior: Annotated[
        Path | None,
        typer.Option("--prior", help="--json output of an earlier run: keep its theme ids/names."),
    ] = None,
    export_csv: Annotated[
        Path | None, typer.Option("--export-csv", help="Also write notes with their theme as CSV.")
    ] = None,
    export_qdpx: Annotated[
        Path | None,
        typer.Option("--export-qdpx", help="Also write a REFI-QDA project (themes as codes)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Themes from texts: label, keyphrases, quotes, people, sentiment, kind."""
    if embedder not in EMBEDDERS:
        fail(f"--embedder {embedder!r}: choose one of {', '.join(EMBEDDERS)}", as_json=as_json)
    if clusterer != "auto" and clusterer not in CLUSTERERS:
        fail(
            f"--clusterer {clusterer!r}: choose auto or one of {', '.join(CLUSTERERS)}",
            as_json=as_json,
        )
    if model is not None and embedder != "sentence-transformers":
        fail("--model is only used with --embedder sentence-transformers", as_json=as_json)
    with refusing(TableError, EmbedderUnavailable, as_json=as_json):
        texts = read_texts(path, TextColumns(text_column, id_column, participant_column))
        notes = notes_from_texts(texts, split=split)
        if not notes:
            raise TableError(f"{path}: every text is filler (no content words)")
        prior_themes = _prior(prior, notes) if prior is not None else []
        options = SynthesisOptions(embedder=embedder, model=model, clusterer=clusterer)
        result = run_with_progress(notes, options, prior_themes)
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    try:
        if export_csv is not None:
            export_csv.write_text(notes_csv(result), encoding="utf-8")
        if export_qdpx is not None:
            write_qdpx(result, export_qdpx, project=path.stem)
    except OSError as exc:
        fail(f"cannot write the export: {exc}", as_json=as_json)
    if as_json:
        emit(result.to_dict(), as_json=True)
    else:
        emit(themes_table(result), as_json=False)


def register(app: typer.Typer) -> None:
    app.command("themes")(themes)
