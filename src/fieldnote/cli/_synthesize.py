"""``fieldnote synthesize --study S``: themes from a study's stored transcripts.

Each run is saved to the study's theme book (``study:S``); the next run starts from it,
so theme ids, names a researcher gave and notes placed by hand (``fieldnote book``)
are kept.
"""

from __future__ import annotations

from typing import Annotated

import typer

from fieldnote.cli._context import emit, err_console, fail, get_state, refusing
from fieldnote.cli._themes import run_with_progress, themes_table
from fieldnote.repository import (
    DEFAULT_PROJECT,
    InterviewError,
    InterviewStore,
    ThemeBook,
    ThemeBookError,
)
from fieldnote.synthesis import (
    EMBEDDERS,
    EmbedderUnavailable,
    SynthesisOptions,
    notes_from_interviews,
)

__all__ = ["register"]


def synthesize(
    ctx: typer.Context,
    study: Annotated[str, typer.Option("--study", help="Study id whose interviews to use.")],
    project: Annotated[str, typer.Option("--project", help="Project name.")] = DEFAULT_PROJECT,
    embedder: Annotated[
        str, typer.Option("--embedder", help=f"One of: {', '.join(EMBEDDERS)}.")
    ] = "tfidf",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Themes from the participant turns of every transcript in a study."""
    if embedder not in EMBEDDERS:
        fail(f"--embedder {embedder!r}: choose one of {', '.join(EMBEDDERS)}", as_json=as_json)
    fieldnote = get_state(ctx).fieldnote
    _ = fieldnote.projects  # a new home gets its default project
    store = InterviewStore(fieldnote.repository)
    with refusing(InterviewError, as_json=as_json):
        store.check_study(project, study)
        summaries = [i for i in store.list(project) if i.study == study.strip()]
        interviews = [store.get(project, i.id) for i in summaries]
    if not interviews:
        fail(
            f"study {study} has no transcripts yet: fieldnote transcripts import --study {study}",
            as_json=as_json,
        )
    notes = notes_from_interviews(interviews)
    book = ThemeBook(fieldnote.repository, project, f"study:{study.strip()}")
    try:
        prior, pins = book.prior(), book.pins()
    except ThemeBookError:  # first run of this study
        prior, pins = [], {}
    if not notes:
        fail(
            f"study {study}: no participant speech in {len(interviews)} transcript(s)",
            as_json=as_json,
        )
    with refusing(EmbedderUnavailable, as_json=as_json):
        result = run_with_progress(notes, SynthesisOptions(embedder=embedder), prior, pins)
    book.save_run(result, recorded=store.recorded_at(project))
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {warning}")
    if as_json:
        emit(
            {**result.to_dict(), "study": study, "book": book.name, "interviews": len(interviews)},
            as_json=True,
        )
    else:
        emit(themes_table(result), as_json=False)


def register(app: typer.Typer) -> None:
    app.command("synthesize")(synthesize)
