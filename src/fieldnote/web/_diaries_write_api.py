"""Creating diaries and enrolling participants over HTTP (docs/api.md, "Diaries"):
what `fieldnote diaries create` and `enrol` do, for researchers (``research.write``),
each write audited like other research writes.

Bad input is a 422 naming the field (the definition's own checks say
``prompts[1]: …``, ``schedule.at: …``); an unknown diary is a 404. Enrolling records
the participant's consent and schedules every prompt in one transaction, so a refused
enrolment leaves nothing behind.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from fieldnote.interviews.diaries import DiaryDefinition, DiaryError, check_prompts
from fieldnote.repository import Permission
from fieldnote.repository._diaries import DiaryStore
from fieldnote.repository._diary_enrol import DEFAULT_AGREE, enrol_participant
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard

__all__ = ["DiaryIn", "EnrolIn", "audit_write", "router"]

router = APIRouter(prefix="/api", tags=["diaries"])
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]


class DiaryIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    definition: dict[str, Any] = Field(
        description='{"prompts": [...], "schedule": {"kind": "daily", "at": "19:00", '
        '"days": 7} or {"kind": "offsets", "hours": [0, 24]}, "answer_within_hours": 24}'
    )
    study_id: int | None = None


class EnrolIn(BaseModel):
    distinct_id: str = Field(min_length=1, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    timezone: str = Field(default="UTC", max_length=64)
    name: str | None = Field(default=None, max_length=200)
    consent_text_id: int | None = None
    agree: list[str] = Field(default_factory=lambda: list(DEFAULT_AGREE))


def audit_write(
    request: Request, access: Access, action: str, target: str, detail: dict[str, Any]
) -> None:
    state(request).fieldnote.audit.record(
        actor=access.principal.actor,
        action=action,
        project=access.project_name,
        target=target,
        detail=detail,
        ip=client_ip(request),
    )


@router.post("/projects/{project}/diaries", status_code=201)
async def create_diary(request: Request, access: CanWrite, body: DiaryIn) -> dict[str, Any]:
    """A diary study; its prompts are checked by the question linter (``prompt_issues``)."""
    repo = state(request).fieldnote.repository

    def create() -> dict[str, Any]:
        definition = DiaryDefinition.from_dict(body.definition)
        made = DiaryStore(repo).create(
            access.project_name,
            body.name,
            definition,
            study_id=body.study_id,
            created_by=access.principal.actor,
        )
        audit_write(request, access, "diary.create", f"diary:{made.name}", {})
        return {**made.to_dict(), "prompt_issues": check_prompts(definition.prompts)}

    try:
        return await run_in_threadpool(create)
    except DiaryError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post("/projects/{project}/diaries/{name}/participants", status_code=201)
async def enrol(request: Request, access: CanWrite, name: str, body: EnrolIn) -> dict[str, Any]:
    """Enrol a participant: their consent is recorded and every prompt scheduled."""
    repo = state(request).fieldnote.repository
    try:
        await run_in_threadpool(DiaryStore(repo).get, access.project_name, name)
    except DiaryError as exc:
        raise HTTPException(404, str(exc)) from exc

    def enrol_now() -> dict[str, Any]:
        made = enrol_participant(
            repo,
            access.project_name,
            name,
            body.distinct_id,
            email=body.email,
            timezone=body.timezone,
            name=body.name,
            consent_text_id=body.consent_text_id,
            agree=body.agree,
        )
        audit_write(
            request, access, "diary.enrol", f"diary:{name}", {"participant": made.distinct_id}
        )
        return made.to_dict()

    try:
        return await run_in_threadpool(enrol_now)
    except DiaryError as exc:
        raise HTTPException(422, str(exc)) from exc
