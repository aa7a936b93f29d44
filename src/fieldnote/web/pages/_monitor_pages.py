"""Monitor pages: the monitors (list and a create form), signals with their chart, and
questions with their evidence and proposed study. Aggregates only (any role reads);
creating a monitor, marking a study started and a question diagnosed (the times kept
for time-to-diagnosis) are research work (researcher or admin), CSRF-checked like
every form and written to the audit log. Charts use the analytics pages' renderer (Plotly, served from this server)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.monitors import METRICS, RULES, MonitorDefinition
from fieldnote.repository import (
    MonitorError,
    MonitorStore,
    Permission,
    ResearchError,
    ResearchStore,
)
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Access, Depends(Guard(Permission.VIEW_PROJECT, page=True))]
Writer = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH, page=True))]


def chart_data(evidence: dict[str, Any]) -> dict[str, Any] | None:
    """The Signal's series (and its baseline level) in the analytics chart format."""
    series = evidence.get("series")
    if not series or not series.get("points"):
        return None
    points = series["points"]
    rate = bool(series.get("is_rate"))
    x = [p["day"] for p in points]
    out: list[dict[str, Any]] = [{"name": series["label"], "y": [p["value"] for p in points]}]
    baseline = (evidence.get("evaluation") or {}).get("baseline")
    if baseline is not None:
        out.append({"name": "baseline", "y": [baseline] * len(points)})
    return {"kind": "rate" if rate else "count", "x": x, "series": out}


async def _page(request: Request, access: Access, template: str, **context: Any) -> Response:
    projects = await visible_projects(request, access.principal)
    return page(
        request,
        template,
        access.principal,
        projects=projects,
        project=access.project_name,
        active="monitors",
        **context,
    )


@router.get("/projects/{project}/monitors")
async def monitors_page(request: Request, access: Viewer) -> Response:
    store = MonitorStore(state(request).fieldnote.repository)
    found = await run_in_threadpool(store.list, access.project_name)
    rows = [(m, MonitorDefinition.from_dict(m.definition).describe()) for m in found]
    recent = await run_in_threadpool(lambda: store.signals(access.project_name, limit=20))
    return await _page(
        request,
        access,
        "monitors.html",
        rows=rows,
        signals=recent,
        metrics=list(METRICS),
        rules=list(RULES),
        error=None,
        form={},
    )


@router.post("/projects/{project}/monitors")
async def create_monitor_page(
    request: Request,
    access: Writer,
    name: Annotated[str, Form()],
    metric: Annotated[str, Form()],
    rule: Annotated[str, Form()],
    event: Annotated[str, Form()] = "",
    steps: Annotated[str, Form()] = "",
    value: Annotated[str, Form()] = "",
    percent: Annotated[str, Form()] = "10",
    explain_by: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "name": name,
        "metric": metric,
        "rule": rule,
        "event": event,
        "steps": steps,
        "value": value,
        "percent": percent,
        "explain_by": explain_by,
    }
    try:
        rule_spec: dict[str, Any] = {"rule": rule}
        if rule == "threshold":
            op, _, number = value.strip().partition(" ")
            rule_spec.update(op=op, value=float(number))
        elif rule == "swing":
            rule_spec["percent"] = float(percent)
        definition = MonitorDefinition.from_dict(
            {
                "metric": {
                    "kind": metric,
                    "event": event.strip() or None,
                    "steps": [s.strip() for s in steps.splitlines() if s.strip()],
                },
                "rule": rule_spec,
                "explain_by": [d.strip() for d in explain_by.split(",") if d.strip()],
            }
        )
        store = MonitorStore(state(request).fieldnote.repository)
        await run_in_threadpool(
            lambda: store.create(
                access.project_name,
                name,
                definition.to_dict(),
                created_by=access.principal.actor,
            )
        )
    except (ValueError, MonitorError) as exc:
        store = MonitorStore(state(request).fieldnote.repository)
        found = await run_in_threadpool(store.list, access.project_name)
        rows = [(m, MonitorDefinition.from_dict(m.definition).describe()) for m in found]
        message = str(exc)
        if rule == "threshold" and "could not convert" in message:
            message = "threshold: write the value as 'below 0.3' or 'above 1000'"
        response = await _page(
            request,
            access,
            "monitors.html",
            rows=rows,
            signals=[],
            metrics=list(METRICS),
            rules=list(RULES),
            error=message,
            form=form,
        )
        response.status_code = 422
        return response
    return RedirectResponse(f"/projects/{access.project_name}/monitors", status_code=303)


@router.get("/projects/{project}/signals/{signal_id}")
async def signal_page(request: Request, access: Viewer, signal_id: int) -> Response:
    store = MonitorStore(state(request).fieldnote.repository)
    try:
        found = await run_in_threadpool(store.signal, access.project_name, signal_id)
    except MonitorError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    return await _page(
        request,
        access,
        "signal.html",
        signal=found,
        chart=chart_data(found.evidence),
        evidence=found.evidence,
    )


@router.get("/projects/{project}/questions")
async def questions_page(request: Request, access: Viewer) -> Response:
    research = ResearchStore(state(request).fieldnote.repository)
    found = await run_in_threadpool(research.list, access.project_name)
    return await _page(request, access, "questions.html", questions=found)


@router.get("/projects/{project}/questions/{question_id}")
async def question_page(request: Request, access: Viewer, question_id: int) -> Response:
    research = ResearchStore(state(request).fieldnote.repository)
    try:
        found = await run_in_threadpool(research.get, access.project_name, question_id)
    except ResearchError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    return await _page(
        request,
        access,
        "question.html",
        question=found,
        chart=chart_data(found.evidence),
        evidence=found.evidence,
    )


async def _audited(request: Request, access: Access, action: str, target: str) -> None:
    await run_in_threadpool(
        state(request).fieldnote.audit.record,
        actor=access.principal.actor,
        action=action,
        project=access.project_name,
        target=target,
        detail={"page": "questions"},
        ip=client_ip(request),
    )


@router.post("/projects/{project}/questions/{question_id}/study-started")
async def study_started_page(
    request: Request, access: Writer, question_id: int, study: Annotated[int, Form()]
) -> Response:
    """The question's study has started (its start time is kept once: a second click
    changes nothing)."""
    research = ResearchStore(state(request).fieldnote.repository)

    def start() -> None:
        question = research.get(access.project_name, question_id)
        if study not in {s.id for s in question.studies}:
            raise ResearchError(f"question {question_id} has no study {study}")
        research.start_study(access.project_name, study)

    try:
        await run_in_threadpool(start)
    except ResearchError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    await _audited(request, access, "study.start", f"study:{study}")
    target = f"/projects/{access.project_name}/questions/{question_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/projects/{project}/questions/{question_id}/diagnosed")
async def diagnosed_page(request: Request, access: Writer, question_id: int) -> Response:
    """We know why now: the question is diagnosed (stops its time-to-diagnosis clock)."""
    research = ResearchStore(state(request).fieldnote.repository)
    try:
        await run_in_threadpool(research.mark_diagnosed, access.project_name, question_id)
    except ResearchError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    await _audited(request, access, "question.diagnosed", f"question:{question_id}")
    target = f"/projects/{access.project_name}/questions/{question_id}"
    return RedirectResponse(target, status_code=303)
