"""Diary studies for researchers: the project's diaries, and one diary's progress per
participant (prompts answered, missed, still open, to come; withdrawn participants).

Participants are named by distinct id, so both pages need ``personal_data.read`` and
the detail page's read is written to the audit log, like segment members.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from fieldnote.interviews.diaries import DiaryError
from fieldnote.repository import Permission
from fieldnote.repository._diaries import DiaryRecord, DiaryStore, ParticipantProgress
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
Researcher = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA, page=True))]


def _store(request: Request) -> DiaryStore:
    return DiaryStore(state(request).fieldnote.repository)


@router.get("/projects/{project}/diaries")
async def diaries_page(request: Request, access: Researcher) -> Response:
    diaries = await run_in_threadpool(_store(request).list, access.project_name)
    return page(
        request,
        "diaries.html",
        access.principal,
        projects=await visible_projects(request, access.principal),
        project=access.project_name,
        active="diaries",
        diaries=diaries,
        diary=None,
        people=[],
    )


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


@router.get("/projects/{project}/diaries/{name}")
async def diary_page(request: Request, access: Researcher, name: str) -> Response:
    diary, people = await run_in_threadpool(_load, request, access, name)
    return page(
        request,
        "diaries.html",
        access.principal,
        projects=await visible_projects(request, access.principal),
        project=access.project_name,
        active="diaries",
        diaries=[],
        diary=diary,
        people=people,
    )
