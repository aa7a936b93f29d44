"""Diary studies for researchers: the project's diaries, and one diary's progress per
participant (prompts answered, missed, still open, to come; withdrawn participants).

Participants are named by distinct id, so both pages need ``personal_data.read`` and
the detail page's read is written to the audit log, like segment members.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from fieldnote.interviews.diaries import DiaryDefinition, DiaryError
from fieldnote.repository._diaries import DiaryRecord, DiaryStore, ParticipantProgress
from fieldnote.repository._diary_enrol import enrol_participant
from fieldnote.web._diaries_write_api import NO_DIARY
from fieldnote.web._project_access import PageResearcher, PageWriter, ProjectAccess
from fieldnote.web.pages._diary_forms import AGREE_PARTS, definition_from_form
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


async def _list_page(
    ctx: ProjectAccess, error: str | None = None, form: dict[str, str] | None = None
) -> Response:
    diaries = await ctx.run(lambda: DiaryStore(ctx.repository).list(ctx.project))
    return page(
        ctx.request,
        "diaries.html",
        ctx.principal,
        status=422 if error else 200,
        projects=await visible_projects(ctx.request, ctx.principal),
        project=ctx.project,
        active="diaries",
        diaries=diaries,
        diary=None,
        people=[],
        error=error,
        form=form or {},
        agree_parts=AGREE_PARTS,
    )


@router.get("/projects/{project}/diaries")
async def diaries_page(ctx: PageResearcher) -> Response:
    return await _list_page(ctx)


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "csrf_token"}


@router.post("/projects/{project}/diaries")
async def create_diary(ctx: PageWriter) -> Response:
    """The "New diary" form: created, audited, and the diary's page opens."""
    form = await _form(ctx.request)

    def create() -> str:
        definition = DiaryDefinition.from_dict(definition_from_form(form))
        raw_study = form.get("study_id", "").strip()
        if raw_study and not raw_study.isdigit():
            raise DiaryError(f"study_id: expected a study number, got {raw_study!r}")
        made = DiaryStore(ctx.repository).create(
            ctx.project,
            form.get("name", ""),
            definition,
            study_id=int(raw_study) if raw_study else None,
            created_by=ctx.actor,
        )
        return made.name

    try:
        name = await ctx.run(create)
    except DiaryError as exc:
        return await _list_page(ctx, str(exc), form)
    await ctx.audit("diary.create", f"diary:{name}", {"page": "diaries"})
    return RedirectResponse(f"/projects/{ctx.project}/diaries/{quote(name)}", 303)


async def _load(ctx: ProjectAccess, name: str) -> tuple[DiaryRecord, list[ParticipantProgress]]:
    """The diary and its participants' progress; the read is audited (it names people)."""
    store = DiaryStore(ctx.repository)

    def load() -> tuple[DiaryRecord, list[ParticipantProgress]]:
        diary = store.get(ctx.project, name)
        return diary, store.progress(ctx.project, name, now=datetime.now(UTC))

    diary, people = await ctx.run(load, NO_DIARY)
    detail = {"page": "diaries", "participants": len(people)}
    await ctx.audit("personal_data.read", f"diary:{name}", detail)
    return diary, people


async def _diary_page(
    ctx: ProjectAccess, name: str, error: str | None = None, form: dict[str, str] | None = None
) -> Response:
    diary, people = await _load(ctx, name)
    return page(
        ctx.request,
        "diaries.html",
        ctx.principal,
        status=422 if error else 200,
        projects=await visible_projects(ctx.request, ctx.principal),
        project=ctx.project,
        active="diaries",
        diaries=[],
        diary=diary,
        people=people,
        error=error,
        form=form or {},
        agree_parts=AGREE_PARTS,
    )


@router.get("/projects/{project}/diaries/{name}")
async def diary_page(ctx: PageResearcher, name: str) -> Response:
    return await _diary_page(ctx, name)


@router.post("/projects/{project}/diaries/{name}/participants")
async def enrol(ctx: PageWriter, name: str) -> Response:
    """The "Enrol a participant" form: consent recorded, prompts scheduled, audited."""
    data = await ctx.request.form()
    form = await _form(ctx.request)
    agree = [str(v) for v in data.getlist("agree")]
    form["agree"] = ",".join(agree)
    await ctx.run(lambda: DiaryStore(ctx.repository).get(ctx.project, name), NO_DIARY)

    def enrol_now() -> str:
        made = enrol_participant(
            ctx.repository,
            ctx.project,
            name,
            form.get("distinct_id", ""),
            email=form.get("email", "").strip(),
            timezone=form.get("timezone", "").strip() or "UTC",
            name=form.get("name") or None,
            agree=agree,
        )
        return made.distinct_id

    try:
        participant = await ctx.run(enrol_now)
    except DiaryError as exc:
        return await _diary_page(ctx, name, str(exc), form)
    await ctx.audit("diary.enrol", f"diary:{name}", {"participant": participant})
    return RedirectResponse(f"/projects/{ctx.project}/diaries/{quote(name)}", 303)
