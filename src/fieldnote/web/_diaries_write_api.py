"""Creating diaries and enrolling participants over HTTP (docs/api.md, "Diaries"):
what `fieldnote diaries create` and `enrol` do, for researchers (``research.write``),
each write audited like other research writes.

Bad input is a 422 naming the field (the definition's own checks say
``prompts[1]: …``, ``schedule.at: …``); an unknown diary is a 404. Enrolling records
the participant's consent and schedules every prompt in one transaction, so a refused
enrolment leaves nothing behind.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from fieldnote.interviews.diaries import DiaryDefinition, DiaryError, check_prompts
from fieldnote.repository._diaries import DiaryStore
from fieldnote.repository._diary_enrol import DEFAULT_AGREE, enrol_participant
from fieldnote.web._project_access import CanWrite, ErrorMap

__all__ = ["NO_DIARY", "DiaryIn", "EnrolIn", "router"]

router = APIRouter(prefix="/api", tags=["diaries"])
BAD_INPUT = ErrorMap({DiaryError: 422})
NO_DIARY = ErrorMap({DiaryError: 404})


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


@router.post("/projects/{project}/diaries", status_code=201)
async def create_diary(ctx: CanWrite, body: DiaryIn) -> dict[str, Any]:
    """A diary study; its prompts are checked by the question linter (``prompt_issues``)."""

    def create() -> dict[str, Any]:
        definition = DiaryDefinition.from_dict(body.definition)
        made = DiaryStore(ctx.repository).create(
            ctx.project, body.name, definition, study_id=body.study_id, created_by=ctx.actor
        )
        return {**made.to_dict(), "prompt_issues": check_prompts(definition.prompts)}

    made = await ctx.run(create, BAD_INPUT)
    await ctx.audit("diary.create", f"diary:{made['name']}", {})
    return made


@router.post("/projects/{project}/diaries/{name}/participants", status_code=201)
async def enrol(ctx: CanWrite, name: str, body: EnrolIn) -> dict[str, Any]:
    """Enrol a participant: their consent is recorded and every prompt scheduled."""
    await ctx.run(lambda: DiaryStore(ctx.repository).get(ctx.project, name), NO_DIARY)
    made = await ctx.run(
        lambda: enrol_participant(
            ctx.repository,
            ctx.project,
            name,
            body.distinct_id,
            email=body.email,
            timezone=body.timezone,
            name=body.name,
            consent_text_id=body.consent_text_id,
            agree=body.agree,
        ),
        BAD_INPUT,
    )
    await ctx.audit("diary.enrol", f"diary:{name}", {"participant": made.distinct_id})
    return made.to_dict()
