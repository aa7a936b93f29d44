"""Project pages: the switcher, the overview (chart, top events, live list), the event log.

Event data is read in-process from the server's own DuckDB store through cursors, in
a worker thread (DuckDB releases the GIL while it scans). In scale-out mode the server
has no DuckDB store: the pages say so instead of failing.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.analytics.overview import Overview
from fieldnote.repository import Permission, ProjectInfo
from fieldnote.web._auth import Principal, client_ip, state
from fieldnote.web._guards import Access, Guard, PageForbiddenError
from fieldnote.web._project_access import ProjectAccess
from fieldnote.web.pages._render import SECURITY_HEADERS, page, render

__all__ = ["SCALE_OUT_NOTICE", "chart_data", "project_page", "router", "visible_projects"]

router = APIRouter(include_in_schema=False)

SCALE_OUT_NOTICE = (
    "This server writes captured events as Parquet segments (scale-out mode), so it has "
    "no DuckDB event store to chart. Run the overview against the server that owns "
    "events.duckdb, or query the segments with Spark (docs/scaling.md)."
)
_PROJECT = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")

AnyUser = Annotated[Access, Depends(Guard(page=True))]
Viewer = Annotated[Access, Depends(Guard(Permission.VIEW_PROJECT, page=True))]
Researcher = Annotated[Access, Depends(Guard(Permission.READ_PERSONAL_DATA, page=True))]


async def visible_projects(request: Request, principal: Principal) -> list[ProjectInfo]:
    every = await run_in_threadpool(state(request).fieldnote.projects.list)
    return principal.visible_projects(every)


async def project_page(ctx: ProjectAccess, template: str, **context: Any) -> Response:
    """A page of ``ctx``'s project in the shell, its switcher listing the caller's projects."""
    projects = await visible_projects(ctx.request, ctx.principal)
    return page(
        ctx.request, template, ctx.principal, projects=projects, project=ctx.project, **context
    )


def chart_data(overview: Overview) -> dict[str, Any]:
    return {
        "days": [p.day.isoformat() for p in overview.series],
        "counts": [p.count for p in overview.series],
    }


@router.get("/")
async def home(_access: AnyUser) -> Response:
    return RedirectResponse("/projects", status_code=303, headers=SECURITY_HEADERS)


@router.get("/projects")
async def projects_page(request: Request, access: AnyUser) -> Response:
    principal = access.principal
    projects = await visible_projects(request, principal)
    roles: dict[str, str] = {}
    if principal.access is not None:
        for p in projects:
            role = principal.access.role_in(p.name)
            if role is not None:
                roles[p.name] = role.value
    return page(
        request, "projects.html", principal, projects=projects, roles=roles, active="projects"
    )


@router.get("/projects/switch")
async def switch_project(
    access: AnyUser, project: Annotated[str, Query(max_length=64)] = ""
) -> Response:
    if not _PROJECT.match(project) or not access.principal.can(project, Permission.VIEW_PROJECT):
        raise PageForbiddenError(404, f"you have no project named {project!r}")
    return RedirectResponse(f"/projects/{project}", status_code=303, headers=SECURITY_HEADERS)


@router.get("/projects/{project}")
async def overview_page(
    request: Request, access: Viewer, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    st = state(request)
    projects = await visible_projects(request, access.principal)
    context: dict[str, Any] = {"overview": None, "notice": None, "chart": {}}
    if st.overview is None:
        context["notice"] = SCALE_OUT_NOTICE
    else:
        overview = await run_in_threadpool(st.overview.overview, access.project_name, days=days)
        context.update(overview=overview, chart=chart_data(overview))
    return page(
        request,
        "overview.html",
        access.principal,
        projects=projects,
        project=access.project_name,
        active="overview",
        latest=context["overview"].latest if context["overview"] else (),
        total=context["overview"].events_total if context["overview"] else 0,
        **context,
    )


@router.get("/projects/{project}/live")
async def live_fragment(request: Request, access: Viewer) -> Response:
    """The latest-events list, polled by HTMX every few seconds (no personal data)."""
    st = state(request)
    if st.overview is None:
        return render(request, "_live.html", {"latest": (), "total": 0})
    overview = await run_in_threadpool(st.overview.overview, access.project_name)
    return render(
        request, "_live.html", {"latest": overview.latest, "total": overview.events_total}
    )


@router.get("/projects/{project}/events")
async def events_page(
    request: Request, access: Researcher, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> Response:
    """Raw events with distinct ids and properties: personal data, so the read is audited."""
    st = state(request)
    projects = await visible_projects(request, access.principal)
    events: list[Any] = []
    notice = None
    if st.store is None:
        notice = SCALE_OUT_NOTICE
    else:
        events = list(reversed(await run_in_threadpool(st.store.tail, access.project_name, limit)))
        await run_in_threadpool(
            st.fieldnote.audit.record,
            actor=access.principal.actor,
            action="personal_data.read",
            project=access.project_name,
            target="events",
            detail={"page": "events", "rows": len(events)},
            ip=client_ip(request),
        )
    return page(
        request,
        "events.html",
        access.principal,
        projects=projects,
        project=access.project_name,
        active="events",
        events=events,
        notice=notice,
    )
