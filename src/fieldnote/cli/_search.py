"""``fieldnote search``: full-text search over the research repository.

The index is rebuilt with ``--reindex`` (after importing interviews or a synthesis
run); results are redacted and utterance hits name the interview and the second
of the recording where the quote starts.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from fieldnote.analytics import parse_date
from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, fail, get_state
from fieldnote.repository import (
    DEFAULT_PROJECT,
    ProjectError,
    SearchError,
    SearchFilters,
    SearchStore,
)

__all__ = ["register", "search_command"]


def search_command(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='Words, "phrases", -excluded, OR.')],
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", "-k", help="utterance, note, theme, question, hypothesis."),
    ] = None,
    study: Annotated[int | None, typer.Option(help="Only this study's interviews.")] = None,
    tag: Annotated[str | None, typer.Option(help="Only notes with this tag.")] = None,
    since: Annotated[str | None, typer.Option(help="From this UTC date or time.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this UTC date (inclusive).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many hits (1-200).")] = 20,
    reindex: Annotated[bool, typer.Option(help="Rebuild the project's index first.")] = False,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Search interviews, notes, themes, questions and hypotheses (redacted)."""
    fn = get_state(ctx).fieldnote
    try:
        fn.projects.require(project)
        filters = SearchFilters(
            kinds=tuple(kind or ()),
            study=study,
            tag=tag,
            since=parse_date(since) if since else None,
            until=parse_date(until, end=True) if until else None,
            limit=limit,
        )
        store = SearchStore(fn.repository)
        indexed = store.reindex(project) if reindex else None
        hits = store.search(project, query, filters)
    except (ProjectError, SearchError, ValueError) as exc:
        fail(str(exc), as_json=as_json)
    if as_json:
        emit({"indexed": indexed, "hits": [h.to_dict() for h in hits]}, as_json=True)
        return
    table = Table("kind", "where", "snippet")
    for h in hits:
        where = h.ref
        if h.interview_id and h.start_s is not None:
            where = f"{h.interview_id[:8]} @ {h.start_s:.0f}s"
        table.add_row(h.kind, where, h.snippet)
    emit(table, as_json=False)


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
