"""``fieldnote explain METRIC``: mix versus rate, per dimension, between two periods."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from fieldnote.analytics.explain import explain as explain_change
from fieldnote.analytics.queries import ExplainQuery
from fieldnote.cli._analytics import EngineOpt, ExportOpt, JsonOpt, ProjectOpt, pct, run_analytics
from fieldnote.cli._context import emit, refusing
from fieldnote.repository import DEFAULT_PROJECT

__all__ = ["explain"]


def _points(value: float) -> str:
    return f"{value * 100:+.1f} pts"


def _render(data: dict[str, Any]) -> Group:
    b, a = data["before"], data["after"]
    head = Text(
        f"{data['metric']['metric']}: {pct(b['rate'])} of {b['users']:,} → "
        f"{pct(a['rate'])} of {a['users']:,} ({_points(data['change'])}, p={data['p_value']:.2g})"
        if data["p_value"] is not None
        else f"{data['metric']['metric']}: {pct(b['rate'])} → {pct(a['rate'])}"
    )
    parts: list[Any] = [head]
    for d in data["dimensions"]:
        title = f"by {d['dimension']}: mix {_points(d['mix'])}, rate {_points(d['rate'])}"
        if d["simpson"]:
            title += "  [Simpson's paradox: every segment moved the other way]"
        table = Table(title=title)
        for col in ("segment", "users", "share", "rate", "mix", "rate eff.", "p"):
            table.add_column(col, justify="left" if col == "segment" else "right")
        for s in d["segments"]:
            p = (
                "-"
                if s["p_value"] is None
                else f"{s['p_value']:.2g}" + ("*" if s["significant"] else "")
            )
            table.add_row(
                "(none)" if s["value"] is None else s["value"],
                f"{s['n_before']:,} → {s['n_after']:,}",
                f"{pct(s['share_before'])} → {pct(s['share_after'])}",
                f"{pct(s['rate_before'])} → {pct(s['rate_after'])}",
                _points(s["mix"]),
                _points(s["rate"]),
                p,
            )
        parts.append(table)
    parts.append(Text("* significant at 5 % (Bonferroni over the dimension's segments)"))
    return Group(*parts)


def explain(
    ctx: typer.Context,
    metric: Annotated[str, typer.Argument(help="activation or conversion.")],
    before: Annotated[str, typer.Option(help="FROM..TO (UTC days, both included).")],
    after: Annotated[str, typer.Option(help="FROM..TO (UTC days, both included).")],
    by: Annotated[
        str, typer.Option(help="Dimensions, comma-separated: channel,platform,person.plan.")
    ],
    start: Annotated[str, typer.Option(help="activation: the cohort event.")] = "signup",
    target: Annotated[str, typer.Option(help="activation: the success event.")] = "activated",
    within: Annotated[str, typer.Option(help="activation: time allowed.")] = "7d",
    step: Annotated[
        list[str] | None, typer.Option("--step", "-s", help="conversion: funnel steps.")
    ] = None,
    window: Annotated[str, typer.Option(help="conversion: window.")] = "14d",
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Split a rate's change between two periods into mix and rate, per dimension."""
    query = ExplainQuery(
        metric=metric,
        before=before,
        after=after,
        by=by,
        start=start,
        target=target,
        within=within,
        steps=tuple(step or ()),
        window=window,
    )
    with refusing(ValueError, as_json=as_json):
        spec, periods, dims = query.rate(), query.periods(), query.dimensions()
    data = run_analytics(
        ctx,
        project,
        as_json,
        f"/analytics/explain/{metric}",
        query.to_params(),
        lambda src: explain_change(src, spec, periods[0], periods[1], dims).to_dict(),
        export=export,
        engine=engine,
    )
    emit(data if as_json else _render(data), as_json=as_json)
