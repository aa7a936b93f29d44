"""Diary studies for researchers: the project's diaries, and one diary's progress per
participant (prompts answered, missed, still open, to come; withdrawn participants).

Participants are named by distinct id, so both pages need ``personal_data.read`` and
the detail page's read is written to the audit log, like segment members.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.interviews.diaries import DiaryDefinition, DiaryError
from fieldnote.repository import Permission
from fieldnote.repository._diaries import DiaryRecord, DiaryStore, ParticipantProgress
from fieldnote.repository._diary_enrol import enrol_participant
from fieldnote.web._auth import client_ip, state
from fieldnote.web._diaries_write_api import audit_write
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web.pages._diary_forms import AGREE_PARTS, definition_from_form
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Researcher = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA, page=True))]
Writer = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH, page=True))]


def _store(request: Request) -> DiaryStore:
    return DiaryStore(state(request).fieldnote.repository)


async def _list_page(
    request: Request, access: Access, error: str | None = None, form: dict[str, str] | None = None
) -> Response:
    diaries = await run_in_threadpool(_store(request).list, access.project_name)
    return page(
        request,
        "diaries.html",
        access.principal,
        status=422 if error else 200,
        projects=await visible_projects(request, access.principal),
        project=access.project_name,
        active="diaries",
        diaries=diaries,
        diary=None,
        people=[],
        error=error,
        form=form or {},
        agree_parts=AGREE_PARTS,
    )


@router.get("/projects/{project}/diaries")
async def diaries_page(request: Request, access: Researcher) -> Response:
    return await _list_page(request, access)


async def _form(request: Request) -> dict[str, str]:
    data = await request.form()
    return {k: v for k, v in data.items() if isinstance(v, str) and k != "csrf_token"}


@router.post("/projects/{project}/diaries")
async def create_diary(request: Request, access: Writer) -> Response:
    """The "New diary" form: created, audited, and the diary's page opens."""
    form = await _form(request)
    repo = state(request).fieldnote.repository

    def create() -> str:
        definition = DiaryDefinition.from_dict(definition_from_form(form))
        raw_study = form.get("study_id", "").strip()
        if raw_study and not raw_study.isdigit():
            raise DiaryError(f"study_id: expected a study number, got {raw_study!r}")
        made = DiaryStore(repo).create(
            access.project_name,
            form.get("name", ""),
            definition,
            study_id=int(raw_study) if raw_study else None,
            created_by=access.principal.actor,
        )
        audit_write(request, access, "diary.create", f"diary:{made.name}", {"page": "diaries"})
        return made.name

    try:
        name = await run_in_threadpool(create)
    except DiaryError as exc:
        return await _list_page(request, access, str(exc), form)
    return RedirectResponse(f"/projects/{access.project_name}/diaries/{quote(name)}", 303)


def _load(
    request: Request, access: Access, name: str
) -> tuple[DiaryRecord, list[ParticipantProgress]]:
    store = _store(request)
    try:
        diary = store.get(access.project_name, name)
        people = store.progress(access.project_name, name, now=datetime.now(UTC))
    except DiaryError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    state(request).fieldnote.audit.record(
        actor=access.principal.actor,
        action="personal_data.read",
        project=access.project_name,
        target=f"diary:{name}",
        detail={"page": "diaries", "participants": len(people)},
        ip=client_ip(request),
    )
    return diary, people


async def _diary_page(
    request: Request,
    access: Access,
    name: str,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    diary, people = await run_in_threadpool(_load, request, access, name)
    return page(
        request,
        "diaries.html",
        access.principal,
        status=422 if error else 200,
        projects=await visible_projects(request, access.principal),
        project=access.project_name,
        active="diaries",
        diaries=[],
        diary=diary,
        people=people,
        error=error,
        form=form or {},
        agree_parts=AGREE_PARTS,
    )


@router.get("/projects/{project}/diaries/{name}")
async def diary_page(request: Request, access: Researcher, name: str) -> Response:
    return await _diary_page(request, access, name)


@router.post("/projects/{project}/diaries/{name}/participants")
async def enrol(request: Request, access: Writer, name: str) -> Response:
    """The "Enrol a participant" form: consent recorded, prompts scheduled, audited."""
    data = await request.form()
    form = await _form(request)
    agree = [str(v) for v in data.getlist("agree")]
    form["agree"] = ",".join(agree)
    repo = state(request).fieldnote.repository
    try:
        await run_in_threadpool(_store(request).get, access.project_name, name)
    except DiaryError as exc:
        raise PageForbiddenError(404, str(exc)) from None

    def enrol_now() -> None:
        made = enrol_participant(
            repo,
            access.project_name,
            name,
            form.get("distinct_id", ""),
            email=form.get("email", "").strip(),
            timezone=form.get("timezone", "").strip() or "UTC",
            name=form.get("name") or None,
            agree=agree,
        )
        audit_write(
            request, access, "diary.enrol", f"diary:{name}", {"participant": made.distinct_id}
        )

    try:
        await run_in_threadpool(enrol_now)
    except DiaryError as exc:
        return await _diary_page(request, access, name, str(exc), form)
    return RedirectResponse(f"/projects/{access.project_name}/diaries/{quote(name)}", 303)
