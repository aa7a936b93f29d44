"""Monitor pages: the monitors (list and a create form), signals with their chart, and
questions with their evidence and proposed study. Aggregates only (any role reads);
creating a monitor, marking a study started and a question diagnosed (the times kept
for time-to-diagnosis) are research work (researcher or admin), CSRF-checked like
every form and written to the audit log. Charts use the analytics pages' renderer (Plotly, served from this server)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import RedirectResponse, Response

from fieldnote.monitors import METRICS, RULES, MonitorDefinition
from fieldnote.repository import (
    MonitorError,
    MonitorStore,
    ResearchError,
    ResearchStore,
)
from fieldnote.web._project_access import (
    ErrorMap,
    PageViewer,
    PageWriter,
    ProjectAccess,
)
from fieldnote.web.pages._projects import project_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

NOT_FOUND = ErrorMap({MonitorError: 404, ResearchError: 404})


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


def _evidence(evidence: dict[str, Any]) -> dict[str, Any]:
    """A signal's or question's evidence and its chart, as the templates take them."""
    return {"chart": chart_data(evidence), "evidence": evidence}


async def _page(
    ctx: ProjectAccess, template: str, *, active: str = "monitors", **context: Any
) -> Response:
    return await project_page(ctx, template, active=active, **context)


@router.get("/projects/{project}/monitors")
async def monitors_page(ctx: PageViewer) -> Response:
    store = MonitorStore(ctx.repository)
    found = await ctx.run(lambda: store.list(ctx.project))
    rows = [(m, MonitorDefinition.from_dict(m.definition).describe()) for m in found]
    recent = await ctx.run(lambda: store.signals(ctx.project, limit=20))
    return await _page(
        ctx,
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
    ctx: PageWriter,
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
        store = MonitorStore(ctx.repository)
        await ctx.run(
            lambda: store.create(
                ctx.project,
                name,
                definition.to_dict(),
                created_by=ctx.actor,
            )
        )
    except (ValueError, MonitorError) as exc:
        store = MonitorStore(ctx.repository)
        found = await ctx.run(lambda: store.list(ctx.project))
        rows = [(m, MonitorDefinition.from_dict(m.definition).describe()) for m in found]
        message = str(exc)
        if rule == "threshold" and "could not convert" in message:
            message = "threshold: write the value as 'below 0.3' or 'above 1000'"
        response = await _page(
            ctx,
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
    return RedirectResponse(f"/projects/{ctx.project}/monitors", status_code=303)


@router.get("/projects/{project}/signals/{signal_id}")
async def signal_page(ctx: PageViewer, signal_id: int) -> Response:
    store = MonitorStore(ctx.repository)
    found = await ctx.run(lambda: store.signal(ctx.project, signal_id), NOT_FOUND)
    return await _page(ctx, "signal.html", signal=found, **_evidence(found.evidence))


@router.get("/projects/{project}/questions")
async def questions_page(ctx: PageViewer) -> Response:
    research = ResearchStore(ctx.repository)
    found = await ctx.run(lambda: research.list(ctx.project))
    return await _page(ctx, "questions.html", active="questions", questions=found)


@router.get("/projects/{project}/questions/{question_id}")
async def question_page(ctx: PageViewer, question_id: int) -> Response:
    research = ResearchStore(ctx.repository)
    found = await ctx.run(lambda: research.get(ctx.project, question_id), NOT_FOUND)
    return await _page(
        ctx, "question.html", active="questions", question=found, **_evidence(found.evidence)
    )


@router.post("/projects/{project}/questions/{question_id}/study-started")
async def study_started_page(
    ctx: PageWriter, question_id: int, study: Annotated[int, Form()]
) -> Response:
    """The question's study has started (its start time is kept once: a second click
    changes nothing)."""
    research = ResearchStore(ctx.repository)

    def start() -> None:
        question = research.get(ctx.project, question_id)
        if study not in {s.id for s in question.studies}:
            raise ResearchError(f"question {question_id} has no study {study}")
        research.start_study(ctx.project, study)

    await ctx.run(start, NOT_FOUND)
    await ctx.audit("study.start", f"study:{study}", {"page": "questions"})
    target = f"/projects/{ctx.project}/questions/{question_id}"
    return RedirectResponse(target, status_code=303)


@router.post("/projects/{project}/questions/{question_id}/diagnosed")
async def diagnosed_page(ctx: PageWriter, question_id: int) -> Response:
    """We know why now: the question is diagnosed (stops its time-to-diagnosis clock)."""
    research = ResearchStore(ctx.repository)
    await ctx.run(lambda: research.mark_diagnosed(ctx.project, question_id), NOT_FOUND)
    await ctx.audit("question.diagnosed", f"question:{question_id}", {"page": "questions"})
    target = f"/projects/{ctx.project}/questions/{question_id}"
    return RedirectResponse(target, status_code=303)
