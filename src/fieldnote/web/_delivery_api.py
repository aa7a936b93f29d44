"""The staff side of email and link invitations over HTTP (docs/api.md, "Studies"):
set a study up, queue invitations, send them, open or close its shareable link, and
list invitations with their delivery (personal data: researchers and admins, audited).

Thin over ``fieldnote.research.delivery``; the same calls as ``fieldnote studies`` and
``fieldnote invitations``. Links point at FIELDNOTE_PUBLIC_URL, else at the address
the request came in on.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse

from fieldnote.interviews.guides import GuideError
from fieldnote.repository import Permission
from fieldnote.repository._delivery import DeliveryError
from fieldnote.research.delivery import DeliveryService, config_from_settings
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard

__all__ = ["router"]

router = APIRouter(tags=["studies"])
CanWrite = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH))]
CanRead = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA))]
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


def _service(request: Request) -> DeliveryService:
    fn = state(request).fieldnote
    return DeliveryService(fn.repository, config_from_settings(fn.settings))


def _base_url(request: Request) -> str:
    return state(request).fieldnote.settings.public_url or str(request.base_url).rstrip("/")


async def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run in a thread; an unknown study is 404, anything else refused is 422."""
    try:
        return await run_in_threadpool(lambda: fn(*args, **kwargs))
    except (DeliveryError, GuideError) as exc:
        message = str(exc)
        raise HTTPException(404 if "no study" in message else 422, message) from exc


@router.put(PREFIX + "/delivery")
async def setup(request: Request, access: CanWrite, study_id: int, body: SetupIn) -> Any:
    """What the study's invitations offer and which interview they lead to."""
    made = await _call(
        _service(request).setup,
        access.project_name,
        study_id,
        guide=body.guide,
        offer=body.offer,
        guide_version=body.guide_version,
        moderator=body.moderator,
    )
    return made.to_dict()


@router.post(PREFIX + "/invitations")
async def add(request: Request, access: CanWrite, study_id: int, body: InvitationIn) -> Any:
    """Queue one invitation (201), or say why the contact policy refused (200)."""
    decision, made = await _call(
        _service(request).add,
        access.project_name,
        study_id,
        body.distinct_id,
        channel=body.channel,
        email=body.email,
    )
    payload = {
        "queued": made is not None,
        "reason": decision.reason,
        "code": decision.code,
        "invitation": made.to_dict() if made else None,
    }
    return JSONResponse(payload, status_code=201 if made is not None else 200)


@router.post(PREFIX + "/invitations/send")
async def send(request: Request, access: CanWrite, study_id: int, body: SendIn) -> Any:
    """Send every waiting invitation of the channel; each outcome is recorded."""
    results = await _call(
        _service(request).send,
        access.project_name,
        study_id,
        channel=body.channel,
        base_url=_base_url(request),
    )
    delivered = sum(r.ok for r in results)
    return {
        "results": [r.to_dict() for r in results],
        "delivered": delivered,
        "failed": len(results) - delivered,
    }


@router.get(PREFIX + "/invitations")
async def deliveries(request: Request, access: CanRead, study_id: int) -> Any:
    """The study's email and link invitations with their delivery (addresses: audited)."""
    rows = await _call(_service(request).store.deliveries, access.project_name, study_id)
    await run_in_threadpool(
        state(request).fieldnote.audit.record,
        actor=access.principal.actor,
        action="personal_data.read",
        project=access.project_name,
        target=f"study:{study_id}:invitations",
        detail={"api": "studies/invitations", "rows": len(rows)},
        ip=client_ip(request),
    )
    return {"invitations": rows}


@router.post(PREFIX + "/share-link", status_code=201)
async def open_share(request: Request, access: CanWrite, study_id: int) -> Any:
    """A new shareable link (shown once; an earlier one stops working)."""
    made, url = await _call(
        _service(request).open_share, access.project_name, study_id, _base_url(request)
    )
    return {**made.to_dict(), "url": url}


@router.delete(PREFIX + "/share-link")
async def close_share(request: Request, access: CanWrite, study_id: int) -> Any:
    made = await _call(_service(request).close_share, access.project_name, study_id)
    return made.to_dict()
