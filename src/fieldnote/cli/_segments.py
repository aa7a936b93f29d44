"""``fieldnote segments``: save a set of persons (by where they got in a funnel, a trend
point or a retention cell: ``--kind``), and see who is in it now. Definitions go to the research repository (directly, like the
accounts commands); sizes and members need the events, so they go through the server
when one owns the store."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics.queries import SEGMENT_BUILDERS, SegmentOptions, build_segment
from fieldnote.analytics.segments import members, segment_from_dict
from fieldnote.cli._analytics import (
    EngineOpt,
    ExportOpt,
    FromOpt,
    JsonOpt,
    ProjectOpt,
    ToOpt,
    run_analytics,
)
from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.repository import DEFAULT_PROJECT, SavedSegments, SegmentError

__all__ = ["segments_app"]

segments_app = typer.Typer(
    help="Saved segments: persons by funnel position, trend point or retention cell.",
    no_args_is_help=True,
)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _store(ctx: typer.Context) -> SavedSegments:
    return SavedSegments(get_state(ctx).fieldnote.repository)


@segments_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique within the project.")],
    kind: Annotated[
        str, typer.Option(help=f"What the segment is: {', '.join(SEGMENT_BUILDERS)}.")
    ] = "funnel",
    step: Annotated[
        list[str] | None, typer.Option("--step", "-s", help="funnel: a step (repeat).")
    ] = None,
    reached: Annotated[
        int | None, typer.Option(help="funnel: persons whose furthest step is at least K.")
    ] = None,
    dropped_after: Annotated[
        int | None, typer.Option(help="funnel: persons whose furthest step is exactly K.")
    ] = None,
    window: Annotated[str, typer.Option(help="funnel: conversion window.")] = "14d",
    strict: Annotated[bool, typer.Option("--strict", help="funnel: strict step order.")] = False,
    last: Annotated[
        str | None, typer.Option(help="funnel: relative range, e.g. 7d, up to the latest event.")
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    event: Annotated[
        str | None, typer.Option(help="trend-point: the event, with `where` filters.")
    ] = None,
    interval: Annotated[
        str | None,
        typer.Option(help="trend-point (default day), retention-cell (default week): day or week."),
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="trend-point: the period's first day (a Monday for weeks).")
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="retention-cell: the cohort event (default: first seen).")
    ] = None,
    returning: Annotated[
        str | None,
        typer.Option("--return", help="retention-cell: the return event (default: any)."),
    ] = None,
    cohort: Annotated[
        str | None, typer.Option(help="retention-cell: the cohort period's first day.")
    ] = None,
    offset: Annotated[
        int | None,
        typer.Option(help="retention-cell: K periods after the cohort's (default: whole cohort)."),
    ] = None,
    returned: Annotated[
        bool,
        typer.Option(
            "--returned/--not-returned",
            help="retention-cell with --offset: those who came back then, or those who did not.",
        ),
    ] = True,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Save a segment, e.g. ``--step integration_step_viewed --step connect_integration
    --dropped-after 1 --last 7d``; ``--kind trend-point --event signup --interval week
    --period 2026-03-02``; ``--kind retention-cell --start signup --cohort 2026-03-02
    --offset 2 --not-returned``."""
    options = SegmentOptions(
        kind=kind,
        steps=tuple(step or ()),
        reached=reached,
        dropped_after=dropped_after,
        window=window,
        strict=strict,
        last=last,
        date_from=date_from,
        date_to=date_to,
        event=event,
        interval=interval,
        period=period,
        start=start,
        returning=returning,
        cohort=cohort,
        offset=offset,
        returned=returned,
    )
    with refusing(SegmentError, ValueError, as_json=as_json):
        definition = build_segment(options)
        record = _store(ctx).create(project, name, definition.to_dict(), created_by=_actor())
    out = {**record.to_dict(), "kind": definition.kind, "description": definition.describe()}
    emit(out, as_json=as_json, text=f"saved segment {name!r}: {definition.describe()}")


@segments_app.command("list")
def list_segments(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's saved segments."""
    with refusing(SegmentError, as_json=as_json):
        records = _store(ctx).list(project)
    data = {"segments": [r.to_dict() for r in records]}
    table = Table("name", "definition", "created by", "created at")
    for r in records:
        table.add_row(
            r.name,
            _describe(r.definition),
            r.created_by or "",
            r.created_at.isoformat()[:19],
        )
    emit(data if as_json else table, as_json=as_json)


def _describe(data: dict[str, Any]) -> str:
    try:
        return segment_from_dict(data).describe()
    except (ValueError, KeyError) as exc:
        return f"unreadable: {exc}"


def _evaluate(
    ctx: typer.Context,
    project: str,
    name: str,
    as_json: bool,
    limit: int,
    where: tuple[Path | None, str] = (None, "duckdb"),
) -> Any:
    """``where``: the ``--export`` folder (None: the store) and the ``--engine``."""
    with refusing(SegmentError, ValueError, KeyError, as_json=as_json):
        record = _store(ctx).get(project, name)
        definition = segment_from_dict(record.definition)
    path = f"/segments/{name}" + ("/members" if limit else "")
    params = {"limit": limit} if limit else {}
    data = run_analytics(
        ctx,
        project,
        as_json,
        path,
        params,
        lambda src: {"name": name, **members(src, definition, limit=limit).to_dict()},
        export=where[0],
        engine=where[1],
    )
    if not limit:
        data.pop("members", None)
    return data


@segments_app.command("show")
def show(
    ctx: typer.Context,
    name: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """A segment's definition and its size now."""
    data = _evaluate(ctx, project, name, as_json, limit=0, where=(export, engine))
    emit(data, as_json=as_json, text=f"{name}: {data['size']:,} persons ({data['description']})")


@segments_app.command("members")
def show_members(
    ctx: typer.Context,
    name: str,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 100,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """The persons in a segment now (personal data), with their distinct ids."""
    data = _evaluate(ctx, project, name, as_json, limit=limit, where=(export, engine))
    table = Table(
        "person", "distinct ids", "furthest step", title=f"{name}: {data['size']:,} persons"
    )
    for m in data["members"]:
        step = m["furthest_step"]
        table.add_row(
            m["person_id"], ", ".join(m["distinct_ids"]), "" if step is None else str(step)
        )
    emit(data if as_json else table, as_json=as_json)


@segments_app.command("delete")
def delete(
    ctx: typer.Context,
    name: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Forget a saved segment."""
    with refusing(SegmentError, as_json=as_json):
        _store(ctx).delete(project, name)
    emit({"deleted": name}, as_json=as_json, text=f"deleted segment {name!r}")
