"""``fieldnote releases``: mark what shipped when, and judge it by the events.

Definitions go to the research repository (directly, like the segments commands);
the verdict reads the event store file (or a Parquet export with ``--export``) and
runs ``fieldnote.evidence.release_verdict``.
"""

from __future__ import annotations

import getpass
from contextlib import closing
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics import parse_date, parse_duration, store_source
from fieldnote.analytics.explain import rate_metric
from fieldnote.analytics.funnels import Breakdown
from fieldnote.cli._analytics import EngineOpt, ExportOpt, JsonOpt, ProjectOpt, on_export, pct
from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.evidence import release_verdict
from fieldnote.repository import DEFAULT_PROJECT, ProjectError, ReleaseError, ReleaseStore

__all__ = ["app"]

app = typer.Typer(help="Releases and their before/after verdicts.", no_args_is_help=True)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _store(ctx: typer.Context) -> ReleaseStore:
    return ReleaseStore(get_state(ctx).fieldnote.repository)


def _options(metric: str, start: str, target: str, within: str, steps: list[str]) -> dict[str, Any]:
    if metric == "activation":
        return {"start": start, "target": target, "within": within}
    return {"steps": steps, "window": within}


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique within the project, e.g. v2.4.")],
    at: Annotated[str, typer.Option("--at", help="When it shipped: UTC date or ISO time.")],
    by: Annotated[str, typer.Option(help="Dimensions to check for mix: channel,platform.")],
    metric: Annotated[str, typer.Option(help="The affected rate: activation or conversion.")],
    description: Annotated[str, typer.Option(help="What changed.")] = "",
    start: Annotated[str, typer.Option(help="activation: the cohort event.")] = "signup",
    target: Annotated[str, typer.Option(help="activation: the success event.")] = "activated",
    within: Annotated[str, typer.Option(help="Time allowed to convert.")] = "7d",
    step: Annotated[
        list[str] | None, typer.Option("--step", "-s", help="conversion: the affected steps.")
    ] = None,
    window: Annotated[str, typer.Option(help="Compare this long before and after.")] = "14d",
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Mark a release and the rate it was meant to move."""
    options = _options(metric, start, target, within, list(step or ()))
    dims = tuple(d.strip() for d in by.split(",") if d.strip())
    with refusing(ReleaseError, ValueError, as_json=as_json):
        released_at = parse_date(at)
        rate_metric(metric, options)  # validates the steps
        parse_duration(window)
        for d in dims:
            Breakdown.parse(d)
        if not dims:
            raise ValueError("--by needs at least one dimension, e.g. channel")
        record = _store(ctx).create(
            project,
            name,
            released_at=released_at,
            description=description,
            metric=metric,
            options=options,
            dimensions=dims,
            window=window,
            created_by=_actor(),
        )
    emit(record.to_dict(), as_json=as_json, text=f"saved release {record.name!r}")


@app.command("list")
def list_releases(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's releases, newest first."""
    with refusing(ReleaseError, as_json=as_json):
        records = _store(ctx).list(project)
    table = Table("name", "released", "metric", "by", "window", "description")
    for r in records:
        table.add_row(
            r.name,
            r.released_at.isoformat()[:16],
            r.metric,
            ",".join(r.dimensions),
            r.window,
            r.description,
        )
    emit({"releases": [r.to_dict() for r in records]} if as_json else table, as_json=as_json)


@app.command("verdict")
def verdict(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The release.")],
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Improved / no effect / worse / confounded: the affected rate before and after."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, ReleaseError, ValueError, as_json=as_json):
        fn.projects.require(project)
        release = _store(ctx).get(project, name)
        spec = rate_metric(release.metric, release.options)
        window = parse_duration(release.window)

    def judge(source: Any) -> dict[str, Any]:
        result = release_verdict(source, spec, release.released_at, window, release.dimensions)
        return {"release": release.to_dict(), **result.to_dict()}

    if export is not None:
        data = on_export(engine, export, project, as_json, judge)
    else:
        if fn.home.running_server() is not None:
            fail(
                "a running server owns the event store: stop it, or run `fieldnote export "
                "DIR` and add --export DIR",
                as_json=as_json,
            )
        store = fn.open_event_store(read_only=True)
        with closing(store), refusing(ValueError, as_json=as_json):
            data = judge(store_source(store.connection, project))
    b, a = data["before"], data["after"]
    text = (
        f"{release.name}: {data['verdict'].upper()}: {data['reason']}\n"
        f"{release.metric}: {pct(b['rate'])} of {b['users']:,} before → "
        f"{pct(a['rate'])} of {a['users']:,} after"
    )
    for note in data["notes"]:
        text += f"\nnote: {note}"
    emit(data, as_json=as_json, text=text)


@app.command("validate")
def validate(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The release.")],
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Propose a validation study with the users the release targeted (idempotent)."""
    from fieldnote.evidence._stored import propose_validation

    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, ReleaseError, ValueError, as_json=as_json):
        fn.projects.require(project)
        found = propose_validation(fn.repository, project, name, created_by=_actor())
    study = found.study
    text = (
        f"question {found.question.id}: {found.question.text}\n"
        f"study {study.id} ({study.status}): {study.quota_min}-{study.quota_max} participants "
        f"from segment {found.segment!r} by {study.deadline_at.date().isoformat()}"
    )
    emit(found.to_dict(), as_json=as_json, text=text)
