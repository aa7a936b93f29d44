"""Decision pages: opportunities ranked by RICE (every component beside its source,
CSV export), the job-story library, a theme book's evidence view (themes x behaviour
and each theme's reach at scale) and releases with their validation-study action.

Aggregates and references only, so any role reads; creating, scoring, deleting and
proposing are research work (researcher or admin), CSRF-checked like every form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.analytics import DateRange, EventSource, parse_date
from fieldnote.evidence import person_metric
from fieldnote.evidence._opportunity import ranked_csv
from fieldnote.evidence._reach import ThemeReach
from fieldnote.evidence._stored import (
    book_contents,
    propose_validation,
    reach_for_theme,
    score_stored,
    themes_behaviour,
)
from fieldnote.repository import (
    ReleaseError,
    ReleaseStore,
    SavedSegments,
    SegmentError,
    ThemeBookError,
)
from fieldnote.repository._job_stories import JobStoryError, JobStoryStore
from fieldnote.repository._opportunities import OpportunityError, OpportunityStore
from fieldnote.web._auth import state
from fieldnote.web._guards import PageForbiddenError
from fieldnote.web._project_access import PageViewer, PageWriter, ProjectAccess
from fieldnote.web.pages._analytics_shared import on_store
from fieldnote.web.pages._projects import project_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


OPPORTUNITY_FIELDS = (
    "name", "effort", "description", "book", "theme", "segment", "question",
    "metric", "event", "from", "to",
)  # fmt: skip


async def _opportunities(
    ctx: ProjectAccess, *, form: dict[str, str], error: str | None
) -> Response:
    repository = ctx.repository
    found = await ctx.run(lambda: OpportunityStore(repository).list(ctx.project))
    segments = await ctx.run(lambda: SavedSegments(repository).list(ctx.project))
    return await project_page(
        ctx, "opportunities.html", active="opportunities", rows=found,
        segments=[s.name for s in segments], form=form, error=error,
        status=422 if error else 200,
    )  # fmt: skip


@router.get("/projects/{project}/opportunities")
async def opportunities_page(ctx: PageViewer) -> Response:
    return await _opportunities(ctx, form={}, error=None)


@router.get("/projects/{project}/opportunities/export.csv")
async def opportunities_csv(ctx: PageViewer) -> Response:
    repository = ctx.repository
    found = await run_in_threadpool(OpportunityStore(repository).list, ctx.project)
    return Response(
        ranked_csv(found),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="opportunities.csv"'},
    )


async def _score(request: Request, project: str, name: str) -> None:
    repository = state(request).fieldnote.repository
    done = await on_store(request, project, lambda s: score_stored(s, repository, project, name))
    if done is None:
        raise OpportunityError("scoring needs the event store (not in scale-out mode)")


@router.post("/projects/{project}/opportunities")
async def create_opportunity_page(ctx: PageWriter) -> Response:
    request = ctx.request
    data = await request.form()
    form = {k: str(data.get(k, "")).strip() for k in OPPORTUNITY_FIELDS}
    project = ctx.project
    store = OpportunityStore(ctx.repository)
    try:
        try:
            effort = float(form["effort"])
        except ValueError:
            raise OpportunityError("effort: write person-months as a number, e.g. 1.5") from None
        question = int(form["question"]) if form["question"] else None
        validation = (
            {"metric": form["metric"], "event": form["event"] or None,
             "from": form["from"], "to": form["to"]}
            if form["metric"] else {}
        )  # fmt: skip
        if validation:
            person_metric(form["metric"], {"event": form["event"] or None})
            parse_date(form["from"]), parse_date(form["to"])
        record = await run_in_threadpool(
            lambda: store.create(
                project, form["name"], effort=effort, description=form["description"],
                book=form["book"] or None, theme=form["theme"] or None, question_id=question,
                segment=form["segment"] or None, validation=validation,
                created_by=ctx.actor,
            )
        )  # fmt: skip
        if record.theme and record.segment:
            await _score(request, project, record.name)
    except (OpportunityError, ThemeBookError, SegmentError, ValueError) as exc:
        return await _opportunities(ctx, form=form, error=str(exc))
    return RedirectResponse(f"/projects/{project}/opportunities", status_code=303)


@router.post("/projects/{project}/opportunities/score")
async def score_opportunity_page(ctx: PageWriter, name: Annotated[str, Form()]) -> Response:
    try:
        await _score(ctx.request, ctx.project, name)
    except (OpportunityError, ThemeBookError, SegmentError, ValueError) as exc:
        return await _opportunities(ctx, form={}, error=str(exc))
    return RedirectResponse(f"/projects/{ctx.project}/opportunities", status_code=303)


async def _jobs(ctx: ProjectAccess, *, form: dict[str, str], error: str | None) -> Response:
    store = JobStoryStore(ctx.repository)
    found = await ctx.run(lambda: store.list(ctx.project))
    return await project_page(
        ctx, "jobs.html", active="journey", stories=found, form=form, error=error,
        status=422 if error else 200,
    )  # fmt: skip


@router.get("/projects/{project}/jobs")
async def jobs_page(ctx: PageViewer, edit: int | None = None) -> Response:
    """The library; ``?edit=ID`` fills the form with that story to change it."""
    form: dict[str, str] = {}
    if edit is not None:
        store = JobStoryStore(ctx.repository)
        try:
            story = await run_in_threadpool(store.get, ctx.project, edit)
        except JobStoryError as exc:
            raise PageForbiddenError(404, str(exc)) from None
        form = {"id": str(story.id), "situation": story.situation,
                "motivation": story.motivation, "outcome": story.outcome,
                "evidence": " ".join(str(e) for e in story.evidence)}  # fmt: skip
    return await _jobs(ctx, form=form, error=None)


@router.post("/projects/{project}/jobs/{story_id}")
async def update_job_page(
    ctx: PageWriter,
    story_id: int,
    situation: Annotated[str, Form()] = "",
    motivation: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    form = {"id": str(story_id), "situation": situation, "motivation": motivation,
            "outcome": outcome, "evidence": evidence}  # fmt: skip
    store = JobStoryStore(ctx.repository)
    try:
        await run_in_threadpool(
            lambda: store.update(
                ctx.project, story_id, situation=situation, motivation=motivation,
                outcome=outcome, evidence=evidence.split(),
            )
        )  # fmt: skip
    except JobStoryError as exc:
        if "has no job story" in str(exc):
            raise PageForbiddenError(404, str(exc)) from None
        return await _jobs(ctx, form=form, error=str(exc))
    return RedirectResponse(f"/projects/{ctx.project}/jobs", status_code=303)


@router.post("/projects/{project}/jobs")
async def create_job_page(
    ctx: PageWriter,
    situation: Annotated[str, Form()] = "",
    motivation: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    form = {"situation": situation, "motivation": motivation, "outcome": outcome,
            "evidence": evidence}  # fmt: skip
    store = JobStoryStore(ctx.repository)
    try:
        await run_in_threadpool(
            lambda: store.create(
                ctx.project, situation=situation, motivation=motivation,
                outcome=outcome, evidence=evidence.split(), created_by=ctx.actor,
            )
        )  # fmt: skip
    except JobStoryError as exc:
        return await _jobs(ctx, form=form, error=str(exc))
    return RedirectResponse(f"/projects/{ctx.project}/jobs", status_code=303)


@router.post("/projects/{project}/jobs/{story_id}/delete")
async def delete_job_page(ctx: PageWriter, story_id: int) -> Response:
    store = JobStoryStore(ctx.repository)
    try:
        await run_in_threadpool(store.delete, ctx.project, story_id)
    except JobStoryError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    return RedirectResponse(f"/projects/{ctx.project}/jobs", status_code=303)


def _reach(
    book: str, theme: str, dates: DateRange, steps: list[str], request: Request
) -> Callable[[EventSource], ThemeReach]:
    repository = state(request).fieldnote.repository
    project = request.path_params["project"]
    by = [b.strip() for b in request.query_params.get("by", "").split(",") if b.strip()]

    def compute(source: EventSource) -> ThemeReach:
        return reach_for_theme(
            source, repository, project, book, theme, dates, steps=steps, attributes=by
        )

    return compute


@router.get("/projects/{project}/books/{book}/evidence")
async def theme_evidence_page(ctx: PageViewer, book: str) -> Response:
    """A book's themes; with a metric and dates each theme shows its behavioural
    comparison, and with funnel steps its reach at scale."""
    request = ctx.request
    project = ctx.project
    params = request.query_params
    repository = ctx.repository
    try:
        contents = await run_in_threadpool(book_contents, repository, project, book)
    except ThemeBookError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    form = {k: params.get(k, "") for k in ("metric", "event", "from", "to", "by")}
    steps = [s for s in params.getlist("step") if s.strip()]
    behaviour: dict[str, Any] = {}
    reach: dict[str, Any] = {}
    errors: list[str] = []
    if form["from"] and form["to"]:
        try:
            dates = DateRange(parse_date(form["from"]), parse_date(form["to"], end=True))
            if form["metric"]:
                spec = person_metric(form["metric"], {"event": form["event"] or None})
                behaviour = await on_store(
                    request, project,
                    lambda s: themes_behaviour(s, repository, project, book, spec, dates),
                ) or {}  # fmt: skip
            for theme in contents.labels if len(steps) >= 2 else ():
                try:
                    reach[theme] = await on_store(
                        request, project, _reach(book, theme, dates, steps, request)
                    )
                except ValueError as exc:
                    reach[theme] = str(exc)
        except ValueError as exc:
            errors.append(str(exc))
    people: dict[str, set[str]] = {}
    for n in contents.notes:
        if n.theme and n.participant:
            people.setdefault(n.theme, set()).add(n.participant)
    response = await project_page(
        ctx, "theme_evidence.html", active="opportunities", book=book,
        labels=contents.labels, people={k: len(v) for k, v in people.items()},
        form=form, steps=steps + [""] * max(0, 3 - len(steps)), behaviour=behaviour,
        reach=reach, errors=errors,
    )  # fmt: skip
    if errors:
        response.status_code = 422
    return response


@router.get("/projects/{project}/releases")
async def releases_page(ctx: PageViewer) -> Response:
    store = ReleaseStore(ctx.repository)
    found = await run_in_threadpool(store.list, ctx.project)
    return await project_page(ctx, "releases.html", active="releases", releases=found)


@router.post("/projects/{project}/releases/validation")
async def validation_page(ctx: PageWriter, release: Annotated[str, Form()]) -> Response:
    repository = ctx.repository
    try:
        found = await run_in_threadpool(
            lambda: propose_validation(repository, ctx.project, release, created_by=ctx.actor)
        )
    except (ReleaseError, ValueError) as exc:
        raise PageForbiddenError(404, str(exc)) from None
    return RedirectResponse(
        f"/projects/{ctx.project}/questions/{found.question.id}", status_code=303
    )
