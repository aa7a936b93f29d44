"""JSON API under /api/: every page's data, for scripts, the CLI and other tools.

Credentials: a personal API token (acts as its user), a project's secret key (reads its
project), the local admin token (server.json), or a signed-in browser session (with
the CSRF header on writes). Reads of personal data are written to the audit log.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from fieldnote.analytics.overview import Overview
from fieldnote.events import DuckDBEventStore
from fieldnote.web._auth import state
from fieldnote.web._guards import Access, Guard
from fieldnote.web._project_access import CanReadPersonal, CanView

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["api"])

AnyCaller = Annotated[Access, Depends(Guard())]


class ProjectOut(BaseModel):
    name: str
    role: str | None
    created_at: str


class MeOut(BaseModel):
    kind: str
    actor: str
    email: str | None
    projects: list[ProjectOut]


def _store(request: Request) -> DuckDBEventStore:
    st = state(request)
    if st.store is None:
        raise HTTPException(
            409, "this server writes Parquet segments (scale-out mode); read them with Spark"
        )
    return st.store


async def _projects(request: Request, access: Access) -> list[ProjectOut]:
    principal = access.principal
    every = await run_in_threadpool(state(request).fieldnote.projects.list)
    out = []
    for p in principal.visible_projects(every):
        role = principal.access.role_in(p.name) if principal.access is not None else None
        out.append(
            ProjectOut(
                name=p.name,
                role=role.value if role else None,
                created_at=p.created_at.isoformat(),
            )
        )
    return out


@router.get("/me")
async def me(request: Request, access: AnyCaller) -> MeOut:
    """Who the credentials belong to, and the projects they reach."""
    principal = access.principal
    return MeOut(
        kind=principal.kind,
        actor=principal.actor,
        email=principal.access.email if principal.access else None,
        projects=await _projects(request, access),
    )


@router.get("/projects")
async def projects(request: Request, access: AnyCaller) -> dict[str, list[ProjectOut]]:
    """The projects these credentials can see (the project switcher's list)."""
    return {"projects": await _projects(request, access)}


def overview_json(overview: Overview) -> dict[str, Any]:
    return {
        "project": overview.project,
        "days": overview.days,
        "events_total": overview.events_total,
        "persons_total": overview.persons_total,
        "events_in_window": overview.events_in_window,
        "window_start": overview.window_start.isoformat() if overview.window_start else None,
        "window_end": overview.window_end.isoformat() if overview.window_end else None,
        "series": [{"day": p.day.isoformat(), "count": p.count} for p in overview.series],
        "top_events": [
            {"event": e.event, "count": e.count, "share": round(e.share, 6)}
            for e in overview.top_events
        ],
        "latest": [
            {
                "event": e.event,
                "timestamp": e.timestamp.isoformat(),
                "received_at": e.received_at.isoformat(),
            }
            for e in overview.latest
        ],
        "computed_at": overview.computed_at.isoformat(),
    }


@router.get("/projects/{project}/overview")
async def project_overview(
    ctx: CanView, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> dict[str, Any]:
    """The overview page's data: totals, events per day, top events, latest events
    (the latest list carries no distinct ids or properties, so viewers may read it)."""
    _store(ctx.request)
    service = ctx.state.overview
    assert service is not None
    overview = await ctx.run(lambda: service.overview(ctx.project, days=days))
    return overview_json(overview)


@router.get("/projects/{project}/events/count")
async def events_count(ctx: CanView) -> dict[str, int]:
    """How many events the project holds (committed ones only)."""
    store = _store(ctx.request)
    return {"count": await ctx.run(lambda: store.count(ctx.project))}


@router.get("/projects/{project}/events/tail")
async def events_tail(
    ctx: CanReadPersonal, limit: Annotated[int, Query(ge=1, le=1000)] = 20
) -> dict[str, list[dict[str, Any]]]:
    """The most recently received events, oldest first, with distinct ids and properties
    (personal data: researchers and admins only, and audited)."""
    store = _store(ctx.request)
    events = await ctx.run(lambda: store.tail(ctx.project, limit))
    await ctx.audit("personal_data.read", "events", {"api": "events/tail", "rows": len(events)})
    return {
        "events": [
            {
                "uuid": e.uuid,
                "distinct_id": e.distinct_id,
                "event": e.event,
                "timestamp": e.timestamp.isoformat(),
                "properties": e.properties,
                "inserted_at": e.inserted_at.isoformat() if e.inserted_at else None,
            }
            for e in events
        ]
    }
