"""``fieldnote funnel`` (and the other analytics commands): thin over fieldnote.analytics.

Each command parses its options into the library's question, then either asks the
server that owns the store (the same library call runs there, see
web/_analytics_api.py) or opens the store read-only and computes here.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics import engine_source, store_source
from fieldnote.analytics.funnels import compute_funnel
from fieldnote.analytics.queries import FunnelQuery, RetentionQuery
from fieldnote.cli._context import emit, fail, get_state, refusing
from fieldnote.cli._options import EngineOpt, ExportOpt, FromOpt, JsonOpt, ProjectOpt, ToOpt
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.repository import DEFAULT_PROJECT, ProjectError

__all__ = [
    "EngineOpt",
    "ExportOpt",
    "FromOpt",
    "JsonOpt",
    "ProjectOpt",
    "ToOpt",
    "register",
    "run_analytics",
]


def on_export(
    engine: str, export: Path, project: str, as_json: bool, local: Callable[[Any], dict[str, Any]]
) -> dict[str, Any]:
    """Compute on a Parquet export (``fieldnote export``) with ``engine`` (duckdb, spark)."""
    from fieldnote.events.engines import EngineSourceError, ParquetExport, open_engine

    with refusing(EngineSourceError, ValueError, as_json=as_json):
        opened = open_engine(engine, ParquetExport(export))
    with closing(opened), refusing(ValueError, as_json=as_json):
        return local(engine_source(opened, project))


def run_analytics(
    ctx: typer.Context,
    project: str,
    as_json: bool,
    path: str,
    params: dict[str, Any],
    local: Callable[[Any], dict[str, Any]],
    *,
    export: Path | None = None,
    engine: str = "duckdb",
) -> dict[str, Any]:
    """Ask the owning server (or FIELDNOTE_SERVER_URL), else compute on the store file;
    with ``export``, compute on that Parquet export with ``engine`` instead."""
    if export is not None:
        return on_export(engine, export, project, as_json, local)
    if engine != "duckdb":
        fail(
            f"--engine {engine} reads a Parquet export: run `fieldnote export DIR` and add "
            "--export DIR (the store itself is read with DuckDB)",
            as_json=as_json,
        )
    settings = get_state(ctx).settings
    client: ServerClient | None = None
    if settings.server_url:
        client = ServerClient.remote(settings.server_url, settings.token)
    else:
        fn = get_state(ctx).fieldnote
        with refusing(ProjectError, as_json=as_json):
            fn.projects.require(project)
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


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def ci_text(low: float, high: float) -> str:
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
            ci = (
                "" if s["index"] == 1 or s["ci_low"] is None else ci_text(s["ci_low"], s["ci_high"])
            )
            row = [
                s["step"],
                f"{s['count']:,}",
                pct(s["conversion_from_previous"]),
                ci,
                pct(s["conversion_from_first"]),
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
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Conversion through ordered steps within a window (docs/analytics.md)."""
    query = FunnelQuery(
        steps=tuple(step),
        window=window,
        strict=strict,
        breakdown=breakdown,
        date_from=date_from,
        date_to=date_to,
    )
    with refusing(ValueError, as_json=as_json):
        spec = query.funnel()

    def local(src: Any) -> dict[str, Any]:
        return compute_funnel(src, spec).to_dict()

    data = run_analytics(
        ctx,
        project,
        as_json,
        "/analytics/funnel",
        query.to_params(),
        local,
        export=export,
        engine=engine,
    )
    emit(data if as_json else _funnel_table(data), as_json=as_json)


def _retention_table(data: dict[str, Any]) -> Table:
    spec = data["retention"]
    table = Table(
        title=f"Retention: {spec['start'] or 'first seen'} → {spec['return'] or 'any event'}"
        f" per {spec['interval']}  (* = not over yet)"
    )
    table.add_column("cohort")
    table.add_column("users", justify="right")
    for k in range(1, spec["periods"] + 1):
        table.add_column(f"+{k}", justify="right")
    for c in data["cohorts"]:
        cells = [
            ("-" if r["rate"] is None else pct(r["rate"])) + ("" if r["complete"] else "*")
            for r in c["retained"]
        ]
        table.add_row(c["period"], f"{c['size']:,}", *cells)
    return table


def retention(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option(help="Cohort event (first occurrence); default: any.")
    ] = None,
    returning: Annotated[
        str | None, typer.Option("--return", help="Return event; default: any event.")
    ] = None,
    interval: Annotated[str, typer.Option(help="day or week.")] = "week",
    periods: Annotated[int, typer.Option(min=1, max=366, help="Periods after the cohort's.")] = 8,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Cohort table: users by the period of their first START, and the share doing
    RETURN in each following period (docs/analytics.md)."""
    query = RetentionQuery(
        start=start,
        returning=returning,
        interval=interval,
        periods=periods,
        date_from=date_from,
        date_to=date_to,
    )
    with refusing(ValueError, as_json=as_json):
        spec = query.retention()
    data = run_analytics(
        ctx,
        project,
        as_json,
        "/analytics/retention",
        query.to_params(),
        lambda src: spec.compute(src).to_dict(),
        export=export,
        engine=engine,
    )
    emit(data if as_json else _retention_table(data), as_json=as_json)


def register(app: typer.Typer) -> None:
    app.command("funnel")(funnel)
    from fieldnote.cli._trends import trend_app

    app.add_typer(trend_app, name="trend")
    app.command("retention")(retention)
    from fieldnote.cli._explain import explain

    app.command("explain")(explain)
    from fieldnote.cli._segments import segments_app

    app.add_typer(segments_app, name="segments")
