"""``fieldnote trend ...``: series per day or week (thin over fieldnote.analytics.trends)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics.queries import TrendQuery
from fieldnote.analytics.trends import TrendOptions
from fieldnote.cli._analytics import (
    EngineOpt,
    ExportOpt,
    FromOpt,
    JsonOpt,
    ProjectOpt,
    ToOpt,
    ci_text,
    pct,
    run_analytics,
)
from fieldnote.cli._context import emit, refusing
from fieldnote.repository import DEFAULT_PROJECT

__all__ = ["trend_app"]

trend_app = typer.Typer(
    help="A number per day or week: events, conversion, activation, stickiness, churn.",
    no_args_is_help=True,
)
IntervalOpt = Annotated[str | None, typer.Option("--interval", help="day or week.")]


def _trend(
    ctx: typer.Context,
    metric: str,
    project: str,
    as_json: bool,
    o: TrendOptions,
    where: tuple[Path | None, str] = (None, "duckdb"),
) -> None:
    """``where``: the ``--export`` folder (None: the store) and the ``--engine``."""
    query = TrendQuery(metric, o)
    with refusing(ValueError, as_json=as_json):
        spec = query.trend()
    data = run_analytics(
        ctx,
        project,
        as_json,
        f"/analytics/trend/{metric}",
        query.to_params(),
        lambda src: spec.compute(src).to_dict(),
        export=where[0],
        engine=where[1],
    )
    emit(data if as_json else _trend_table(data), as_json=as_json)


def _cell(point: dict[str, Any], rate: bool) -> str:
    value = point["value"]
    if value is None:
        text = "-"
    elif rate:
        text = pct(value)
        if point["ci_low"] is not None:
            text += f" ({ci_text(point['ci_low'], point['ci_high'])})"
    else:
        text = f"{value:,.6g}"
    return text if point["complete"] else text + "*"


def _trend_table(data: dict[str, Any]) -> Table:
    table = Table(title=f"{data['metric']} per {data['interval']}  (* = not over yet)")
    table.add_column(data["interval"])
    for s in data["series"]:
        table.add_column(s["name"], justify="right")
    rows = zip(*(s["points"] for s in data["series"]), strict=True)
    for points in rows:
        cells = [_cell(p, p["base"] is not None) for p in points]
        table.add_row(points[0]["period"], *cells)
    return table


@trend_app.command("events")
def trend_events(
    ctx: typer.Context,
    event: Annotated[str, typer.Argument(help="EVENT [where KEY=VALUE and ...]")],
    measure: Annotated[
        str, typer.Option(help="count, users (distinct persons) or sum:PROPERTY.")
    ] = "count",
    interval: IntervalOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """How many events (or users, or the sum of a property) per day or week."""
    o = TrendOptions(
        event=event, measure=measure, interval=interval, date_from=date_from, date_to=date_to
    )
    _trend(ctx, "events", project, as_json, o, (export, engine))


@trend_app.command("conversion")
def trend_conversion(
    ctx: typer.Context,
    step: Annotated[list[str], typer.Option("--step", "-s", help="A funnel step (repeat).")],
    window: Annotated[str, typer.Option(help="Conversion window.")] = "14d",
    interval: IntervalOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Funnel conversion (first to last step) by the period the funnel was entered."""
    o = TrendOptions(
        steps=tuple(step), window=window, interval=interval, date_from=date_from, date_to=date_to
    )
    _trend(ctx, "conversion", project, as_json, o, (export, engine))


@trend_app.command("activation")
def trend_activation(
    ctx: typer.Context,
    start: Annotated[str, typer.Option(help="The cohort event.")] = "signup",
    target: Annotated[str, typer.Option(help="The activation event.")] = "activated",
    within: Annotated[str, typer.Option(help="Days allowed after the start event.")] = "7d",
    interval: IntervalOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Share of users doing TARGET within N days of START, by START's period."""
    o = TrendOptions(
        start=start,
        target=target,
        within=within,
        interval=interval,
        date_from=date_from,
        date_to=date_to,
    )
    _trend(ctx, "activation", project, as_json, o, (export, engine))


@trend_app.command("stickiness")
def trend_stickiness(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="Active means doing this event.")] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """DAU, WAU, MAU and DAU/MAU, DAU/WAU per day."""
    o = TrendOptions(event=event, date_from=date_from, date_to=date_to)
    _trend(ctx, "stickiness", project, as_json, o, (export, engine))


@trend_app.command("churn")
def trend_churn(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="Active means doing this event.")] = None,
    interval: IntervalOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Share of a period's active users who are not active in the next period."""
    o = TrendOptions(event=event, interval=interval, date_from=date_from, date_to=date_to)
    _trend(ctx, "churn", project, as_json, o, (export, engine))
