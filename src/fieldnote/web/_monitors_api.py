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

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
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
    Permission,
    ResearchError,
    ResearchStore,
)
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._state import AppState

__all__ = ["router", "run_monitors", "start_scheduler"]

router = APIRouter(prefix="/api", tags=["monitors"])

CanView = Annotated[Access, Depends(Guard(Permission.VIEW_PROJECT))]
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]


class MonitorIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    definition: dict[str, Any]


class RunIn(BaseModel):
    names: list[str] | None = None
    until: str | None = Field(
        default=None, description="Evaluate as of this UTC date or time (replays, backfills)."
    )


def _monitors(request: Request) -> MonitorStore:
    return MonitorStore(state(request).fieldnote.repository)


def _research(request: Request) -> ResearchStore:
    return ResearchStore(state(request).fieldnote.repository)


def run_monitors(
    request: Request, project: str, names: list[str] | None, until: datetime | None
) -> list[RunOutcome]:
    st = state(request)
    if st.store is None:
        raise HTTPException(409, "this server writes Parquet segments (scale-out mode)")
    runner = MonitorRunner(st.fieldnote.repository, notifiers_from(st.fieldnote.settings))
    with st.store.reader() as cur:
        return runner.run(store_source(cur, project), project, names=names, until=until)


async def _audit(request: Request, access: Access, action: str, target: str) -> None:
    await run_in_threadpool(
        state(request).fieldnote.audit.record,
        actor=access.principal.actor,
        action=action,
        project=access.project_name,
        target=target,
        detail={},
        ip=client_ip(request),
    )


@router.get("/projects/{project}/monitors")
async def list_monitors(request: Request, access: CanView) -> dict[str, Any]:
    """The project's monitors with their last result."""
    found = await run_in_threadpool(_monitors(request).list, access.project_name)
    return {"monitors": [m.to_dict() for m in found]}


@router.post("/projects/{project}/monitors", status_code=201)
async def create_monitor(request: Request, access: CanWrite, body: MonitorIn) -> dict[str, Any]:
    """A monitor: ``{"metric": {...}, "rule": {...}, "explain_by": [...]}`` or
    ``{"experiment": {...}}`` (docs/monitors.md)."""
    try:
        definition = MonitorDefinition.from_dict(body.definition)
        made = await run_in_threadpool(
            lambda: _monitors(request).create(
                access.project_name,
                body.name,
                definition.to_dict(),
                created_by=access.principal.actor,
            )
        )
    except (ValueError, MonitorError) as exc:
        raise HTTPException(422, str(exc)) from exc
    await _audit(request, access, "monitor.create", f"monitor:{made.name}")
    return made.to_dict()


@router.delete("/projects/{project}/monitors/{name}")
async def delete_monitor(request: Request, access: CanWrite, name: str) -> dict[str, Any]:
    try:
        await run_in_threadpool(_monitors(request).delete, access.project_name, name)
    except MonitorError as exc:
        raise HTTPException(404, str(exc)) from exc
    await _audit(request, access, "monitor.delete", f"monitor:{name}")
    return {"deleted": name}


@router.post("/projects/{project}/monitors/run")
async def run(request: Request, access: CanWrite, body: RunIn) -> dict[str, Any]:
    """Run the project's enabled monitors now (or those named)."""
    try:
        until = parse_date(body.until, end=True) if body.until else None
        outcomes = await run_in_threadpool(
            run_monitors, request, access.project_name, body.names, until
        )
    except MonitorError as exc:
        raise HTTPException(404, str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"results": [o.to_dict() for o in outcomes]}


@router.get("/projects/{project}/signals")
async def signals(
    request: Request,
    access: CanView,
    monitor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    found = await run_in_threadpool(
        lambda: _monitors(request).signals(access.project_name, monitor=monitor, limit=limit)
    )
    return {"signals": [s.to_dict() for s in found]}


@router.get("/projects/{project}/signals/{signal_id}")
async def signal(request: Request, access: CanView, signal_id: int) -> dict[str, Any]:
    try:
        found = await run_in_threadpool(_monitors(request).signal, access.project_name, signal_id)
    except MonitorError as exc:
        raise HTTPException(404, str(exc)) from exc
    return found.to_dict()


@router.get("/projects/{project}/questions")
async def questions(request: Request, access: CanView, status: str | None = None) -> dict[str, Any]:
    try:
        found = await run_in_threadpool(
            lambda: _research(request).list(access.project_name, status=status)
        )
    except ResearchError as exc:
        raise HTTPException(422, str(exc)) from exc
    return {"questions": [q.to_dict() for q in found]}


@router.get("/projects/{project}/questions/{question_id}")
async def question(request: Request, access: CanView, question_id: int) -> dict[str, Any]:
    try:
        found = await run_in_threadpool(_research(request).get, access.project_name, question_id)
    except ResearchError as exc:
        raise HTTPException(404, str(exc)) from exc
    return found.to_dict()


@router.post("/projects/{project}/questions/{question_id}/diagnosed")
async def diagnosed(request: Request, access: CanWrite, question_id: int) -> dict[str, Any]:
    """Mark the question diagnosed (stops its time-to-diagnosis clock)."""
    try:
        found = await run_in_threadpool(
            _research(request).mark_diagnosed, access.project_name, question_id
        )
    except ResearchError as exc:
        raise HTTPException(404, str(exc)) from exc
    await _audit(request, access, "question.diagnosed", f"question:{question_id}")
    return found.to_dict()


@router.post("/projects/{project}/studies/{study_id}/start")
async def start_study(request: Request, access: CanWrite, study_id: int) -> dict[str, Any]:
    try:
        found = await run_in_threadpool(
            _research(request).start_study, access.project_name, study_id
        )
    except ResearchError as exc:
        raise HTTPException(404, str(exc)) from exc
    await _audit(request, access, "study.start", f"study:{study_id}")
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
