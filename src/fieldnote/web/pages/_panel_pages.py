"""The participant panel pages: the list (tier, kind, consent) and one participant
with their consent records and incentives.

Personal data: researchers and admins only (``READ_PERSONAL_DATA``), and every view
is written to the audit log — the same rule as the JSON API and the CLI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.responses import RedirectResponse, Response

from fieldnote.repository._consent import ConsentStore
from fieldnote.repository._incentives import IncentiveStore
from fieldnote.repository._panel import PanelError, ParticipantStore
from fieldnote.repository._panel_view import ParticipantView, panel
from fieldnote.research import IncentiveError
from fieldnote.web._project_access import (
    ErrorMap,
    PageResearcher,
    PageWriter,
    ProjectAccess,
)
from fieldnote.web.pages._projects import project_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _panel(ctx: ProjectAccess) -> list[ParticipantView]:
    store = ctx.state.store
    today = datetime.now(UTC).date()
    if store is None:
        return panel(ctx.repository, ctx.project, None, today)
    with store.reader() as cur:
        return panel(ctx.repository, ctx.project, cur, today)


@router.get("/projects/{project}/participants")
async def participants_page(ctx: PageResearcher) -> Response:
    views = await ctx.run(lambda: _panel(ctx))
    await ctx.audit("participants.list", "participants")
    counts: dict[str, int] = {}
    for v in views:
        counts[v.tier] = counts.get(v.tier, 0) + 1
    return await project_page(ctx, "panel.html", active="participants", rows=views, tiers=counts)


@router.get("/projects/{project}/participants/{participant_id}")
async def participant_page(ctx: PageResearcher, participant_id: str) -> Response:
    project, repo = ctx.project, ctx.repository

    def load() -> dict[str, Any]:
        who = ParticipantStore(repo).get(project, participant_id)
        view = next((v for v in _panel(ctx) if v.participant.id == who.id), None)
        return {
            "who": who,
            "view": view,
            "incentives": IncentiveStore(repo).list(project, participant_id=who.id),
            "consents": ConsentStore(repo).records(project, who.person_key),
        }

    data = await ctx.run(load, ErrorMap({PanelError: 404}))
    await ctx.audit("participant.read", f"participant:{data['who'].id}")
    return await project_page(ctx, "panel_participant.html", active="participants", **data)


@router.post("/projects/{project}/participants/{participant_id}/incentives/{incentive_id}")
async def incentive_action(
    ctx: PageWriter,
    participant_id: str,
    incentive_id: int,
    action: Annotated[str, Form()],
) -> Response:
    """Mark a promised incentive paid or cancelled from the participant's page."""
    repo, project = ctx.repository, ctx.project

    def move() -> int:
        who = ParticipantStore(repo).get(project, participant_id)
        mine = {i.id for i in IncentiveStore(repo).list(project, participant_id=who.id)}
        if incentive_id not in mine:
            raise PanelError(f"no incentive {incentive_id} for this participant")
        IncentiveStore(repo).act(project, incentive_id, action)
        return who.id

    who_id = await ctx.run(move, ErrorMap({PanelError: 404, IncentiveError: 409}))
    await ctx.audit(f"incentive.{action}"[:64], f"incentive:{incentive_id}")
    return RedirectResponse(f"/projects/{project}/participants/{who_id}", status_code=303)
