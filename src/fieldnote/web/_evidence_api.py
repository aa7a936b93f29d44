"""Evidence over HTTP (docs/api.md): opportunities ranked by RICE, job stories, themes
x behaviour, a theme's reach, the journey map, personas, and a release's validation.

Opportunities, reach and themes x behaviour are aggregates (any role reads); the
journey map and personas carry participants' quotes and attributes, so they need
``personal_data.read`` and every read is audited. Writes need ``research.write`` and
land in the audit log. Computations on events run beside the writer (``on_store``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import Response

from fieldnote.analytics import DateRange, parse_date
from fieldnote.analytics.funnels import Funnel
from fieldnote.repository import (
    Permission,
    ReleaseError,
    ResearchError,
    SegmentError,
    ThemeBookError,
)
from fieldnote.repository._job_stories import JobStoryError, JobStoryStore
from fieldnote.repository._opportunities import OpportunityError, OpportunityStore
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard
from fieldnote.web.pages._analytics_shared import on_store

__all__ = ["events_or_422", "router"]

router = APIRouter(prefix="/api", tags=["evidence"])

CanView = Annotated[Access, Depends(Guard(Permission.VIEW_PROJECT))]
CanReadPeople = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA))]
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]

T = TypeVar("T")
ERRORS = (
    OpportunityError,
    JobStoryError,
    ThemeBookError,
    SegmentError,
    ReleaseError,
    ResearchError,
    ValueError,
)


class OpportunityIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    effort: float = Field(gt=0, description="Person-months.")
    description: str = Field(default="", max_length=5000)
    book: str | None = None
    theme: str | None = None
    question_id: int | None = None
    segment: str | None = None
    validation: dict[str, str | None] = Field(
        default_factory=dict, description="metric, event, from, to (the behaviour check)."
    )


class JobStoryIn(BaseModel):
    situation: str = Field(min_length=1, max_length=500)
    motivation: str = Field(min_length=1, max_length=500)
    outcome: str = Field(min_length=1, max_length=500)
    evidence: list[str] = Field(default_factory=list, max_length=50)


class JobStoryPatch(BaseModel):
    situation: str | None = Field(default=None, max_length=500)
    motivation: str | None = Field(default=None, max_length=500)
    outcome: str | None = Field(default=None, max_length=500)
    evidence: list[str] | None = Field(default=None, max_length=50)


async def _call(fn: Callable[[], T]) -> T:
    try:
        return await run_in_threadpool(fn)
    except ERRORS as exc:
        status = 404 if "has no" in str(exc) and "project" in str(exc) else 422
        raise HTTPException(status, str(exc)) from exc


async def events_or_422(request: Request, project: str, compute: Callable[[Any], T]) -> T:
    """Run ``compute`` on the project's events; its errors are the caller's 422."""
    try:
        found = await on_store(request, project, compute)
    except ERRORS as exc:
        raise HTTPException(422, str(exc)) from exc
    if found is None:
        raise HTTPException(409, "this needs the event store (not available in scale-out mode)")
    return found


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


def _dates(start: str, end: str) -> DateRange:
    try:
        return DateRange(parse_date(start), parse_date(end, end=True))
    except ValueError as exc:
        raise HTTPException(422, f"from/to: {exc}") from exc


# opportunities ------------------------------------------------------------------


@router.get("/projects/{project}/opportunities")
async def list_opportunities(request: Request, access: CanView) -> dict[str, Any]:
    """Ranked by the last computed RICE score; every component with its source."""
    store = OpportunityStore(state(request).fieldnote.repository)
    found = await _call(lambda: store.list(access.project_name))
    return {"opportunities": [{"rank": i, **r.to_dict()} for i, r in enumerate(found, 1)]}


@router.get("/projects/{project}/opportunities.csv")
async def export_opportunities(request: Request, access: CanView) -> Response:
    from fieldnote.evidence._opportunity import ranked_csv

    store = OpportunityStore(state(request).fieldnote.repository)
    found = await _call(lambda: store.list(access.project_name))
    return Response(
        ranked_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="opportunities.csv"'},
    )


async def score(request: Request, project: str, name: str) -> dict[str, Any]:
    """Score one stored opportunity on the events (shared with the page)."""
    from fieldnote.evidence._stored import score_stored

    repository = state(request).fieldnote.repository
    record = await events_or_422(
        request, project, lambda source: score_stored(source, repository, project, name)
    )
    return record.to_dict()


@router.post("/projects/{project}/opportunities", status_code=201)
async def create_opportunity(
    request: Request, access: CanWrite, body: OpportunityIn
) -> dict[str, Any]:
    """Save a backlog item (links checked); scored at once when it has a theme and a
    segment."""
    store = OpportunityStore(state(request).fieldnote.repository)
    record = await _call(
        lambda: store.create(
            access.project_name,
            body.name,
            effort=body.effort,
            description=body.description,
            book=body.book,
            theme=body.theme,
            question_id=body.question_id,
            segment=body.segment,
            validation={k: v for k, v in body.validation.items() if v},
            created_by=access.principal.actor,
        )
    )
    await _audit(request, access, "opportunity.create", f"opportunity:{record.name}")
    if record.theme is not None and record.segment is not None:
        return await score(request, access.project_name, record.name)
    return record.to_dict()


@router.get("/projects/{project}/opportunities/{name}")
async def get_opportunity(request: Request, access: CanView, name: str) -> dict[str, Any]:
    store = OpportunityStore(state(request).fieldnote.repository)
    return (await _call(lambda: store.get(access.project_name, name))).to_dict()


@router.post("/projects/{project}/opportunities/{name}/score")
async def score_opportunity(request: Request, access: CanWrite, name: str) -> dict[str, Any]:
    """Recompute RICE from the current evidence and keep it."""
    store = OpportunityStore(state(request).fieldnote.repository)
    await _call(lambda: store.get(access.project_name, name))  # 404 before the events
    return await score(request, access.project_name, name)


@router.delete("/projects/{project}/opportunities/{name}")
async def delete_opportunity(request: Request, access: CanWrite, name: str) -> dict[str, Any]:
    store = OpportunityStore(state(request).fieldnote.repository)
    await _call(lambda: store.delete(access.project_name, name))
    await _audit(request, access, "opportunity.delete", f"opportunity:{name}")
    return {"deleted": name}


# job stories --------------------------------------------------------------------


@router.get("/projects/{project}/job-stories")
async def list_job_stories(request: Request, access: CanView) -> dict[str, Any]:
    store = JobStoryStore(state(request).fieldnote.repository)
    found = await _call(lambda: store.list(access.project_name))
    return {"job_stories": [s.to_dict() for s in found]}


@router.post("/projects/{project}/job-stories", status_code=201)
async def create_job_story(request: Request, access: CanWrite, body: JobStoryIn) -> dict[str, Any]:
    store = JobStoryStore(state(request).fieldnote.repository)
    story = await _call(
        lambda: store.create(
            access.project_name,
            situation=body.situation,
            motivation=body.motivation,
            outcome=body.outcome,
            evidence=body.evidence,
            created_by=access.principal.actor,
        )
    )
    await _audit(request, access, "job_story.create", f"job_story:{story.id}")
    return story.to_dict()


@router.get("/projects/{project}/job-stories/{story_id}")
async def get_job_story(request: Request, access: CanView, story_id: int) -> dict[str, Any]:
    store = JobStoryStore(state(request).fieldnote.repository)
    return (await _call(lambda: store.get(access.project_name, story_id))).to_dict()


@router.patch("/projects/{project}/job-stories/{story_id}")
async def update_job_story(
    request: Request, access: CanWrite, story_id: int, body: JobStoryPatch
) -> dict[str, Any]:
    store = JobStoryStore(state(request).fieldnote.repository)
    story = await _call(
        lambda: store.update(
            access.project_name,
            story_id,
            situation=body.situation,
            motivation=body.motivation,
            outcome=body.outcome,
            evidence=body.evidence,
        )
    )
    await _audit(request, access, "job_story.update", f"job_story:{story_id}")
    return story.to_dict()


@router.delete("/projects/{project}/job-stories/{story_id}")
async def delete_job_story(request: Request, access: CanWrite, story_id: int) -> dict[str, Any]:
    store = JobStoryStore(state(request).fieldnote.repository)
    await _call(lambda: store.delete(access.project_name, story_id))
    await _audit(request, access, "job_story.delete", f"job_story:{story_id}")
    return {"deleted": story_id}


# computations on the events -----------------------------------------------------

Steps = Annotated[list[str] | None, Query()]


@router.get("/projects/{project}/evidence/themes")
async def themes_behaviour(
    request: Request,
    access: CanView,
    book: str,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    metric: str = "engagement",
    event: str | None = None,
    test: str = "mann-whitney",
) -> dict[str, Any]:
    """Each theme's participants vs the other participants and everyone else."""
    from fieldnote.evidence import person_metric
    from fieldnote.evidence._stored import themes_behaviour as compute

    dates = _dates(start, end)
    try:
        spec = person_metric(metric, {"event": event})
    except ValueError as exc:
        raise HTTPException(422, f"metric: {exc}") from exc
    repository = state(request).fieldnote.repository
    project = access.project_name
    found = await events_or_422(
        request, project, lambda s: compute(s, repository, project, book, spec, dates, test=test)
    )
    return {"book": book, "themes": [{"id": k, **t.to_dict()} for k, t in found.items()]}


@router.get("/projects/{project}/evidence/reach")
async def theme_reach(
    request: Request,
    access: CanView,
    book: str,
    theme: str,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    step: Steps = None,
    segment: str | None = None,
    by: Steps = None,
) -> dict[str, Any]:
    """The theme as a segment of all users, and how many it plausibly affects
    (``by``: attributes most of its participants share narrow the segment)."""
    from fieldnote.evidence._stored import reach_for_theme

    dates = _dates(start, end)
    repository = state(request).fieldnote.repository
    project = access.project_name
    found = await events_or_422(
        request,
        project,
        lambda s: reach_for_theme(
            s,
            repository,
            project,
            book,
            theme,
            dates,
            steps=step or (),
            segment=segment or None,
            attributes=by or (),
        ),
    )
    return found.to_dict()


@router.get("/projects/{project}/evidence/journey")
async def journey(
    request: Request,
    access: CanReadPeople,
    book: str,
    start: Annotated[str, Query(alias="from")],
    end: Annotated[str, Query(alias="to")],
    step: Steps = None,
    window: str = "14d",
) -> dict[str, Any]:
    """Journey map: steps with themes, top quotes, emotion curve and drop-off (audited)."""
    from fieldnote.evidence._stored import book_contents, journey_for_book

    try:
        funnel = Funnel.parse(step or [], window=window, date_from=start, date_to=end)
    except ValueError as exc:
        raise HTTPException(422, f"step: {exc}") from exc
    repository = state(request).fieldnote.repository
    project = access.project_name
    found = await events_or_422(
        request,
        project,
        lambda s: journey_for_book(s, book_contents(repository, project, book), funnel),
    )
    await _audit(request, access, "journey.read", f"book:{book}")
    return found.to_dict()


@router.get("/projects/{project}/evidence/personas")
async def personas(
    request: Request,
    access: CanReadPeople,
    book: str,
    by: str,
    attr: Steps = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Personas from participants' attributes and themes, with empathy maps (audited)."""
    from fieldnote.evidence._stored import book_contents, personas_for_book

    dates = _dates(start, end) if start and end else None
    repository = state(request).fieldnote.repository
    project = access.project_name
    found = await events_or_422(
        request,
        project,
        lambda s: personas_for_book(
            s, book_contents(repository, project, book), by, attr or (), dates
        ),
    )
    await _audit(request, access, "personas.read", f"book:{book}")
    return {"book": book, "by": by, "personas": [p.to_dict() for p in found]}


@router.post("/projects/{project}/releases/{name}/validation", status_code=201)
async def propose_validation(request: Request, access: CanWrite, name: str) -> dict[str, Any]:
    """A Question and a proposed Study with the users the release targeted."""
    from fieldnote.evidence._stored import propose_validation as propose

    repository = state(request).fieldnote.repository
    found = await _call(
        lambda: propose(repository, access.project_name, name, created_by=access.principal.actor)
    )
    await _audit(request, access, "release.validation", f"release:{name}")
    return found.to_dict()
