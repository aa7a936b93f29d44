"""The staff side of email and link invitations over HTTP (docs/api.md, "Studies"):
set a study up, queue invitations, send them, open or close its shareable link, and
list invitations with their delivery (personal data: researchers and admins, audited).

Thin over ``fieldnote.research.delivery``; the same calls as ``fieldnote studies`` and
``fieldnote invitations``. Links point at FIELDNOTE_PUBLIC_URL, else at the address
the request came in on.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from fieldnote.interviews.guides import GuideError
from fieldnote.repository._delivery import DeliveryError
from fieldnote.research.delivery import DeliveryService, config_from_settings
from fieldnote.web._project_access import (
    CanReadPersonal,
    CanWrite,
    ErrorMap,
    ProjectAccess,
)

__all__ = ["router"]

router = APIRouter(tags=["studies"])
PREFIX = "/api/projects/{project}/studies/{study_id}"


class SetupIn(BaseModel):
    guide: str = Field(min_length=1, max_length=100)
    guide_version: int | None = None
    moderator: str = "rule-based"
    offer: dict[str, Any]


class InvitationIn(BaseModel):
    distinct_id: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    channel: Literal["email", "link"] = "email"


class SendIn(BaseModel):
    channel: Literal["email", "link"] = "email"


def _service(ctx: ProjectAccess) -> DeliveryService:
    return DeliveryService(ctx.repository, config_from_settings(ctx.fieldnote.settings))


def _base_url(ctx: ProjectAccess) -> str:
    return ctx.fieldnote.settings.public_url or str(ctx.request.base_url).rstrip("/")


def _status(exc: Exception) -> int:
    return 404 if "no study" in str(exc) else 422


ERRORS = ErrorMap(dict.fromkeys((DeliveryError, GuideError), _status))
"""An unknown study is 404, anything else refused is 422."""


@router.put(PREFIX + "/delivery")
async def setup(ctx: CanWrite, study_id: int, body: SetupIn) -> Any:
    """What the study's invitations offer and which interview they lead to."""
    made = await ctx.run(
        lambda: _service(ctx).setup(
            ctx.project,
            study_id,
            guide=body.guide,
            offer=body.offer,
            guide_version=body.guide_version,
            moderator=body.moderator,
        ),
        ERRORS,
    )
    return made.to_dict()


@router.post(PREFIX + "/invitations")
async def add(ctx: CanWrite, study_id: int, body: InvitationIn) -> Any:
    """Queue one invitation (201), or say why the contact policy refused (200)."""
    decision, made = await ctx.run(
        lambda: _service(ctx).add(
            ctx.project, study_id, body.distinct_id, channel=body.channel, email=body.email
        ),
        ERRORS,
    )
    payload = {
        "queued": made is not None,
        "reason": decision.reason,
        "code": decision.code,
        "invitation": made.to_dict() if made else None,
    }
    return JSONResponse(payload, status_code=201 if made is not None else 200)


@router.post(PREFIX + "/invitations/send")
async def send(ctx: CanWrite, study_id: int, body: SendIn) -> Any:
    """Send every waiting invitation of the channel; each outcome is recorded."""
    results = await ctx.run(
        lambda: _service(ctx).send(
            ctx.project, study_id, channel=body.channel, base_url=_base_url(ctx)
        ),
        ERRORS,
    )
    delivered = sum(r.ok for r in results)
    return {
        "results": [r.to_dict() for r in results],
        "delivered": delivered,
        "failed": len(results) - delivered,
    }


@router.get(PREFIX + "/invitations")
async def deliveries(ctx: CanReadPersonal, study_id: int) -> Any:
    """The study's email and link invitations with their delivery (addresses: audited)."""
    rows = await ctx.run(lambda: _service(ctx).store.deliveries(ctx.project, study_id), ERRORS)
    await ctx.audit(
        "personal_data.read",
        f"study:{study_id}:invitations",
        {"api": "studies/invitations", "rows": len(rows)},
    )
    return {"invitations": rows}


@router.post(PREFIX + "/share-link", status_code=201)
async def open_share(ctx: CanWrite, study_id: int) -> Any:
    """A new shareable link (shown once; an earlier one stops working)."""
    made, url = await ctx.run(
        lambda: _service(ctx).open_share(ctx.project, study_id, _base_url(ctx)), ERRORS
    )
    return {**made.to_dict(), "url": url}


@router.delete(PREFIX + "/share-link")
async def close_share(ctx: CanWrite, study_id: int) -> Any:
    made = await ctx.run(lambda: _service(ctx).close_share(ctx.project, study_id), ERRORS)
    return made.to_dict()
