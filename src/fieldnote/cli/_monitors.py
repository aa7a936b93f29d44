"""``fieldnote monitors`` (create, list, run, delete, signals); ``fieldnote questions``
lives in ``_questions`` (re-exported here, where the CLI registers it).

Definitions, signals and questions live in the research repository (read and written
directly, like segments); running monitors needs the events, so ``run`` asks the
server when one owns the store, else opens the store read-only and runs here.
"""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import orjson
import typer
from rich.table import Table

from fieldnote.analytics import parse_date, store_source
from fieldnote.cli._analytics import JsonOpt, ProjectOpt
from fieldnote.cli._context import emit, get_state, refusing
from fieldnote.cli._questions import questions_app
from fieldnote.cli._server_client import ServerClient, ServerError
from fieldnote.monitors import MonitorDefinition, MonitorRunner, notifiers_from
from fieldnote.repository import (
    DEFAULT_PROJECT,
    MonitorError,
    MonitorStore,
    ProjectError,
    Repository,
)

__all__ = ["monitors_app", "questions_app"]  # questions_app: from _questions, re-exported

monitors_app = typer.Typer(
    help="Monitors: metrics + rules that open questions.", no_args_is_help=True
)

Csv = Annotated[str | None, typer.Option(help="Comma-separated.")]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _repository(ctx: typer.Context, project: str, as_json: bool) -> Repository:
    """The repository, once the project is known to exist (the default one is made)."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, as_json=as_json):
        fn.projects.require(project)
    return fn.repository


def _definition(options: dict[str, Any], definition_json: str | None) -> dict[str, Any]:
    if definition_json:
        data = orjson.loads(definition_json)
        if not isinstance(data, dict):
            raise ValueError("--definition-json must be a JSON object")
        return MonitorDefinition.from_dict(data).to_dict()
    o = options
    explain_by = [d.strip() for d in (o["explain_by"] or "").split(",") if d.strip()]
    if o["metric"] == "experiment":
        experiment = {k: o[k] for k in ("exposure", "conversion", "variant", "control")}
        experiment.update(percent=o["percent"], min_sample=o["min_sample"], window=o["window"])
        return MonitorDefinition.from_dict({"experiment": experiment}).to_dict()
    metric = {
        k: o[k] for k in ("event", "window", "start", "target", "within", "breakdown", "value")
    }
    metric.update(kind=o["metric"], steps=o["step"] or [])
    rules: dict[str, dict[str, Any]] = {
        "threshold": {
            "op": "above" if o["above"] is not None else "below",
            "value": o["above"] if o["above"] is not None else o["below"],
        },
        "swing": {
            k: o[k] for k in ("percent", "direction", "recent_days", "baseline_days", "min_sample")
        },
        "anomaly": {"detector": o["detector"], "recent_days": o["anomaly_days"]},
    }
    if o["rule"] not in rules:
        raise ValueError(f"unknown rule {o['rule']!r}: one of {', '.join(rules)}")
    if o["rule"] == "threshold" and (o["above"] is None) == (o["below"] is None):
        raise ValueError("a threshold rule needs exactly one of --above or --below")
    data = {
        "metric": metric,
        "rule": {"rule": o["rule"], **rules[o["rule"]]},
        "explain_by": explain_by,
    }
    return MonitorDefinition.from_dict(data).to_dict()


@monitors_app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique within the project.")],
    metric: Annotated[
        str, typer.Option(help="events, users, conversion, activation, retention, experiment.")
    ] = "activation",
    event: Annotated[
        str | None, typer.Option(help="events/users: the event; retention: the return event.")
    ] = None,
    step: Annotated[
        list[str] | None, typer.Option("--step", "-s", help="conversion steps.")
    ] = None,
    window: Annotated[str, typer.Option(help="conversion/experiment window.")] = "14d",
    start: Annotated[str, typer.Option(help="activation: cohort event.")] = "signup",
    target: Annotated[str, typer.Option(help="activation: success event.")] = "activated",
    within: Annotated[str, typer.Option(help="activation: time allowed; retention: day N.")] = "7d",
    breakdown: Annotated[str | None, typer.Option(help="Watch one value of this property.")] = None,
    value: Annotated[str | None, typer.Option(help="The breakdown value watched.")] = None,
    rule: Annotated[str, typer.Option(help="threshold, swing or anomaly.")] = "swing",
    above: Annotated[float | None, typer.Option(help="threshold: fire above.")] = None,
    below: Annotated[float | None, typer.Option(help="threshold: fire below.")] = None,
    percent: Annotated[float, typer.Option(help="swing/experiment: relative change, %.")] = 10.0,
    direction: Annotated[str, typer.Option(help="swing: up, down or both.")] = "both",
    recent_days: Annotated[int, typer.Option(help="swing: days compared.")] = 7,
    baseline_days: Annotated[int, typer.Option(help="swing: days before, as baseline.")] = 28,
    min_sample: Annotated[int, typer.Option(help="Fewest users/events per period.")] = 100,
    detector: Annotated[str, typer.Option(help="anomaly: seasonal, zscore, mad.")] = "seasonal",
    anomaly_days: Annotated[int, typer.Option(help="anomaly: fire on the last N days.")] = 3,
    explain_by: Csv = None,
    exposure: Annotated[str, typer.Option(help="experiment: exposure step.")] = "",
    conversion: Annotated[str, typer.Option(help="experiment: conversion step.")] = "",
    variant: Annotated[str, typer.Option(help="experiment: e.g. $feature/my-flag.")] = "",
    control: Annotated[str, typer.Option(help="experiment: control variant.")] = "control",
    definition_json: Annotated[
        str | None, typer.Option(help="The whole definition as JSON (docs/monitors.md).")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Create a monitor: a metric and a rule (or an experiment)."""
    with refusing(ValueError, MonitorError, orjson.JSONDecodeError, as_json=as_json):
        definition = _definition(dict(locals()), definition_json)
        store = MonitorStore(_repository(ctx, project, as_json))
        made = store.create(project, name, definition, created_by=_actor())
    emit(made.to_dict(), as_json=as_json, text=f"monitor {made.name!r} created")


@monitors_app.command("list")
def list_monitors(
    ctx: typer.Context, project: ProjectOpt = DEFAULT_PROJECT, as_json: JsonOpt = False
) -> None:
    """The project's monitors and their last result."""
    with refusing(MonitorError, as_json=as_json):
        found = MonitorStore(_repository(ctx, project, as_json)).list(project)
    if as_json:
        emit({"monitors": [m.to_dict() for m in found]}, as_json=True)
        return
    table = Table(title=f"{len(found)} monitors in {project}")
    for col in ("name", "watches", "last run", "last result"):
        table.add_column(col)
    for m in found:
        desc = MonitorDefinition.from_dict(m.definition).describe()
        last = m.last_result or {}
        table.add_row(
            m.name,
            desc,
            m.last_run_at.isoformat() if m.last_run_at else "-",
            str(last.get("reason", "-")),
        )
    emit(table, as_json=False)


@monitors_app.command("delete")
def delete(
    ctx: typer.Context,
    name: str,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Delete a monitor."""
    with refusing(MonitorError, as_json=as_json):
        MonitorStore(_repository(ctx, project, as_json)).delete(project, name)
    emit({"deleted": name}, as_json=as_json, text=f"monitor {name!r} deleted")


def _run_here(ctx: typer.Context, project: str, names: list[str], until: str | None) -> Any:
    fn = get_state(ctx).fieldnote
    runner = MonitorRunner(fn.repository, notifiers_from(fn.settings))
    store = fn.open_event_store(read_only=True)
    try:
        at = parse_date(until, end=True) if until else None
        with store.reader() as cur:
            outcomes = runner.run(
                store_source(cur, project), project, names=names or None, until=at
            )
        return {"results": [o.to_dict() for o in outcomes]}
    finally:
        store.close()


@monitors_app.command("run")
def run(
    ctx: typer.Context,
    names: Annotated[list[str] | None, typer.Argument(help="Monitors (default: all).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Evaluate as of this UTC date (replays, backfills).")
    ] = None,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Run monitors now: fired ones record a Signal and open or update a Question."""
    fn = get_state(ctx).fieldnote
    with refusing(ProjectError, MonitorError, ServerError, ValueError, as_json=as_json):
        fn.projects.require(project)
        info = fn.home.running_server()
        if info is not None:
            client = ServerClient(info)
            try:
                data = client.post(
                    f"/api/projects/{project}/monitors/run",
                    {"names": names or None, "until": until},
                )
            finally:
                client.close()
        else:
            data = _run_here(ctx, project, names or [], until)
    if as_json:
        emit(data, as_json=True)
        return
    for r in data["results"]:
        mark = "[bold red]FIRED[/]" if r["fired"] else "ok"
        emit(None, as_json=False, text=f"{mark} {r['monitor']}: {r['reason']}")
        if r["question"]:
            new = "opened" if r["new_question"] else "updated"
            emit(
                None,
                as_json=False,
                text=f"   question #{r['question']['id']} {new}: {r['question']['text']}",
            )


@monitors_app.command("signals")
def signals(
    ctx: typer.Context,
    monitor: Annotated[str | None, typer.Option(help="Only this monitor's.")] = None,
    limit: int = 50,
    project: ProjectOpt = DEFAULT_PROJECT,
    as_json: JsonOpt = False,
) -> None:
    """Recent signals (firings) with their reasons."""
    with refusing(MonitorError, as_json=as_json):
        found = MonitorStore(_repository(ctx, project, as_json)).signals(
            project, monitor=monitor, limit=limit
        )
    if as_json:
        emit({"signals": [s.to_dict() for s in found]}, as_json=True)
        return
    table = Table(title=f"{len(found)} signals")
    for col in ("id", "monitor", "fired", "since", "reason", "question"):
        table.add_column(col)
    for s in found:
        table.add_row(
            str(s.id),
            s.monitor,
            s.fired_at.isoformat(timespec="minutes"),
            str(s.since or "-"),
            s.reason,
            str(s.question_id or "-"),
        )
    emit(table, as_json=False)


def demo_monitor_step(fieldnote: Any, store: Any, project: str) -> dict[str, Any] | None:
    """``fieldnote demo``: the demo's monitor fires on the planted drop (docs/monitors.md)."""
    from fieldnote.demo import stored_scenario
    from fieldnote.monitors import run_demo_monitor

    with store.reader() as cur:  # its own cursor: reading the scenario leaves a result open
        scenario = stored_scenario(cur, project)
    if scenario is None:
        return None
    with store.reader() as cur:
        outcome = run_demo_monitor(fieldnote.repository, store_source(cur, project), scenario)
    return outcome.to_dict()


def demo_monitor_lines(data: dict[str, Any]) -> list[str]:
    """The demo summary's lines about the monitor that fired (none when it did not)."""
    monitor = data.get("monitor")
    if not monitor or not monitor.get("question"):
        return []
    question = monitor["question"]
    lines = [
        f"  5. Monitor '{monitor['monitor']}' fired: {monitor['reason']}",
        f"     Question #{question['id']}: {question['text']}",
    ]
    for study in question["studies"]:
        for seg in study["plan"]["segments"]:
            lines.append(f"     Study segment {seg['name']}: {seg['description']}")
    lines.append(
        f"     `fieldnote questions show {question['id']} --project {question['project']}`"
    )
    return lines
