"""The participant panel pages: the list (tier, kind, consent) and one participant
with their consent records and incentives.

Personal data: researchers and admins only (``READ_PERSONAL_DATA``), and every view
is written to the audit log — the same rule as the JSON API and the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.repository import Permission
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._panel_view import ParticipantView, panel
from fieldnote.research import IncentiveError
from fieldnote.web._auth import client_ip, state
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

Researcher = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA, page=True))]


def _panel(request: Request, project: str) -> list[ParticipantView]:
    repo = state(request).fieldnote.repository
    store = state(request).store
    today = datetime.now(UTC).date()
    if store is None:
        return panel(repo, project, None, today)
    with store.reader() as cur:
        return panel(repo, project, cur, today)


async def _audit(request: Request, access: Access, action: str, target: str) -> None:
    await run_in_threadpool(
        state(request).fieldnote.audit.record,
        actor=access.principal.actor,
        action=action,
        project=access.project_name,
        target=target,
        ip=client_ip(request),
    )


@router.get("/projects/{project}/participants")
async def participants_page(request: Request, access: Researcher) -> Response:
    project = access.project_name
    views = await run_in_threadpool(_panel, request, project)
    await _audit(request, access, "participants.list", "participants")
    counts: dict[str, int] = {}
    for v in views:
        counts[v.tier] = counts.get(v.tier, 0) + 1
    return page(
        request,
        "panel.html",
        access.principal,
        projects=await visible_projects(request, access.principal),
        project=project,
        active="participants",
        rows=views,
        tiers=counts,
    )


@router.get("/projects/{project}/participants/{participant_id}")
async def participant_page(request: Request, access: Researcher, participant_id: str) -> Response:
    project = access.project_name
    repo = state(request).fieldnote.repository

    def load() -> dict[str, Any]:
        who = ParticipantStore(repo).get(project, participant_id)
        view = next((v for v in _panel(request, project) if v.participant.id == who.id), None)
        return {
            "who": who,
            "view": view,
            "incentives": IncentiveStore(repo).list(project, participant_id=who.id),
            "consents": ConsentStore(repo).records(project, who.person_key),
        }

    try:
        data = await run_in_threadpool(load)
    except PanelError as exc:
        raise PageForbiddenError(404, str(exc)) from exc
    await _audit(request, access, "participant.read", f"participant:{data['who'].id}")
    return page(
        request,
        "panel_participant.html",
        access.principal,
        projects=await visible_projects(request, access.principal),
        project=project,
        active="participants",
        **data,
    )


Writer = Annotated[Access, Depends(Guard(Permission.WRITE_RESEARCH, page=True))]


@router.post("/projects/{project}/participants/{participant_id}/incentives/{incentive_id}")
async def incentive_action(
    request: Request,
    access: Writer,
    participant_id: str,
    incentive_id: int,
    action: Annotated[str, Form()],
) -> Response:
    """Mark a promised incentive paid or cancelled from the participant's page."""
    repo = state(request).fieldnote.repository
    project = access.project_name

    def move() -> int:
        who = ParticipantStore(repo).get(project, participant_id)
        mine = {i.id for i in IncentiveStore(repo).list(project, participant_id=who.id)}
        if incentive_id not in mine:
            raise PanelError(f"no incentive {incentive_id} for this participant")
        IncentiveStore(repo).act(project, incentive_id, action)
        return who.id

    try:
        who_id = await run_in_threadpool(move)
    except PanelError as exc:
        raise PageForbiddenError(404, str(exc)) from None
    except IncentiveError as exc:
        raise PageForbiddenError(409, str(exc)) from None
    await _audit(request, access, f"incentive.{action}"[:64], f"incentive:{incentive_id}")
    return RedirectResponse(f"/projects/{project}/participants/{who_id}", status_code=303)
