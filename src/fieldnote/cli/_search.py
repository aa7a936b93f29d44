"""``fieldnote search``: full-text search over the research repository.

The index is rebuilt with ``--reindex`` (after importing interviews or a synthesis
run); results are redacted and utterance hits name the interview and the second
of the recording where the quote starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.cli._analytics import ExportOpt, JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.cli._events_access import with_events
from fieldnote.repository import DEFAULT_PROJECT, ProjectError, SearchError, SearchStore
from fieldnote.repository._search import search_filters

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
    step: Annotated[
        str | None, typer.Option(help="Only notes tagged step:EVENT for this funnel step.")
    ] = None,
    segment: Annotated[
        str | None,
        typer.Option(help="Only what people in this saved segment said (reads the events)."),
    ] = None,
    since: Annotated[str | None, typer.Option(help="From this UTC date or time.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this UTC date (inclusive).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many hits (1-200).")] = 20,
    reindex: Annotated[bool, typer.Option(help="Rebuild the project's index first.")] = False,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Search interviews, notes, themes, questions and hypotheses (redacted)."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, SearchError, ValueError, as_json=as_json):
        fn.projects.require(project)
        store = SearchStore(fn.repository)
        indexed = store.reindex(project) if reindex else None
        people = None
        if segment:
            people = _segment_people(ctx, project, segment, as_json, export)
        filters = search_filters(
            kinds=kind or (),
            study=study,
            tag=tag,
            step=step,
            since=since,
            until=until,
            limit=limit,
            participants=people,
        )
        hits = store.search(project, query, filters)
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


def _segment_people(
    ctx: typer.Context, project: str, segment: str, as_json: bool, export: Path | None
) -> frozenset[str]:
    from fieldnote.evidence._stored import segment_participants
    from fieldnote.repository import SegmentError

    repository = get_state(ctx).fieldnote.repository

    def compute(source: Any) -> dict[str, Any]:
        try:
            return {"people": segment_participants(source, repository, project, segment)}
        except SegmentError as exc:
            raise ValueError(str(exc)) from None

    found: frozenset[str] = with_events(ctx, project, as_json, compute, export=export)["people"]
    return found


def register(app: typer.Typer) -> None:
    app.command("search")(search_command)
