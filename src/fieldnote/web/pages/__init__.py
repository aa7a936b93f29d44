"""Server-rendered pages (Jinja2 + HTMX): login, projects, overview, events, settings.

``install(app)`` adds the page routers, the static files and the handlers that turn
"sign in first" into a redirect to /login and a refused page into an HTML error page.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from fieldnote.web._auth import authenticate
from fieldnote.web._guards import LoginRequiredError, PageForbiddenError
from fieldnote.web._static import router as static_router
from fieldnote.web._themes_api import router as themes_api_router
from fieldnote.web.pages._backlog_pages import router as backlog_pages_router
from fieldnote.web.pages._diary_pages import router as diary_pages_router
from fieldnote.web.pages._digest_page import router as digest_page_router
from fieldnote.web.pages._discovery_pages import router as discovery_pages_router
from fieldnote.web.pages._guide_pages import router as guide_pages_router
from fieldnote.web.pages._login import router as login_router
from fieldnote.web.pages._monitor_pages import router as monitor_pages_router
from fieldnote.web.pages._projects import router as projects_router
from fieldnote.web.pages._projects import visible_projects
from fieldnote.web.pages._render import page
from fieldnote.web.pages._settings import router as settings_router
from fieldnote.web.pages._theme_pages import router as theme_pages_router

__all__ = ["install"]


def install(app: FastAPI) -> None:
    app.include_router(static_router)
    app.include_router(login_router)
    app.include_router(projects_router)
    app.include_router(settings_router)
    app.include_router(monitor_pages_router)
    app.include_router(digest_page_router)
    app.include_router(guide_pages_router)
    app.include_router(discovery_pages_router)
    app.include_router(backlog_pages_router)
    app.include_router(theme_pages_router)
    app.include_router(themes_api_router)  # the affinity map's reads and corrections
    app.include_router(diary_pages_router)

    @app.exception_handler(LoginRequiredError)
    async def login_required(request: Request, _exc: LoginRequiredError) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={quote(target, safe='/')}"
        if request.headers.get("hx-request"):
            # An HTMX poll whose session ended: make the whole page go to /login.
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(PageForbiddenError)
    async def page_forbidden(request: Request, exc: PageForbiddenError) -> Response:
        principal = await run_in_threadpool(authenticate, request)
        projects = await visible_projects(request, principal) if principal else []
        title = "Not allowed" if exc.status == 403 else "Not found"
        return page(
            request,
            "error.html",
            principal,
            status=exc.status,
            projects=projects,
            title=title,
            message=exc.message,
        )
