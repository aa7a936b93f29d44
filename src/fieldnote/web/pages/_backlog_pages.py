"""Decision pages: opportunities ranked by RICE (every component beside its source,
CSV export), the job-story library, a theme book's evidence view (themes x behaviour
and each theme's reach at scale) and releases with their validation-study action.

Aggregates and references only, so any role reads; creating, scoring, deleting and
proposing are research work (researcher or admin), CSRF-checked like every form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
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
    Permission,
    ReleaseError,
    ReleaseStore,
    SavedSegments,
    SegmentError,
    ThemeBookError,
)
from fieldnote.repository._job_stories import JobStoryError, JobStoryStore
from fieldnote.repository._opportunities import OpportunityError, OpportunityStore
from fieldnote.web._auth import state
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web.pages._analytics_shared import on_store
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Viewer = Annotated[Access, Depends(Guard(Permission.VIEW_PROJECT, page=True))]
Writer = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH, page=True))]

OPPORTUNITY_FIELDS = (
    "name", "effort", "description", "book", "theme", "segment", "question",
    "metric", "event", "from", "to",
)  # fmt: skip


async def _page(request: Request, access: Access, template: str, **context: Any) -> Response:
    projects = await visible_projects(request, access.principal)
    return page(
        request, template, access.principal, projects=projects, project=access.project_name,
        **context,
    )  # fmt: skip


async def _opportunities(
    request: Request, access: Access, *, form: dict[str, str], error: str | None
) -> Response:
    repository = state(request).fieldnote.repository
    found = await run_in_threadpool(OpportunityStore(repository).list, access.project_name)
    segments = await run_in_threadpool(SavedSegments(repository).list, access.project_name)
    response = await _page(
        request, access, "opportunities.html", active="opportunities", rows=found,
        segments=[s.name for s in segments], form=form, error=error,
    )  # fmt: skip
    if error:
        response.status_code = 422
    return response


@router.get("/projects/{project}/opportunities")
async def opportunities_page(request: Request, access: Viewer) -> Response:
    return await _opportunities(request, access, form={}, error=None)


@router.get("/projects/{project}/opportunities/export.csv")
async def opportunities_csv(request: Request, access: Viewer) -> Response:
    repository = state(request).fieldnote.repository
    found = await run_in_threadpool(OpportunityStore(repository).list, access.project_name)
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
async def create_opportunity_page(request: Request, access: Writer) -> Response:
    data = await request.form()
    form = {k: str(data.get(k, "")).strip() for k in OPPORTUNITY_FIELDS}
    project = access.project_name
    store = OpportunityStore(state(request).fieldnote.repository)
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
                created_by=access.principal.actor,
            )
        )  # fmt: skip
        if record.theme and record.segment:
            await _score(request, project, record.name)
    except (OpportunityError, ThemeBookError, SegmentError, ValueError) as exc:
        return await _opportunities(request, access, form=form, error=str(exc))
    return RedirectResponse(f"/projects/{project}/opportunities", status_code=303)


@router.post("/projects/{project}/opportunities/score")
async def score_opportunity_page(
    request: Request, access: Writer, name: Annotated[str, Form()]
) -> Response:
    try:
        await _score(request, access.project_name, name)
    except (OpportunityError, ThemeBookError, SegmentError, ValueError) as exc:
        return await _opportunities(request, access, form={}, error=str(exc))
    return RedirectResponse(f"/projects/{access.project_name}/opportunities", status_code=303)


async def _jobs(
    request: Request, access: Access, *, form: dict[str, str], error: str | None
) -> Response:
    store = JobStoryStore(state(request).fieldnote.repository)
    found = await run_in_threadpool(store.list, access.project_name)
    response = await _page(
        request, access, "jobs.html", active="journey", stories=found, form=form, error=error
    )
    if error:
        response.status_code = 422
    return response


@router.get("/projects/{project}/jobs")
async def jobs_page(request: Request, access: Viewer, edit: int | None = None) -> Response:
    """The library; ``?edit=ID`` fills the form with that story to change it."""
    form: dict[str, str] = {}
    if edit is not None:
        store = JobStoryStore(state(request).fieldnote.repository)
        try:
            story = await run_in_threadpool(store.get, access.project_name, edit)
        except JobStoryError as exc:
            raise PageForbiddenError(404, str(exc)) from None
        form = {"id": str(story.id), "situation": story.situation,
                "motivation": story.motivation, "outcome": story.outcome,
                "evidence": " ".join(str(e) for e in story.evidence)}  # fmt: skip
    return await _jobs(request, access, form=form, error=None)


@router.post("/projects/{project}/jobs/{story_id}")
async def update_job_page(
    request: Request,
    access: Writer,
    story_id: int,
    situation: Annotated[str, Form()] = "",
    motivation: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    form = {"id": str(story_id), "situation": situation, "motivation": motivation,
            "outcome": outcome, "evidence": evidence}  # fmt: skip
    store = JobStoryStore(state(request).fieldnote.repository)
    try:
        await run_in_threadpool(
            lambda: store.update(
                access.project_name, story_id, situation=situation, motivation=motivation,
                outcome=outcome, evidence=evidence.split(),
            )
        )  # fmt: skip
    except JobStoryError as exc:
        if "has no job story" in str(exc):
            raise PageForbiddenError(404, str(exc)) from None
        return await _jobs(request, access, form=form, error=str(exc))
    return RedirectResponse(f"/projects/{access.project_name}/jobs", status_code=303)


@router.post("/projects/{project}/jobs")
async def create_job_page(
    request: Request,
    access: Writer,
    situation: Annotated[str, Form()] = "",
    motivation: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
    evidence: Annotated[str, Form()] = "",
) -> Response:
    form = {"situation": situation, "motivation": motivation, "outcome": outcome,
            "evidence": evidence}  # fmt: skip
    store = JobStoryStore(state(request).fieldnote.repository)
    try:
        await run_in_threadpool(
            lambda: store.create(
                access.project_name, situation=situation, motivation=motivation,
                outcome=outcome, evidence=evidence.split(), created_by=access.principal.actor,
            )
        )  # fmt: skip
    except JobStoryError as exc:
        return await _jobs(request, access, form=form, error=str(exc))
    return RedirectResponse(f"/projects/{access.project_name}/jobs", status_code=303)


@router.post("/projects/{project}/jobs/{story_id}/delete")
async def delete_job_page(request: Request, access: Writer, story_id: int) -> Response:
    store = JobStoryStore(state(request).fieldnote.repository)
    try:
        await run_in_threadpool(store.delete, access.project_name, story_id)
    except JobStoryError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    return RedirectResponse(f"/projects/{access.project_name}/jobs", status_code=303)


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
async def theme_evidence_page(request: Request, access: Viewer, book: str) -> Response:
    """A book's themes; with a metric and dates each theme shows its behavioural
    comparison, and with funnel steps its reach at scale."""
    project = access.project_name
    params = request.query_params
    repository = state(request).fieldnote.repository
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
    response = await _page(
        request, access, "theme_evidence.html", active="opportunities", book=book,
        labels=contents.labels, people={k: len(v) for k, v in people.items()},
        form=form, steps=steps + [""] * max(0, 3 - len(steps)), behaviour=behaviour,
        reach=reach, errors=errors,
    )  # fmt: skip
    if errors:
        response.status_code = 422
    return response


@router.get("/projects/{project}/releases")
async def releases_page(request: Request, access: Viewer) -> Response:
    store = ReleaseStore(state(request).fieldnote.repository)
    found = await run_in_threadpool(store.list, access.project_name)
    return await _page(request, access, "releases.html", active="opportunities", releases=found)


@router.post("/projects/{project}/releases/validation")
async def validation_page(
    request: Request, access: Writer, release: Annotated[str, Form()]
) -> Response:
    repository = state(request).fieldnote.repository
    try:
        found = await run_in_threadpool(
            lambda: propose_validation(
                repository, access.project_name, release, created_by=access.principal.actor
            )
        )
    except (ReleaseError, ValueError) as exc:
        raise PageForbiddenError(404, str(exc)) from None
    return RedirectResponse(
        f"/projects/{access.project_name}/questions/{found.question.id}", status_code=303
    )
