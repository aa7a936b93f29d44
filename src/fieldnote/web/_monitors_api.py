"""Monitors, signals, questions and studies over HTTP (docs/api.md, "Monitors").

Reads are aggregates (a metric, its decomposition, segment *definitions*, never the
persons in them): any role in the project may read them. Creating, deleting and
running monitors, and moving a study or question along, is research work
(``Permission.WRITE_RESEARCH``). Monitors run on a cursor beside the writer, the same
library call the scheduler and the CLI make.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from fieldnote.analytics import EventSource, parse_date, store_source
from fieldnote.monitors import (
    MonitorDefinition,
    MonitorRunner,
    MonitorScheduler,
    RunOutcome,
    notifiers_from,
    run_all_projects,
    scheduled_digests,
)
from fieldnote.repository import (
    MonitorError,
    MonitorStore,
    ResearchError,
    ResearchStore,
)
from fieldnote.web._auth import state
from fieldnote.web._project_access import CanView, CanWrite, ErrorMap, ProjectAccess
from fieldnote.web._state import AppState

__all__ = ["router", "run_monitors", "start_scheduler"]

router = APIRouter(prefix="/api", tags=["monitors"])

NOT_FOUND = ErrorMap({MonitorError: 404, ResearchError: 404})
"""A monitor, signal, question or study the project does not have."""


class MonitorIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    definition: dict[str, Any]


class RunIn(BaseModel):
    names: list[str] | None = None
    until: str | None = Field(
        default=None, description="Evaluate as of this UTC date or time (replays, backfills)."
    )


def _monitors(ctx: ProjectAccess) -> MonitorStore:
    return MonitorStore(ctx.repository)


def _research(ctx: ProjectAccess) -> ResearchStore:
    return ResearchStore(ctx.repository)


def run_monitors(
    request: Request, project: str, names: list[str] | None, until: datetime | None
) -> list[RunOutcome]:
    st = state(request)
    if st.store is None:
        raise HTTPException(409, "this server writes Parquet segments (scale-out mode)")
    runner = MonitorRunner(st.fieldnote.repository, notifiers_from(st.fieldnote.settings))
    with st.store.reader() as cur:
        return runner.run(store_source(cur, project), project, names=names, until=until)


@router.get("/projects/{project}/monitors")
async def list_monitors(ctx: CanView) -> dict[str, Any]:
    """The project's monitors with their last result."""
    found = await ctx.run(lambda: _monitors(ctx).list(ctx.project))
    return {"monitors": [m.to_dict() for m in found]}


@router.post("/projects/{project}/monitors", status_code=201)
async def create_monitor(ctx: CanWrite, body: MonitorIn) -> dict[str, Any]:
    """A monitor: ``{"metric": {...}, "rule": {...}, "explain_by": [...]}`` or
    ``{"experiment": {...}}`` (docs/monitors.md)."""
    try:
        definition = MonitorDefinition.from_dict(body.definition)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    made = await ctx.run(
        lambda: _monitors(ctx).create(
            ctx.project, body.name, definition.to_dict(), created_by=ctx.actor
        ),
        ErrorMap({ValueError: 422, MonitorError: 422}),
    )
    await ctx.audit("monitor.create", f"monitor:{made.name}")
    return made.to_dict()


@router.delete("/projects/{project}/monitors/{name}")
async def delete_monitor(ctx: CanWrite, name: str) -> dict[str, Any]:
    await ctx.run(lambda: _monitors(ctx).delete(ctx.project, name), NOT_FOUND)
    await ctx.audit("monitor.delete", f"monitor:{name}")
    return {"deleted": name}


@router.post("/projects/{project}/monitors/run")
async def run(ctx: CanWrite, body: RunIn) -> dict[str, Any]:
    """Run the project's enabled monitors now (or those named)."""
    try:
        until = parse_date(body.until, end=True) if body.until else None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    outcomes = await ctx.run(
        lambda: run_monitors(ctx.request, ctx.project, body.names, until),
        ErrorMap({MonitorError: 404, ValueError: 422}),
    )
    return {"results": [o.to_dict() for o in outcomes]}


@router.get("/projects/{project}/signals")
async def signals(
    ctx: CanView,
    monitor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    found = await ctx.run(lambda: _monitors(ctx).signals(ctx.project, monitor=monitor, limit=limit))
    return {"signals": [s.to_dict() for s in found]}


@router.get("/projects/{project}/signals/{signal_id}")
async def signal(ctx: CanView, signal_id: int) -> dict[str, Any]:
    found = await ctx.run(lambda: _monitors(ctx).signal(ctx.project, signal_id), NOT_FOUND)
    return found.to_dict()


@router.get("/projects/{project}/questions")
async def questions(ctx: CanView, status: str | None = None) -> dict[str, Any]:
    found = await ctx.run(
        lambda: _research(ctx).list(ctx.project, status=status), ErrorMap({ResearchError: 422})
    )
    return {"questions": [q.to_dict() for q in found]}


@router.get("/projects/{project}/questions/{question_id}")
async def question(ctx: CanView, question_id: int) -> dict[str, Any]:
    found = await ctx.run(lambda: _research(ctx).get(ctx.project, question_id), NOT_FOUND)
    return found.to_dict()


@router.post("/projects/{project}/questions/{question_id}/diagnosed")
async def diagnosed(ctx: CanWrite, question_id: int) -> dict[str, Any]:
    """Mark the question diagnosed (stops its time-to-diagnosis clock)."""
    found = await ctx.run(
        lambda: _research(ctx).mark_diagnosed(ctx.project, question_id), NOT_FOUND
    )
    await ctx.audit("question.diagnosed", f"question:{question_id}")
    return found.to_dict()


@router.post("/projects/{project}/studies/{study_id}/start")
async def start_study(ctx: CanWrite, study_id: int) -> dict[str, Any]:
    found = await ctx.run(lambda: _research(ctx).start_study(ctx.project, study_id), NOT_FOUND)
    await ctx.audit("study.start", f"study:{study_id}")
    return found.to_dict()


def start_scheduler(app_state: AppState) -> MonitorScheduler:
    """The background task of ``fieldnote serve`` that runs every project's monitors
    every ``monitor_interval_seconds`` (0: never) on the server's own store."""
    fn = app_state.fieldnote
    store = app_state.store

    @contextmanager
    def source_for(project: str) -> Iterator[EventSource]:
        assert store is not None
        with store.reader() as cur:
            yield store_source(cur, project)

    def job() -> None:
        run_all_projects(fn.repository, source_for, notifiers_from(fn.settings))
        scheduled_digests(fn.repository, fn.settings, source_for)

    interval = fn.settings.monitor_interval_seconds if store is not None else 0
    return MonitorScheduler(interval, job).start()
