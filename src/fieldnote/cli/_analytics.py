"""``fieldnote funnel`` (and the other analytics commands): thin over fieldnote.analytics.

Each command parses its options into the library's question, then either asks the
server that owns the store (the same library call runs there, see
web/_analytics_api.py) or opens the store read-only and computes here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics import store_source
from fieldnote.analytics.funnels import Funnel, compute_funnel
from fieldnote.analytics.trends import TrendOptions, parse_trend
from fieldnote.cli._context import emit, fail, get_state
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.repository import DEFAULT_PROJECT, ProjectError

__all__ = ["register"]

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON.")]
ProjectOpt = Annotated[str, typer.Option("--project", "-p", help="Project name.")]
FromOpt = Annotated[
    str | None, typer.Option("--from", help="First day (UTC date or ISO time), included.")
]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last day (UTC date), included.")]


def _run(
    ctx: typer.Context,
    project: str,
    as_json: bool,
    path: str,
    params: dict[str, Any],
    local: Callable[[Any], dict[str, Any]],
) -> dict[str, Any]:
    """Ask the owning server (or FIELDNOTE_SERVER_URL), else compute on the store file."""
    settings = get_state(ctx).settings
    client: ServerClient | None = None
    if settings.server_url:
        client = ServerClient.remote(settings.server_url, settings.token)
    else:
        fn = get_state(ctx).fieldnote
        try:
            fn.projects.require(project)
        except ProjectError as exc:
            fail(str(exc), as_json=as_json)
        info = fn.home.running_server()
        if info is not None:
            client = ServerClient(info)
    try:
        if client is not None:
            query = {k: v for k, v in params.items() if v is not None}
            data: dict[str, Any] = client.get(f"/api/projects/{project}{path}", **query)
            return data
        store = get_state(ctx).fieldnote.open_event_store(read_only=True)
        try:
            return local(store_source(store.connection, project))
        finally:
            store.close()
    except ServerError as exc:
        fail(str(exc), as_json=as_json)
    except ValueError as exc:
        fail(str(exc), as_json=as_json)
    finally:
        if client is not None:
            client.close()


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _ci(low: float, high: float) -> str:
    return f"{low * 100:.0f}-{high * 100:.0f}%"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def _funnel_table(data: dict[str, Any]) -> Table:
    spec = data["funnel"]
    order = "steps in strict order" if spec["order"] == "strict" else "steps in order"
    table = Table(title=f"Funnel: {spec['window']} window, {order}")
    groups: list[tuple[str | None, list[dict[str, Any]]]] = [(None, data["steps"])]
    if data.get("breakdown"):
        table.add_column(data["breakdown"]["by"].split(".", 1)[1])
        groups += [(v["label"], v["steps"]) for v in data["breakdown"]["values"]]
    for col in ("step", "users", "from prev.", "95% CI", "from first", "dropped", "median"):
        table.add_column(col, justify="left" if col == "step" else "right")
    for label, steps in groups:
        for s in steps:
            ci = "" if s["index"] == 1 or s["ci_low"] is None else _ci(s["ci_low"], s["ci_high"])
            row = [
                s["step"],
                f"{s['count']:,}",
                _pct(s["conversion_from_previous"]),
                ci,
                _pct(s["conversion_from_first"]),
                f"{s['dropped_from_previous']:,}",
                _duration(s["median_seconds_to_convert"]),
            ]
            if data.get("breakdown"):
                row.insert(0, ("all" if label is None else label) if s["index"] == 1 else "")
            table.add_row(*row, end_section=s["index"] == len(steps))
    return table


def funnel(
    ctx: typer.Context,
    step: Annotated[
        list[str],
        typer.Option(
            "--step",
            "-s",
            help="A step, in order (repeat): 'EVENT' or 'EVENT where KEY=VALUE and ...'.",
        ),
    ],
    window: Annotated[str, typer.Option(help="Conversion window: 30m, 12h, 14d, 2w.")] = "14d",
    breakdown: Annotated[
        str | None,
        typer.Option(help="Split by an event property (KEY) or person property (person.KEY)."),
    ] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    strict: Annotated[
        bool, typer.Option("--strict", help="No other event may happen between two steps.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Conversion through ordered steps within a window (docs/analytics.md)."""
    try:
        spec = Funnel.parse(
            step,
            window=window,
            strict=strict,
            breakdown=breakdown,
            date_from=date_from,
            date_to=date_to,
        )
    except ValueError as exc:
        fail(str(exc), as_json=as_json)
    params = {
        "step": step,
        "window": window,
        "strict": "true" if strict else None,
        "breakdown": breakdown,
        "from": date_from,
        "to": date_to,
    }
    data = _run(
        ctx,
        project,
        as_json,
        "/analytics/funnel",
        params,
        lambda src: compute_funnel(src, spec).to_dict(),
    )
    emit(data if as_json else _funnel_table(data), as_json=as_json)


trend_app = typer.Typer(
    help="A number per day or week: events, conversion, activation, stickiness, churn.",
    no_args_is_help=True,
)
IntervalOpt = Annotated[str | None, typer.Option("--interval", help="day or week.")]


def _trend(ctx: typer.Context, metric: str, project: str, as_json: bool, o: TrendOptions) -> None:
    try:
        spec = parse_trend(metric, o)
    except ValueError as exc:
        fail(str(exc), as_json=as_json)
    params = {
        "event": o.event,
        "measure": o.measure,
        "step": list(o.steps) or None,
        "window": o.window,
        "start": o.start,
        "target": o.target,
        "within": o.within,
        "interval": o.interval,
        "from": o.date_from,
        "to": o.date_to,
    }
    data = _run(
        ctx,
        project,
        as_json,
        f"/analytics/trend/{metric}",
        params,
        lambda src: spec.compute(src).to_dict(),
    )
    emit(data if as_json else _trend_table(data), as_json=as_json)


def _cell(point: dict[str, Any], rate: bool) -> str:
    value = point["value"]
    if value is None:
        text = "-"
    elif rate:
        text = _pct(value)
        if point["ci_low"] is not None:
            text += f" ({_ci(point['ci_low'], point['ci_high'])})"
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
    as_json: JsonOpt = False,
) -> None:
    """How many events (or users, or the sum of a property) per day or week."""
    o = TrendOptions(
        event=event, measure=measure, interval=interval, date_from=date_from, date_to=date_to
    )
    _trend(ctx, "events", project, as_json, o)


@trend_app.command("conversion")
def trend_conversion(
    ctx: typer.Context,
    step: Annotated[list[str], typer.Option("--step", "-s", help="A funnel step (repeat).")],
    window: Annotated[str, typer.Option(help="Conversion window.")] = "14d",
    interval: IntervalOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Funnel conversion (first to last step) by the period the funnel was entered."""
    o = TrendOptions(
        steps=tuple(step), window=window, interval=interval, date_from=date_from, date_to=date_to
    )
    _trend(ctx, "conversion", project, as_json, o)


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
    _trend(ctx, "activation", project, as_json, o)


@trend_app.command("stickiness")
def trend_stickiness(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="Active means doing this event.")] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """DAU, WAU, MAU and DAU/MAU, DAU/WAU per day."""
    o = TrendOptions(event=event, date_from=date_from, date_to=date_to)
    _trend(ctx, "stickiness", project, as_json, o)


@trend_app.command("churn")
def trend_churn(
    ctx: typer.Context,
    event: Annotated[str | None, typer.Option(help="Active means doing this event.")] = None,
    interval: IntervalOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Share of a period's active users who are not active in the next period."""
    o = TrendOptions(event=event, interval=interval, date_from=date_from, date_to=date_to)
    _trend(ctx, "churn", project, as_json, o)


def register(app: typer.Typer) -> None:
    app.command("funnel")(funnel)
    app.add_typer(trend_app, name="trend")
