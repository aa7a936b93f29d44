"""``fieldnote evidence``: themes x behaviour, a theme's reach at scale, the journey
map and personas, computed on the events (store file or ``--export``) from a theme
book in the research repository. Thin over ``fieldnote.evidence``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from fieldnote.analytics import DateRange, parse_date
from fieldnote.analytics.funnels import Funnel
from fieldnote.cli._analytics import EngineOpt, ExportOpt, JsonOpt, ProjectOpt, pct
from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.cli._events_access import with_events
from fieldnote.repository import DEFAULT_PROJECT, ProjectError, SegmentError, ThemeBookError

__all__ = ["app", "dates_of"]

app = typer.Typer(help="Themes checked against behaviour, at scale.", no_args_is_help=True)

FromReq = Annotated[str, typer.Option("--from", help="First day (UTC date), included.")]
ToReq = Annotated[str, typer.Option("--to", help="Last day (UTC date), included.")]
StepsOpt = Annotated[
    list[str] | None, typer.Option("--step", "-s", help="A funnel step (repeat, in order).")
]


def dates_of(start: str, end: str) -> DateRange:
    return DateRange(parse_date(start), parse_date(end, end=True))


def _run(ctx: typer.Context, project: str, as_json: bool, compute: Any, **where: Any) -> Any:
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)

    def guarded(source: Any) -> dict[str, Any]:
        try:
            return {"out": compute(source, fn.repository)}
        except (ThemeBookError, SegmentError) as exc:
            raise ValueError(str(exc)) from None

    return with_events(ctx, project, as_json, guarded, **where)["out"]


@app.command("themes")
def themes(
    ctx: typer.Context,
    book: Annotated[str, typer.Argument(help="The theme book.")],
    start: FromReq,
    end: ToReq,
    metric: Annotated[str, typer.Option(help="engagement or conversion.")] = "engagement",
    event: Annotated[str | None, typer.Option(help="conversion: the step's event.")] = None,
    test: Annotated[str, typer.Option(help="mann-whitney or permutation.")] = "mann-whitney",
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Each theme's participants vs the other participants and everyone else."""
    from fieldnote.evidence import person_metric
    from fieldnote.evidence._stored import themes_behaviour

    with refusing(ValueError, as_json=as_json):
        dates = dates_of(start, end)
        spec = person_metric(metric, {"event": event})

    def compute(source: Any, repository: Any) -> list[dict[str, Any]]:
        found = themes_behaviour(source, repository, project, book, spec, dates, test=test)
        return [{"id": k, **t.to_dict()} for k, t in found.items()]

    found = _run(ctx, project, as_json, compute, export=export, engine=engine)
    if as_json:
        emit({"book": book, "themes": found}, as_json=True)
        return
    for t in found:
        emit(None, as_json=False, text=f"[bold]{t['id']}[/] {t['summary']}")


@app.command("reach")
def reach(
    ctx: typer.Context,
    book: Annotated[str, typer.Argument(help="The theme book.")],
    theme: Annotated[str, typer.Argument(help="The theme id (t1, t2 …).")],
    start: FromReq,
    end: ToReq,
    step: StepsOpt = None,
    segment: Annotated[
        str | None, typer.Option(help="A saved segment chosen as the proxy instead.")
    ] = None,
    by: Annotated[
        list[str] | None,
        typer.Option("--by", help="Narrow by an attribute most of them share: $os (repeat)."),
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Turn a theme into a segment and count the users it plausibly affects."""
    from fieldnote.evidence._stored import reach_for_theme

    with refusing(ValueError, as_json=as_json):
        dates = dates_of(start, end)

    def compute(source: Any, repository: Any) -> dict[str, Any]:
        found = reach_for_theme(
            source,
            repository,
            project,
            book,
            theme,
            dates,
            steps=step or (),
            segment=segment,
            attributes=by or (),
        )
        return found.to_dict()

    data = _run(ctx, project, as_json, compute, export=export, engine=engine)
    share = pct(data["share"]) if data["share"] is not None else "n/a"
    text = (
        f"{data['theme']}: {data['description']}\n"
        f"why: {data['basis']}\n"
        f"{data['size']:,} users ({share} of {data['active_users']:,} active) = "
        f"{data['per_quarter']:,.0f} per quarter"
    )
    for w in data["warnings"]:
        text += f"\nwarning: {w}"
    emit(data, as_json=as_json, text=text)


@app.command("journey")
def journey(
    ctx: typer.Context,
    book: Annotated[str, typer.Argument(help="The theme book.")],
    start: FromReq,
    end: ToReq,
    step: StepsOpt = None,
    window: Annotated[str, typer.Option(help="Conversion window.")] = "14d",
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """The funnel's steps with their themes, top quotes, emotion and drop-off."""
    from fieldnote.evidence._stored import book_contents, journey_for_book

    with refusing(ValueError, as_json=as_json):
        funnel = Funnel.parse(step or [], window=window, date_from=start, date_to=end)

    def compute(source: Any, repository: Any) -> dict[str, Any]:
        contents = book_contents(repository, project, book)
        return journey_for_book(source, contents, funnel).to_dict()

    data = _run(ctx, project, as_json, compute, export=export, engine=engine)
    table = Table("step", "users", "drop-off", "emotion (n)", "top theme", "quote")
    for s in data["steps"]:
        mood = "—" if s["sentiment"] is None else f"{s['sentiment']:+.2f}"
        table.add_row(
            f"{s['index']}. {s['event']}",
            f"{s['users']:,}",
            "—" if s["drop_rate"] is None else pct(s["drop_rate"]),
            f"{mood} ({s['notes']}){' thin' if s['thin'] else ''}",
            s["themes"][0]["label"] if s["themes"] else "",
            f'"{s["quotes"][0]["text"][:60]}"' if s["quotes"] else "",
        )
    emit(data if as_json else table, as_json=as_json)


@app.command("personas")
def personas(
    ctx: typer.Context,
    book: Annotated[str, typer.Argument(help="The theme book.")],
    by: Annotated[str, typer.Option(help="The attribute that splits people: $os, plan …")],
    attr: Annotated[
        list[str] | None, typer.Option("--attr", help="Other attributes to show (repeat).")
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="Attributes from this day.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="… to this day.")] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    export: ExportOpt = None,
    engine: EngineOpt = "duckdb",
    as_json: JsonOpt = False,
) -> None:
    """Personas from participants' attributes and themes, with empathy maps."""
    from fieldnote.evidence._stored import book_contents, personas_for_book

    with refusing(ValueError, as_json=as_json):
        dates = dates_of(start, end) if start and end else None

    def compute(source: Any, repository: Any) -> list[dict[str, Any]]:
        contents = book_contents(repository, project, book)
        found = personas_for_book(source, contents, by, attr or (), dates)
        return [p.to_dict() for p in found]

    data = _run(ctx, project, as_json, compute, export=export, engine=engine)
    if as_json:
        emit({"book": book, "by": by, "personas": data}, as_json=True)
        return
    for p in data:
        themes = ", ".join(t["label"] for t in p["themes"][:3]) or "no themes"
        emit(
            None,
            as_json=False,
            text=f"[bold]{p['name']}[/]: {len(p['participants'])} people; {themes}",
        )
        for q in ("says", "thinks", "does", "feels"):
            for e in p["empathy"][q][:2]:
                emit(None, as_json=False, text=f"  {q}: {e['text']}")
