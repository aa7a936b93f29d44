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

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from fieldnote.analytics import DateRange, parse_date
from fieldnote.analytics.funnels import Funnel
from fieldnote.repository import (
    ReleaseError,
    ResearchError,
    SegmentError,
    ThemeBookError,
)
from fieldnote.repository._job_stories import JobStoryError, JobStoryStore
from fieldnote.repository._opportunities import OpportunityError, OpportunityStore
from fieldnote.web._project_access import (
    CanReadPersonal,
    CanView,
    CanWrite,
    ErrorMap,
    ProjectAccess,
)
from fieldnote.web.pages._analytics_shared import on_store

__all__ = ["events_or_422", "router"]

router = APIRouter(prefix="/api", tags=["evidence"])


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


def _status(exc: Exception) -> int:
    """A project the link points into that lacks the named thing is a 404."""
    return 404 if "has no" in str(exc) and "project" in str(exc) else 422


CALL_ERRORS = ErrorMap(dict.fromkeys(ERRORS, _status))


async def events_or_422(ctx: ProjectAccess, compute: Callable[[Any], T]) -> T:
    """Run ``compute`` on the project's events; its errors are the caller's 422."""
    try:
        found = await on_store(ctx.request, ctx.project, compute)
    except ERRORS as exc:
        raise HTTPException(422, str(exc)) from exc
    if found is None:
        raise HTTPException(409, "this needs the event store (not available in scale-out mode)")
    return found


def _dates(start: str, end: str) -> DateRange:
    try:
        return DateRange(parse_date(start), parse_date(end, end=True))
    except ValueError as exc:
        raise HTTPException(422, f"from/to: {exc}") from exc


# opportunities ------------------------------------------------------------------


@router.get("/projects/{project}/opportunities")
async def list_opportunities(ctx: CanView) -> dict[str, Any]:
    """Ranked by the last computed RICE score; every component with its source."""
    store = OpportunityStore(ctx.repository)
    found = await ctx.run(lambda: store.list(ctx.project), CALL_ERRORS)
    return {"opportunities": [{"rank": i, **r.to_dict()} for i, r in enumerate(found, 1)]}


@router.get("/projects/{project}/opportunities.csv")
async def export_opportunities(ctx: CanView) -> Response:
    from fieldnote.evidence._opportunity import ranked_csv

    store = OpportunityStore(ctx.repository)
    found = await ctx.run(lambda: store.list(ctx.project), CALL_ERRORS)
    return Response(
        ranked_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="opportunities.csv"'},
    )


async def score(ctx: ProjectAccess, name: str) -> dict[str, Any]:
    """Score one stored opportunity on the events (shared with the page)."""
    from fieldnote.evidence._stored import score_stored

    repository = ctx.repository
    project = ctx.project
    record = await events_or_422(
        ctx, lambda source: score_stored(source, repository, project, name)
    )
    return record.to_dict()


@router.post("/projects/{project}/opportunities", status_code=201)
async def create_opportunity(ctx: CanWrite, body: OpportunityIn) -> dict[str, Any]:
    """Save a backlog item (links checked); scored at once when it has a theme and a
    segment."""
    store = OpportunityStore(ctx.repository)
    record = await ctx.run(
        lambda: store.create(
            ctx.project,
            body.name,
            effort=body.effort,
            description=body.description,
            book=body.book,
            theme=body.theme,
            question_id=body.question_id,
            segment=body.segment,
            validation={k: v for k, v in body.validation.items() if v},
            created_by=ctx.actor,
        ),
        CALL_ERRORS,
    )
    await ctx.audit("opportunity.create", f"opportunity:{record.name}")
    if record.theme is not None and record.segment is not None:
        return await score(ctx, record.name)
    return record.to_dict()


@router.get("/projects/{project}/opportunities/{name}")
async def get_opportunity(ctx: CanView, name: str) -> dict[str, Any]:
    store = OpportunityStore(ctx.repository)
    return (await ctx.run(lambda: store.get(ctx.project, name), CALL_ERRORS)).to_dict()


@router.post("/projects/{project}/opportunities/{name}/score")
async def score_opportunity(ctx: CanWrite, name: str) -> dict[str, Any]:
    """Recompute RICE from the current evidence and keep it."""
    store = OpportunityStore(ctx.repository)
    await ctx.run(lambda: store.get(ctx.project, name), CALL_ERRORS)  # 404 before the events
    return await score(ctx, name)


@router.delete("/projects/{project}/opportunities/{name}")
async def delete_opportunity(ctx: CanWrite, name: str) -> dict[str, Any]:
    store = OpportunityStore(ctx.repository)
    await ctx.run(lambda: store.delete(ctx.project, name), CALL_ERRORS)
    await ctx.audit("opportunity.delete", f"opportunity:{name}")
    return {"deleted": name}


# job stories --------------------------------------------------------------------


@router.get("/projects/{project}/job-stories")
async def list_job_stories(ctx: CanView) -> dict[str, Any]:
    store = JobStoryStore(ctx.repository)
    found = await ctx.run(lambda: store.list(ctx.project), CALL_ERRORS)
    return {"job_stories": [s.to_dict() for s in found]}


@router.post("/projects/{project}/job-stories", status_code=201)
async def create_job_story(ctx: CanWrite, body: JobStoryIn) -> dict[str, Any]:
    store = JobStoryStore(ctx.repository)
    fields = body.model_dump()  # situation, motivation, outcome, evidence
    story = await ctx.run(
        lambda: store.create(ctx.project, **fields, created_by=ctx.actor), CALL_ERRORS
    )
    await ctx.audit("job_story.create", f"job_story:{story.id}")
    return story.to_dict()


@router.get("/projects/{project}/job-stories/{story_id}")
async def get_job_story(ctx: CanView, story_id: int) -> dict[str, Any]:
    store = JobStoryStore(ctx.repository)
    return (await ctx.run(lambda: store.get(ctx.project, story_id), CALL_ERRORS)).to_dict()


@router.patch("/projects/{project}/job-stories/{story_id}")
async def update_job_story(ctx: CanWrite, story_id: int, body: JobStoryPatch) -> dict[str, Any]:
    store = JobStoryStore(ctx.repository)
    fields = body.model_dump()  # situation, motivation, outcome, evidence (None: keep)
    story = await ctx.run(lambda: store.update(ctx.project, story_id, **fields), CALL_ERRORS)
    await ctx.audit("job_story.update", f"job_story:{story_id}")
    return story.to_dict()


@router.delete("/projects/{project}/job-stories/{story_id}")
async def delete_job_story(ctx: CanWrite, story_id: int) -> dict[str, Any]:
    store = JobStoryStore(ctx.repository)
    await ctx.run(lambda: store.delete(ctx.project, story_id), CALL_ERRORS)
    await ctx.audit("job_story.delete", f"job_story:{story_id}")
    return {"deleted": story_id}


# computations on the events -----------------------------------------------------

Steps = Annotated[list[str] | None, Query()]


@router.get("/projects/{project}/evidence/themes")
async def themes_behaviour(
    ctx: CanView,
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
    repository = ctx.repository
    project = ctx.project
    found = await events_or_422(
        ctx, lambda s: compute(s, repository, project, book, spec, dates, test=test)
    )
    return {"book": book, "themes": [{"id": k, **t.to_dict()} for k, t in found.items()]}


@router.get("/projects/{project}/evidence/reach")
async def theme_reach(
    ctx: CanView,
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
    repository = ctx.repository
    project = ctx.project
    found = await events_or_422(
        ctx,
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
    ctx: CanReadPersonal,
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
    repository = ctx.repository
    project = ctx.project
    found = await events_or_422(
        ctx,
        lambda s: journey_for_book(s, book_contents(repository, project, book), funnel),
    )
    await ctx.audit("journey.read", f"book:{book}")
    return found.to_dict()


@router.get("/projects/{project}/evidence/personas")
async def personas(
    ctx: CanReadPersonal,
    book: str,
    by: str,
    attr: Steps = None,
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
) -> dict[str, Any]:
    """Personas from participants' attributes and themes, with empathy maps (audited)."""
    from fieldnote.evidence._stored import book_contents, personas_for_book

    dates = _dates(start, end) if start and end else None
    repository = ctx.repository
    project = ctx.project
    found = await events_or_422(
        ctx,
        lambda s: personas_for_book(
            s, book_contents(repository, project, book), by, attr or (), dates
        ),
    )
    await ctx.audit("personas.read", f"book:{book}")
    return {"book": book, "by": by, "personas": [p.to_dict() for p in found]}


@router.post("/projects/{project}/releases/{name}/validation", status_code=201)
async def propose_validation(ctx: CanWrite, name: str) -> dict[str, Any]:
    """A Question and a proposed Study with the users the release targeted."""
    from fieldnote.evidence._stored import propose_validation as propose

    repository = ctx.repository
    found = await ctx.run(
        lambda: propose(repository, ctx.project, name, created_by=ctx.actor), CALL_ERRORS
    )
    await ctx.audit("release.validation", f"release:{name}")
    return found.to_dict()
