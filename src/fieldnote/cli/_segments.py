"""``fieldnote segments``: save a set of persons by where they got in a funnel, and see
who is in it now. Definitions go to the research repository (directly, like the
accounts commands); sizes and members need the events, so they go through the server
when one owns the store."""

from __future__ import annotations

import getpass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics import parse_duration
from fieldnote.analytics.funnels import Funnel
from fieldnote.analytics.segments import SegmentDefinition, members
from fieldnote.cli._analytics import (
    EngineOpt,
    ExportOpt,
    FromOpt,
    JsonOpt,
    ProjectOpt,
    ToOpt,
    run_analytics,
)
from fieldnote.cli._context import emit, fail, get_state
from fieldnote.repository import DEFAULT_PROJECT, SavedSegments, SegmentError

__all__ = ["segments_app"]

segments_app = typer.Typer(
    help="Saved segments: persons by where they got in a funnel.", no_args_is_help=True
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
    step: Annotated[list[str], typer.Option("--step", "-s", help="A funnel step (repeat).")],
    reached: Annotated[
        int | None, typer.Option(help="Persons whose furthest step is at least K.")
    ] = None,
    dropped_after: Annotated[
        int | None, typer.Option(help="Persons whose furthest step is exactly K.")
    ] = None,
    window: Annotated[str, typer.Option(help="Conversion window.")] = "14d",
    strict: Annotated[bool, typer.Option("--strict", help="Strict step order.")] = False,
    last: Annotated[
        str | None, typer.Option(help="Relative range, e.g. 7d: up to the latest event.")
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Save a segment, e.g. ``--step integration_step_viewed --step connect_integration
    --dropped-after 1 --last 7d``."""
    if (reached is None) == (dropped_after is None):
        fail("give exactly one of --reached K or --dropped-after K", as_json=as_json)
    if last and (date_from or date_to):
        fail("give either --last or --from/--to", as_json=as_json)
    try:
        funnel = Funnel.parse(
            step, window=window, strict=strict, date_from=date_from, date_to=date_to
        )
        relative: timedelta | None = parse_duration(last) if last else None
        definition = SegmentDefinition(
            funnel=funnel,
            step=int(dropped_after if dropped_after is not None else reached or 0),
            dropped=dropped_after is not None,
            last=relative,
        )
        record = _store(ctx).create(project, name, definition.to_dict(), created_by=_actor())
    except (SegmentError, ValueError) as exc:
        fail(str(exc), as_json=as_json)
    out = {**record.to_dict(), "description": definition.describe()}
    emit(out, as_json=as_json, text=f"saved segment {name!r}: {definition.describe()}")


@segments_app.command("list")
def list_segments(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's saved segments."""
    try:
        records = _store(ctx).list(project)
    except SegmentError as exc:
        fail(str(exc), as_json=as_json)
    data = {"segments": [r.to_dict() for r in records]}
    table = Table("name", "definition", "created by", "created at")
    for r in records:
        table.add_row(
            r.name,
            SegmentDefinition.from_dict(r.definition).describe(),
            r.created_by or "",
            r.created_at.isoformat()[:19],
        )
    emit(data if as_json else table, as_json=as_json)


def _evaluate(
    ctx: typer.Context,
    project: str,
    name: str,
    as_json: bool,
    limit: int,
    where: tuple[Path | None, str] = (None, "duckdb"),
) -> Any:
    """``where``: the ``--export`` folder (None: the store) and the ``--engine``."""
    try:
        record = _store(ctx).get(project, name)
        definition = SegmentDefinition.from_dict(record.definition)
    except (SegmentError, ValueError) as exc:
        fail(str(exc), as_json=as_json)
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
        table.add_row(m["person_id"], ", ".join(m["distinct_ids"]), str(m["furthest_step"]))
    emit(data if as_json else table, as_json=as_json)


@segments_app.command("delete")
def delete(
    ctx: typer.Context,
    name: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Forget a saved segment."""
    try:
        _store(ctx).delete(project, name)
    except SegmentError as exc:
        fail(str(exc), as_json=as_json)
    emit({"deleted": name}, as_json=as_json, text=f"deleted segment {name!r}")
