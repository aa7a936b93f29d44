"""The participant panel pages: the list (tier, kind, consent) and one participant
with their consent records and incentives.

Personal data: researchers and admins only (``READ_PERSONAL_DATA``), and every view
is written to the audit log — the same rule as the JSON API and the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import Response

from fieldnote.repository import Permission
from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._panel_view import ParticipantView, panel
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
